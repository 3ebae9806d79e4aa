"""How the PostgreSQL pool checks a connection out and takes it back, with fewer calls into psycopg2.

Every call into psycopg2 that may wait releases Python's lock on the interpreter (the GIL); under
load, with the server's eight threads, each release is a chance for a thread switch, and a request
that makes more of them waits more for its turn. Two such calls per request were not needed:

- The pre-ping (`pool_pre_ping`, kept: a connection the server closed, after a restart or an idle
  timeout, is found and replaced before a request uses it). SQLAlchemy's psycopg2 dialect pings
  with `SELECT 1` in autocommit mode, switching autocommit on and back off around it: two more
  calls into the driver, each taking the connection's lock with the GIL released. Here the ping
  runs in the transaction the request is about to begin anyway (psycopg2 sends `BEGIN` before it):
  the same round trips to the server (`SELECT 1`, `BEGIN` then the first statement became `BEGIN`,
  `SELECT 1` then the first statement), none of those calls. A failed ping is handled as before:
  SQLAlchemy sees the disconnect, drops the connection and opens a new one.
- The rollback when a connection is given back. A session ends its transaction (the rollback of
  a request that wrote nothing) and then closes its connection; the pool, not told the transaction
  is over, rolled back again (no round trip, but the lock and the GIL released). Here the pool rolls
  back only a connection that psycopg2 says is not idle: one given back inside a transaction (the
  ping's, when nothing ran after it) or in a failed one. SQLAlchemy's documented way to replace
  the reset: `pool_reset_on_return=None` and a `reset` listener.

And the ping itself is skipped for a connection given back to the pool less than half a second
ago (`RecentlyUsedPool`), as HikariCP does (its `aliveBypassWindowMs`, 500 ms by default): under
load every request found a connection used a millisecond before, and its ping was a round trip to
the server, a twelfth of GET auth/user/'s CPU in the server process. A connection idle for longer
(an idle timeout, a restart of the server while nothing ran) is still pinged and replaced before
use. What the window gives up: a server restarted within half a second of a connection's last use
fails the first request that takes that connection (503, `Service temporarily unavailable.`), and
SQLAlchemy, seeing the disconnect, then replaces every connection of the pool.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import URL
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool

# psycopg2.extensions.STATUS_READY: connected, no transaction in progress.
_IDLE = 1
# Seconds since a connection was given back within which it is not pinged again.
PING_WINDOW = 0.5
_GIVEN_BACK = "wiwebb.given_back_at"


class RecentlyUsedPool(QueuePool):
    """A `QueuePool` that skips the pre-ping of a connection given back less than `PING_WINDOW`
    seconds ago. (SQLAlchemy already skips it for a connection just opened: `fresh`.)"""

    def _do_return_conn(self, record: ConnectionPoolEntry) -> None:
        record.info[_GIVEN_BACK] = time.monotonic()
        super()._do_return_conn(record)

    def _do_get(self) -> ConnectionPoolEntry:
        record = super()._do_get()
        given_back = record.info.get(_GIVEN_BACK)
        if given_back is not None and time.monotonic() - given_back < PING_WINDOW:
            record.fresh = True  # type: ignore[attr-defined]
        return record


def applies_to(url: URL) -> bool:
    """PostgreSQL through psycopg2 (the driver `postgresql://` means)."""
    dialect = url.get_dialect()
    return dialect.name == "postgresql" and dialect.driver == "psycopg2"


def use_lean_checkout(engine: Engine) -> None:
    """Install the ping and the reset above on a psycopg2 engine made with `pool_pre_ping=True`
    and `pool_reset_on_return=None` (without this, that engine would never reset a connection)."""
    engine.dialect.do_ping = ping_in_transaction  # type: ignore[method-assign]
    event.listen(engine, "reset", reset_unless_idle)


def ping_in_transaction(dbapi_connection: Any) -> bool:
    """`SELECT 1` as the connection is (outside autocommit, psycopg2 begins a transaction first).
    Raises the driver's error when the connection is dead, as the dialect's own ping does."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT 1")
    finally:
        cursor.close()
    return True


def reset_unless_idle(dbapi_connection: Any, _record: Any, reset_state: Any) -> None:
    """The pool's reset of a connection given back: a rollback, unless nothing is left to undo."""
    if reset_state.transaction_was_reset or getattr(dbapi_connection, "status", None) == _IDLE:
        return
    dbapi_connection.rollback()
