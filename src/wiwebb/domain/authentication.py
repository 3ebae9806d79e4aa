"""Authentication: who a token key belongs to, the one check that every authenticated request makes.

It needs only the tokens (each found with its user and the user's tenant in one lookup) and the
clock, so a request that only authenticates builds nothing else. `IdentityService.authenticate`
is the same check.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from .errors import AuthenticationFailed
from .model import AuthToken, Tenant, User
from .ports import Clock, TokenOwners
from .tokens import digest

INVALID_TOKEN = "Invalid token."
INACTIVE_USER = "User inactive or deleted."
# Authentication stays read-only on most requests: last_used moves at most once a minute.
TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class Session:
    """An authenticated request: who, with which token, and the user's tenant as authentication
    found it (None for staff without one; left None by code that makes a Session by hand)."""

    user: User
    token: AuthToken
    tenant: Tenant | None = None


def active(user: User, tenant: Tenant | None) -> bool:
    """Whether `user` (with `tenant`, its tenant) may log in: an active user, of an active tenant
    unless staff without one."""
    if not user.is_active:
        return False
    return user.tenant_id is None or (tenant is not None and tenant.is_active)


class Authenticator:
    def __init__(self, tokens: TokenOwners, clock: Clock) -> None:
        self._tokens = tokens
        self._clock = clock

    def authenticate(self, key: str) -> Session:
        """The session a token key opens, or `AuthenticationFailed` with DRF's message."""
        found = self._tokens.get_with_owner(digest(key))
        now = self._clock.now()
        if found is None or found.token.expires_at <= now:
            raise AuthenticationFailed(INVALID_TOKEN)
        token, user = found.token, found.user
        if user is None or not active(user, found.tenant):
            raise AuthenticationFailed(INACTIVE_USER)
        if token.last_used is None or now - token.last_used >= TOUCH_INTERVAL:
            token = replace(token, last_used=now)
            self._tokens.touch(token.id or 0, now)
        return Session(user, token, found.tenant)
