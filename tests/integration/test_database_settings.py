"""The PostgreSQL pool and statement timeout, from the settings to the engine and to a request:
pool size, overflow and wait (DATABASE_POOL_*), a ping before use, and DATABASE_STATEMENT_TIMEOUT
cancelling a slow statement, which a request answers with 503 and logs with its request id."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import psycopg2.errors
import pytest
import webtest
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from wiwebb.adapters.database import Database, create_database_engine
from wiwebb.app import Adapters, build_app

from ..conftest import make_settings

pytestmark = pytest.mark.postgres

UNAVAILABLE = {"detail": "Service temporarily unavailable."}
TOKEN = {"Authorization": "Token " + "a" * 40}  # looked up in auth_tokens on every request


@pytest.fixture
def url(postgres_engine) -> str:
    return postgres_engine.url.render_as_string(False)


def test_pool_and_statement_timeout_settings_reach_the_engine(url, tmp_path):
    settings = make_settings(url, tmp_path, DATABASE_POOL_SIZE="3", DATABASE_MAX_OVERFLOW="2",
                             DATABASE_POOL_TIMEOUT="7", DATABASE_STATEMENT_TIMEOUT="45s")
    engine = Adapters(settings).database.engine
    try:
        pool = engine.pool
        assert (pool.size(), pool._max_overflow, pool.timeout(), pool._pre_ping) == (3, 2, 7, True)
        with engine.connect() as connection:
            assert connection.execute(text("SHOW statement_timeout")).scalar() == "45s"
    finally:
        engine.dispose()

    unlimited = Adapters(make_settings(url, tmp_path, DATABASE_STATEMENT_TIMEOUT="0")).database.engine
    try:
        with unlimited.connect() as connection:
            assert connection.execute(text("SHOW statement_timeout")).scalar() == "0"
    finally:
        unlimited.dispose()


def test_a_statement_longer_than_the_timeout_is_cancelled_and_the_connection_lives_on(url):
    engine = create_database_engine(url, statement_timeout=timedelta(milliseconds=200))
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT pg_sleep(0.01), 1")).one()[1] == 1
            with pytest.raises(OperationalError) as caught:
                connection.execute(text("SELECT pg_sleep(5)"))
            assert isinstance(caught.value.orig, psycopg2.errors.QueryCanceled)
            assert "statement timeout" in str(caught.value.orig)
            connection.rollback()
            assert connection.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


def test_options_given_in_the_url_are_kept(url):
    engine = create_database_engine(f"{url}?options=-c%20lock_timeout%3D1234",
                                    statement_timeout=timedelta(seconds=3))
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SHOW lock_timeout")).scalar() == "1234ms"
            assert connection.execute(text("SHOW statement_timeout")).scalar() == "3s"
    finally:
        engine.dispose()


def test_a_request_hitting_the_statement_timeout_answers_503_and_logs_its_request_id(
        postgres_engine, url, tmp_path, caplog):
    app = build_app(make_settings(url, tmp_path, DATABASE_STATEMENT_TIMEOUT="1s"))
    api = webtest.TestApp(app)
    try:
        api.get("/api/v1/auth/user/", headers=TOKEN, status=401)  # the database answers
        with postgres_engine.connect() as locker, locker.begin():  # a long migration, say
            # Without a statement timeout the request would wait for ever: end the lock after 10 s.
            locker.execute(text("SET LOCAL idle_in_transaction_session_timeout = '10s'"))
            locker.execute(text("LOCK TABLE auth_tokens IN ACCESS EXCLUSIVE MODE"))
            with caplog.at_level(logging.ERROR, logger="wiwebb"):
                response = api.get("/api/v1/auth/user/", headers={**TOKEN, "X-Request-ID": "slow-request-1"},
                                   status=503)
        assert response.json == UNAVAILABLE and int(response.headers["Retry-After"]) > 0
        logged = [r.getMessage() for r in caplog.records if "slow-request-1" in r.getMessage()]
        assert any("statement timeout" in line for line in logged), caplog.text
        api.get("/api/v1/auth/user/", headers=TOKEN, status=401)  # and the next request is served
    finally:
        app.adapters.database.engine.dispose()


def test_a_request_finding_no_free_connection_answers_503_after_the_pool_timeout(url, tmp_path):
    settings = make_settings(url, tmp_path, DATABASE_POOL_SIZE="1", DATABASE_MAX_OVERFLOW="0",
                             DATABASE_POOL_TIMEOUT="0.2")
    app = build_app(settings)
    api = webtest.TestApp(app)
    engine = app.adapters.database.engine
    try:
        held = engine.connect()  # the only connection, busy elsewhere
        try:
            assert api.get("/api/v1/auth/user/", headers=TOKEN, status=503).json == UNAVAILABLE
        finally:
            held.close()
        api.get("/api/v1/auth/user/", headers=TOKEN, status=401)
    finally:
        engine.dispose()


def test_health_stays_ok_and_quick_while_requests_hold_every_pooled_connection(url, tmp_path):
    """Busy is not down: the probe has a connection of its own, so it neither reports the database
    unreachable nor waits DATABASE_POOL_TIMEOUT behind the requests (the HEALTHCHECK gives up at 5 s)."""
    settings = make_settings(url, tmp_path, DATABASE_POOL_SIZE="1", DATABASE_MAX_OVERFLOW="0",
                             DATABASE_POOL_TIMEOUT="10")
    app = build_app(settings)
    api = webtest.TestApp(app)
    engine = app.adapters.database.engine
    try:
        held = engine.connect()  # the request pool's only connection, busy elsewhere
        try:
            started = time.monotonic()
            health = api.get("/api/v1/health/", status=200).json
            assert time.monotonic() - started < 2
            assert (health["status"], health["database"]) == ("ok", "ok")
        finally:
            held.close()
    finally:
        engine.dispose()


def test_the_health_probe_uses_a_connection_of_its_own_with_short_timeouts_and_keeps_none(url):
    database = Database(create_database_engine(url, pool_size=1, max_overflow=0))
    try:
        before = _server_connections(url)
        assert database.ping()
        probe = database._probe
        assert probe is not None and probe is not database.engine
        assert _server_connections(url) == before  # the probe's connection was closed after it
        with probe.connect() as connection:
            # No libpq `options` (PgBouncer refuses them): the probe's limits are client-side, and
            # its statement timeout is set inside its own transaction.
            assert connection.execute(text("SHOW statement_timeout")).scalar() == "0"
            assert connection.connection.dbapi_connection.get_dsn_parameters()["tcp_user_timeout"] == "3000"
        seen = []
        event.listen(probe, "before_cursor_execute", lambda *args: seen.append(args[2]))
        database._health = (0.0, False)
        assert database.healthy()
        assert seen[:2] == ["SET LOCAL statement_timeout = 3000", "SELECT 1"]
        assert database.engine.pool.checkedout() == 0 and database.engine.pool.checkedin() == 0
        assert _server_connections(url) == before
        # Nothing on the requests' engine: a listener there would slow every statement.
        assert not database.engine.dispatch.engine_disposed
        database.engine.dispose()
        assert database.ping()  # probes go on after the engine is disposed
    finally:
        database.engine.dispose()


def _server_connections(url) -> int:
    """The client connections the server has to the test database (this query's own included)."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return connection.execute(text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND backend_type = 'client backend'")).scalar_one()
    finally:
        engine.dispose()


def test_the_health_probe_says_unreachable_quickly_when_the_server_does_not_answer():
    address = "postgresql+psycopg2://postgres@127.0.0.1:1/none"
    database = Database(create_database_engine(address))
    try:
        started = time.monotonic()
        assert database.healthy() is False
        assert time.monotonic() - started < 5
    finally:
        database.engine.dispose()


class Clock:
    """pg_pool's clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def pool_clock(monkeypatch) -> Clock:
    from wiwebb.adapters import pg_pool

    clock = Clock()
    monkeypatch.setattr(pg_pool, "time", clock)
    return clock


def _kill(postgres_engine, pid: int) -> None:
    with postgres_engine.connect() as killer:
        killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


def test_a_dead_pooled_connection_is_replaced_before_use(postgres_engine, url, pool_clock):
    """pool_pre_ping: a connection killed on the server while idle (an idle timeout, a restart)
    costs no error."""
    engine = create_database_engine(url, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as connection:
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        _kill(postgres_engine, pid)
        pool_clock.now += 0.5  # idle for the whole window
        with engine.connect() as connection:
            assert connection.execute(text("SELECT pg_backend_pid()")).scalar() != pid
    finally:
        engine.dispose()


def test_a_connection_given_back_within_half_a_second_is_not_pinged(url, pool_clock):
    """HikariCP's aliveBypassWindowMs: under load the ping was a round trip per request."""
    engine = create_database_engine(url, pool_size=1, max_overflow=0)
    pings: list[int] = []
    ping = engine.dialect.do_ping

    def counting_ping(dbapi_connection):  # type: ignore[no-untyped-def]
        pings.append(1)
        return ping(dbapi_connection)

    engine.dialect.do_ping = counting_ping  # type: ignore[method-assign]
    try:
        for _ in range(3):  # the first: a connection just opened needs none either
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            pool_clock.now += 0.4
        assert pings == []
        pool_clock.now += 0.1  # 0.5 s since it was given back
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        assert pings == [1]
    finally:
        engine.dispose()


def test_a_connection_killed_within_the_window_fails_one_use_then_the_pool_recovers(postgres_engine, url,
                                                                                     pool_clock):
    """What the window gives up: the first use of a connection killed right after its last one
    fails (a 503 in a request); the pool then replaces its connections."""
    engine = create_database_engine(url, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as connection:
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        _kill(postgres_engine, pid)
        with pytest.raises(OperationalError) as caught, engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        assert caught.value.connection_invalidated
        with engine.connect() as connection:
            assert connection.execute(text("SELECT pg_backend_pid()")).scalar() != pid
    finally:
        engine.dispose()



def test_migrations_run_without_the_request_statement_timeout(monkeypatch):
    """A long migration step (a big CREATE INDEX) must not be cancelled by DATABASE_STATEMENT_TIMEOUT."""
    from alembic import command

    from wiwebb.adapters import schema

    from ..conftest import new_postgres_database

    seen: list[str] = []
    upgrade = command.upgrade

    def watching_upgrade(config, target):
        seen.append(config.attributes["connection"].exec_driver_sql("SHOW statement_timeout").scalar())
        return upgrade(config, target)

    monkeypatch.setattr(command, "upgrade", watching_upgrade)
    with new_postgres_database() as fresh:
        engine = create_database_engine(fresh.render_as_string(False), statement_timeout=timedelta(seconds=1))
        try:
            schema.migrate(engine)
            with engine.connect() as connection:  # requests keep their limit
                assert connection.execute(text("SHOW statement_timeout")).scalar() == "1s"
        finally:
            engine.dispose()
    assert seen == ["0"]


def test_a_forgotten_database_does_not_keep_its_health_probe_connection(postgres_engine):
    """Tests build many Database objects on one shared engine: the probe's disposal hook on that
    engine must not keep them (and one open connection each) alive."""
    import gc

    database = Database(postgres_engine)
    assert database.ping()
    with database._probe.connect() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
    del database, connection
    gc.collect()
    with postgres_engine.connect() as connection:
        for _ in range(50):  # the server sees the socket close a moment later
            if not connection.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                                      {"pid": pid}).scalar():
                break
            time.sleep(0.02)
        else:
            pytest.fail("the probe's connection is still open")


def test_a_probe_stuck_in_another_thread_does_not_hold_every_health_request(url, monkeypatch):
    from wiwebb.adapters import database as database_module

    monkeypatch.setattr(database_module, "HEALTH_TIMEOUT", timedelta(milliseconds=50))
    database = Database(create_database_engine(url))
    try:
        database._health = (0.0, True)  # the last answer, long ago
        database._health_lock.acquire()  # a probe stuck on a network that stopped answering
        try:
            assert database.healthy() is True  # the last answer, after a bounded wait
        finally:
            database._health_lock.release()
        database._health = (0.0, False)
        assert database.healthy() is True  # probing again once the lock is free
    finally:
        database.engine.dispose()


def test_the_ping_begins_the_transaction_instead_of_switching_autocommit(url, pool_clock):
    """The pre-ping runs `SELECT 1` in the transaction the request begins anyway: the connection a
    request gets is in a transaction already and still out of autocommit (the dialect's own ping
    toggles autocommit around it and leaves the connection idle)."""
    engine = create_database_engine(url, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        pool_clock.now += 1  # idle long enough to be pinged
        pings: list[str] = []
        event.listen(engine, "before_cursor_execute", lambda *args: pings.append(args[2]))
        with engine.connect() as connection:
            dbapi_connection = connection.connection.dbapi_connection
            assert (dbapi_connection.status, dbapi_connection.autocommit) == (
                psycopg2.extensions.STATUS_BEGIN, False)
            assert connection.execute(text("SELECT now() = statement_timestamp()")).scalar() is False
        assert pings == ["SELECT now() = statement_timestamp()"]  # the ping is not a counted statement
    finally:
        engine.dispose()


def test_a_connection_given_back_inside_a_transaction_is_rolled_back(url):
    """The pool rolls back what is left open (the ping's transaction, a failed statement's), so the
    next checkout starts clean; it skips the rollback only when nothing is open."""
    engine = create_database_engine(url, pool_size=1, max_overflow=0)
    try:
        raw = engine.raw_connection()
        cursor = raw.cursor()
        with pytest.raises(psycopg2.errors.DivisionByZero):
            cursor.execute("SELECT 1 / 0")
        raw.close()  # given back in a failed transaction
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 2")).scalar() == 2
        raw = engine.raw_connection()
        raw.cursor().execute("CREATE TEMPORARY TABLE left_open (n int)")
        raw.close()  # given back with uncommitted work: rolled back, the table never existed
        with engine.connect() as connection:
            assert connection.execute(text("SELECT to_regclass('pg_temp.left_open')")).scalar() is None
    finally:
        engine.dispose()
