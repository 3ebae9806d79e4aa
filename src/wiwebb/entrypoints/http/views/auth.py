"""`/api/v1/auth/`: login, logout, registration, the caller's profile, password change."""

from __future__ import annotations

from typing import Any

from pyramid.request import Request

from wiwebb.domain.model import IssuedToken
from wiwebb.domain.rbac import Permission

from ..bodies import request_data
from ..endpoint import current_session, endpoint, user_agent
from ..schemas.auth import (
    LoginSchema,
    LogoutSchema,
    PasswordChangeSchema,
    ProfileSchema,
    RegistrationSchema,
    dump_user,
)
from ..schemas.fields import format_datetime


def _token_answer(request: Request, issued: IssuedToken) -> dict[str, Any]:
    tenant = request.services.identity.tenant_of(issued.user)
    return {"key": issued.key, "expires_at": format_datetime(issued.token.expires_at),
            "user": dump_user(issued.user, tenant)}


@endpoint(ignore_credentials=True, throttle="login")
def login(request: Request) -> dict[str, Any]:
    data = LoginSchema().parse(request_data(request))
    identifier = data.get("username") or data["email"]
    issued = request.services.identity.login(identifier, data["password"], user_agent(request), request.client_ip)
    return _token_answer(request, issued)


@endpoint()
def logout(request: Request) -> dict[str, str]:
    """As dj-rest-auth: anyone may log out (a bad token is still a 401); the presented token, or
    with `{"all": true}` every token of the caller, is revoked."""
    data = LogoutSchema().parse(request_data(request))
    session = request.session_of_token
    if session is not None:
        request.services.identity.logout(session, everywhere=data["all"])
    return {"detail": "Successfully logged out."}


@endpoint(ignore_credentials=True, status=201, throttle="login")
def register(request: Request) -> dict[str, Any]:
    identity = request.services.identity
    identity.require_open_registration()  # 403 before the body's 400, permissions first
    data = RegistrationSchema().parse(request_data(request))
    issued = identity.register(user_agent=user_agent(request), **data)
    return _token_answer(request, issued)


@endpoint(Permission.OWN_ACCOUNT)
def get_user(request: Request) -> dict[str, Any]:
    session = current_session(request)  # the user and tenant as authentication found them
    return dump_user(session.user, session.tenant)


def _update_user(request: Request, *, partial: bool) -> dict[str, Any]:
    changes = ProfileSchema().parse(request_data(request), partial=partial)
    identity = request.services.identity
    user = identity.update_profile(current_session(request).user, changes)
    return dump_user(user, identity.tenant_of(user))


@endpoint(Permission.OWN_ACCOUNT)
def put_user(request: Request) -> dict[str, Any]:
    return _update_user(request, partial=False)


@endpoint(Permission.OWN_ACCOUNT)
def patch_user(request: Request) -> dict[str, Any]:
    return _update_user(request, partial=True)


@endpoint(Permission.OWN_ACCOUNT)
def change_password(request: Request) -> dict[str, str]:
    data = PasswordChangeSchema().parse(request_data(request))
    request.services.identity.change_password(current_session(request), **data)
    return {"detail": "New password has been saved."}
