"""What the domain needs from the outside world. Adapters implement these; fakes do in tests.

Repositories hand back domain objects and never commit: the caller's unit of work (the HTTP
request, a CLI command) decides when the changes become durable.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from .model import AuditEntry, AuthToken, Tenant, User


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str:
        """A new salted hash of `password` in the preferred format."""
        ...

    def verify(self, password: str, encoded: str) -> bool:
        """Whether `password` matches `encoded` (any supported format, imported ones included)."""
        ...

    def needs_rehash(self, encoded: str) -> bool:
        """Whether `encoded` is in an older format or weaker parameters than the preferred ones."""
        ...

    def burn(self, password: str) -> None:
        """Spend the time of one `verify`, for a user that does not exist (no timing oracle)."""
        ...


class UserRepository(Protocol):
    def get(self, user_id: int) -> User | None: ...

    def get_by_username(self, username: str) -> User | None:
        """Exact, case-sensitive match (`Admin` and `admin` are different users)."""
        ...

    def get_by_email(self, email: str) -> User | None:
        """Case-insensitive match; addresses are unique that way."""
        ...

    def add(self, user: User) -> User:
        """Store a new user and return it with its `id`."""
        ...

    def update(self, user: User) -> None: ...

    def exists_with_role(self, role: str) -> bool: ...


class TenantRepository(Protocol):
    def get(self, tenant_id: int) -> Tenant | None: ...


class TokenRepository(Protocol):
    def add(self, token: AuthToken) -> AuthToken:
        """Store a new token and return it with its `id`."""
        ...

    def get_by_hash(self, key_hash: str) -> AuthToken | None: ...

    def list_for_user(self, user_id: int) -> Sequence[AuthToken]:
        """The user's tokens, oldest first."""
        ...

    def delete(self, token_id: int) -> None: ...

    def delete_for_user(self, user_id: int, *, keep: int | None = None) -> int:
        """Revoke every token of the user but `keep`; return how many were revoked."""
        ...

    def touch(self, token_id: int, when: datetime) -> None:
        """Record that the token was used at `when`. Best effort: it may land after the request."""
        ...


class AuditLog(Protocol):
    def record(self, entry: AuditEntry) -> None:
        """Append an entry, in the same unit of work as the change it records."""
        ...
