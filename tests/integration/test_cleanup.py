"""Housekeeping on real databases: the batched SQL deletes, `wiwebb cleanup`, and the server's
periodic cleanup (SQLite and PostgreSQL)."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, text

from wiwebb.adapters import schema
from wiwebb.adapters.clock import SystemClock
from wiwebb.adapters.database import Database, create_database_engine
from wiwebb.adapters.housekeeping_sql import SqlHousekeepingStore
from wiwebb.adapters.memory import FixedClock
from wiwebb.adapters.orm import AuthTokenRow, MailOutboxRow, UserRow, WebhookEventRow
from wiwebb.adapters.periodic import PeriodicTask, cleanup_task
from wiwebb.app import build_app
from wiwebb.domain.housekeeping import CleanupRefused, Housekeeping

from ..conftest import make_settings, new_postgres_database
from .tcp_proxy import TcpProxy
from .test_cli_support import Cli, one_line, postgres_environ, sqlite_cli

DAY = timedelta(days=1)
KEPT = {"auth_tokens": 2, "mail_outbox": 3, "webhook_events": 3}  # what `seed` adds that must stay


def seed(database: Database, now: datetime, old: int) -> None:
    """`old` rows of each kind older than 30 days, plus what must stay (`KEPT`): a token that
    expired 10 days ago and one still valid; pending, failed and recently sent mail; failed
    events (one of them once processed long ago: kept for `wiwebb webhooks --replay`) and a recent
    processed one."""
    long_ago = now - 40 * DAY
    with database.session(write=True) as session, session.begin():
        user_id = session.execute(insert(UserRow).returning(UserRow.id), [{
            "username": f"u{uuid.uuid4().hex[:8]}", "email": "u@acme.test", "email_lower": f"{uuid.uuid4()}@acme.test",
            "password": "!", "role": "subscriber", "date_joined": long_ago}]).scalar_one()
        tokens = [long_ago] * old + [now - 10 * DAY, now + DAY]
        session.execute(insert(AuthTokenRow), [
            {"user_id": user_id, "key_hash": uuid.uuid4().hex * 2, "prefix": "abcd", "created": long_ago,
             "expires_at": expires} for expires in tokens])
        mails = [(long_ago, None)] * old + [(None, None), (None, long_ago), (now - DAY, None)]
        session.execute(insert(MailOutboxRow), [
            {"message_id": f"<{uuid.uuid4()}@wiwebb>", "to_address": "a@acme.test", "from_address": "w@acme.test",
             "subject": "Hello", "text_body": "Hi", "created_at": long_ago, "next_attempt_at": long_ago,
             "sent_at": sent, "failed_at": failed} for sent, failed in mails])
        events = [("processed", long_ago)] * old + [("failed", None), ("failed", long_ago), ("processed", now - DAY)]
        session.execute(insert(WebhookEventRow), [
            {"event_id": f"evt_{uuid.uuid4().hex}", "type": "invoice.paid", "created": 0, "payload": "{}",
             "status": status, "received_at": long_ago, "processed_at": processed} for status, processed in events])


def counts(database: Database) -> dict[str, int]:
    with database.session() as session:
        return {row.__tablename__: session.scalar(select(func.count()).select_from(row)) or 0
                for row in (AuthTokenRow, MailOutboxRow, WebhookEventRow)}


def wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture(scope="module")
def postgres_url():
    """A PostgreSQL database of this module's own, for tests that commit for real (threads,
    processes); each test empties the tables it fills."""
    with new_postgres_database("wiwebb_cleanup") as url:
        engine = create_database_engine(url.render_as_string(False))
        schema.migrate(engine)
        engine.dispose()
        yield url


@pytest.fixture(params=["postgres", "sqlite"])
def committed_database(request, tmp_path):
    """A Database whose sessions commit for real (not inside a test's outer transaction)."""
    if request.param == "sqlite":
        database = request.getfixturevalue("sqlite_database")
        yield database
        return
    url = request.getfixturevalue("postgres_url")
    engine = create_database_engine(url.render_as_string(False))
    try:
        yield Database(engine)
    finally:
        with engine.begin() as connection:
            connection.execute(text("TRUNCATE auth_tokens, mail_outbox, webhook_events, users CASCADE"))
        engine.dispose()


def test_the_store_deletes_old_rows_in_batches_and_keeps_the_rest(database):
    clock = FixedClock(datetime.now(UTC))
    seed(database, clock.now(), old=7)

    report = Housekeeping(SqlHousekeepingStore(database), clock).cleanup(30 * DAY, 3)

    assert (report.tokens, report.mails, report.webhook_events) == (7, 7, 7)
    assert counts(database) == KEPT


def test_a_batch_deletes_at_most_its_size(database):
    seed(database, datetime.now(UTC), old=5)
    store = SqlHousekeepingStore(database)
    before = datetime.now(UTC) - 30 * DAY
    assert [store.delete_expired_tokens(before, 2) for _ in range(4)] == [2, 2, 1, 0]
    assert [store.delete_delivered_mail(before, 4) for _ in range(3)] == [4, 1, 0]
    assert [store.delete_processed_webhook_events(before, 5) for _ in range(2)] == [5, 0]
    assert counts(database) == KEPT


def test_two_cleanups_at_once_share_the_work(committed_database):
    seed(committed_database, datetime.now(UTC), old=300)
    engine = committed_database.engine
    other = Database(create_database_engine(engine.url.render_as_string(False)))
    reports, errors = [], []

    def clean(database: Database) -> None:
        try:
            reports.append(Housekeeping(SqlHousekeepingStore(database), SystemClock()).cleanup(30 * DAY, 20))
        except Exception as error:  # noqa: BLE001 - the assertion below shows it
            errors.append(error)

    try:
        threads = [threading.Thread(target=clean, args=(db,)) for db in (committed_database, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        clean(committed_database)  # what one left to the other and the other saw held: nothing, or the rest
    finally:
        other.engine.dispose()
    assert not errors
    assert sum(r.tokens for r in reports) == sum(r.mails for r in reports) == 300
    assert sum(r.webhook_events for r in reports) == 300
    assert counts(committed_database) == KEPT


@pytest.mark.postgres
def test_a_row_another_transaction_holds_is_left_for_the_next_cleanup(postgres_url):
    database = Database(create_database_engine(postgres_url.render_as_string(False)))
    housekeeping = Housekeeping(SqlHousekeepingStore(database), SystemClock())
    seed(database, datetime.now(UTC), old=5)
    reports = []
    try:
        with database.engine.connect() as holder, holder.begin():
            holder.execute(text("SELECT id FROM mail_outbox WHERE sent_at < now() - interval '30 days' "
                                "ORDER BY id LIMIT 1 FOR UPDATE"))
            cleaning = threading.Thread(target=lambda: reports.append(housekeeping.cleanup(30 * DAY, 2)))
            cleaning.start()
            cleaning.join(10)
            assert not cleaning.is_alive(), "the cleanup waited for the held row"
        assert (reports[0].tokens, reports[0].mails, reports[0].webhook_events) == (5, 4, 5)
        assert housekeeping.cleanup(30 * DAY, 2).mails == 1
        assert counts(database) == KEPT
    finally:
        with database.engine.begin() as connection:
            connection.execute(text("TRUNCATE auth_tokens, mail_outbox, webhook_events, users CASCADE"))
        database.engine.dispose()


def test_the_periodic_cleanup_runs_logs_and_stops(committed_database, caplog):
    caplog.set_level(logging.INFO, logger="wiwebb.cleanup")
    seed(committed_database, datetime.now(UTC), old=5)
    task = cleanup_task(Housekeeping(SqlHousekeepingStore(committed_database), SystemClock()), age=30 * DAY,
                        batch_size=2, interval=timedelta(seconds=0.05))
    task.start()
    try:
        wait_until(lambda: counts(committed_database) == KEPT)
        wait_until(lambda: any(r.name == "wiwebb.cleanup" for r in caplog.records))
        time.sleep(0.2)  # more runs, which remove nothing and say nothing
    finally:
        task.stop()
    assert not task.running
    lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "wiwebb.cleanup"]
    assert lines == [("INFO", "Removed 5 expired tokens, 5 delivered mails and 5 processed webhook events "
                              "older than 30d.")]


def test_the_periodic_cleanup_survives_the_database_going_away(postgres_url, caplog):
    caplog.set_level(logging.INFO, logger="wiwebb.cleanup")
    direct = Database(create_database_engine(postgres_url.render_as_string(False)))
    proxy = TcpProxy(postgres_url.host or "127.0.0.1", postgres_url.port or 5432)  # not started: down
    proxied = Database(create_database_engine(
        postgres_url.set(host="127.0.0.1", port=proxy.port).render_as_string(False)))
    task = cleanup_task(Housekeeping(SqlHousekeepingStore(proxied), SystemClock()), age=30 * DAY,
                        batch_size=100, interval=timedelta(seconds=0.05))
    try:
        seed(direct, datetime.now(UTC), old=3)
        task.start()
        wait_until(lambda: any(r.levelname == "ERROR" for r in caplog.records if r.name == "wiwebb.cleanup"))
        assert task.running
        proxy.start()
        wait_until(lambda: counts(direct) == KEPT)
    finally:
        task.stop()
        proxy.cut()
        proxied.engine.dispose()
        with direct.engine.begin() as connection:
            connection.execute(text("TRUNCATE auth_tokens, mail_outbox, webhook_events, users CASCADE"))
        direct.engine.dispose()
    assert not task.running
    assert any("Removed 3 expired tokens" in r.getMessage() for r in caplog.records if r.levelname == "INFO")


def test_stop_ends_a_cleanup_between_batches():
    started, release = threading.Event(), threading.Event()
    batches = []

    def work(keep_going):
        started.set()
        while keep_going():
            batches.append(1)
            release.wait(5)

    task = PeriodicTask(work, timedelta(seconds=0.01), name="test", logger=logging.getLogger("test"))
    task.start()
    assert started.wait(5)
    stopped = []
    stopping = threading.Thread(target=lambda: stopped.append(task.stop()))
    stopping.start()
    release.set()
    stopping.join(5)
    assert stopped == [True] and not task.running and len(batches) == 1


def test_a_stop_that_times_out_says_so_and_the_thread_is_not_revived():
    started, release = threading.Event(), threading.Event()
    runs = []

    def work(keep_going):
        runs.append(1)
        started.set()
        release.wait(5)  # a batch that does not look at keep_going in time

    task = PeriodicTask(work, timedelta(seconds=0.01), name="test", logger=logging.getLogger("test"))
    task.start()
    assert started.wait(5)
    try:
        assert task.stop(timeout=0.05) is False
        assert task.running  # still finishing its run
        with pytest.raises(RuntimeError, match="still stopping"):
            task.start()
    finally:
        release.set()
    assert task.stop() is True and not task.running
    assert len(runs) == 1  # the stopped thread ran no further batch, and no second thread started


def test_the_periodic_cleanup_refuses_an_age_inside_stripes_redelivery_window(sqlite_database):
    with pytest.raises(CleanupRefused):
        cleanup_task(Housekeeping(SqlHousekeepingStore(sqlite_database), SystemClock()), age=2 * DAY,
                     batch_size=10, interval=timedelta(hours=1))


def test_a_restarted_task_waits_its_interval_and_a_wake_runs_it_at_once():
    runs = []
    task = PeriodicTask(lambda keep_going: runs.append(1), timedelta(hours=1), name="test",
                        logger=logging.getLogger("test"))
    task.start()
    assert task.stop() is True
    task.start()  # not at once: the stop's wake-up is spent
    try:
        time.sleep(0.2)
        assert runs == []
        task.wake()
        wait_until(lambda: runs == [1])
    finally:
        assert task.stop() is True


def test_the_server_starts_the_cleanup_unless_it_is_off(sqlite_database, tmp_path):
    url = str(sqlite_database.url)
    app = build_app(make_settings(url, tmp_path, CLEANUP_INTERVAL="1h"), database=sqlite_database,
                    start_mail_worker=True)
    try:
        assert app.cleanup_task.running
    finally:
        app.cleanup_task.stop()
        app.adapters.mail_worker.stop()
    assert not app.cleanup_task.running

    app = build_app(make_settings(url, tmp_path, CLEANUP_INTERVAL="0"), database=sqlite_database,
                    start_mail_worker=True)
    app.adapters.mail_worker.stop()
    assert not hasattr(app, "cleanup_task")
    assert not hasattr(build_app(make_settings(url, tmp_path), database=sqlite_database), "cleanup_task")


def test_the_server_refuses_to_start_with_a_cleanup_age_below_three_days(sqlite_database, tmp_path):
    with pytest.raises(SystemExit) as stopped:
        build_app(make_settings(str(sqlite_database.url), tmp_path, CLEANUP_AGE="2d"), database=sqlite_database,
                  start_mail_worker=True)
    assert str(stopped.value).startswith("wiwebb: CLEANUP_AGE: must be at least 3d, got 2d: Stripe redelivers")


# -- the command --------------------------------------------------------------------------------

def run_cleanup_command(cli: Cli, database: Database) -> None:
    cli.ok("migrate")
    seed(database, datetime.now(UTC), old=5)
    result = cli.ok("cleanup", "--batch-size", "2")
    assert result.stdout == ("Removed 5 expired tokens, 5 delivered mails and 5 processed webhook events "
                             "older than 30d.\n")
    assert counts(database) == KEPT
    # The token that expired 10 days ago goes with a shorter age; the rest is a day old, or unsent or failed.
    assert cli.ok("cleanup", "--age", "7d").stdout == ("Removed 1 expired tokens, 0 delivered mails and "
                                                       "0 processed webhook events older than 7d.\n")
    assert counts(database) == {**KEPT, "auth_tokens": 1}


@pytest.mark.sqlite
def test_the_cleanup_command_on_sqlite(tmp_path):
    cli = sqlite_cli(tmp_path)
    engine = create_database_engine(f"sqlite:///{cli.sqlite_path}")
    try:
        run_cleanup_command(cli, Database(engine))
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_the_cleanup_command_on_postgres(tmp_path):
    with new_postgres_database() as url:
        cli = Cli.in_folder(tmp_path, **postgres_environ(url))
        engine = create_database_engine(url.render_as_string(False))
        try:
            run_cleanup_command(cli, Database(engine))
        finally:
            engine.dispose()


@pytest.mark.parametrize(("args", "env", "message"), [
    (["--age", "2d"], {}, "wiwebb: --age: must be at least 3d, got 2d: Stripe redelivers a webhook event for up "
                          "to 3 days, and the redelivery of a deleted event would be applied again"),
    (["--age", "soon"], {}, "wiwebb: --age: expected a duration like 30d, 12h, 90m or 3600 (seconds), got 'soon'"),
    ([], {"CLEANUP_AGE": "12h"}, "wiwebb: CLEANUP_AGE: must be at least 3d, got 12h"),
    (["--batch-size", "0"], {}, "wiwebb: --batch-size: expected a whole number of at least 1, got '0'"),
    (["--age", "99999999999999d"], {}, "wiwebb: --age: expected a duration like 30d"),
    (["--age", "40000d"], {}, "wiwebb: --age: expected a duration of at most 36500d (100 years), got '40000d'"),
    (["--batch-size", "\u00b2"], {}, "wiwebb: --batch-size: expected a whole number of at least 1, got '\u00b2'"),
    (["--batch-size", "9" * 20], {}, "wiwebb: --batch-size: expected a whole number of at least 1, got '999"),
    (["--batch-size", "2000000"], {}, "wiwebb: --batch-size: must be at most 1000000, got 2000000"),
    ([], {"CLEANUP_BATCH_SIZE": "2000000"}, "wiwebb: CLEANUP_BATCH_SIZE: must be at most 1000000, got 2000000"),
], ids=["age-too-short", "age-not-a-duration", "setting-too-short", "batch-size-zero", "age-overflowing",
        "age-past-a-century", "batch-size-superscript", "batch-size-overflowing", "batch-size-too-large",
        "batch-size-setting-too-large"])
def test_the_cleanup_command_refuses_bad_values_in_one_line(tmp_path, args, env, message):
    result = sqlite_cli(tmp_path)("cleanup", *args, **env)  # not even migrated: refused before
    assert result.returncode == 2
    assert one_line(result).startswith(message)
    assert result.stdout == ""


def test_the_cleanup_command_needs_the_migrated_schema(tmp_path):
    result = sqlite_cli(tmp_path)("cleanup")
    assert result.returncode == 1
    assert "is not migrated to this version; run `wiwebb -c development.ini migrate` first" in one_line(result)
