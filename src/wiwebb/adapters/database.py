"""The database: engine, sessions, SQLite's concurrency settings, and waiting for the server.

SQLite runs in WAL mode with a busy timeout; a session opened for writing starts its transaction
with `BEGIN IMMEDIATE`, taking the write lock up front. A deferred (read) transaction that later
writes fails at once with "database is locked" when another connection wrote in between, whatever
the timeout, so writing requests must not start as readers.

PostgreSQL connections are pooled (checked with a ping before use, so a restarted server costs no
request), and each gets a statement timeout: one slow query cannot hold a worker thread forever.

The health check pings through a connection of its own, opened for each probe (at most one a
second) and closed after it: when requests use every pooled connection the server is busy, not
down, and the probe neither waits DATABASE_POOL_TIMEOUT behind them nor reports the database
unreachable.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool, QueuePool

from . import pg_pool

log = logging.getLogger(__name__)

# Errors that mean "the database cannot be reached (or is busy) right now": answered with 503.
# OperationalError covers a statement cancelled by the statement timeout (PostgreSQL's
# query_canceled); PoolTimeout, no free connection within DATABASE_POOL_TIMEOUT.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError, PoolTimeout)


# The health probe's limits, under the container HEALTHCHECK's 5 s: connecting (libpq's
# connect_timeout, whole seconds), waiting for its one pooled connection, and its SELECT 1.
HEALTH_TIMEOUT = timedelta(seconds=3)


class DatabaseUnreachable(Exception):
    """The database did not answer within the time allowed at start-up."""


def _is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def create_database_engine(url: str, *, busy_timeout: float = 30.0, pool_size: int = 5, max_overflow: int = 10,
                           pool_timeout: float = 30.0, statement_timeout: timedelta | None = None,
                           echo: bool = False) -> Engine:
    """An engine for `url`. PostgreSQL: a pool of `pool_size` connections (plus `max_overflow` under
    load) pinged before use, where a request waits `pool_timeout` seconds for a free one, and
    statements cancelled after `statement_timeout` (None: no limit). SQLite: see the module."""
    parsed = make_url(url)
    if _is_sqlite(parsed):
        engine = create_engine(
            parsed, echo=echo, hide_parameters=True,
            connect_args={"timeout": busy_timeout, "check_same_thread": False},
        )
        _configure_sqlite(engine, busy_timeout)
        return engine
    # hide_parameters: a logged database error must not carry password hashes or tokens' digests.
    lean = pg_pool.applies_to(parsed)
    engine = create_engine(parsed, echo=echo, hide_parameters=True, pool_pre_ping=True, pool_size=pool_size,
                           max_overflow=max_overflow, pool_timeout=pool_timeout,
                           pool_reset_on_return=None if lean else "rollback",
                           poolclass=pg_pool.RecentlyUsedPool if lean else QueuePool,
                           connect_args=_postgres_options(parsed, statement_timeout))
    if lean:
        pg_pool.use_lean_checkout(engine)  # the ping (when one is needed) and the reset, with fewer calls
    return engine


def _postgres_options(url: URL, statement_timeout: timedelta | None) -> dict[str, str]:
    """libpq's `options`: server settings given when the connection opens, so they cost no round
    trip and hold for the connection's whole life (`SET` would be undone by a rolled-back transaction
    that ran it). Options already in the URL (`?options=...`) are kept."""
    if statement_timeout is None or url.get_backend_name() != "postgresql":
        return {}
    milliseconds = max(1, int(statement_timeout.total_seconds() * 1000))
    given = url.query.get("options")
    options = [given] if isinstance(given, str) and given else []
    return {"options": " ".join([*options, f"-c statement_timeout={milliseconds}"])}


def create_health_engine(url: URL, timeout: timedelta = HEALTH_TIMEOUT) -> Engine:
    """A tiny engine for the health probe only, each of its steps bounded by `timeout`, with no
    pool: each probe connects afresh (the server accepting a new connection is part of the check;
    a restarted server is found again at once) and holds nothing between probes, so nothing of it
    outlives the database's engine. Probes are at most one a second (`Database.healthy`)."""
    seconds = max(1.0, timeout.total_seconds())
    if _is_sqlite(url):
        return create_engine(url, poolclass=NullPool, connect_args={"timeout": seconds, "check_same_thread": False})
    connect_args: dict[str, Any] = {}
    if url.get_backend_name() == "postgresql":
        # Client-side bounds only (no `options`, which PgBouncer refuses; `ping` sets its statement
        # timeout in its own transaction): connecting, and a server or network that stops answering
        # on an open connection (unacknowledged data, then keepalives).
        connect_args.update(connect_timeout=max(2, round(seconds)),  # libpq ignores less than 2 s
                            tcp_user_timeout=int(seconds * 1000), keepalives=1, keepalives_idle=max(1, round(seconds)),
                            keepalives_interval=1, keepalives_count=2)
    return create_engine(url, hide_parameters=True, poolclass=NullPool, connect_args=connect_args)


def _configure_sqlite(engine: Engine, busy_timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, emit BEGIN (the driver's implicit BEGIN is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """One database: hands out sessions for reading or writing, and checks that it answers.

    `bind` may be a `Connection` (tests run each case inside an outer transaction and let the
    sessions use savepoints, so commits and rollbacks inside the case are real).
    """

    def __init__(self, engine: Engine, *, bind: Connection | None = None) -> None:
        self.engine = engine
        self.url = engine.url
        self.bound_connection = bind
        self._writer_engine = engine.execution_options(sqlite_begin="IMMEDIATE") if self.is_sqlite else engine
        if bind is not None:
            self._readers = self._writers = sessionmaker(
                bind=bind, join_transaction_mode="create_savepoint", expire_on_commit=False)
        else:
            self._readers = sessionmaker(bind=engine, expire_on_commit=False)
            self._writers = sessionmaker(bind=self._writer_engine, expire_on_commit=False)
        self._health_lock = threading.Lock()
        self._health: tuple[float, bool] = (float("-inf"), False)
        self._probe: Engine | None = None
        self._probe_lock = threading.Lock()

    @property
    def is_sqlite(self) -> bool:
        return _is_sqlite(self.url)

    @property
    def address(self) -> str:
        """Where the database is, for messages: HOST:PORT, or the SQLite file. Never the password."""
        if self.is_sqlite:
            return self.url.database or ":memory:"
        return f"{self.url.host or 'localhost'}:{self.url.port or 5432}"

    def session(self, *, write: bool = False, **options: Any) -> Session:
        """A new session (`options`: `sessionmaker`'s, such as another `bind`)."""
        return (self._writers if write else self._readers)(**options)

    def engine_for(self, *, write: bool = False) -> Engine:
        """The engine a session for `write` (or for reading) uses (SQLite's writers begin at once)."""
        return self._writer_engine if write else self.engine

    def connect(self, *, write: bool = False) -> Connection:
        """A connection from the pool, as a session for `write` (or for reading) would use."""
        return self.engine_for(write=write).connect()

    def run_in_own_transaction(self, work: Callable[[Session], object]) -> None:
        """Run `work` in a short writing transaction of its own, and commit it."""
        with self.session(write=True) as session, session.begin():
            work(session)

    def ping(self) -> bool:
        """Whether the database answers `SELECT 1`, asked through the health probe's own connection
        (never one of the requests' pool)."""
        try:
            with self._probe_engine().connect() as connection, connection.begin():
                if connection.dialect.name == "postgresql":
                    milliseconds = int(HEALTH_TIMEOUT.total_seconds() * 1000)
                    connection.exec_driver_sql(f"SET LOCAL statement_timeout = {milliseconds}")
                connection.execute(text("SELECT 1"))
            return True
        except (DBAPIError, PoolTimeout):
            return False

    def _probe_engine(self) -> Engine:
        # Not disposed with the engine: it holds no connection. (A listener on the engine's
        # `engine_disposed` would do it, but an engine with any such listener runs each statement
        # through SQLAlchemy's event machinery: a tenth of GET auth/user/'s instructions.)
        with self._probe_lock:
            if self._probe is None:
                self._probe = create_health_engine(self.url)
            return self._probe

    def healthy(self, max_age: float = 1.0) -> bool:
        """`ping`, reusing an answer younger than `max_age` seconds so probes cannot flood it."""
        now = time.monotonic()
        checked_at, ok = self._health
        if now - checked_at < max_age:
            return ok
        # Another request is probing: wait for its answer, but not longer than a probe may take
        # (then answer the last one), so that probes can never tie up every server thread.
        if not self._health_lock.acquire(timeout=2 * HEALTH_TIMEOUT.total_seconds()):
            return self._health[1]
        try:
            checked_at, ok = self._health
            if time.monotonic() - checked_at < max_age:
                return ok
            ok = self.ping()
            self._health = (time.monotonic(), ok)
            return ok
        finally:
            self._health_lock.release()

    def wait_until_ready(self, timeout: float, *, interval: float = 1.0,
                         sleep: Callable[[float], None] = time.sleep) -> None:
        """Retry until the database answers, logging while it does not; `DatabaseUnreachable` after
        `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                with self.engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
                return
            except DBAPIError as error:
                reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
                if time.monotonic() >= deadline:
                    raise DatabaseUnreachable(
                        f"database at {self.address} unreachable after {timeout:g} s: {reason}"
                    ) from None
                log.warning("waiting for database at %s (%s)", self.address, reason)
                sleep(interval)


def shell_command(url: URL) -> tuple[list[str], dict[str, str]]:
    """The command line (and environment) that opens the database's own shell."""
    if _is_sqlite(url):
        return ["sqlite3", url.database or ":memory:"], {}
    argv = ["psql"]
    if url.username:
        argv += ["-U", url.username]
    if url.host:
        argv += ["-h", url.host]
    if url.port:
        argv += ["-p", str(url.port)]
    argv.append(url.database or "postgres")
    return argv, ({"PGPASSWORD": url.password} if url.password else {})
