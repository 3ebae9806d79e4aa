"""What the domain needs from the outside world. Adapters implement these; fakes do in tests.

Repositories hand back domain objects and never commit: the caller's unit of work (the HTTP
request, a CLI command) decides when the changes become durable.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .throttling import Rate

from .listing import Page
from .model import AuditEntry, AuthToken, OutgoingMail, QueuedMail, Tenant, TokenOwner, User
from .queries import AuditQuery, TenantQuery, UserQuery


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

    def delete(self, user_id: int) -> None: ...

    def exists_with_role(self, role: str) -> bool: ...

    def list(self, query: UserQuery) -> Page[User]:
        """A page of users matching `query`, in its order (ties broken by id)."""
        ...

    def get_many(self, user_ids: Iterable[int]) -> dict[int, User]: ...

    def counts(self, tenant_id: int | None) -> tuple[int, int]:
        """(users, active users), of one tenant or of the platform."""
        ...


class TenantRepository(Protocol):
    def get(self, tenant_id: int) -> Tenant | None: ...

    def get_many(self, tenant_ids: Iterable[int]) -> dict[int, Tenant]: ...

    def get_by_slug(self, slug: str) -> Tenant | None: ...

    def get_by_name(self, name: str) -> Tenant | None: ...

    def add(self, tenant: Tenant) -> Tenant: ...

    def update(self, tenant: Tenant) -> None: ...

    def delete(self, tenant_id: int) -> None: ...

    def list(self, query: TenantQuery) -> Page[Tenant]: ...

    def user_counts(self, tenant_ids: Iterable[int]) -> dict[int, int]:
        """How many users each tenant has (tenants without users may be missing)."""
        ...

    def count(self) -> int: ...


class TokenOwners(Protocol):
    """What authentication needs of the tokens (a `TokenRepository` is one)."""

    def get_with_owner(self, key_hash: str) -> TokenOwner | None:
        """The token with this digest, with its user and the user's tenant, in one lookup (what
        authenticating every request needs). The user and tenant it returns are the request's own
        loads: later lookups of them by id in the same unit of work cost nothing."""
        ...

    def touch(self, token_id: int, when: datetime) -> None:
        """Record that the token was used at `when`. Best effort: it may land after the request."""
        ...


class TokenRepository(TokenOwners, Protocol):
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

    def delete_expired(self, now: datetime) -> int:
        """Delete every token expired by `now`; return how many."""
        ...


class AuditLog(Protocol):
    def record(self, entry: AuditEntry, *, durable: bool = False) -> None:
        """Append an entry, in the same unit of work as the change it records; `durable` entries
        (a failed login) are kept even when that unit of work is rolled back."""
        ...

    def list(self, query: AuditQuery) -> Page[AuditEntry]:
        """Newest first."""
        ...


class MailDeliveryError(Exception):
    """The mail server refused the message or could not be reached."""


class Mailer(Protocol):
    def send(self, mail: OutgoingMail) -> None:
        """Deliver one message; raise `MailDeliveryError` when it was not accepted."""
        ...


class MailOutbox(Protocol):
    def enqueue(self, mail: OutgoingMail, now: datetime) -> None:
        """Queue a message in the caller's unit of work (it is sent only if that commits)."""
        ...


class MailQueue(Protocol):
    """The outbox as the delivery side sees it. Each method is its own short transaction."""

    def claim_due(self, now: datetime, lease: timedelta) -> QueuedMail | None:
        """The oldest pending message due by `now`, its next attempt pushed `lease` ahead so that
        no other worker takes it meanwhile; None when nothing is due."""
        ...

    def mark_sent(self, mail_id: int, now: datetime) -> None: ...

    def mark_attempt_failed(self, mail_id: int, error: str, next_attempt_at: datetime | None,
                            now: datetime) -> None:
        """Record a failed attempt; `next_attempt_at` None means it failed for good."""
        ...

    def failed(self) -> Sequence[QueuedMail]: ...

    def pending(self) -> Sequence[QueuedMail]: ...

    def purge_sent(self, sent_before: datetime) -> int:
        """Delete mail sent before `sent_before`; return how many."""
        ...

    def requeue_failed(self, now: datetime) -> int:
        """Make every failed message pending again, due now; return how many."""
        ...


class RateLimiter(Protocol):
    """Sliding-window counters, shared by every process that uses the same store."""

    def hit(self, key: str, rate: Rate) -> float | None:
        """Count one event for `key`. None when it fits the rate; otherwise the seconds until it
        would, and the refused event is not counted."""
        ...

    def wait(self, key: str, rate: Rate) -> float | None:
        """Like `hit` without counting: None when one more event would fit."""
        ...

    def clear(self, key: str, rate: Rate) -> None:
        """Forget every event counted for `key`."""
        ...
