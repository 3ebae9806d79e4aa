"""What a list asks for: filters, order and page. Repositories answer them; the domain fills in
the caller's reach (`within_tenant`) so a list never shows what the caller may not see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .listing import PageRequest
from .model import Role

TENANT_ORDERINGS = frozenset({"name", "slug", "created_at", "updated_at", "id"})
USER_ORDERINGS = frozenset({"username", "date_joined", "last_login", "id", "email"})


def ordering_or_default(requested: str | None, allowed: frozenset[str], default: str) -> str:
    """DRF's OrderingFilter: an unknown field is ignored (the default order is kept)."""
    if requested:
        fields = [f.strip() for f in requested.split(",") if f.strip()]
        if fields and all(f.lstrip("-") in allowed for f in fields):
            return ",".join(fields)
    return default


@dataclass(frozen=True)
class TenantQuery:
    is_active: bool | None = None
    search: str | None = None
    ordering: str = "name"
    page: PageRequest = field(default_factory=PageRequest)


@dataclass(frozen=True)
class UserQuery:
    within_tenant: int | None = None  # the caller's reach: None is every user
    tenant: int | None = None
    role: Role | None = None
    is_active: bool | None = None
    search: str | None = None
    ordering: str = "id"
    page: PageRequest = field(default_factory=PageRequest)


@dataclass(frozen=True)
class AuditQuery:
    within_tenant: int | None = None
    action: str | None = None
    actor: int | None = None
    target: int | None = None
    tenant: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    page: PageRequest = field(default_factory=PageRequest)
    # An admin's view: without the billing entries (`BILLING_ACTIONS`) of superadmins, whose
    # billing admins do not see.
    hide_superadmins_billing: bool = False


# Audit actions that carry someone's billing (subscription, plan, status).
BILLING_ACTIONS = ("subscription_changed",)


@dataclass(frozen=True)
class PlatformCounts:
    total_tenants: int
    total_users: int
    active_users: int
