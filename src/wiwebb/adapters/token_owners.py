"""Authentication's lookup: a token with its user and the user's tenant, in one Core statement.

Every authenticated request runs it first, so it is built once and runs with no ORM objects made:
the token is returned as it is, the user and tenant are held by value (`session_rows.hold`) for
later lookups by id in the same unit of work. `SqlTokenOwners` runs it on the request's connection
(`RequestDatabase`), before and without any ORM session; `SqlTokenRepository` on its session's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.orm import Session

from wiwebb.domain.model import AuthToken, Role, Tenant, TokenOwner, User

from .orm import AuthTokenRow, TenantRow, UserRow
from .request_database import RequestDatabase

# Runs a piece of work in a session and transaction of its own, after the current one commits.
Deferrer = Callable[[Callable[[Session], object]], None]
Hold = Callable[[tuple[str, int], dict[str, object]], None]

USER_COLUMNS = [f.name for f in fields(User) if f.name not in ("id", "password_hash", "role")]

_TOKENS, _USERS, _TENANTS = AuthTokenRow.__table__, UserRow.__table__, TenantRow.__table__
_TOKEN_WITH_OWNER = (
    select(*_TOKENS.c, *_USERS.c, *_TENANTS.c)
    .select_from(_TOKENS.outerjoin(_USERS, _USERS.c.id == _TOKENS.c.user_id)
                 .outerjoin(_TENANTS, _TENANTS.c.id == _USERS.c.tenant_id))
    .where(_TOKENS.c.key_hash == bindparam("key_hash")))
_TOKEN_NAMES = tuple(c.name for c in _TOKENS.c)
_USER_NAMES = tuple(c.name for c in _USERS.c)
_TENANT_NAMES = tuple(c.name for c in _TENANTS.c)
_USER_AT = len(_TOKEN_NAMES)
_TENANT_AT = _USER_AT + len(_USER_NAMES)


def user_from_values(user_id: int, values: dict[str, Any]) -> User:
    """A user from its column values (a row read with Core, or a held snapshot)."""
    return User(id=user_id, password_hash=values["password"], role=Role(values["role"]),
                **{name: values[name] for name in USER_COLUMNS})


def token_with_owner(connection: Connection, key_hash: str, hold: Hold) -> TokenOwner | None:
    """The token with digest `key_hash`, its user and the user's tenant; `hold` gets the user's and
    the tenant's column values."""
    row = connection.execute(_TOKEN_WITH_OWNER, {"key_hash": key_hash}).one_or_none()
    if row is None:
        return None
    token = AuthToken(**dict(zip(_TOKEN_NAMES, row[:_USER_AT], strict=True)))
    user_values = dict(zip(_USER_NAMES, row[_USER_AT:_TENANT_AT], strict=True))
    user_id = user_values.pop("id")
    if user_id is None:
        return TokenOwner(token, None, None)
    user = user_from_values(user_id, user_values)
    hold(("user", user_id), user_values)  # the row's columns: what the repositories' `_user_values` give
    tenant_values = dict(zip(_TENANT_NAMES, row[_TENANT_AT:], strict=True))
    tenant_id = tenant_values.pop("id")
    if tenant_id is None:
        return TokenOwner(token, user, None)
    hold(("tenant", tenant_id), tenant_values)
    return TokenOwner(token, user, Tenant(id=tenant_id, **tenant_values))  # type: ignore[arg-type]


def touch(session: Session | None, defer: Deferrer | None, token_id: int, when: datetime) -> None:
    """Set the token's last_used: after the commit through `defer`, else now in `session`."""
    statement = update(AuthTokenRow).where(AuthTokenRow.id == token_id).values(last_used=when)
    if defer is not None:
        defer(lambda later: later.execute(statement))
    elif session is not None:
        session.execute(statement)
    else:
        raise ValueError("touch needs a session or a deferrer")


class SqlTokenOwners:
    """`TokenOwners` on the request's connection: authenticating opens no ORM session."""

    def __init__(self, database: RequestDatabase, defer: Deferrer) -> None:
        self._database = database
        self._defer = defer

    def get_with_owner(self, key_hash: str) -> TokenOwner | None:
        return token_with_owner(self._database.connection(), key_hash, self._database.hold)

    def touch(self, token_id: int, when: datetime) -> None:
        touch(None, self._defer, token_id, when)
