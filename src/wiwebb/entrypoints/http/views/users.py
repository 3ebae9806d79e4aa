"""`/api/v1/users/` and its actions: activate, assign-role, set-password."""

from __future__ import annotations

from typing import Any

from pyramid.request import Request
from pyramid.response import Response

from wiwebb.domain.model import Role
from wiwebb.domain.queries import USER_ORDERINGS, UserQuery, ordering_or_default
from wiwebb.domain.rbac import Permission
from wiwebb.domain.user_admin import UserView

from ..bodies import request_data
from ..endpoint import actor, endpoint, frontend_url, object_id
from ..schemas.auth import dump_user
from ..schemas.listing import page_request, paginated, query_params
from ..schemas.users import (
    ActivateSchema,
    AssignRoleSchema,
    SetPasswordSchema,
    UserCreateSchema,
    UserFilterSchema,
    UserWriteSchema,
)


def _id(request: Request) -> int:
    return object_id(request, "user_id")


def _dump(view: UserView) -> dict[str, Any]:
    return dump_user(view.user, view.tenant)


@endpoint(Permission.USERS_READ)
def list_users(request: Request) -> dict[str, Any]:
    filters = UserFilterSchema().parse(query_params(request, ("tenant", "role", "is_active", "search", "ordering")))
    query = UserQuery(tenant=filters.get("tenant"), role=Role(filters["role"]) if "role" in filters else None,
                      is_active=filters.get("is_active"), search=filters.get("search") or None,
                      ordering=ordering_or_default(filters.get("ordering"), USER_ORDERINGS, "id"),
                      page=page_request(request))
    return paginated(request, request.services.users.find(actor(request), query), _dump)


@endpoint(Permission.USERS_CREATE, status=201)
def create_user(request: Request) -> dict[str, Any]:
    data = UserCreateSchema().parse(request_data(request))
    return _dump(request.services.users.create(actor(request), data, frontend_url(request)))


@endpoint(Permission.USERS_READ)
def get_user(request: Request) -> dict[str, Any]:
    return _dump(request.services.users.get(actor(request), _id(request)))


def _update(request: Request, *, partial: bool) -> dict[str, Any]:
    changes = UserWriteSchema().parse(request_data(request), partial=partial)
    return _dump(request.services.users.update(actor(request), _id(request), changes))


@endpoint(Permission.USER_UPDATE)
def put_user(request: Request) -> dict[str, Any]:
    return _update(request, partial=False)


@endpoint(Permission.USER_UPDATE)
def patch_user(request: Request) -> dict[str, Any]:
    return _update(request, partial=True)


@endpoint(Permission.USER_DELETE, status=204)
def delete_user(request: Request) -> Response:
    request.services.users.delete(actor(request), _id(request))
    return Response(status=204)


@endpoint(Permission.USER_ACTIVATE)
def activate(request: Request) -> dict[str, Any]:
    data = ActivateSchema().parse(request_data(request))
    return _dump(request.services.users.set_active(actor(request), _id(request), data["is_active"]))


@endpoint(Permission.USER_ASSIGN_ROLE)
def assign_role(request: Request) -> dict[str, Any]:
    data = AssignRoleSchema().parse(request_data(request))
    return _dump(request.services.users.assign_role(actor(request), _id(request), Role(data["role"])))


@endpoint(Permission.USER_SET_PASSWORD)
def set_password(request: Request) -> dict[str, str]:
    data = SetPasswordSchema().parse(request_data(request))
    request.services.users.set_password(actor(request), _id(request), **data)
    return {"detail": "Password has been set."}
