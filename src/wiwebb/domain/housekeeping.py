"""Housekeeping: delete what has served its purpose (expired login tokens, delivered mail,
processed webhook events) once it is older than an age, in small batches.

What is kept, whatever its age: mail not delivered (pending, or failed for good and kept for
`wiwebb send-mail --retry`) and webhook events that failed (kept for `wiwebb webhooks --replay`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from .durations import format_age
from .errors import DomainError
from .ports import Clock

# A webhook event's row is what makes a second delivery of it a no-op. Stripe delivers an event
# again (for up to 3 days) when an earlier delivery got no 2xx answer in time, also when it was
# applied: once its row is deleted, such a late redelivery would be applied a second time (an old
# subscription state over a newer one is still refused, but e.g. a payment log would repeat). So
# rows younger than Stripe's retry window are never deleted.
WEBHOOK_REDELIVERY_WINDOW = timedelta(days=3)
MAX_CLEANUP_BATCH = 1_000_000


class CleanupRefused(DomainError):
    """The age or batch size asked for is not allowed (nothing was deleted): `field` names which
    (`age` or `batch_size`), the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class HousekeepingStore(Protocol):
    """Deletes rows in batches. Each call deletes at most `limit` rows in a short transaction of
    its own, commits it, and returns how many it deleted. Rows another process is deleting at the
    same moment may be skipped (two cleanups at once must neither wait on nor break each other)."""

    def delete_expired_tokens(self, expired_before: datetime, limit: int) -> int:
        """Login tokens whose expiry is before `expired_before`."""
        ...

    def delete_delivered_mail(self, sent_before: datetime, limit: int) -> int:
        """Outbox mail delivered (sent) before `sent_before`; never pending or failed mail."""
        ...

    def delete_processed_webhook_events(self, processed_before: datetime, limit: int) -> int:
        """Webhook events applied before `processed_before`; never failed ones."""
        ...


@dataclass(frozen=True)
class CleanupReport:
    tokens: int
    mails: int
    webhook_events: int
    age: timedelta

    @property
    def removed(self) -> int:
        return self.tokens + self.mails + self.webhook_events

    def summary(self) -> str:
        """The one line operators read: `Removed 3 expired tokens, 2 delivered mails and 5
        processed webhook events older than 30d.`"""
        return (f"Removed {self.tokens} expired tokens, {self.mails} delivered mails and "
                f"{self.webhook_events} processed webhook events older than {format_age(self.age)}.")


def check_cleanup(age: timedelta, batch_size: int) -> None:
    """`CleanupRefused` when a cleanup with this age or batch size must not run."""
    if batch_size < 1:
        raise CleanupRefused("batch_size", f"must be at least 1, got {batch_size}")
    if batch_size > MAX_CLEANUP_BATCH:  # more in one transaction holds locks for long, and SQL LIMIT is 64-bit
        raise CleanupRefused("batch_size", f"must be at most {MAX_CLEANUP_BATCH}, got {batch_size}")
    if age < WEBHOOK_REDELIVERY_WINDOW:
        raise CleanupRefused(
            "age", f"must be at least {format_age(WEBHOOK_REDELIVERY_WINDOW)}, got {format_age(age)}: "
            "Stripe redelivers a webhook event for up to 3 days, and the redelivery of a deleted "
            "event would be applied again")


class Housekeeping:
    def __init__(self, store: HousekeepingStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def cleanup(self, age: timedelta, batch_size: int, *,
                keep_going: Callable[[], bool] = lambda: True) -> CleanupReport:
        """Delete expired tokens, delivered mail and processed webhook events older than `age`,
        `batch_size` rows per transaction, and say how many of each. `keep_going` is asked
        between batches (a server stopping ends the cleanup early; the rest waits for the next).
        `CleanupRefused` before anything is deleted when the age or batch size is not allowed."""
        check_cleanup(age, batch_size)
        before = self._clock.now() - age
        counts = [self._in_batches(delete, before, batch_size, keep_going) for delete in (
            self._store.delete_expired_tokens, self._store.delete_delivered_mail,
            self._store.delete_processed_webhook_events)]
        return CleanupReport(tokens=counts[0], mails=counts[1], webhook_events=counts[2], age=age)

    @staticmethod
    def _in_batches(delete: Callable[[datetime, int], int], before: datetime, batch_size: int,
                    keep_going: Callable[[], bool]) -> int:
        total = 0
        while keep_going():
            deleted = delete(before, batch_size)
            total += deleted
            if deleted < batch_size:  # the last batch (or another process took part of it)
                break
        return total
