"""In-memory implementations of the domain's ports: for unit tests, and for services that use
`wiwebb.domain` as a library without a database. Small, real and honest, not mocks."""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from wiwebb.domain.model import AuditEntry, AuthToken, OutgoingMail, Tenant, User
from wiwebb.domain.throttling import Rate


class InMemoryUserRepository:
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
        stored = replace(user, id=next(self._ids))
        self.rows[stored.id or 0] = copy.deepcopy(stored)
        return stored

    def update(self, user: User) -> None:
        if user.id not in self.rows:
            raise KeyError(user.id)
        self.rows[user.id] = copy.deepcopy(user)

    def exists_with_role(self, role: str) -> bool:
        return any(u.role == role for u in self.rows.values())


class InMemoryTenantRepository:
    def __init__(self) -> None:
        self.rows: dict[int, Tenant] = {}
        self._ids = itertools.count(1)

    def get(self, tenant_id: int) -> Tenant | None:
        row = self.rows.get(tenant_id)
        return copy.deepcopy(row) if row else None

    def add(self, tenant: Tenant) -> Tenant:
        stored = replace(tenant, id=next(self._ids))
        self.rows[stored.id or 0] = copy.deepcopy(stored)
        return stored


class InMemoryTokenRepository:
    def __init__(self) -> None:
        self.rows: dict[int, AuthToken] = {}
        self._ids = itertools.count(1)

    def add(self, token: AuthToken) -> AuthToken:
        stored = replace(token, id=next(self._ids))
        self.rows[stored.id or 0] = stored
        return stored

    def get_by_hash(self, key_hash: str) -> AuthToken | None:
        return next((t for t in self.rows.values() if t.key_hash == key_hash), None)

    def list_for_user(self, user_id: int) -> Sequence[AuthToken]:
        return sorted((t for t in self.rows.values() if t.user_id == user_id), key=lambda t: t.created)

    def delete(self, token_id: int) -> None:
        self.rows.pop(token_id, None)

    def delete_for_user(self, user_id: int, *, keep: int | None = None) -> int:
        doomed = [t.id for t in self.rows.values() if t.user_id == user_id and t.id != keep]
        for token_id in doomed:
            del self.rows[token_id or 0]
        return len(doomed)

    def touch(self, token_id: int, when: datetime) -> None:
        if token_id in self.rows:
            self.rows[token_id] = replace(self.rows[token_id], last_used=when)


@dataclass
class InMemoryAuditLog:
    entries: list[AuditEntry] = field(default_factory=list)

    def record(self, entry: AuditEntry, *, durable: bool = False) -> None:
        self.entries.append(entry)

    def actions(self) -> list[str]:
        return [e.action for e in self.entries]


@dataclass
class FixedClock:
    """A clock that moves only when told to."""

    current: datetime = field(default_factory=lambda: datetime(2026, 1, 1, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


@dataclass
class CountingHasher:
    """A fast, salted-free hasher that counts how many hashing operations it did.

    `work` lets tests check that an unknown user costs as much hashing as a known one.
    """

    scheme: str = "fake"
    work: int = 0

    def hash(self, password: str) -> str:
        self.work += 1
        return f"{self.scheme}${hashlib.sha256(password.encode()).hexdigest()}"

    def verify(self, password: str, encoded: str) -> bool:
        self.work += 1
        scheme, _, digest = encoded.partition("$")
        expected = hashlib.sha256(password.encode()).hexdigest()
        return scheme in ("fake", "old") and hmac.compare_digest(digest, expected)

    def needs_rehash(self, encoded: str) -> bool:
        return not encoded.startswith(f"{self.scheme}$")

    def burn(self, password: str) -> None:
        self.work += 1


@dataclass
class InMemoryMailOutbox:
    queued: list[OutgoingMail] = field(default_factory=list)

    def enqueue(self, mail: OutgoingMail, now: datetime) -> None:
        self.queued.append(mail)


class InMemoryRateLimiter:
    """A sliding window of event times per key, on a clock the test controls."""

    def __init__(self, clock: FixedClock) -> None:
        self._clock = clock
        self._events: dict[str, list[datetime]] = {}

    def _window(self, key: str, rate: Rate) -> list[datetime]:
        horizon = self._clock.now() - timedelta(seconds=rate.period)
        events = [t for t in self._events.get(key, []) if t > horizon]
        self._events[key] = events
        return events

    def _wait(self, events: list[datetime], rate: Rate) -> float | None:
        if len(events) < rate.count:
            return None
        return (events[0] + timedelta(seconds=rate.period) - self._clock.now()).total_seconds()

    def hit(self, key: str, rate: Rate) -> float | None:
        events = self._window(key, rate)
        wait = self._wait(events, rate)
        if wait is None:
            events.append(self._clock.now())
        return wait

    def wait(self, key: str, rate: Rate) -> float | None:
        return self._wait(self._window(key, rate), rate)

    def clear(self, key: str, rate: Rate) -> None:
        self._events.pop(key, None)
