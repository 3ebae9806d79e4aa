"""Entities and value objects of WiWebb's identity and tenancy."""

from __future__ import annotations

import enum
import uuid as uuid_module
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID


class Role(enum.StrEnum):
    SUPERADMIN = "superadmin"
    ADMIN = "admin"
    TENANT_OWNER = "tenant_owner"
    SUBSCRIBER = "subscriber"

    @property
    def is_staff(self) -> bool:
        """Platform staff: superadmins and admins."""
        return self in (Role.SUPERADMIN, Role.ADMIN)

    @property
    def is_superuser(self) -> bool:
        return self is Role.SUPERADMIN

    @property
    def display_name(self) -> str:
        return _ROLE_NAMES[self]


_ROLE_NAMES = {
    Role.SUPERADMIN: "SuperAdmin",
    Role.ADMIN: "Platform Admin",
    Role.TENANT_OWNER: "TenantOwner",
    Role.SUBSCRIBER: "Subscriber",
}

# Django marks a password that can never match with a leading "!"; imported rows keep working.
UNUSABLE_PASSWORD_PREFIX = "!"


@dataclass
class Tenant:
    id: int | None
    uuid: UUID
    name: str
    slug: str
    is_active: bool = True
    description: str = ""
    email: str | None = None
    url: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass
class User:
    id: int | None
    username: str
    email: str
    password_hash: str
    role: Role = Role.SUBSCRIBER
    tenant_id: int | None = None
    first_name: str = ""
    last_name: str = ""
    is_active: bool = True
    last_login: datetime | None = None
    date_joined: datetime | None = None
    password_updated: datetime | None = None
    phone_number: str = ""
    bio: str = ""
    url: str = ""
    company: str = ""
    location: str = ""
    birth_date: date | None = None

    @property
    def is_staff(self) -> bool:
        return self.role.is_staff

    @property
    def is_superuser(self) -> bool:
        return self.role.is_superuser

    @property
    def has_usable_password(self) -> bool:
        return bool(self.password_hash) and not self.password_hash.startswith(UNUSABLE_PASSWORD_PREFIX)


# The profile fields a user may change on their own record (`auth/user/`).
PROFILE_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "phone_number",
    "bio",
    "url",
    "company",
    "location",
    "birth_date",
)


@dataclass
class AuthToken:
    """A login token. Only the SHA-256 of the key is kept, plus its first 8 characters for display."""

    id: int | None
    user_id: int
    key_hash: str
    prefix: str
    created: datetime
    expires_at: datetime
    last_used: datetime | None = None
    user_agent: str = ""


@dataclass(frozen=True)
class TokenOwner:
    """A token found with its user and the user's tenant in one lookup (None where there is none)."""

    token: AuthToken
    user: User | None
    tenant: Tenant | None


@dataclass(frozen=True)
class IssuedToken:
    """A token just issued: the only moment the clear key exists."""

    key: str
    token: AuthToken
    user: User


@dataclass
class AuditEntry:
    """One line of history. The names are kept as they were, so the entry still says who did what
    to whom after those accounts are renamed or deleted."""

    action: str
    actor_id: int | None
    target_id: int | None = None
    tenant_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)
    timestamp: datetime | None = None
    id: int | None = None
    actor_name: str | None = None
    target_name: str | None = None

    @classmethod
    def of(cls, action: str, *, actor: User | None, target: User | None = None, tenant_id: int | None = None,
           details: dict[str, Any] | None = None, timestamp: datetime | None = None) -> AuditEntry:
        return cls(action, actor_id=actor.id if actor else None, target_id=target.id if target else None,
                   tenant_id=tenant_id, details=details or {}, timestamp=timestamp,
                   actor_name=actor.username if actor and actor.id is not None else None,
                   target_name=target.username if target else None)


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    subject: str
    text: str
    html: str = ""
    from_address: str = ""
    message_id: str = field(default_factory=lambda: f"<{uuid_module.uuid4().hex}@wiwebb>")


@dataclass
class QueuedMail:
    """A message in the outbox, with its delivery record."""

    id: int
    mail: OutgoingMail
    attempts: int = 0
    created_at: datetime | None = None
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None
    failed_at: datetime | None = None
    last_error: str = ""
