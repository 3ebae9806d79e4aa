"""`/api/v1/audit-logs/`: read-only, newest first."""

from __future__ import annotations

from typing import Any

from pyramid.request import Request

from wiwebb.domain.audit import AuditView, Person
from wiwebb.domain.queries import AuditQuery
from wiwebb.domain.rbac import Permission

from ..endpoint import actor, endpoint
from ..schemas.fields import format_datetime
from ..schemas.listing import page_request, paginated, query_params
from ..schemas.users import AuditFilterSchema


def _person(person: Person | None) -> dict[str, Any] | None:
    return {"id": person.id, "username": person.username} if person else None


def _dump(view: AuditView) -> dict[str, Any]:
    entry = view.entry
    return {"id": entry.id, "action": entry.action, "actor": _person(view.actor), "target": _person(view.target),
            "tenant": entry.tenant_id, "details": entry.details, "timestamp": format_datetime(entry.timestamp)}


@endpoint(Permission.AUDIT_READ)
def list_audit(request: Request) -> dict[str, Any]:
    filters = AuditFilterSchema().parse(
        query_params(request, ("action", "actor", "target", "tenant", "since", "until")))
    query = AuditQuery(page=page_request(request), **{k: v for k, v in filters.items() if v != ""})
    return paginated(request, request.services.audit.find(actor(request), query), _dump)
