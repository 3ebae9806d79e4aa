"""The operations journal in SQL, on both databases: one lock per user, released by whoever ends
the unit of work, stale locks released, and a client's key never making a second operation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from wiwebb.adapters.billing_sql import SqlOperationJournal
from wiwebb.adapters.orm import BillingOperationRow
from wiwebb.domain.billing import BillingOperation, OperationInProgress

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


class Harness:
    def __init__(self, database) -> None:
        self.database = database
        self.session = database.session(write=True)
        self.at_end: list = []
        self.journal = SqlOperationJournal(self.session, checkpoint=self.session.commit, durable=self.at_end.append,
                                           now=lambda: NOW, stale=timedelta(minutes=15))

    def end(self) -> None:
        """The unit of work ends: what was deferred to its end runs, in transactions of its own."""
        self.session.commit()
        for work in self.at_end:
            self.database.run_in_own_transaction(work)
        self.at_end.clear()

    def rows(self) -> list[tuple]:
        with self.database.session() as session:
            return [(r.key, r.status, r.lock) for r in
                    session.scalars(select(BillingOperationRow).order_by(BillingOperationRow.id))]


@pytest.fixture
def journal(database):
    harness = Harness(database)
    yield harness
    harness.session.close()


def new(key: str, client_key: str | None = None, user_id: int = 7) -> BillingOperation:
    return BillingOperation(id=None, key=key, user_id=user_id, kind="payment", client_key=client_key, created_at=NOW)


def test_one_operation_per_user_at_a_time_and_the_lock_goes_with_the_unit_of_work(journal):
    journal.journal.start(new("a"))
    assert journal.rows() == [("a", "pending", "user:7")]  # durable before any provider call
    with pytest.raises(OperationInProgress):
        journal.journal.start(new("b"))
    journal.journal.start(new("other-user", user_id=8))  # other users are not held up
    journal.end()
    assert [(key, lock) for key, _, lock in journal.rows()] == [("a", None), ("other-user", None)]
    journal.journal.start(new("b"))  # released: the user's next call goes through


def test_a_lock_left_by_a_killed_process_is_released_after_15_minutes_and_its_operation_stays_pending(journal):
    with journal.database.session(write=True) as session, session.begin():
        session.add(BillingOperationRow(key="dead", user_id=7, kind="payment", status="pending", lock="user:7",
                                        locked_at=NOW - timedelta(minutes=14), created_at=NOW))
    with pytest.raises(OperationInProgress):
        journal.journal.start(new("b"))
    journal.session.rollback()  # as the refused request's would be
    with journal.database.session(write=True) as session, session.begin():
        session.query(BillingOperationRow).filter_by(key="dead").update({"locked_at": NOW - timedelta(minutes=16)})
    journal.journal.start(new("b"))
    assert journal.rows() == [("dead", "pending", None), ("b", "pending", "user:7")]


def test_a_client_key_used_meanwhile_by_a_finished_request_is_not_a_second_operation(journal):
    """It was not there when this request looked (before the lock); it is once the lock is held."""
    with journal.database.session(write=True) as session, session.begin():
        session.add(BillingOperationRow(key="first", user_id=7, kind="payment", client_key="K", status="done",
                                        created_at=NOW))
    with pytest.raises(OperationInProgress):
        journal.journal.start(new("second", client_key="K"))
    journal.end()
    assert journal.rows() == [("first", "done", None)]


def test_a_pending_operation_is_taken_up_again_only_when_its_request_is_over(journal):
    first = journal.journal.start(new("a", client_key="K"))
    with pytest.raises(OperationInProgress):  # the same key while the first request still runs
        journal.journal.start(first)
    journal.end()
    assert journal.journal.start(first).id == first.id  # after it: the same operation, the same key
    assert journal.rows() == [("a", "pending", "user:7")]


def test_settling_leaves_the_lock_to_the_request_that_holds_it(journal):
    journal.journal.start(new("a"))
    journal.journal.settle("a", "reconciled: found", {"payment_intent_id": "pi_1"}, NOW)
    journal.session.commit()
    assert journal.rows() == [("a", "reconciled", "user:7")]
    journal.end()
    assert journal.rows() == [("a", "reconciled", None)]


def test_a_client_key_is_free_again_after_24_hours(journal):
    with journal.database.session(write=True) as session, session.begin():
        session.add(BillingOperationRow(key="old", user_id=7, kind="payment", client_key="K", status="done",
                                        created_at=NOW - timedelta(hours=25)))
    journal.journal.start(new("fresh", client_key="K"))
    assert journal.rows() == [("old", "done", None), ("fresh", "pending", "user:7")]
