import uuid
from datetime import timedelta

import pytest

from wiwebb.adapters.memory import (
    CountingHasher,
    FixedClock,
    InMemoryAuditLog,
    InMemoryMailOutbox,
    InMemoryRateLimiter,
    InMemorySubscriptions,
    InMemoryTenantRepository,
    InMemoryTokenRepository,
    InMemoryUserRepository,
)
from wiwebb.domain.audit import AuditService
from wiwebb.domain.dashboard import DashboardService
from wiwebb.domain.identity import IdentityPolicy, IdentityService
from wiwebb.domain.model import Role, Tenant, User
from wiwebb.domain.reset_tokens import ResetTokens
from wiwebb.domain.slugs import slugify
from wiwebb.domain.tenancy import TenantService
from wiwebb.domain.throttling import DEFAULT_RATES, Throttle, parse_rates
from wiwebb.domain.user_admin import UserAdminService

PASSWORD = "correct-horse-9"
FRONTEND = "https://console.test"


class World:
    """The domain services over in-memory fakes, with the fakes at hand."""

    def __init__(self, policy: IdentityPolicy | None = None) -> None:
        self.users = InMemoryUserRepository()
        self.tenants = InMemoryTenantRepository(users=self.users)
        self.tokens = InMemoryTokenRepository(users=self.users, tenants=self.tenants)
        self.audit = InMemoryAuditLog(users=self.users)
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
        self.subscriptions = InMemorySubscriptions()
        self.tenancy = TenantService(tenants=self.tenants, audit=self.audit, clock=self.clock)
        self.user_admin = UserAdminService(users=self.users, tenants=self.tenants, audit=self.audit,
                                           hasher=self.hasher, clock=self.clock, identity=self.identity,
                                           subscriptions=self.subscriptions)
        self.audit_reader = AuditService(audit=self.audit, users=self.users)
        self.dashboard = DashboardService(users=self.users, tenants=self.tenants)

    def register(self, username="alice", email="alice@acme.test", password=PASSWORD, **extra):
        return self.identity.register(username=username, email=email, password1=password,
                                      password2=password, **extra)

    # -- quick set-up, straight into the repositories (no audit entries, no mail) ----------------

    def add_tenant(self, name: str = "Acme", **fields) -> Tenant:
        fields.setdefault("slug", slugify(name))
        now = self.clock.now()
        fields.setdefault("created_at", now)
        fields.setdefault("updated_at", now)
        return self.tenants.add(Tenant(id=None, uuid=uuid.uuid4(), name=name, **fields))

    def add_user(self, username: str, role: Role = Role.SUBSCRIBER, tenant: Tenant | int | None = None,
                 password: str = PASSWORD, **fields) -> User:
        fields.setdefault("email", f"{username.lower()}@example.test")
        fields.setdefault("date_joined", self.clock.now())
        tenant_id = tenant.id if isinstance(tenant, Tenant) else tenant
        return self.users.add(User(id=None, username=username, role=role, tenant_id=tenant_id,
                                   password_hash=self.hasher.hash(password), **fields))

    def superadmin(self, username: str = "root") -> User:
        return self.add_user(username, Role.SUPERADMIN)

    def admin(self, username: str = "staff") -> User:
        return self.add_user(username, Role.ADMIN)

    def owner(self, tenant: Tenant, username: str | None = None) -> User:
        return self.add_user(username or f"{tenant.slug}-owner", Role.TENANT_OWNER, tenant)

    def subscriber(self, tenant: Tenant | None, username: str | None = None) -> User:
        name = username or f"{tenant.slug if tenant else 'solo'}-sub{len(self.users.rows) + 1}"
        return self.add_user(name, Role.SUBSCRIBER, tenant)

    def login(self, user: User, password: str = PASSWORD) -> str:
        """A fresh token key of `user`."""
        return self.identity.login(user.username, password).key

    def stored(self, user: User) -> User | None:
        return self.users.get(user.id)


@pytest.fixture
def world() -> World:
    return World()
