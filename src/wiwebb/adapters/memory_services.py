"""In-memory implementations of the domain's service ports (clock, password hasher, mail outbox,
rate limiter, the catalogue's part of the payment gateway): for unit tests and library users."""

from __future__ import annotations

import hashlib
import hmac
import itertools
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from wiwebb.domain.model import OutgoingMail
from wiwebb.domain.payments import GatewayPrice, GatewayProduct, PaymentRefused
from wiwebb.domain.throttling import Rate


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


# -- listing, as the SQL repositories do it -----------------------------------------------------

class InMemoryPaymentGateway:
    """The catalogue's part of the payment provider, in memory: products and prices with
    provider-like ids. (Subscriptions and payments are run against localstripe.)"""

    def __init__(self) -> None:
        self.products: dict[str, GatewayProduct] = {}
        self.prices: dict[str, GatewayPrice] = {}
        self._ids = itertools.count(1)

    def create_product(self, name: str, description: str | None = None,
                       *, idempotency_key: str | None = None) -> GatewayProduct:
        product = GatewayProduct(id=f"prod_{next(self._ids)}", name=name)
        self.products[product.id] = product
        return product

    def create_price(self, product: str, amount: int, currency: str, interval: str, interval_count: int = 1,
                     *, idempotency_key: str | None = None) -> GatewayPrice:
        if product not in self.products:
            raise PaymentRefused(f"No such product: '{product}'", "resource_missing")
        price = GatewayPrice(id=f"price_{next(self._ids)}", product=product, amount=amount, currency=currency,
                             interval=interval, interval_count=interval_count, active=True)
        self.prices[price.id] = price
        return price

    def deactivate_price(self, price: str) -> GatewayPrice:
        self.prices[price] = replace(self.prices[price], active=False)
        return self.prices[price]
