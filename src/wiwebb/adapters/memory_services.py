"""In-memory implementations of the domain's service ports (clock, password hasher, mail outbox,
rate limiter, payment gateway): for unit tests and library users. The payment gateway, larger,
lives in `memory_gateway` and is re-exported here."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from wiwebb.domain.model import OutgoingMail
from wiwebb.domain.throttling import Rate

from .memory_gateway import InMemoryPaymentGateway as InMemoryPaymentGateway


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
