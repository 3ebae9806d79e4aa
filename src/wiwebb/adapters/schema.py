"""Schema migrations with Alembic, as the `wiwebb` command offers them (Django's verbs).

Revisions are numbered (`0001`, `0002`, ...) and shown with their slug (`0001_initial`), so
`wiwebb migrate --fake api 0001` reads like Django's `manage.py migrate --fake api 0001`.

On PostgreSQL a migration runs in one transaction that first takes an advisory lock, so containers
starting at once migrate one after the other (the later ones find the schema up to date), and gives
up with `MigrationBlocked` when a table it alters stays locked by another transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

APP_LABEL = "api"

# The key of the PostgreSQL advisory lock a migration holds for its whole transaction (any fixed
# bigint: b"wiwebbmg" read as one). Released by the commit or rollback, even when the process dies.
MIGRATION_LOCK_KEY = 0x7769776562626D67

# How long one DDL statement waits for a table lock before the migration gives up. ALTER TABLE
# needs an exclusive lock: waiting behind a long transaction, it would queue every request that
# touches the table behind itself. Giving up (and retrying later) is kinder than stalling the site.
LOCK_TIMEOUT = timedelta(seconds=10)

_LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for lock_timeout


class UnknownRevision(LookupError):
    pass


class MigrationBlocked(RuntimeError):
    """A migration statement waited longer than the lock timeout for a table lock; nothing was changed."""


@dataclass(frozen=True)
class MigrationState:
    revision: str
    name: str  # e.g. 0001_initial
    applied: bool


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", "wiwebb:migrations")
    if connection is not None:
        config.set_main_option("sqlalchemy.url", connection.engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = connection
    return config


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def _name(script: Script) -> str:
    return Path(script.path).stem


def _current(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


def resolve(revision: str) -> str:
    """A revision id from an id, a name (`0001_initial`) or a unique prefix of either; `zero` too."""
    if revision in ("zero", "base"):
        return "base"
    scripts = list(_scripts().walk_revisions())
    matches = [s.revision for s in scripts if s.revision == revision or _name(s) == revision]
    matches = matches or [s.revision for s in scripts if _name(s).startswith(revision)]
    if len(matches) != 1:
        raise UnknownRevision(f"cannot find a migration matching '{revision}' in app '{APP_LABEL}'")
    return matches[0]


def status(engine: Engine) -> list[MigrationState]:
    """Every migration, oldest first, with whether it is applied."""
    scripts = _scripts()
    with engine.connect() as connection:
        heads = _current(connection)
    applied: set[str] = set()
    for head in heads:
        applied.update(s.revision for s in scripts.iterate_revisions(head, "base"))
    ordered = reversed(list(scripts.walk_revisions()))
    return [MigrationState(s.revision, _name(s), s.revision in applied) for s in ordered]


def migrate(engine: Engine, target: str = "head", *, lock_timeout: timedelta | None = None) -> None:
    """Bring the schema to `target`, forwards or backwards, like Django's `migrate [app] [name]`.
    `MigrationBlocked` when a statement waits more than `lock_timeout` (LOCK_TIMEOUT) for a lock."""
    target = "head" if target == "head" else resolve(target)
    with _blocked_as_error(lock_timeout), engine.begin() as connection:
        _prepare(connection, lock_timeout)
        config = _config(connection)
        current = _current(connection)
        if target != "head" and (target == "base" or _is_behind(current, target)):
            command.downgrade(config, target)
        else:
            command.upgrade(config, target)


def fake(engine: Engine, target: str, *, lock_timeout: timedelta | None = None) -> None:
    """Mark the schema as being at `target` without running anything (Django's `--fake`)."""
    target = "head" if target == "head" else resolve(target)
    with _blocked_as_error(lock_timeout), engine.begin() as connection:
        _prepare(connection, lock_timeout)
        command.stamp(_config(connection), target, purge=True)


def _prepare(connection: Connection, lock_timeout: timedelta | None) -> None:
    """PostgreSQL: no statement timeout (DATABASE_STATEMENT_TIMEOUT guards requests; a big CREATE
    INDEX may take longer); wait for any other migration to end (the advisory lock, taken before the
    lock timeout applies: a long migration elsewhere is waited for, not failed on); then the lock
    timeout for this transaction's own statements."""
    if connection.dialect.name != "postgresql":
        return
    connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
    connection.exec_driver_sql("SET LOCAL lock_timeout = 0")  # not a role's default: this wait is unbounded
    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
    milliseconds = max(1, int(_lock_timeout(lock_timeout).total_seconds() * 1000))
    connection.exec_driver_sql(f"SET LOCAL lock_timeout = {milliseconds}")


def _lock_timeout(given: timedelta | None) -> timedelta:
    return LOCK_TIMEOUT if given is None else given


@contextmanager
def _blocked_as_error(lock_timeout: timedelta | None) -> Iterator[None]:
    try:
        yield
    except OperationalError as error:
        if _sqlstate(error.orig) != _LOCK_NOT_AVAILABLE:
            raise
        statement = " ".join((error.statement or "").split())[:80]
        raise MigrationBlocked(
            f"migration stopped: waited {_lock_timeout(lock_timeout).total_seconds():g} s for a table lock "
            f"held by another transaction (running: {statement}); nothing was changed, retry when "
            "that transaction ends") from None


def _sqlstate(error: BaseException | None) -> str | None:
    """The SQLSTATE of a driver error: psycopg2's `pgcode`, psycopg 3's `sqlstate`."""
    return getattr(error, "pgcode", None) or getattr(error, "sqlstate", None)


def _is_behind(current: set[str], target: str) -> bool:
    """Whether `target` is an ancestor of what is applied (so reaching it means going back)."""
    scripts = _scripts()
    for head in current:
        ancestors = {s.revision for s in scripts.iterate_revisions(head, "base")}
        if target in ancestors and target != head:
            return True
    return False


def is_up_to_date(engine: Engine) -> bool:
    with engine.connect() as connection:
        return _current(connection) == set(_scripts().get_heads())
