"""Token authentication (`Authorization: Token <key>`) and the permission check, as DRF does it.

Every view needs a `Permission` (the default, `PUBLIC`, lets anyone in but still refuses a bad
token with 401, as DRF does); the few views that hand out or recover credentials, and `health/`,
use `NO_PERMISSION_REQUIRED` and never look at the header, because the mobile app sends its
stored, possibly expired, token on every request.
"""

from __future__ import annotations

from typing import Any

from pyramid.request import Request
from pyramid.security import Allowed, Denied

from wiwebb.domain import rbac
from wiwebb.domain.authentication import Session
from wiwebb.domain.errors import AuthenticationFailed

PUBLIC = "public"  # anyone, logged in or not; a bad token is still refused
KEYWORD = b"token"

NO_CREDENTIALS = "Invalid token header. No credentials provided."
SPACES = "Invalid token header. Token string should not contain spaces."
BAD_CHARACTERS = "Invalid token header. Token string should not contain invalid characters."


def token_from_header(header: bytes) -> str | None:
    """The key of a `Token <key>` header; None for no header or another scheme (no credentials).

    Raises `AuthenticationFailed` with DRF's messages for a malformed `Token` header."""
    parts = header.split()
    if not parts or parts[0].lower() != KEYWORD:
        return None
    if len(parts) == 1:
        raise AuthenticationFailed(NO_CREDENTIALS)
    if len(parts) > 2:
        raise AuthenticationFailed(SPACES)
    try:
        return parts[1].decode("ascii")
    except UnicodeDecodeError:
        raise AuthenticationFailed(BAD_CHARACTERS) from None


class TokenSecurityPolicy:
    def identity(self, request: Request) -> Session | None:
        """The authenticated session, None without credentials; `AuthenticationFailed` for bad ones."""
        return request.session_of_token  # type: ignore[no-any-return]

    def authenticated_userid(self, request: Request) -> int | None:
        try:
            session = self.identity(request)
        except AuthenticationFailed:
            return None
        return session.user.id if session else None

    def permits(self, request: Request, context: Any, permission: str) -> Allowed | Denied:
        session = self.identity(request)  # a bad token raises here: 401 before anything else
        if permission == PUBLIC:
            return Allowed("public")
        if session is None:
            return Denied("not authenticated")
        if rbac.may(session.user, rbac.Permission(permission)):
            return Allowed(f"role {session.user.role} may {permission}")
        return Denied(f"role {session.user.role} may not {permission}")

    def remember(self, request: Request, userid: Any, **kw: Any) -> list[tuple[str, str]]:
        return []

    def forget(self, request: Request, **kw: Any) -> list[tuple[str, str]]:
        return []


def session_of_token(request: Request) -> Session | None:
    """Authenticate the request's token once (reified on the request)."""
    header = request.environ.get("HTTP_AUTHORIZATION", "").encode("latin-1", "replace")
    key = token_from_header(header)
    if key is None:
        return None
    return request.services.authenticator.authenticate(key)  # type: ignore[no-any-return]


def includeme(config: Any) -> None:
    config.set_security_policy(TokenSecurityPolicy())
    config.set_default_permission(PUBLIC)
    config.add_request_method(session_of_token, "session_of_token", reify=True)
