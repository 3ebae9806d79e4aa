"""Rate limiter stores behind the domain's `RateLimiter` port, on the `limits` library's moving
window (a sliding window of event times, as DRF keeps it): in-process, or Redis (atomic, shared
by every process and host). A store that cannot be reached fails open: requests are let through
and the failure is logged, at most once a minute."""

from __future__ import annotations

import logging
import threading
import time

from limits import RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from wiwebb.domain.throttling import Rate

log = logging.getLogger("wiwebb.ratelimit")

_COMPLAIN_EVERY = 60.0  # seconds between two warnings about an unreachable store


class LimitsRateLimiter:
    def __init__(self, storage: Storage, *, name: str) -> None:
        self._limiter = MovingWindowRateLimiter(storage)
        self.name = name
        self._last_complaint = 0.0
        self._lock = threading.Lock()

    def hit(self, key: str, rate: Rate) -> float | None:
        item = _item(rate)
        try:
            if self._limiter.hit(item, key):
                return None
            return self._wait(item, key)
        except StorageError as error:
            self._complain(error)
            return None

    def wait(self, key: str, rate: Rate) -> float | None:
        item = _item(rate)
        try:
            return None if self._limiter.test(item, key) else self._wait(item, key)
        except StorageError as error:
            self._complain(error)
            return None

    def clear(self, key: str, rate: Rate) -> None:
        try:
            self._limiter.clear(_item(rate), key)
        except StorageError as error:
            self._complain(error)

    def _wait(self, item: RateLimitItemPerSecond, key: str) -> float:
        reset_time = self._limiter.get_window_stats(item, key).reset_time
        return max(reset_time - time.time(), 0.0)

    def _complain(self, error: StorageError) -> None:
        with self._lock:
            now = time.monotonic()
            if now - self._last_complaint < _COMPLAIN_EVERY:
                return
            self._last_complaint = now
        log.warning("rate limiter store %s unreachable, letting requests through: %s", self.name,
                    error.storage_error if hasattr(error, "storage_error") else error)


def _item(rate: Rate) -> RateLimitItemPerSecond:
    return RateLimitItemPerSecond(rate.count, rate.period)


def memory_rate_limiter() -> LimitsRateLimiter:
    return LimitsRateLimiter(MemoryStorage(wrap_exceptions=True), name="memory")


def redis_rate_limiter(url: str, *, timeout: float = 0.5) -> LimitsRateLimiter:
    storage = RedisStorage(url, wrap_exceptions=True, key_prefix="wiwebb",
                           socket_timeout=timeout, socket_connect_timeout=timeout)
    return LimitsRateLimiter(storage, name=url.split("@")[-1])
