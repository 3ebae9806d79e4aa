"""Schema migrations with Alembic, as the `wiwebb` command offers them (Django's verbs).

Revisions are numbered (`0001`, `0002`, ...) and shown with their slug (`0001_initial`), so
`wiwebb migrate --fake api 0001` reads like Django's `manage.py migrate --fake api 0001`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from sqlalchemy import Connection, Engine

APP_LABEL = "api"


class UnknownRevision(LookupError):
    pass


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


def migrate(engine: Engine, target: str = "head") -> None:
    """Bring the schema to `target`, forwards or backwards, like Django's `migrate [app] [name]`."""
    target = "head" if target == "head" else resolve(target)
    with engine.begin() as connection:
        _no_statement_timeout(connection)
        config = _config(connection)
        current = _current(connection)
        if target != "head" and (target == "base" or _is_behind(current, target)):
            command.downgrade(config, target)
        else:
            command.upgrade(config, target)


def fake(engine: Engine, target: str) -> None:
    """Mark the schema as being at `target` without running anything (Django's `--fake`)."""
    target = "head" if target == "head" else resolve(target)
    with engine.begin() as connection:
        command.stamp(_config(connection), target, purge=True)


def _no_statement_timeout(connection: Connection) -> None:
    """DATABASE_STATEMENT_TIMEOUT guards requests; a migration (a big CREATE INDEX) may take longer."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL statement_timeout = 0")


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
