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
class AuditView:
    entry: AuditEntry
    actor: User | None
    target: User | None


class AuditService:
    def __init__(self, *, audit: AuditLog, users: UserRepository) -> None:
        self._audit = audit
        self._users = users

    def find(self, actor: User, query: AuditQuery) -> Page[AuditView]:
        rbac.authorize(actor, Permission.AUDIT_READ)
        if rbac.scope(actor, Permission.AUDIT_READ) is rbac.Scope.OWN_TENANT:
            query = replace(query, within_tenant=actor.tenant_id if actor.tenant_id is not None else -1)
        page = self._audit.list(query)
        ids = {i for e in page.items for i in (e.actor_id, e.target_id) if i is not None}
        people = self._users.get_many(ids)
        views = [AuditView(e, people.get(e.actor_id) if e.actor_id else None,
                           people.get(e.target_id) if e.target_id else None) for e in page.items]
        return Page(views, page.count, page.request)
