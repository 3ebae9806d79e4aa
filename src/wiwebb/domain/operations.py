"""Calls to the payment provider that create something, made safe to repeat.

Before such a call, an operation is recorded durably with a fresh UUID (`start`); the call carries
that UUID as its idempotency key. A client's `Idempotency-Key` header names the operation: the same
key from the same user within 24 hours answers the first result again (`replay`) or, when the first
attempt never recorded an answer, repeats the call with the same idempotency key, so the provider
answers what it did the first time instead of doing it twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from .billing import BillingOperation, OperationInProgress, OperationJournal
from .errors import DomainError
from .payments import PaymentProviderUnavailable
from .ports import Clock

IDEMPOTENCY_WINDOW = timedelta(hours=24)
UNRESOLVED_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class Replay:
    """The first answer to an `Idempotency-Key` already used."""

    status: int
    response: Any


class Operations:
    def __init__(self, journal: OperationJournal, clock: Clock) -> None:
        self._journal = journal
        self._clock = clock

    def replay(self, user_id: int, kind: str, client_key: str | None) -> Replay | None:
        operation = self._find(user_id, kind, client_key)
        if operation is None or operation.status != "done":
            return None
        return Replay(operation.response_status or 200, operation.response)

    def earlier(self, user_id: int, kind: str, client_key: str | None) -> BillingOperation | None:
        """The operation a client's key already named (within 24 hours), whatever its state."""
        return self._find(user_id, kind, client_key)

    def start(self, user_id: int, kind: str, client_key: str | None, request: Any = None, *,
              resume: BillingOperation | None = None) -> BillingOperation:
        """Record the operation (durably, before the call), with what the call sends that a retry
        must send the same (`request`); or take up a pending one of the same client key (else
        `resume`, a pending one the caller chose), whose key and `request` are then the ones to
        send."""
        earlier = self._find(user_id, kind, client_key)
        if earlier is not None and earlier.status == "pending":
            return self._journal.start(earlier)
        if earlier is None and resume is not None and resume.status == "pending":
            return self._journal.start(resume)
        if earlier is not None and earlier.status in ("done", "reconciled"):
            raise OperationInProgress()  # it finished since the caller looked: a retry is answered it
        return self._journal.start(BillingOperation(id=None, key=str(uuid.uuid4()), user_id=user_id, kind=kind,
                                                    client_key=client_key or None, request=request,
                                                    created_at=self._clock.now()))

    def fail(self, operation: BillingOperation, error: DomainError) -> None:
        """The call failed. When the provider could not answer, whether it took effect is unknown:
        the operation stays pending (a retry with the same key resumes it; reconciliation finds
        it). Either way its lock is released when the unit of work ends."""
        self._journal.fail(operation, f"{type(error).__name__}: {error}", self._clock.now(),
                           outcome_known=not isinstance(error, PaymentProviderUnavailable))

    def answered(self, operation: BillingOperation | None, status: int, response: Any) -> None:
        """Store the answer given with the change (it commits with it)."""
        if operation is not None:
            self._journal.finish(operation, status, response, self._clock.now())

    def unknown(self, user_id: int, kind: str) -> list[BillingOperation]:
        """The user's operations of this kind still of unknown outcome (within 24 hours)."""
        return [operation for operation in self._journal.pending_for(user_id, kind, self._clock.now()
                                                                      - IDEMPOTENCY_WINDOW)]

    def close(self, operation: BillingOperation, note: str) -> None:
        """An operation of unknown outcome found to have made nothing at the provider."""
        self._journal.fail(operation, note, self._clock.now(), outcome_known=True)

    def checkpoint(self) -> None:
        """Make what the unit of work did so far durable (a provider object just made)."""
        self._journal.checkpoint()

    def settle(self, key: str, note: str, found: Any) -> None:
        """The outcome of a pending operation was found at the provider (by `sync` or a webhook):
        `found` names it (`{"subscription_id": ...}`) for a retry with the same key."""
        self._journal.settle(key, note, found, self._clock.now())

    def unresolved(self, older_than: timedelta = UNRESOLVED_AFTER) -> list[BillingOperation]:
        """Operations of unknown outcome, started longer ago than `older_than`."""
        return self._journal.pending(self._clock.now() - older_than)

    def _find(self, user_id: int, kind: str, client_key: str | None) -> BillingOperation | None:
        if not client_key:
            return None
        return self._journal.find(user_id, kind, client_key, self._clock.now() - IDEMPOTENCY_WINDOW)
