"""Reading the audit log: staff read all of it, a tenant owner their tenant's entries."""

from __future__ import annotations

from dataclasses import dataclass, replace

from . import rbac
from .listing import Page
from .model import AuditEntry, User
from .ports import AuditLog, UserRepository
from .queries import AuditQuery
from .rbac import Permission


@dataclass(frozen=True)
class Person:
    id: int | None
    username: str


@dataclass(frozen=True)
class AuditView:
    entry: AuditEntry
    actor: Person | None
    target: Person | None


class AuditService:
    def __init__(self, *, audit: AuditLog, users: UserRepository) -> None:
        self._audit = audit
        self._users = users

    def find(self, actor: User, query: AuditQuery) -> Page[AuditView]:
        rbac.authorize(actor, Permission.AUDIT_READ)
        if rbac.scope(actor, Permission.AUDIT_READ) is rbac.Scope.OWN_TENANT:
            query = replace(query, within_tenant=actor.tenant_id if actor.tenant_id is not None else -1)
        if rbac.scope(actor, Permission.BILLING_READ_OTHERS) is rbac.Scope.ALL_BUT_SUPERADMINS_HIDDEN:
            query = replace(query, hide_superadmins_billing=True)  # as their subscriptions are hidden
        page = self._audit.list(query)
        # Names are kept in the entries; only entries written without them need a lookup.
        unnamed = {i for e in page.items for i, name in ((e.actor_id, e.actor_name), (e.target_id, e.target_name))
                   if i is not None and name is None}
        people = self._users.get_many(unnamed) if unnamed else {}

        def person(user_id: int | None, name: str | None) -> Person | None:
            if user_id is None:
                return None
            if name is None:
                known = people.get(user_id)
                return Person(user_id, known.username) if known else None
            return Person(user_id, name)

        views = [AuditView(e, person(e.actor_id, e.actor_name), person(e.target_id, e.target_name))
                 for e in page.items]
        return Page(views, page.count, page.request)
