"""Rows a request has loaded, kept for the life of its session, so a later lookup of the same row
by primary key is answered from the session's identity map instead of another statement.

SQLAlchemy's identity map holds rows weakly: a repository that turns a row into a domain object
drops the row, and the next `session.get` of it (the tenant of the user just authenticated, the
tenants of a page of users) queries again. Loading related rows in the statement that needs
them (a join) and keeping them here makes those lookups free. The identity map stays the one
source: updates and deletes through the session keep these rows in step, as they do any row it
holds; sessions are per request (or per short unit of work), so nothing outlives them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

_KEPT = "wiwebb.kept_rows"


def keep(session: Session, *rows: Any) -> None:
    """Keep `rows` (None skipped) referenced for as long as `session` lives."""
    kept = session.info.setdefault(_KEPT, {})
    for row in rows:
        if row is not None:
            kept[inspect(row).identity_key] = row


def loaded(session: Session, model: Any, primary_key: Any) -> Any | None:
    """The row of `model` with `primary_key` that the session holds already, else None (no SQL)."""
    return session.identity_map.get(session.identity_key(model, primary_key))
