"""Migrations on PostgreSQL beside other work: containers starting at once migrate one after the
other (an advisory lock), and a migration blocked by another transaction's lock on a table it
alters gives up after the lock timeout, changing nothing, with one line from `wiwebb migrate`."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import text

from wiwebb.adapters import schema
from wiwebb.adapters.database import create_database_engine

from ..conftest import new_postgres_database
from .test_cli_support import Cli, one_line, postgres_environ

PREVIOUS = "0005"  # the migration before the newest, which indexes webhook_events


@pytest.fixture
def fresh_url():
    with new_postgres_database("wiwebb_locks") as url:
        yield url


@pytest.fixture
def engine(fresh_url):
    engine = create_database_engine(fresh_url.render_as_string(False))
    yield engine
    engine.dispose()


def applied(engine) -> list[str]:
    return [state.revision for state in schema.status(engine) if state.applied]


@pytest.mark.postgres
def test_two_migrations_of_a_fresh_database_at_once_both_succeed(fresh_url):
    engines = [create_database_engine(fresh_url.render_as_string(False)) for _ in range(2)]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def migrate(engine) -> None:
        start.wait()
        try:
            schema.migrate(engine)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=migrate, args=(engine,)) for engine in engines]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        assert all(schema.is_up_to_date(engine) for engine in engines)
    finally:
        for engine in engines:
            engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("verb", ["migrate", "fake"])
def test_a_migration_waits_for_another_one_longer_than_the_lock_timeout(engine, verb):
    """The advisory lock is taken before the lock timeout applies: a long migration elsewhere is
    waited for, however long it takes."""
    release = threading.Event()

    def other_migration() -> None:
        with engine.connect() as connection, connection.begin():
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({schema.MIGRATION_LOCK_KEY})")
            locked.set()
            release.wait(10)

    locked = threading.Event()
    other = threading.Thread(target=other_migration)
    other.start()
    try:
        assert locked.wait(10)
        threading.Timer(1.0, release.set).start()
        started = time.monotonic()
        if verb == "migrate":
            schema.migrate(engine, lock_timeout=timedelta(seconds=0.3))
        else:
            schema.fake(engine, "head", lock_timeout=timedelta(seconds=0.3))
        assert time.monotonic() - started >= 0.9  # it waited for the other one to end
        assert schema.is_up_to_date(engine)
    finally:
        release.set()
        other.join(10)


@pytest.mark.postgres
def test_a_migration_blocked_by_a_lock_on_a_table_it_alters_gives_up_after_the_lock_timeout(engine):
    schema.migrate(engine, PREVIOUS)
    with engine.connect() as holder, holder.begin():  # a long transaction that wrote to the table
        holder.execute(text("SET LOCAL idle_in_transaction_session_timeout = '20s'"))
        holder.execute(text("LOCK TABLE webhook_events IN ROW EXCLUSIVE MODE"))
        started = time.monotonic()
        with pytest.raises(schema.MigrationBlocked) as blocked:
            schema.migrate(engine, lock_timeout=timedelta(seconds=1))
        waited = time.monotonic() - started
    assert 0.9 <= waited < 5
    message = str(blocked.value)
    assert "\n" not in message and "waited 1 s for a table lock" in message and "webhook_events" in message
    assert applied(engine)[-1] == PREVIOUS, "nothing was changed"
    schema.migrate(engine)  # once that transaction ended
    assert schema.is_up_to_date(engine)


@pytest.mark.postgres
def test_the_lock_timeout_applies_to_the_migration_only(engine, monkeypatch):
    from alembic import command

    seen: list[str] = []
    upgrade = command.upgrade

    def watching_upgrade(config, target):
        seen.append(config.attributes["connection"].exec_driver_sql("SHOW lock_timeout").scalar())
        return upgrade(config, target)

    monkeypatch.setattr(command, "upgrade", watching_upgrade)
    schema.migrate(engine)
    assert seen == [f"{int(schema.LOCK_TIMEOUT.total_seconds())}s"]
    with engine.connect() as connection:
        assert connection.execute(text("SHOW lock_timeout")).scalar() == "0"


@pytest.mark.postgres
def test_wiwebb_migrate_blocked_says_so_in_one_line(fresh_url, engine, tmp_path):
    schema.migrate(engine, PREVIOUS)
    cli = Cli.in_folder(tmp_path, **postgres_environ(fresh_url))
    # The real command, with a lock timeout of 1 s instead of 10.
    script = ("import datetime, sys; from wiwebb.adapters import schema; "
              "schema.LOCK_TIMEOUT = datetime.timedelta(seconds=1); "
              "from wiwebb.toolbox import cli; sys.exit(cli(['migrate']))")
    with engine.connect() as holder, holder.begin():
        holder.execute(text("SET LOCAL idle_in_transaction_session_timeout = '30s'"))
        holder.execute(text("LOCK TABLE webhook_events IN ROW EXCLUSIVE MODE"))
        result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=cli.env, capture_output=True,
                                text=True, timeout=60, check=False)
    assert result.returncode == 1
    line = one_line(result)
    assert line.startswith("wiwebb: migration stopped: waited 1 s for a table lock held by another transaction")
    assert applied(engine)[-1] == PREVIOUS


@pytest.mark.sqlite
def test_sqlite_migrates_as_before(tmp_path):
    engine = create_database_engine(f"sqlite:///{tmp_path / 'locks.sqlite3'}")
    try:
        schema.migrate(engine, PREVIOUS, lock_timeout=timedelta(seconds=1))
        schema.migrate(engine, lock_timeout=timedelta(seconds=1))
        assert schema.is_up_to_date(engine)
        schema.fake(engine, PREVIOUS, lock_timeout=timedelta(seconds=1))
        assert applied(engine)[-1] == PREVIOUS
    finally:
        engine.dispose()
