"""The throttle step of every API view, after authentication and permission (DRF's order).

A view's `throttle` is `"login"` (login, registration, password reset: per client IP), `None`
(health: never throttled) or the default: `user` per user when logged in, else `anon` per IP."""

from __future__ import annotations

from typing import Any

from pyramid.request import Request

DEFAULT = "default"


def throttled_view(view: Any, info: Any) -> Any:
    scope = info.options.get("throttle", DEFAULT)
    if scope is None or not info.options.get("route_name"):
        return view  # exception views (404 for unknown paths...) are never throttled

    def wrapper(context: Any, request: Request) -> Any:
        apply_throttle(request, scope)
        return view(context, request)

    return wrapper


throttled_view.options = ("throttle",)  # type: ignore[attr-defined]


def apply_throttle(request: Request, scope: str) -> None:
    throttle = request.services.throttle
    if scope != DEFAULT:
        throttle.hit(scope, request.client_ip)
        return
    session = request.session_of_token
    if session is not None:
        throttle.hit("user", str(session.user.id))
    else:
        throttle.hit("anon", request.client_ip)


def includeme(config: Any) -> None:
    config.add_view_deriver(throttled_view)
