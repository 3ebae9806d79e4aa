"""In-memory implementations of the domain's ports: for unit tests, and for services that use
`wiwebb.domain` as a library without a database. Small, real and honest, not mocks.

They answer like the SQL repositories: the same filters, orders and pages, copies rather than the
stored objects, and the unique constraints and the tenant's RESTRICT enforced (`IntegrityViolation`).
What the database does on its own when a row goes is not copied: deleting a user leaves its tokens
and the ids in audit entries (the database deletes the tokens and clears those ids)."""

from __future__ import annotations

import copy
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

from wiwebb.domain.billing import Subscription
from wiwebb.domain.listing import Page, PageRequest
from wiwebb.domain.model import AuditEntry, AuthToken, Role, Tenant, TokenOwner, User
from wiwebb.domain.queries import BILLING_ACTIONS, AuditQuery, TenantQuery, UserQuery

# The in-memory services (clock, hasher, outbox, rate limiter, payment gateway) live beside the
# repositories; importing them from here keeps working.
from .memory_services import (  # noqa: F401
    CountingHasher,
    FixedClock,
    InMemoryMailOutbox,
    InMemoryPaymentGateway,
    InMemoryRateLimiter,
)

Row = TypeVar("Row", User, Tenant, AuditEntry)


class IntegrityViolation(Exception):
    """A change the database's constraints would refuse (a duplicate unique value, a tenant that
    still has users): the fakes refuse it too, so a domain rule that misses a case fails here as it
    would against the database, instead of passing quietly."""


class InMemoryUserRepository:
    """Users, unique by username (case-sensitive) and by e-mail address (case-insensitive)."""

    def __init__(self) -> None:
        self.rows: dict[int, User] = {}
        self._ids = itertools.count(1)

    def get(self, user_id: int) -> User | None:
        row = self.rows.get(user_id)
        return copy.deepcopy(row) if row else None

    def get_by_username(self, username: str) -> User | None:
        return next((copy.deepcopy(u) for u in self.rows.values() if u.username == username), None)

    def get_by_email(self, email: str) -> User | None:
        email = email.lower()
        return next((copy.deepcopy(u) for u in self.rows.values() if u.email.lower() == email), None)

    def add(self, user: User) -> User:
        self._check_unique(user, None)
        stored = replace(user, id=next(self._ids))
        self.rows[stored.id or 0] = copy.deepcopy(stored)
        return stored

    def update(self, user: User) -> None:
        if user.id not in self.rows:
            raise KeyError(user.id)
        self._check_unique(user, user.id)
        self.rows[user.id] = copy.deepcopy(user)

    def delete(self, user_id: int) -> None:
        self.rows.pop(user_id, None)

    def exists_with_role(self, role: str) -> bool:
        return any(u.role == role for u in self.rows.values())

    def list(self, query: UserQuery) -> Page[User]:
        def matches(u: User) -> bool:
            return ((query.within_tenant is None or u.tenant_id == query.within_tenant)
                    and (query.tenant is None or u.tenant_id == query.tenant)
                    and (query.role is None or u.role is query.role)
                    and (query.is_active is None or u.is_active is query.is_active)
                    and _found(query.search, u.username, u.email, u.first_name, u.last_name))

        return _page([u for u in self.rows.values() if matches(u)], query.ordering, query.page)

    def get_many(self, user_ids: Iterable[int]) -> dict[int, User]:
        return {i: copy.deepcopy(self.rows[i]) for i in set(user_ids) if i in self.rows}

    def counts(self, tenant_id: int | None) -> tuple[int, int]:
        users = [u for u in self.rows.values() if tenant_id is None or u.tenant_id == tenant_id]
        return len(users), sum(1 for u in users if u.is_active)

    def _check_unique(self, user: User, own_id: int | None) -> None:
        for other in self.rows.values():
            if other.id != own_id and (other.username == user.username or other.email.lower() == user.email.lower()):
                raise IntegrityViolation(f"user {user.username!r} <{user.email}> clashes with user {other.id}")


class InMemoryTenantRepository:
    """Tenants, unique by name and by slug. Users refer to tenants, so counting a tenant's users and
    refusing to delete a tenant that has some (the database's RESTRICT) need the user repository:
    pass it as `users`; without it those two raise rather than answer as if there were no users."""

    def __init__(self, users: InMemoryUserRepository | None = None) -> None:
        self.rows: dict[int, Tenant] = {}
        self._ids = itertools.count(1)
        self._users = users

    def get(self, tenant_id: int) -> Tenant | None:
        row = self.rows.get(tenant_id)
        return copy.deepcopy(row) if row else None

    def get_many(self, tenant_ids: Iterable[int]) -> dict[int, Tenant]:
        return {i: copy.deepcopy(self.rows[i]) for i in set(tenant_ids) if i in self.rows}

    def get_by_slug(self, slug: str) -> Tenant | None:
        return next((copy.deepcopy(t) for t in self.rows.values() if t.slug == slug), None)

    def get_by_name(self, name: str) -> Tenant | None:
        return next((copy.deepcopy(t) for t in self.rows.values() if t.name == name), None)

    def add(self, tenant: Tenant) -> Tenant:
        self._check_unique(tenant, None)
        stored = replace(tenant, id=next(self._ids))
        self.rows[stored.id or 0] = copy.deepcopy(stored)
        return stored

    def update(self, tenant: Tenant) -> None:
        if tenant.id not in self.rows:
            raise KeyError(tenant.id)
        self._check_unique(tenant, tenant.id)
        self.rows[tenant.id] = copy.deepcopy(tenant)

    def delete(self, tenant_id: int) -> None:
        if self.user_counts([tenant_id]):
            raise IntegrityViolation(f"tenant {tenant_id} still has users")
        self.rows.pop(tenant_id, None)

    def list(self, query: TenantQuery) -> Page[Tenant]:
        def matches(t: Tenant) -> bool:
            return (query.is_active is None or t.is_active is query.is_active) and _found(query.search, t.name, t.slug)

        return _page([t for t in self.rows.values() if matches(t)], query.ordering, query.page)

    def user_counts(self, tenant_ids: Iterable[int]) -> dict[int, int]:
        if self._users is None:
            raise RuntimeError("InMemoryTenantRepository needs users= to count a tenant's users")
        ids = set(tenant_ids)
        return dict(Counter(u.tenant_id for u in self._users.rows.values() if u.tenant_id in ids))

    def count(self) -> int:
        return len(self.rows)

    def _check_unique(self, tenant: Tenant, own_id: int | None) -> None:
        for other in self.rows.values():
            if other.id != own_id and (other.name == tenant.name or other.slug == tenant.slug
                                       or other.uuid == tenant.uuid):
                raise IntegrityViolation(f"tenant {tenant.name!r} ({tenant.slug}) clashes with tenant {other.id}")


class InMemoryTokenRepository:
    """Tokens. Finding a token with its owner (`get_with_owner`, what authentication uses) needs the
    user and tenant repositories: pass them as `users` and `tenants`; without them it raises."""

    def __init__(self, users: InMemoryUserRepository | None = None,
                 tenants: InMemoryTenantRepository | None = None) -> None:
        self.rows: dict[int, AuthToken] = {}
        self._ids = itertools.count(1)
        self._users = users
        self._tenants = tenants

    def add(self, token: AuthToken) -> AuthToken:
        stored = replace(token, id=next(self._ids))
        self.rows[stored.id or 0] = stored
        return stored

    def get_by_hash(self, key_hash: str) -> AuthToken | None:
        return next((t for t in self.rows.values() if t.key_hash == key_hash), None)

    def get_with_owner(self, key_hash: str) -> TokenOwner | None:
        if self._users is None or self._tenants is None:
            raise RuntimeError("InMemoryTokenRepository needs users= and tenants= to find a token's owner")
        token = self.get_by_hash(key_hash)
        if token is None:
            return None
        user = self._users.get(token.user_id)
        tenant = self._tenants.get(user.tenant_id) if user is not None and user.tenant_id is not None else None
        return TokenOwner(token, user, tenant)

    def list_for_user(self, user_id: int) -> Sequence[AuthToken]:
        return sorted((t for t in self.rows.values() if t.user_id == user_id), key=lambda t: t.created)

    def delete(self, token_id: int) -> None:
        self.rows.pop(token_id, None)

    def delete_for_user(self, user_id: int, *, keep: int | None = None) -> int:
        doomed = [t.id for t in self.rows.values() if t.user_id == user_id and t.id != keep]
        for token_id in doomed:
            del self.rows[token_id or 0]
        return len(doomed)

    def delete_expired(self, now: datetime) -> int:
        doomed = [t.id for t in self.rows.values() if t.expires_at <= now]
        for token_id in doomed:
            del self.rows[token_id or 0]
        return len(doomed)

    def touch(self, token_id: int, when: datetime) -> None:
        if token_id in self.rows:
            self.rows[token_id] = replace(self.rows[token_id], last_used=when)


class InMemoryAuditLog:
    """The audit log, oldest entry first in `entries`. There are no transactions here to roll back,
    so a `durable` entry is kept like any other."""

    def __init__(self, users: InMemoryUserRepository | None = None) -> None:
        self.entries: list[AuditEntry] = []
        self._ids = itertools.count(1)
        self._users = users  # to know who is a superadmin (an admin's view of billing entries)

    def record(self, entry: AuditEntry, *, durable: bool = False) -> None:
        self.entries.append(replace(entry, id=next(self._ids), details=copy.deepcopy(entry.details)))

    # Defined before `list`, which hides the builtin in the annotations below it.
    def actions(self) -> list[str]:
        return [e.action for e in self.entries]

    def list(self, query: AuditQuery) -> Page[AuditEntry]:
        def matches(e: AuditEntry) -> bool:
            wanted = ((e.tenant_id, query.within_tenant), (e.action, query.action), (e.actor_id, query.actor),
                      (e.target_id, query.target), (e.tenant_id, query.tenant))
            # A bound compared with a missing timestamp is false, as NULL is in SQL.
            if (query.hide_superadmins_billing and e.action in BILLING_ACTIONS and e.target_id is not None
                    and (target := self._users.get(e.target_id) if self._users else None) is not None
                    and target.role is Role.SUPERADMIN):
                return False
            return (all(value is None or have == value for have, value in wanted)
                    and (query.since is None or (e.timestamp is not None and e.timestamp >= query.since))
                    and (query.until is None or (e.timestamp is not None and e.timestamp <= query.until)))

        return _page([e for e in self.entries if matches(e)], "-timestamp,-id", query.page)


class InMemorySubscriptions:
    """Subscriptions, as far as user administration reads them (`live_for_user`): a user with a
    live paid one cannot be deleted."""

    def __init__(self) -> None:
        self.rows: dict[int, Subscription] = {}
        self._ids = itertools.count(1)

    def add(self, subscription: Subscription) -> Subscription:
        stored = replace(subscription, id=next(self._ids))
        self.rows[stored.id or 0] = stored
        return replace(stored)

    def update(self, subscription: Subscription) -> None:
        self.rows[subscription.id or 0] = replace(subscription)

    def live_for_user(self, user_id: int) -> list[Subscription]:
        """Newest first, as the SQL repository (by creation time, then id)."""
        live = [s for s in self.rows.values() if s.user_id == user_id and s.live]
        newest_first = sorted(live, key=lambda s: (s.created_at is not None, s.created_at, s.id or 0), reverse=True)
        return [replace(s) for s in newest_first]


def _found(search: str | None, *values: str) -> bool:
    """Whether `search` is in one of the values, ignoring case as PostgreSQL's ILIKE '%search%' does
    (beyond ASCII too, where SQLite folds ASCII only); no search finds all."""
    return not search or any(search.lower() in value.lower() for value in values)


def _ordered(rows: Iterable[Row], ordering: str) -> list[Row]:
    """`name,-created_at` order, ties broken by id; NULLs last going up and first going down. Text
    compares by code point, as SQLite and PostgreSQL's "C" collation do (a language collation would
    put `acme` next to `Acme`)."""
    result = sorted(rows, key=lambda row: row.id or 0)
    # Stable sorts from the last key to the first; `reverse` keeps ties in their order too.
    for name in reversed(ordering.split(",")):
        result.sort(key=_null_last_key(name.lstrip("-")), reverse=name.startswith("-"))
    return result


def _null_last_key(attribute: str) -> Callable[[Any], tuple[bool, Any]]:
    """A sort key on `attribute` that puts None after every value."""
    def key(row: Any) -> tuple[bool, Any]:
        value = getattr(row, attribute)
        return value is None, value

    return key


def _page(rows: Iterable[Row], ordering: str, request: PageRequest) -> Page[Row]:
    """One page of `rows` in `ordering`, as copies (`Page` refuses a page past the end)."""
    ordered = _ordered(rows, ordering)
    request = request.resolved(len(ordered))
    items = [copy.deepcopy(row) for row in ordered[request.offset:request.offset + request.size]]
    return Page(items, len(ordered), request)
