"""The database: engine, sessions, SQLite's concurrency settings, and waiting for the server.

SQLite runs in WAL mode with a busy timeout; a session opened for writing starts its transaction
with `BEGIN IMMEDIATE`, taking the write lock up front. A deferred (read) transaction that later
writes fails at once with "database is locked" when another connection wrote in between, whatever
the timeout, so writing requests must not start as readers.

PostgreSQL connections are pooled (checked with a ping before use, so a restarted server costs no
request), and each gets a statement timeout: one slow query cannot hold a worker thread forever.
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

log = logging.getLogger(__name__)

# Errors that mean "the database cannot be reached (or is busy) right now": answered with 503.
# OperationalError covers a statement cancelled by the statement timeout (PostgreSQL's
# query_canceled); PoolTimeout, no free connection within DATABASE_POOL_TIMEOUT.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError, PoolTimeout)


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
    return create_engine(parsed, echo=echo, hide_parameters=True, pool_pre_ping=True, pool_size=pool_size,
                         max_overflow=max_overflow, pool_timeout=pool_timeout,
                         connect_args=_postgres_options(parsed, statement_timeout))


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
        if bind is not None:
            self._readers = self._writers = sessionmaker(
                bind=bind, join_transaction_mode="create_savepoint", expire_on_commit=False)
        else:
            writer_bind = engine.execution_options(sqlite_begin="IMMEDIATE") if self.is_sqlite else engine
            self._readers = sessionmaker(bind=engine, expire_on_commit=False)
            self._writers = sessionmaker(bind=writer_bind, expire_on_commit=False)
        self._health_lock = threading.Lock()
        self._health: tuple[float, bool] = (float("-inf"), False)

    @property
    def is_sqlite(self) -> bool:
        return _is_sqlite(self.url)

    @property
    def address(self) -> str:
        """Where the database is, for messages: HOST:PORT, or the SQLite file. Never the password."""
        if self.is_sqlite:
            return self.url.database or ":memory:"
        return f"{self.url.host or 'localhost'}:{self.url.port or 5432}"

    def session(self, *, write: bool = False) -> Session:
        return (self._writers if write else self._readers)()

    def run_in_own_transaction(self, work: Callable[[Session], object]) -> None:
        """Run `work` in a short writing transaction of its own, and commit it."""
        with self.session(write=True) as session, session.begin():
            work(session)

    def ping(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except (DBAPIError, PoolTimeout):
            return False

    def healthy(self, max_age: float = 1.0) -> bool:
        """`ping`, reusing an answer younger than `max_age` seconds so probes cannot flood it."""
        now = time.monotonic()
        checked_at, ok = self._health
        if now - checked_at < max_age:
            return ok
        with self._health_lock:
            checked_at, ok = self._health
            if time.monotonic() - checked_at < max_age:
                return ok
            ok = self.ping()
            self._health = (time.monotonic(), ok)
            return ok

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
