"""SQLAlchemy implementations of the domain's repositories. They flush, never commit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import datetime

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from wiwebb.domain.model import AuditEntry, AuthToken, Role, Tenant, User

from .orm import AuditLogRow, AuthTokenRow, TenantRow, UserRow

# Runs a piece of work in a session and transaction of its own, after the current one commits.
Deferrer = Callable[[Callable[[Session], object]], None]

_USER_COLUMNS = [f.name for f in fields(User) if f.name not in ("id", "password_hash", "role")]
_TOKEN_COLUMNS = [f.name for f in fields(AuthToken) if f.name != "id"]
_TENANT_COLUMNS = [f.name for f in fields(Tenant) if f.name != "id"]


def user_from_row(row: UserRow) -> User:
    return User(
        id=row.id,
        password_hash=row.password,
        role=Role(row.role),
        **{name: getattr(row, name) for name in _USER_COLUMNS},
    )


def _user_values(user: User) -> dict[str, object]:
    values: dict[str, object] = {name: getattr(user, name) for name in _USER_COLUMNS}
    values.update(password=user.password_hash, role=user.role.value, email_lower=user.email.lower())
    return values


class SqlUserRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, user_id: int) -> User | None:
        row = self._session.get(UserRow, user_id)
        return user_from_row(row) if row else None

    def get_by_username(self, username: str) -> User | None:
        row = self._session.scalars(select(UserRow).where(UserRow.username == username)).one_or_none()
        return user_from_row(row) if row else None

    def get_by_email(self, email: str) -> User | None:
        row = self._session.scalars(select(UserRow).where(UserRow.email_lower == email.lower())).one_or_none()
        return user_from_row(row) if row else None

    def add(self, user: User) -> User:
        row = UserRow(**_user_values(user))
        self._session.add(row)
        self._session.flush()
        return user_from_row(row)

    def update(self, user: User) -> None:
        row = self._session.get(UserRow, user.id)
        if row is None:
            raise LookupError(f"user {user.id} does not exist")
        for name, value in _user_values(user).items():
            setattr(row, name, value)
        self._session.flush()

    def exists_with_role(self, role: str) -> bool:
        return bool(self._session.scalar(select(exists().where(UserRow.role == role))))


class SqlTenantRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, tenant_id: int) -> Tenant | None:
        row = self._session.get(TenantRow, tenant_id)
        return Tenant(id=row.id, **{n: getattr(row, n) for n in _TENANT_COLUMNS}) if row else None

    def add(self, tenant: Tenant) -> Tenant:
        row = TenantRow(**{n: getattr(tenant, n) for n in _TENANT_COLUMNS})
        self._session.add(row)
        self._session.flush()
        return Tenant(id=row.id, **{n: getattr(row, n) for n in _TENANT_COLUMNS})


def token_from_row(row: AuthTokenRow) -> AuthToken:
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
        row = self._session.scalars(select(AuthTokenRow).where(AuthTokenRow.key_hash == key_hash)).one_or_none()
        return token_from_row(row) if row else None

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

    def touch(self, token_id: int, when: datetime) -> None:
        statement = update(AuthTokenRow).where(AuthTokenRow.id == token_id).values(last_used=when)
        if self._defer is None:
            self._session.execute(statement)
        else:
            self._defer(lambda session: session.execute(statement))


class SqlAuditLog:
    def __init__(self, session: Session) -> None:
        self._session = session

    def record(self, entry: AuditEntry) -> None:
        self._session.add(
            AuditLogRow(
                action=entry.action,
                actor_id=entry.actor_id,
                target_id=entry.target_id,
                tenant_id=entry.tenant_id,
                details=entry.details,
                timestamp=entry.timestamp,
            )
        )
