"""Throttling with DRF's semantics: a sliding window of request times per key, rates written
`N/second|minute|hour|day` (only the period's first letter counts, as in DRF: `5/min` works).

Scopes: `login` (login, registration and password reset share it, per client IP), `anon` (per
client IP), `user` (per user), and `failed_login` (failed logins per username as typed, so that
guessing at one account from many addresses is slowed down too). A scope whose rate is None is
switched off.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import Throttled
from .ports import RateLimiter

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

DEFAULT_RATES: dict[str, str | None] = {
    "login": "5/minute",
    "anon": "100/hour",
    "user": "1000/hour",
    "failed_login": "20/hour",
}


class InvalidRate(ValueError):
    pass


@dataclass(frozen=True)
class Rate:
    count: int
    period: int  # seconds

    @classmethod
    def parse(cls, text: str) -> Rate:
        match = re.fullmatch(r"\s*(\d+)\s*/\s*([smhd])[a-z]*\s*", text.lower())
        if not match or int(match.group(1)) == 0:
            raise InvalidRate(f"expected a rate like 5/minute, 100/hour or 1000/day, got {text!r}")
        return cls(int(match.group(1)), _PERIODS[match.group(2)])

    def __str__(self) -> str:
        unit = {1: "second", 60: "minute", 3600: "hour", 86400: "day"}.get(self.period, f"{self.period}s")
        return f"{self.count}/{unit}"


def parse_rates(texts: Mapping[str, str | None]) -> dict[str, Rate | None]:
    """Rates by scope; an empty value, `none` or `off` switches a scope off."""
    rates: dict[str, Rate | None] = {}
    for scope, text in texts.items():
        off = text is None or text.strip().lower() in ("", "none", "off", "0")
        rates[scope] = None if off else Rate.parse(text or "")
    return rates


class Throttle:
    def __init__(self, limiter: RateLimiter, rates: Mapping[str, Rate | None]) -> None:
        self._limiter = limiter
        self._rates = dict(rates)

    def rate(self, scope: str) -> Rate | None:
        return self._rates.get(scope)

    def hit(self, scope: str, ident: str) -> None:
        """Count a request of `ident` in `scope`; `Throttled` when it goes over the rate."""
        rate = self._rates.get(scope)
        if rate is None:
            return
        wait = self._limiter.hit(f"{scope}:{ident}", rate)
        if wait is not None:
            raise Throttled(wait)

    def check(self, scope: str, ident: str) -> None:
        """`Throttled` if `ident` is over the rate, without counting anything."""
        rate = self._rates.get(scope)
        if rate is None:
            return
        wait = self._limiter.wait(f"{scope}:{ident}", rate)
        if wait is not None:
            raise Throttled(wait)

    def count(self, scope: str, ident: str) -> None:
        """Count an event without refusing anything (e.g. a failed login)."""
        rate = self._rates.get(scope)
        if rate is not None:
            self._limiter.hit(f"{scope}:{ident}", rate)

    def clear(self, scope: str, ident: str) -> None:
        rate = self._rates.get(scope)
        if rate is not None:
            self._limiter.clear(f"{scope}:{ident}", rate)
