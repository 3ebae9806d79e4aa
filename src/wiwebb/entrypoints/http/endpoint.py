"""How a view declares what it needs; the route table reads it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pyramid.request import Request
from pyramid.security import NO_PERMISSION_REQUIRED

from wiwebb.domain.authentication import Session
from wiwebb.domain.errors import NotAuthenticated, NotFound
from wiwebb.domain.model import User
from wiwebb.domain.rbac import Permission

from .schemas.fields import MAX_INTEGER
from .security import PUBLIC
from .throttling import DEFAULT

View = Callable[[Request], Any]


def endpoint(permission: Permission | str = PUBLIC, *, ignore_credentials: bool = False,
             status: int = 200, throttle: str | None = DEFAULT) -> Callable[[View], View]:
    """Mark a view with the permission it needs (`PUBLIC` by default), its success status and its
    throttle scope (`"login"`, None for never, or the default `user`/`anon`).

    `ignore_credentials`: the view never reads the `Authorization` header (login, registration,
    password reset, health)."""

    def mark(view: View) -> View:
        view.permission = NO_PERMISSION_REQUIRED if ignore_credentials else str(permission)  # type: ignore[attr-defined]
        view.status = status  # type: ignore[attr-defined]
        view.throttle = throttle  # type: ignore[attr-defined]
        return view

    return mark


def current_session(request: Request) -> Session:
    """The caller's session in a view whose permission already required one."""
    session = request.session_of_token
    if session is None:
        raise NotAuthenticated()
    return session  # type: ignore[no-any-return]


def object_id(request: Request, name: str) -> int:
    """An id from the path; one no database row can have is simply not found. The route's `\\d`
    also matches other scripts' digits (`١`), which Django's `[0-9]+` does not: not found either."""
    text: str = request.matchdict[name].lstrip("0") or "0"
    if not text.isascii() or len(text) > len(str(MAX_INTEGER)):  # also before int() refuses
        raise NotFound()
    number = int(text)
    if number > MAX_INTEGER:
        raise NotFound()
    return number


def actor(request: Request) -> User:
    """Who is calling, in a view whose permission required a login."""
    return current_session(request).user


def frontend_url(request: Request) -> str:
    """Where links in mail point (FRONTEND_URL, by default the address `make run` serves)."""
    return request.services.frontend_url  # configured, never the request's Host header


def user_agent(request: Request) -> str:
    return request.headers.get("User-Agent", "")
