"""`wiwebb.adapters.database`: SQLite's settings and write lock, waiting for the server, health, dbshell."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from wiwebb.adapters import database as database_module
from wiwebb.adapters.database import Database, DatabaseUnreachable, create_database_engine, shell_command


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'wiwebb.sqlite3'}"
    with open_database(url) as database, database.session(write=True) as session, session.begin():
        session.execute(text("CREATE TABLE notes (body TEXT)"))
        session.execute(text("INSERT INTO notes VALUES ('first')"))
    return url


@contextmanager
def open_database(url: str, **engine_options) -> Iterator[Database]:
    """A `Database` on an engine of its own, disposed on exit."""
    engine = create_database_engine(url, **engine_options)
    try:
        yield Database(engine)
    finally:
        engine.dispose()


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    """Time as the database module sees it, moved only by `sleep` (and by the test)."""
    clock = FakeClock()
    monkeypatch.setattr(database_module, "time", SimpleNamespace(monotonic=clock.monotonic, sleep=clock.sleep))
    return clock


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pragma(database: Database, name: str):
    with database.engine.connect() as connection:
        return connection.exec_driver_sql(f"PRAGMA {name}").scalar()


# SQLite


def test_sqlite_pragmas(sqlite_url):
    with open_database(sqlite_url, busy_timeout=2.5) as database:
        assert pragma(database, "journal_mode") == "wal"
        assert pragma(database, "busy_timeout") == 2500
        assert pragma(database, "foreign_keys") == 1


def test_writing_session_takes_the_write_lock_at_its_first_statement(sqlite_url):
    with open_database(sqlite_url) as first, open_database(sqlite_url, busy_timeout=0.1) as second:
        with first.session(write=True) as writer, writer.begin():
            assert writer.execute(text("SELECT count(*) FROM notes")).scalar() == 1  # reads only, yet...
            with pytest.raises(OperationalError, match="database is locked"), \
                    second.session(write=True) as other, other.begin():
                other.execute(text("INSERT INTO notes VALUES ('second')"))
            with second.session() as reader:
                assert reader.execute(text("SELECT body FROM notes")).scalars().all() == ["first"]
            writer.execute(text("INSERT INTO notes VALUES ('mine')"))
        with second.session() as reader:
            assert reader.execute(text("SELECT count(*) FROM notes")).scalar() == 2


def test_reading_session_leaves_the_write_lock_free(sqlite_url):
    with open_database(sqlite_url) as first, open_database(sqlite_url, busy_timeout=0.1) as second:
        with first.session() as reader, reader.begin():
            assert reader.execute(text("SELECT count(*) FROM notes")).scalar() == 1
            with second.session(write=True) as writer, writer.begin():
                writer.execute(text("INSERT INTO notes VALUES ('second')"))


# Waiting for the server


def test_wait_until_ready_gives_up_on_an_unreachable_server(clock, caplog):
    port = free_port()
    caplog.set_level(logging.WARNING, logger="wiwebb.adapters.database")
    with open_database(f"postgresql+psycopg2://postgres:s3cret@127.0.0.1:{port}/wiwebb") as database:
        with pytest.raises(DatabaseUnreachable, match=f"127.0.0.1:{port}") as raised:
            database.wait_until_ready(1.5, interval=0.5, sleep=clock.sleep)
    assert "s3cret" not in str(raised.value)
    assert clock.sleeps and set(clock.sleeps) == {0.5}
    assert 1000 + 1.5 <= clock.now <= 1000 + 1.5 + 0.5  # gave up once the timeout had passed, not before
    messages = [r.getMessage() for r in caplog.records if r.name == "wiwebb.adapters.database"]
    assert messages and all(m.startswith(f"waiting for database at 127.0.0.1:{port}") for m in messages)
    assert len(messages) == len(clock.sleeps)


def test_wait_until_ready_returns_at_once_when_the_database_answers(sqlite_url, clock):
    with open_database(sqlite_url) as database:
        database.wait_until_ready(1.5, sleep=clock.sleep)
    assert clock.sleeps == []


def test_ping():
    with open_database("sqlite://") as database:
        assert database.ping()
    with open_database(f"postgresql+psycopg2://postgres@127.0.0.1:{free_port()}/wiwebb") as database:
        assert not database.ping()


def test_healthy_reuses_its_answer_for_max_age(sqlite_url, clock, monkeypatch):
    with open_database(sqlite_url) as database:
        assert database.healthy(max_age=5)
        pings: list[str] = []

        def failing_ping() -> bool:
            pings.append("ping")
            return False

        monkeypatch.setattr(database, "ping", failing_ping)

        clock.now += 4
        assert database.healthy(max_age=5)  # the cached answer
        assert pings == []
        clock.now += 2
        assert not database.healthy(max_age=5)  # too old: asked again
        assert database.healthy(max_age=0) is False
        assert pings == ["ping", "ping"]


# dbshell


def test_shell_command_for_sqlite(tmp_path):
    path = tmp_path / "wiwebb.sqlite3"
    assert shell_command(make_url(f"sqlite:///{path}")) == (["sqlite3", str(path)], {})


def test_shell_command_for_postgres():
    argv, environ = shell_command(make_url("postgresql+psycopg2://wiwebb:p%40ss@db.example:6543/app"))
    assert argv == ["psql", "-U", "wiwebb", "-h", "db.example", "-p", "6543", "app"]
    assert environ == {"PGPASSWORD": "p@ss"}
    argv, environ = shell_command(make_url("postgresql://alice@localhost/app"))
    assert (argv, environ) == (["psql", "-U", "alice", "-h", "localhost", "app"], {})
