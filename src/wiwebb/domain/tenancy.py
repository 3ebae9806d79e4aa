"""Tenants: platform staff create and run them; a tenant owner reads and edits their own.

Access is decided by `rbac` for every call: a tenant out of reach is not found (404), an action
the role may never take is refused (403).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import accounts, rbac
from .errors import InvalidOperation, NotFound, PermissionDenied, ValidationFailed
from .listing import Page
from .model import AuditEntry, Role, Tenant, User
from .ports import AuditLog, Clock, TenantRepository
from .queries import TenantQuery
from .rbac import Permission, Target
from .slugs import slugify

NAME_TAKEN = "tenant with this name already exists."
SLUG_TAKEN = "tenant with this slug already exists."
HAS_USERS = "Cannot delete tenant with existing users."
ONLY_OWNERS = "Only TenantOwner with a tenant can access this endpoint."
INVALID_SLUG = "Enter a valid \u201cslug\u201d consisting of letters, numbers, underscores or hyphens."
BLANK = "This field may not be blank."
MAX_LENGTH = 255  # of a name and a slug (the columns')

# What staff may set on a tenant, and the part of it an owner may change on their own.
STAFF_FIELDS = ("name", "slug", "is_active", "description", "email", "url")
OWNER_FIELDS = ("name", "description", "email", "url")


@dataclass(frozen=True)
class TenantView:
    tenant: Tenant
    user_count: int


class TenantService:
    def __init__(self, *, tenants: TenantRepository, audit: AuditLog, clock: Clock) -> None:
        self._tenants = tenants
        self._audit = audit
        self._clock = clock

    def find(self, actor: User, query: TenantQuery) -> Page[TenantView]:
        rbac.authorize(actor, Permission.TENANTS_LIST)
        page = self._tenants.list(query)
        counts = self._tenants.user_counts(t.id or 0 for t in page.items)
        return Page([TenantView(t, counts.get(t.id or 0, 0)) for t in page.items], page.count, page.request)

    def get(self, actor: User, tenant_id: int) -> TenantView:
        tenant = self._reachable(actor, Permission.TENANT_READ, tenant_id)
        return self._view(tenant)

    def find_by_slug(self, actor: User, slug: str) -> TenantView:
        tenant = self._tenants.get_by_slug(slug)
        if tenant is None:
            raise NotFound(f"no tenant with slug {slug!r}")
        return self.get(actor, tenant.id or 0)

    def create(self, actor: User, data: Mapping[str, Any]) -> TenantView:
        rbac.authorize(actor, Permission.TENANTS_CREATE)
        values = {name: data[name] for name in STAFF_FIELDS if name in data}
        explicit_slug = bool(values.get("slug"))
        values["slug"] = values.get("slug") or self._free_slug(values["name"])
        self._check_unique(values, None, check_slug=explicit_slug)
        now = self._clock.now()
        tenant = self._tenants.add(Tenant(id=None, uuid=uuid.uuid4(), created_at=now, updated_at=now, **values))
        self._record("tenant_created", actor, tenant, {"name": tenant.name, "slug": tenant.slug})
        return TenantView(tenant, 0)

    def update(self, actor: User, tenant_id: int, changes: Mapping[str, Any]) -> TenantView:
        tenant = self._reachable(actor, Permission.TENANT_UPDATE, tenant_id)
        fields = STAFF_FIELDS if actor.role.is_staff else OWNER_FIELDS
        return self._apply(actor, tenant, {k: v for k, v in changes.items() if k in fields})

    def delete(self, actor: User, tenant_id: int) -> None:
        rbac.authorize(actor, Permission.TENANTS_DELETE)
        tenant = self._tenants.get(tenant_id)
        if tenant is None:
            raise NotFound()
        if self._tenants.user_counts([tenant_id]).get(tenant_id, 0):
            raise InvalidOperation(HAS_USERS)
        # The entry keeps the name; its tenant link is cleared by the database with the tenant.
        self._record("tenant_deleted", actor, tenant, {"name": tenant.name, "slug": tenant.slug})
        self._tenants.delete(tenant_id)

    def mine(self, actor: User) -> TenantView:
        return self._view(self._own(actor))

    def update_mine(self, actor: User, changes: Mapping[str, Any]) -> TenantView:
        tenant = self._own(actor)
        return self._apply(actor, tenant, {k: v for k, v in changes.items() if k in OWNER_FIELDS})

    # -- internals ---------------------------------------------------------------------------

    def _own(self, actor: User) -> Tenant:
        if actor.role is not Role.TENANT_OWNER or actor.tenant_id is None:
            raise PermissionDenied(ONLY_OWNERS)
        tenant = self._tenants.get(actor.tenant_id)
        if tenant is None:
            raise PermissionDenied(ONLY_OWNERS)
        return tenant

    def _reachable(self, actor: User, permission: Permission, tenant_id: int) -> Tenant:
        rbac.authorize(actor, permission)  # 403 for a role that may never, before any lookup
        tenant = self._tenants.get(tenant_id)
        if tenant is None:
            raise NotFound()
        rbac.authorize(actor, permission, Target.tenant(tenant))
        return tenant

    def _apply(self, actor: User, tenant: Tenant, changes: dict[str, Any]) -> TenantView:
        changed = {k: v for k, v in changes.items() if getattr(tenant, k) != v}
        if "slug" in changed and not changed["slug"]:
            changed.pop("slug")
        self._check_unique(changed, tenant.id)
        if changed:
            before = {k: getattr(tenant, k) for k in changed}
            for name, value in changed.items():
                setattr(tenant, name, value)
            tenant.updated_at = self._clock.now()
            self._tenants.update(tenant)
            self._record("tenant_updated", actor, tenant,
                         {"changes": {k: {"from": before[k], "to": v} for k, v in changed.items()}})
        return self._view(tenant)

    def _check_unique(self, values: Mapping[str, Any], tenant_id: int | None, *, check_slug: bool = True) -> None:
        # The API's schema has refused a blank or long value already; the command line and library
        # users come here with theirs.
        errors: dict[str, list[str]] = {}
        if "name" in values:
            if not values["name"].strip():
                errors["name"] = [BLANK]
            elif len(values["name"]) > MAX_LENGTH:
                errors["name"] = [accounts.too_long(MAX_LENGTH)]
            elif (other := self._tenants.get_by_name(values["name"])) is not None and other.id != tenant_id:
                errors["name"] = [NAME_TAKEN]
        if "slug" in values and check_slug:
            if not slugify(values["slug"]) == values["slug"].lower() or not values["slug"]:
                errors["slug"] = [INVALID_SLUG]
            elif len(values["slug"]) > MAX_LENGTH:
                errors["slug"] = [accounts.too_long(MAX_LENGTH)]
            else:
                other = self._tenants.get_by_slug(values["slug"])
                if other is not None and other.id != tenant_id:
                    errors["slug"] = [SLUG_TAKEN]
        if errors:
            raise ValidationFailed(errors)

    def _free_slug(self, name: str) -> str:
        # Cut to the column, and never left ending in a hyphen (which slugify would not make).
        base = slugify(name)[:MAX_LENGTH].rstrip("-") or "tenant"
        slug, n = base, 2
        while self._tenants.get_by_slug(slug) is not None:
            suffix = f"-{n}"
            slug, n = f"{base[:MAX_LENGTH - len(suffix)].rstrip('-')}{suffix}", n + 1
        return slug

    def _view(self, tenant: Tenant) -> TenantView:
        return TenantView(tenant, self._tenants.user_counts([tenant.id or 0]).get(tenant.id or 0, 0))

    def _record(self, action: str, actor: User, tenant: Tenant, details: dict[str, Any]) -> None:
        self._audit.record(AuditEntry.of(action, actor=actor, tenant_id=tenant.id, details=jsonable(details),
                                      timestamp=self._clock.now()))


def jsonable(value: Any) -> Any:
    """`value` with anything JSON cannot hold (dates, UUIDs, roles) turned into text."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return str(value)
