"""Billing in SQL: subscriptions, the provider's customers and the operations journal (the webhook
events are in webhook_sql.py)."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wiwebb.domain.billing import (
    ENDED_STATUSES,
    LIVE_STATUSES,
    BillingOperation,
    OperationInProgress,
    Subscription,
    SubscriptionQuery,
)
from wiwebb.domain.listing import Page
from wiwebb.domain.operations import IDEMPOTENCY_WINDOW

from .orm import (
    BillingCustomerRow,
    BillingOperationRow,
    SubscriptionRow,
    UserRow,
)
from .repositories import Deferrer
from .sql_lists import owned_by, page_of

_SUBSCRIPTION_COLUMNS = [f.name for f in fields(Subscription) if f.name != "id"]


def _subscription(row: SubscriptionRow) -> Subscription:
    return Subscription(id=row.id, **{name: getattr(row, name) for name in _SUBSCRIPTION_COLUMNS})


def _values(subscription: Subscription) -> dict[str, Any]:
    return {name: getattr(subscription, name) for name in _SUBSCRIPTION_COLUMNS}


class SqlSubscriptionRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, subscription_id: int) -> Subscription | None:
        row = self._session.get(SubscriptionRow, subscription_id)
        return None if row is None else _subscription(row)

    def get_by_provider_id(self, provider_id: str) -> Subscription | None:
        row = self._session.scalar(select(SubscriptionRow).where(SubscriptionRow.subscription_id == provider_id))
        return None if row is None else _subscription(row)

    def live_for_user(self, user_id: int) -> list[Subscription]:
        rows = self._session.scalars(select(SubscriptionRow).where(
            SubscriptionRow.user_id == user_id, SubscriptionRow.status.in_(LIVE_STATUSES))
            .order_by(SubscriptionRow.created_at.desc(), SubscriptionRow.id.desc()))
        return [_subscription(row) for row in rows]

    def latest_for_user(self, user_id: int) -> Subscription | None:
        row = self._session.scalar(select(SubscriptionRow).where(SubscriptionRow.user_id == user_id)
                                   .order_by(SubscriptionRow.created_at.desc(), SubscriptionRow.id.desc()).limit(1))
        return None if row is None else _subscription(row)

    def add(self, subscription: Subscription) -> Subscription:
        values = _values(subscription)
        try:
            with self._session.begin_nested():
                row = SubscriptionRow(**values)
                self._session.add(row)
        except IntegrityError:
            # A webhook stored the provider's subscription first: keep one row, with our state.
            existing = self.get_by_provider_id(subscription.subscription_id or "")
            if existing is None:
                raise
            subscription.id = existing.id
            subscription.created_at = existing.created_at
            self.update(subscription)
            return subscription
        subscription.id = row.id
        return subscription

    def update(self, subscription: Subscription) -> None:
        values = _values(subscription)
        values.pop("created_at")
        self._session.execute(update(SubscriptionRow).where(SubscriptionRow.id == subscription.id).values(**values))

    def lock_user(self, user_id: int) -> None:
        # SQLite's writing transactions are already serial (BEGIN IMMEDIATE); FOR UPDATE is
        # left out of the statement there by SQLAlchemy.
        self._session.execute(select(UserRow.id).where(UserRow.id == user_id).with_for_update())

    def list(self, query: SubscriptionQuery) -> Page[Subscription]:
        statement = owned_by(select(SubscriptionRow), SubscriptionRow.user_id, user_id=query.user_id,
                             tenant_id=query.tenant_id, hide_superadmins=query.hide_superadmins)
        # By id, as every list whose order the contract does not state (payments too).
        rows, count = page_of(self._session, statement, query.page, [SubscriptionRow.id])
        return Page([_subscription(row) for row in rows], count, query.page)

    def for_sync(self, user_id: int | None) -> builtins.list[Subscription]:
        statement = select(SubscriptionRow).where(SubscriptionRow.subscription_id.is_not(None),
                                                  SubscriptionRow.status.not_in(ENDED_STATUSES))
        if user_id is not None:
            statement = statement.where(SubscriptionRow.user_id == user_id)
        return [_subscription(row) for row in self._session.scalars(statement.order_by(SubscriptionRow.id))]


class SqlCustomerRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def customer_of(self, user_id: int) -> str | None:
        return self._session.scalar(select(BillingCustomerRow.customer_id).where(BillingCustomerRow.user_id == user_id))

    def user_of(self, customer_id: str) -> int | None:
        return self._session.scalar(select(BillingCustomerRow.user_id)
                                    .where(BillingCustomerRow.customer_id == customer_id))

    def remember(self, user_id: int, customer_id: str, now: datetime) -> str:
        try:
            with self._session.begin_nested():
                self._session.add(BillingCustomerRow(user_id=user_id, customer_id=customer_id, created_at=now))
        except IntegrityError:  # another request of the user's stored one first: keep that one
            stored = self.customer_of(user_id)
            if stored is None:
                raise
            return stored
        return customer_id

    def all(self, user_id: int | None) -> builtins.list[tuple[int, str]]:
        statement = select(BillingCustomerRow.user_id, BillingCustomerRow.customer_id)
        if user_id is not None:
            statement = statement.where(BillingCustomerRow.user_id == user_id)
        return [(row[0], row[1]) for row in self._session.execute(statement.order_by(BillingCustomerRow.user_id))]


_OPERATION_COLUMNS = [f.name for f in fields(BillingOperation) if f.name != "id"]


def _operation(row: BillingOperationRow) -> BillingOperation:
    return BillingOperation(id=row.id, **{name: getattr(row, name) for name in _OPERATION_COLUMNS})


class SqlOperationJournal:
    """`start` writes in the request's session and then commits it (`checkpoint`): everything the
    request did before is reads, and the pending record must be durable before the provider is
    called. Releasing the lock and recording a failure happen in a transaction of their own once
    the request's has ended, committed or not (`durable`), so a request that dies, whatever the
    cause, never keeps the user's lock.

    The lock is a unique column (`user:<id>` while held). One held for longer than `stale` belongs
    to a process that died between two statements: it is released (the operation stays pending,
    its outcome unknown, for reconciliation)."""

    def __init__(self, session: Session, *, checkpoint: Callable[[], None], durable: Deferrer,
                 now: Callable[[], datetime], stale: timedelta) -> None:
        self._session = session
        self._checkpoint = checkpoint
        self._durable = durable
        self._now = now
        self._stale = stale

    def find(self, user_id: int, kind: str, client_key: str, since: datetime) -> BillingOperation | None:
        row = self._session.scalar(select(BillingOperationRow).where(
            BillingOperationRow.user_id == user_id, BillingOperationRow.kind == kind,
            BillingOperationRow.client_key == client_key, BillingOperationRow.created_at >= since)
            .order_by(BillingOperationRow.id.desc()).limit(1))
        return None if row is None else _operation(row)

    def start(self, operation: BillingOperation) -> BillingOperation:
        lock, now = f"user:{operation.user_id}", self._now()
        for attempt in range(2):
            try:
                with self._session.begin_nested():
                    if operation.id is None:
                        row = BillingOperationRow(**{name: getattr(operation, name) for name in _OPERATION_COLUMNS},
                                                  lock=lock, locked_at=now)
                        self._session.add(row)
                        self._session.flush()
                        if self._key_taken_meanwhile(operation, row.id):
                            raise OperationInProgress()
                        operation.id = row.id
                    elif not self._take_up(operation.id, lock, now):
                        raise OperationInProgress()  # the same key, still in flight
                break
            except IntegrityError:  # another operation of the user's holds the lock
                if attempt or not self._release_stale(lock, now):
                    raise OperationInProgress() from None
        # Released when the request ends, however it ends (registered before the commit below,
        # which may itself fail).
        self._durable(self._releasing(operation.id))
        self._checkpoint()
        return operation

    def _key_taken_meanwhile(self, operation: BillingOperation, new_id: int) -> bool:
        """With the user's lock held: whether another request with the same client key got
        there first (it was not there when this one looked, before the lock). Its answer is
        the one to give, not a second call."""
        if operation.client_key is None:
            return False
        other = self._session.scalar(select(BillingOperationRow.id).where(
            BillingOperationRow.user_id == operation.user_id, BillingOperationRow.kind == operation.kind,
            BillingOperationRow.client_key == operation.client_key, BillingOperationRow.id != new_id,
            BillingOperationRow.status != "failed",
            BillingOperationRow.created_at >= self._now() - IDEMPOTENCY_WINDOW).limit(1))  # a key lives 24 h
        return other is not None

    def _take_up(self, operation_id: int, lock: str, now: datetime) -> bool:
        """Lock a pending operation again (a retry with its key), unless it is held and fresh."""
        taken = self._session.execute(update(BillingOperationRow).where(
            BillingOperationRow.id == operation_id, BillingOperationRow.status == "pending",
            (BillingOperationRow.lock.is_(None)) | (BillingOperationRow.locked_at < now - self._stale))
            .values(lock=lock, locked_at=now))
        return bool(taken.rowcount)  # type: ignore[attr-defined]

    def _release_stale(self, lock: str, now: datetime) -> bool:
        released = self._session.execute(update(BillingOperationRow).where(
            BillingOperationRow.lock == lock, BillingOperationRow.locked_at < now - self._stale)
            .values(lock=None, error="lock released: its request ended without an answer"))
        return bool(released.rowcount)  # type: ignore[attr-defined]

    @staticmethod
    def _releasing(operation_id: int) -> Callable[[Session], object]:
        def release(session: Session) -> None:
            session.execute(update(BillingOperationRow).where(
                BillingOperationRow.id == operation_id, BillingOperationRow.lock.is_not(None)).values(lock=None))

        return release

    def finish(self, operation: BillingOperation, status: int, response: Any, now: datetime) -> None:
        operation.status, operation.response_status, operation.response = "done", status, response
        operation.finished_at = now
        self._session.execute(update(BillingOperationRow).where(BillingOperationRow.id == operation.id).values(
            status="done", response_status=status, response=response, finished_at=now, lock=None))

    def fail(self, operation: BillingOperation, error: str, now: datetime, *, outcome_known: bool) -> None:
        operation_id = operation.id
        values: dict[str, Any] = {"error": error[:2000]}
        if outcome_known:
            values.update(status="failed", finished_at=now)

        def write(session: Session) -> None:
            session.execute(update(BillingOperationRow).where(
                BillingOperationRow.id == operation_id, BillingOperationRow.status == "pending").values(**values))

        self._durable(write)

    def checkpoint(self) -> None:
        self._checkpoint()

    def settle(self, key: str, note: str, found: Any, now: datetime) -> None:
        self._session.execute(update(BillingOperationRow).where(
            BillingOperationRow.key == key, BillingOperationRow.status == "pending")
            .values(status="reconciled", error=note[:2000], response=found, finished_at=now))

    def pending_for(self, user_id: int, kind: str, since: datetime) -> builtins.list[BillingOperation]:
        rows = self._session.scalars(select(BillingOperationRow).where(
            BillingOperationRow.user_id == user_id, BillingOperationRow.kind == kind,
            BillingOperationRow.status == "pending", BillingOperationRow.created_at >= since)
            .order_by(BillingOperationRow.id))
        return [_operation(row) for row in rows]

    def pending(self, older_than: datetime) -> builtins.list[BillingOperation]:
        rows = self._session.scalars(select(BillingOperationRow).where(
            BillingOperationRow.status == "pending", BillingOperationRow.created_at < older_than)
            .order_by(BillingOperationRow.id))
        return [_operation(row) for row in rows]
