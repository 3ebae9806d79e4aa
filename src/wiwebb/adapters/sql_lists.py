"""Lists in SQL: a filtered statement as one page and the count of all its rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from wiwebb.domain.listing import InvalidPage, PageRequest

from .orm import UserRow


def escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def order_by(model: Any, ordering: str) -> list[Any]:
    """`name,-created_at` as ORDER BY, ties broken by id; NULLs last going up, first going down."""
    clauses = []
    for field in ordering.split(","):
        column = getattr(model, field.lstrip("-"))
        clauses.append(column.desc().nulls_first() if field.startswith("-") else column.asc().nulls_last())
    if ordering.lstrip("-") != "id":
        clauses.append(model.id.asc())
    return clauses


def page_of(session: Session, statement: Select[Any], page: PageRequest, order: list[Any]) -> tuple[list[Any], int]:
    """One page of `statement` and the count of all its rows: two statements, whatever the size."""
    count = int(session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0)
    if page.number > 1 and page.offset >= count:
        raise InvalidPage()  # before an OFFSET past the end (SQLite cannot even hold a huge one)
    rows = list(session.scalars(statement.order_by(*order).offset(page.offset).limit(page.size)))
    return rows, count


def owned_by(statement: Select[Any], owner: Any, *, user_id: int | None = None, tenant_id: int | None = None,
             hide_superadmins: bool = False) -> Select[Any]:
    """Rows of users' objects (subscriptions, payments) narrowed by their owner (`owner`: the
    row's user id column): one user's, a tenant's users', and without superadmins' (an admin's
    view). The users table is joined only when a condition needs it."""
    if user_id is not None:
        statement = statement.where(owner == user_id)
    if tenant_id is not None or hide_superadmins:
        statement = statement.join(UserRow, UserRow.id == owner)
    if tenant_id is not None:
        statement = statement.where(UserRow.tenant_id == tenant_id)
    if hide_superadmins:
        statement = statement.where(UserRow.role != "superadmin")
    return statement
