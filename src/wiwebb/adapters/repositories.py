"""SQLAlchemy implementations of the domain's repositories. They flush, never commit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, case, delete, exists, func, or_, select
from sqlalchemy.orm import Session

from wiwebb.domain.listing import Page
from wiwebb.domain.model import AuthToken, Role, Tenant, TokenOwner, User
from wiwebb.domain.queries import TenantQuery, UserQuery

from .orm import AuthTokenRow, TenantRow, UserRow
from .session_rows import held, hold, keep, loaded, release
from .sql_lists import escape_like, order_by, page_of
from .sql_writes import flush, remember, write_changes
from .token_owners import USER_COLUMNS, Deferrer, token_with_owner, touch, user_from_values

_TOKEN_COLUMNS = [f.name for f in fields(AuthToken) if f.name != "id"]
_TENANT_COLUMNS = [f.name for f in fields(Tenant) if f.name != "id"]


def user_from_row(row: UserRow) -> User:
    return User(
        id=row.id,
        password_hash=row.password,
        role=Role(row.role),
        **{name: getattr(row, name) for name in USER_COLUMNS},
    )


def _user_values(user: User) -> dict[str, object]:
    values: dict[str, object] = {name: getattr(user, name) for name in USER_COLUMNS}
    values.update(password=user.password_hash, role=user.role.value, email_lower=user.email.lower())
    return values


def _with_tenant() -> Select[tuple[UserRow, TenantRow]]:
    """Users, each with its tenant (None for staff without one)."""
    return select(UserRow, TenantRow).outerjoin(TenantRow, TenantRow.id == UserRow.tenant_id)


# The lookups every authenticated request runs, built once: building a statement and its cache key
# costs more CPU than the ORM spends running it (a statement object keeps its cache key).
_USER_BY_ID = _with_tenant().where(UserRow.id == bindparam("user_id"))
# The token's row is not an ORM object: nothing holds it after the lookup, and a Core statement
# skips the ORM's loading machinery.
_TOKENS = AuthTokenRow.__table__
_TOKEN_BY_HASH = select(*_TOKENS.c).where(_TOKENS.c.key_hash == bindparam("key_hash"))
class SqlUserRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _user(self, row: UserRow) -> User:
        user = user_from_row(row)
        remember(self._session, ("user", row.id), _user_values(user))
        return user

    def get(self, user_id: int) -> User | None:
        """The user, loaded with its tenant (kept in the session: `tenant_of` and the login checks
        that follow cost no statement); the authenticated user costs none either (held)."""
        values = held(self._session, ("user", user_id))
        if values is not None:
            return user_from_values(user_id, values)
        row = loaded(self._session, UserRow, user_id)
        if row is None:
            found = self._session.execute(_USER_BY_ID, {"user_id": user_id}).first()
            if found is None:
                return None
            row, tenant = found
            keep(self._session, row, tenant)
        return self._user(row)

    def get_by_username(self, username: str) -> User | None:
        row = self._session.scalars(select(UserRow).where(UserRow.username == username)).one_or_none()
        return self._user(row) if row else None

    def get_by_email(self, email: str) -> User | None:
        row = self._session.scalars(select(UserRow).where(UserRow.email_lower == email.lower())).one_or_none()
        return self._user(row) if row else None

    def add(self, user: User) -> User:
        row = UserRow(**_user_values(user))
        self._session.add(row)
        flush(self._session)
        return self._user(row)

    def update(self, user: User) -> None:
        write_changes(self._session, UserRow, ("user", user.id or 0), _user_values(user))

    def exists_with_role(self, role: str) -> bool:
        return bool(self._session.scalar(select(exists().where(UserRow.role == role))))

    def delete(self, user_id: int) -> None:
        self._session.execute(delete(UserRow).where(UserRow.id == user_id))
        release(self._session, ("user", user_id))

    def get_many(self, user_ids: Iterable[int]) -> dict[int, User]:
        ids = set(user_ids)
        if not ids:
            return {}
        return {row.id: self._user(row) for row in self._session.scalars(select(UserRow).where(UserRow.id.in_(ids)))}

    def list(self, query: UserQuery) -> Page[User]:
        conditions: list[ColumnElement[bool]] = []
        if query.within_tenant is not None:
            conditions.append(UserRow.tenant_id == query.within_tenant)
        if query.tenant is not None:
            conditions.append(UserRow.tenant_id == query.tenant)
        if query.role is not None:
            conditions.append(UserRow.role == query.role.value)
        if query.is_active is not None:
            conditions.append(UserRow.is_active.is_(query.is_active))
        if query.search:
            term = f"%{escape_like(query.search)}%"
            conditions.append(or_(*(column.ilike(term, escape="\\") for column in (
                UserRow.username, UserRow.email, UserRow.first_name, UserRow.last_name))))
        # The tenants of the page come with it (the list shows each user's tenant).
        statement = _with_tenant().where(*conditions)
        rows = page_of(self._session, statement, query.page, order_by(UserRow, query.ordering),
                       match_first=bool(query.search))  # the trigram index finds the matches
        return Page([self._user(r) for r in rows[0]], rows[1], query.page)

    def counts(self, tenant_id: int | None) -> tuple[int, int]:
        statement = select(func.count(), func.coalesce(func.sum(case((UserRow.is_active, 1), else_=0)), 0))
        if tenant_id is not None:
            statement = statement.where(UserRow.tenant_id == tenant_id)
        total, active = self._session.execute(statement).one()
        return int(total), int(active)


def tenant_from_row(row: TenantRow) -> Tenant:
    return Tenant(id=row.id, **{n: getattr(row, n) for n in _TENANT_COLUMNS})


def _tenant_values(tenant: Tenant) -> dict[str, object]:
    return {name: getattr(tenant, name) for name in _TENANT_COLUMNS}


class SqlTenantRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _tenant(self, row: TenantRow) -> Tenant:
        tenant = tenant_from_row(row)
        remember(self._session, ("tenant", row.id), _tenant_values(tenant))
        return tenant

    def get(self, tenant_id: int) -> Tenant | None:
        values = held(self._session, ("tenant", tenant_id))
        if values is not None:  # the authenticated user's
            return Tenant(id=tenant_id, **values)  # type: ignore[arg-type]
        row = self._session.get(TenantRow, tenant_id)
        keep(self._session, row)
        return self._tenant(row) if row else None

    def get_many(self, tenant_ids: Iterable[int]) -> dict[int, Tenant]:
        """The tenants by id; those the session holds already (a page's, the authenticated user's)
        cost no statement."""
        found: dict[int, Tenant] = {}
        missing = []
        for i in set(tenant_ids):
            values = held(self._session, ("tenant", i))
            row = loaded(self._session, TenantRow, i) if values is None else None
            if values is not None:
                found[i] = Tenant(id=i, **values)  # type: ignore[arg-type]
            elif row is not None:
                found[i] = self._tenant(row)
            else:
                missing.append(i)
        if missing:
            found.update((row.id, self._tenant(row)) for row in self._session.scalars(
                select(TenantRow).where(TenantRow.id.in_(missing))))
        return found

    def get_by_slug(self, slug: str) -> Tenant | None:
        row = self._session.scalars(select(TenantRow).where(TenantRow.slug == slug)).one_or_none()
        return self._tenant(row) if row else None

    def get_by_name(self, name: str) -> Tenant | None:
        row = self._session.scalars(select(TenantRow).where(TenantRow.name == name)).one_or_none()
        return self._tenant(row) if row else None

    def add(self, tenant: Tenant) -> Tenant:
        row = TenantRow(**_tenant_values(tenant))
        self._session.add(row)
        flush(self._session)
        return self._tenant(row)

    def update(self, tenant: Tenant) -> None:
        write_changes(self._session, TenantRow, ("tenant", tenant.id or 0), _tenant_values(tenant))

    def delete(self, tenant_id: int) -> None:
        self._session.execute(delete(TenantRow).where(TenantRow.id == tenant_id))
        release(self._session, ("tenant", tenant_id))

    def list(self, query: TenantQuery) -> Page[Tenant]:
        conditions: list[ColumnElement[bool]] = []
        if query.is_active is not None:
            conditions.append(TenantRow.is_active.is_(query.is_active))
        if query.search:
            term = f"%{escape_like(query.search)}%"
            conditions.append(or_(TenantRow.name.ilike(term, escape="\\"), TenantRow.slug.ilike(term, escape="\\")))
        rows, count = page_of(self._session, select(TenantRow).where(*conditions), query.page,
                            order_by(TenantRow, query.ordering))
        return Page([self._tenant(r) for r in rows], count, query.page)

    def user_counts(self, tenant_ids: Iterable[int]) -> dict[int, int]:
        ids = set(tenant_ids)
        if not ids:
            return {}
        statement = (select(UserRow.tenant_id, func.count()).where(UserRow.tenant_id.in_(ids))
                     .group_by(UserRow.tenant_id))
        return {tenant_id: int(n) for tenant_id, n in self._session.execute(statement)}

    def count(self) -> int:
        return int(self._session.scalar(select(func.count()).select_from(TenantRow)) or 0)


def token_from_row(row: Any) -> AuthToken:
    """An `AuthTokenRow`, or a row of `_TOKEN_BY_HASH` (the same names)."""
    return AuthToken(id=row.id, **{name: getattr(row, name) for name in _TOKEN_COLUMNS})


class SqlTokenRepository:
    """Tokens in `auth_tokens`. `touch` runs after the request's commit, in a short transaction
    of its own (through `defer`), so authenticating a read request never turns its transaction into
    a writing one (SQLite cannot upgrade a read transaction once another writer went first)."""

    def __init__(self, session: Session, defer: Deferrer | None = None) -> None:
        self._session = session
        self._defer = defer

    def add(self, token: AuthToken) -> AuthToken:
        row = AuthTokenRow(**{name: getattr(token, name) for name in _TOKEN_COLUMNS})
        self._session.add(row)
        self._session.flush()
        return token_from_row(row)

    def get_by_hash(self, key_hash: str) -> AuthToken | None:
        row = self._session.execute(_TOKEN_BY_HASH, {"key_hash": key_hash}).one_or_none()
        return token_from_row(row) if row else None

    def get_with_owner(self, key_hash: str) -> TokenOwner | None:
        # Core on the session's connection (its transaction, its statement count): a Core
        # statement gains nothing from the session's ORM execution layer.
        session = self._session
        return token_with_owner(session.connection(), key_hash, lambda key, values: hold(session, key, values))

    def list_for_user(self, user_id: int) -> Sequence[AuthToken]:
        rows = self._session.scalars(
            select(AuthTokenRow).where(AuthTokenRow.user_id == user_id).order_by(AuthTokenRow.created, AuthTokenRow.id)
        )
        return [token_from_row(row) for row in rows]

    def delete(self, token_id: int) -> None:
        self._session.execute(delete(AuthTokenRow).where(AuthTokenRow.id == token_id))

    def delete_for_user(self, user_id: int, *, keep: int | None = None) -> int:
        statement = delete(AuthTokenRow).where(AuthTokenRow.user_id == user_id)
        if keep is not None:
            statement = statement.where(AuthTokenRow.id != keep)
        return self._session.execute(statement).rowcount  # type: ignore[attr-defined, no-any-return]

    def delete_expired(self, now: datetime) -> int:
        result = self._session.execute(delete(AuthTokenRow).where(AuthTokenRow.expires_at <= now))
        return result.rowcount  # type: ignore[attr-defined, no-any-return]

    def touch(self, token_id: int, when: datetime) -> None:
        touch(self._session, self._defer, token_id, when)
