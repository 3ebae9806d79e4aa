"""`/api/v1/tenants/` and `tenants/me/`."""

from __future__ import annotations

from typing import Any

from pyramid.request import Request
from pyramid.response import Response

from wiwebb.domain.queries import TENANT_ORDERINGS, TenantQuery, ordering_or_default
from wiwebb.domain.rbac import Permission

from ..bodies import request_data
from ..endpoint import actor, endpoint, object_id
from ..schemas.listing import page_request, paginated, query_params
from ..schemas.tenants import TenantFilterSchema, TenantWriteSchema, dump_tenant


def _id(request: Request) -> int:
    return object_id(request, "tenant_id")


@endpoint(Permission.TENANTS_LIST)
def list_tenants(request: Request) -> dict[str, Any]:
    filters = TenantFilterSchema().parse(query_params(request, ("is_active", "search", "ordering")))
    query = TenantQuery(is_active=filters.get("is_active"), search=filters.get("search") or None,
                        ordering=ordering_or_default(filters.get("ordering"), TENANT_ORDERINGS, "name"),
                        page=page_request(request))
    return paginated(request, request.services.tenants.find(actor(request), query), dump_tenant)


@endpoint(Permission.TENANTS_CREATE, status=201)
def create_tenant(request: Request) -> dict[str, Any]:
    data = TenantWriteSchema().parse(request_data(request))
    return dump_tenant(request.services.tenants.create(actor(request), data))


@endpoint(Permission.TENANT_READ)
def get_tenant(request: Request) -> dict[str, Any]:
    return dump_tenant(request.services.tenants.get(actor(request), _id(request)))


def _update(request: Request, *, partial: bool) -> dict[str, Any]:
    changes = TenantWriteSchema().parse(request_data(request), partial=partial)
    return dump_tenant(request.services.tenants.update(actor(request), _id(request), changes))


@endpoint(Permission.TENANT_UPDATE)
def put_tenant(request: Request) -> dict[str, Any]:
    return _update(request, partial=False)


@endpoint(Permission.TENANT_UPDATE)
def patch_tenant(request: Request) -> dict[str, Any]:
    return _update(request, partial=True)


@endpoint(Permission.TENANTS_DELETE, status=204)
def delete_tenant(request: Request) -> Response:
    request.services.tenants.delete(actor(request), _id(request))
    return Response(status=204)


def require_own_tenant(request: Request) -> None:
    """The 403 of tenants/me/ for anyone but a tenant owner with a tenant, before another method's 405."""
    request.services.tenants.mine(actor(request))


@endpoint(Permission.OWN_ACCOUNT)
def get_my_tenant(request: Request) -> dict[str, Any]:
    return dump_tenant(request.services.tenants.mine(actor(request)))


@endpoint(Permission.OWN_ACCOUNT)
def patch_my_tenant(request: Request) -> dict[str, Any]:
    changes = TenantWriteSchema().parse(request_data(request), partial=True)
    return dump_tenant(request.services.tenants.update_mine(actor(request), changes))
