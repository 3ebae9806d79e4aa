"""The cleanup over an in-memory store: what is old enough, batches, the refused ages, the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from wiwebb.adapters.memory import FixedClock
from wiwebb.domain.housekeeping import (
    CleanupRefused,
    CleanupReport,
    Housekeeping,
    HousekeepingStore,
    format_age,
)

DAY = timedelta(days=1)


@dataclass
class InMemoryHousekeepingStore:
    """Rows as {id: timestamps}; each call is one "transaction" of at most `limit` deletions,
    whose size is kept in `batches`."""

    tokens: dict[int, datetime] = field(default_factory=dict)  # id -> expires_at
    mails: dict[int, datetime | None] = field(default_factory=dict)  # id -> sent_at (None: pending or failed)
    events: dict[str, tuple[str, datetime | None]] = field(default_factory=dict)  # id -> (status, processed_at)
    batches: list[int] = field(default_factory=list)

    def delete_expired_tokens(self, expired_before: datetime, limit: int) -> int:
        return self._delete(self.tokens, [k for k, expires in self.tokens.items() if expires < expired_before], limit)

    def delete_delivered_mail(self, sent_before: datetime, limit: int) -> int:
        return self._delete(self.mails, [k for k, sent in self.mails.items() if sent and sent < sent_before], limit)

    def delete_processed_webhook_events(self, processed_before: datetime, limit: int) -> int:
        old = [k for k, (status, at) in self.events.items() if status != "failed" and at and at < processed_before]
        return self._delete(self.events, old, limit)

    def _delete(self, rows: dict, keys: list, limit: int) -> int:
        for key in keys[:limit]:
            del rows[key]
        self.batches.append(min(len(keys), limit))
        return self.batches[-1]


def world() -> tuple[Housekeeping, InMemoryHousekeepingStore, FixedClock]:
    store, clock = InMemoryHousekeepingStore(), FixedClock()
    typed: HousekeepingStore = store  # the fake keeps to the port
    return Housekeeping(typed, clock), store, clock


def test_deletes_only_what_is_older_than_the_age_and_says_how_much():
    housekeeping, store, clock = world()
    now = clock.now()
    store.tokens = {1: now - 31 * DAY, 2: now - 29 * DAY, 3: now + DAY}
    store.mails = {1: now - 40 * DAY, 2: now - 31 * DAY, 3: now - DAY, 4: None}
    store.events = {"evt_old": ("processed", now - 31 * DAY), "evt_failed": ("failed", None),
                    "evt_failed_old": ("failed", now - 60 * DAY), "evt_new": ("processed", now - DAY)}

    report = housekeeping.cleanup(30 * DAY, 1000)

    assert report == CleanupReport(tokens=1, mails=2, webhook_events=1, age=30 * DAY)
    assert set(store.tokens) == {2, 3}
    assert set(store.mails) == {3, 4}  # recent, and pending/failed mail (never sent)
    assert set(store.events) == {"evt_failed", "evt_failed_old", "evt_new"}
    assert report.summary() == ("Removed 1 expired tokens, 2 delivered mails and 1 processed webhook events "
                                "older than 30d.")


def test_deletes_in_batches_of_the_size_given():
    housekeeping, store, clock = world()
    old = clock.now() - 60 * DAY
    store.tokens = {i: old for i in range(25)}
    store.mails = {i: old for i in range(10)}

    report = housekeeping.cleanup(30 * DAY, 10)

    assert (report.tokens, report.mails, report.webhook_events) == (25, 10, 0)
    assert store.batches == [10, 10, 5, 10, 0, 0]  # a full batch is followed by another
    assert not store.tokens and not store.mails


def test_stops_between_batches_when_told():
    housekeeping, store, clock = world()
    store.tokens = {i: clock.now() - 60 * DAY for i in range(25)}
    answers = iter([True, False])

    report = housekeeping.cleanup(30 * DAY, 10, keep_going=lambda: next(answers, False))

    assert report.tokens == 10 and len(store.tokens) == 15


@pytest.mark.parametrize(("age", "batch_size", "field", "message"), [
    (timedelta(days=2, hours=23), 1000, "age", "must be at least 3d, got 71h: Stripe redelivers"),
    (12 * timedelta(hours=1), 1000, "age", "must be at least 3d, got 12h"),
    (30 * DAY, 0, "batch_size", "must be at least 1, got 0"),
])
def test_refuses_an_age_within_stripes_redelivery_window_or_an_empty_batch(age, batch_size, field, message):
    housekeeping, store, clock = world()
    store.events = {"evt_1": ("processed", clock.now() - 10 * DAY)}
    store.tokens = {1: clock.now() - 10 * DAY}

    with pytest.raises(CleanupRefused) as refused:
        housekeeping.cleanup(age, batch_size)

    assert refused.value.field == field and str(refused.value).startswith(message)
    assert store.events and store.tokens and not store.batches  # nothing deleted


def test_three_days_is_allowed():
    housekeeping, store, clock = world()
    store.events = {"evt_1": ("processed", clock.now() - 3 * DAY - timedelta(seconds=1))}
    assert housekeeping.cleanup(3 * DAY, 1000).webhook_events == 1


@pytest.mark.parametrize(("age", "text"), [
    (30 * DAY, "30d"), (timedelta(hours=72), "3d"), (timedelta(hours=12), "12h"), (timedelta(minutes=90), "90m"),
    (timedelta(seconds=45), "45s"),
])
def test_ages_read_as_operators_write_them(age, text):
    assert format_age(age) == text


def test_the_report_counts_everything_removed():
    assert CleanupReport(tokens=3, mails=2, webhook_events=5, age=30 * DAY).removed == 10
    assert CleanupReport(tokens=0, mails=0, webhook_events=0, age=30 * DAY).removed == 0
