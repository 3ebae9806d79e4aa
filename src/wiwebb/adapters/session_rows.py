"""Rows a request has loaded, kept for the life of its session, so a later lookup of the same row
by primary key costs no statement.

SQLAlchemy's identity map holds rows weakly: a repository that turns a row into a domain object
drops the row, and the next `session.get` of it (the tenants of a page of users) queries again.
Loading related rows in the statement that needs them (a join) and keeping them here (`keep`)
makes those lookups free; updates and deletes through the session keep these rows in step, as
they do any row the identity map holds.

Rows read without the ORM (authentication's one Core statement: the token, its user and the
user's tenant, with no ORM objects to build) are held by value instead (`hold`): their values
become the session's snapshot of them (sql_writes), which the repositories' updates through the
session keep current, and `held` answers a later lookup by id from it (`tenant_of` the user just
authenticated). Deleting such a row through its repository `release`s it.

Sessions are per request (or per short unit of work), so nothing outlives them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from .sql_writes import remember, snapshot

_KEPT = "wiwebb.kept_rows"
_HELD = "wiwebb.held_rows"


def keep(session: Session, *rows: Any) -> None:
    """Keep `rows` (None skipped) referenced for as long as `session` lives."""
    kept = session.info.setdefault(_KEPT, {})
    for row in rows:
        if row is not None:
            kept[inspect(row).identity_key] = row


def loaded(session: Session, model: Any, primary_key: Any) -> Any | None:
    """The row of `model` with `primary_key` that the session holds already, else None (no SQL)."""
    return session.identity_map.get(session.identity_key(model, primary_key))


def hold(session: Session, key: tuple[str, int], values: dict[str, object]) -> None:
    """Hold the values of the row `key` (("user", id), ("tenant", id)) read without the ORM, for as
    long as `session` lives."""
    remember(session, key, values)
    session.info.setdefault(_HELD, set()).add(key)


def held(session: Session, key: tuple[str, int]) -> dict[str, object] | None:
    """The current values of a held row (its snapshot, which the session's updates keep), else None."""
    keys = session.info.get(_HELD)
    return snapshot(session, key) if keys and key in keys else None


def release(session: Session, key: tuple[str, int]) -> None:
    """Forget a held row (it was deleted)."""
    keys = session.info.get(_HELD)
    if keys:
        keys.discard(key)
