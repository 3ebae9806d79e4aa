from datetime import timedelta

import pytest

from wiwebb.adapters.memory import (
    CountingHasher,
    FixedClock,
    InMemoryAuditLog,
    InMemoryMailOutbox,
    InMemoryRateLimiter,
    InMemoryTenantRepository,
    InMemoryTokenRepository,
    InMemoryUserRepository,
)
from wiwebb.domain.identity import IdentityPolicy, IdentityService
from wiwebb.domain.reset_tokens import ResetTokens
from wiwebb.domain.throttling import DEFAULT_RATES, Throttle, parse_rates


class World:
    """The identity service over in-memory fakes, with the fakes at hand."""

    def __init__(self, policy: IdentityPolicy | None = None) -> None:
        self.users = InMemoryUserRepository()
        self.tenants = InMemoryTenantRepository()
        self.tokens = InMemoryTokenRepository()
        self.audit = InMemoryAuditLog()
        self.hasher = CountingHasher()
        self.clock = FixedClock()
        self.outbox = InMemoryMailOutbox()
        self.limiter = InMemoryRateLimiter(self.clock)
        self.reset_tokens = ResetTokens("unit-test-secret", timedelta(days=3))
        self.identity = IdentityService(
            users=self.users, tenants=self.tenants, tokens=self.tokens, audit=self.audit,
            hasher=self.hasher, clock=self.clock, policy=policy, outbox=self.outbox,
            reset_tokens=self.reset_tokens, throttle=Throttle(self.limiter, parse_rates(DEFAULT_RATES)),
        )

    def register(self, username="alice", email="alice@acme.test", password="correct-horse-9", **extra):
        return self.identity.register(username=username, email=email, password1=password,
                                      password2=password, **extra)


@pytest.fixture
def world() -> World:
    return World()
