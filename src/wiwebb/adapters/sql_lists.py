"""Lists in SQL: a filtered statement as one page and the count of all its rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Select, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import visitors
from sqlalchemy.sql.util import ClauseAdapter

from wiwebb.domain.listing import InvalidPage, PageRequest

from .orm import UserRow
from .session_rows import keep


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


# No table holds more rows than this: an offset past it is past the end without asking (SQLite
# cannot even bind a huge one).
MAX_OFFSET = 2 ** 53


def page_of(session: Session, statement: Select[Any], page: PageRequest, order: list[Any], *,
            match_first: bool = False) -> tuple[list[Any], int]:
    """One page of `statement` and the count of all its rows, in one statement (`count(*) OVER ()`).
    The first entity selected makes the page; rows of further entities (joined related rows) are
    kept in the session, so looking them up by primary key afterwards costs no statement.

    `match_first`: the filter is one an index finds the rows of (the trigram search) better than
    walking the order's index and testing every row. With `LIMIT`, PostgreSQL's planner prefers
    that walk, expecting to stop after a page, yet the count needs every matching row: searching
    all 100,000 users walked the primary key through the whole table (250 ms). Here the matching
    rows are found first, in a materialised CTE that the planner cannot fold into the walk (a
    bitmap of the trigram index: 7 ms), then ordered and counted."""
    if page.is_last:  # `page=last`: which page that is needs the count first
        page = page.resolved(session.scalar(select(func.count()).select_from(statement.subquery())) or 0)
    if page.offset >= MAX_OFFSET:
        raise InvalidPage()
    # The window runs over the page's ids only (an index can answer it); the rows and their joined
    # rows are read for the page alone.
    model = statement.column_descriptions[0]["entity"]
    if match_first:
        ids = _matching_first(session, statement, model, order).offset(page.offset).limit(page.size).subquery()
    else:
        ids = (statement.with_only_columns(model.id, func.count().over().label("total")).order_by(*order)
               .offset(page.offset).limit(page.size).subquery())
    results = session.execute(statement.join(ids, ids.c.id == model.id).add_columns(ids.c.total)
                              .order_by(*order)).all()
    if not results:
        if page.number > 1:
            raise InvalidPage()  # an empty page past the end; an empty first page is an empty list
        return [], 0
    for result in results:
        keep(session, *result[1:-1])
    return [result[0] for result in results], int(results[0][-1])


def _matching_first(session: Session, statement: Select[Any], model: Any, order: list[Any]) -> Select[Any]:
    """The ids of `statement`'s rows and their count, in `order`, from a CTE of every matching row
    (with the columns the order needs), materialised on PostgreSQL."""
    needed = {model.id.key: model.id.expression}
    for clause in order:
        for element in visitors.iterate(clause):
            if isinstance(element, Column):
                needed.setdefault(element.key, element)
    matched = statement.with_only_columns(*needed.values()).order_by(None).cte("matched")
    if session.get_bind().dialect.name == "postgresql":
        matched = matched.prefix_with("MATERIALIZED")
    adapter = ClauseAdapter(matched)
    return select(matched.c[model.id.key], func.count().over().label("total")).order_by(
        *(adapter.traverse(clause) for clause in order))


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
