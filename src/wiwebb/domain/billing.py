"""Billing's entities and the ports they are kept through: subscriptions, the provider's customer
of each user, the journal of calls to the provider, one-off payments with their logs, and the
provider's webhook events.

The provider is the source of truth for money; these records are WiWebb's copy, kept in step by
the answers of WiWebb's own calls and by webhooks. Each record that mirrors a provider object keeps
`provider_updated`: the provider's `created` time (Unix seconds) of the newest state applied, so an
older event never overwrites a newer state.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from .errors import DomainError
from .listing import Page, PageRequest

# Live: the subscription still gives (or is about to give) access. Canceled and
# incomplete_expired ones are history.
LIVE_STATUSES = frozenset({"incomplete", "trialing", "active", "past_due", "unpaid", "paused"})
ENDED_STATUSES = frozenset({"canceled", "incomplete_expired"})


@dataclass
class Subscription:
    id: int | None
    user_id: int
    plan_id: int
    pricing_id: int | None
    status: str
    subscription_id: str | None = None  # the provider's id; None for a Free (local) subscription
    customer_id: str | None = None
    paid: bool = True  # False for a Free plan's local subscription
    current_period_start: datetime | None = None
    current_period_end: datetime | None = None
    cancel_at_period_end: bool = False
    trial_end: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    ended_at: datetime | None = None
    provider_updated: int = 0

    @property
    def live(self) -> bool:
        return self.status in LIVE_STATUSES


@dataclass(frozen=True)
class SubscriptionQuery:
    page: PageRequest
    user_id: int | None = None  # only this user's
    tenant_id: int | None = None  # only users of this tenant
    hide_superadmins: bool = False  # an admin's view


class SubscriptionRepository(Protocol):
    def get(self, subscription_id: int) -> Subscription | None: ...

    def get_by_provider_id(self, provider_id: str) -> Subscription | None: ...

    def live_for_user(self, user_id: int) -> list[Subscription]:
        """The user's live subscriptions, newest first."""
        ...

    def latest_for_user(self, user_id: int) -> Subscription | None: ...

    def add(self, subscription: Subscription) -> Subscription:
        """Store a new subscription. One with a provider id that another row already has is not
        added twice: the stored one is updated (a webhook may have arrived first) and returned."""
        ...

    def update(self, subscription: Subscription) -> None: ...

    def lock_user(self, user_id: int) -> None:
        """Serialise billing changes of one user until the unit of work ends."""
        ...

    def list(self, query: SubscriptionQuery) -> Page[Subscription]: ...

    def for_sync(self, user_id: int | None) -> builtins.list[Subscription]:
        """Provider-backed subscriptions (of one user, or everyone's) that are not ended."""
        ...


class CustomerRepository(Protocol):
    """The provider's customer of each user."""

    def customer_of(self, user_id: int) -> str | None: ...

    def user_of(self, customer_id: str) -> int | None: ...

    def remember(self, user_id: int, customer_id: str, now: datetime) -> str:
        """Store the user's customer; returns the one stored (another request's, if it was first)."""
        ...

    def all(self, user_id: int | None) -> builtins.list[tuple[int, str]]:
        """(user id, customer id) pairs, of one user or of everyone."""
        ...


class OperationInProgress(DomainError):
    """Another billing call for the same user has not finished yet."""

    detail = "Another billing operation for this account is in progress. Try again in a moment."


@dataclass
class BillingOperation:
    """One call (or short series of calls) to the provider that creates something, recorded
    durably *before* the call. `key` is the idempotency key the provider gets, so the call can be
    repeated safely and its outcome found again (the key is also kept in the provider object's
    metadata) when WiWebb's own commit failed."""

    id: int | None
    key: str
    user_id: int
    kind: str  # subscribe, change, payment, plan
    client_key: str | None  # the client's Idempotency-Key header, if any
    # pending (outcome unknown until answered), done, failed (refused: nothing was made), or
    # reconciled (found at the provider by sync or a webhook).
    status: str = "pending"
    response_status: int | None = None
    response: Any = None  # the first answer, replayed for the same client key
    request: Any = None  # what was sent that a retry must send the same (e.g. the customer)
    error: str = ""
    created_at: datetime | None = None
    finished_at: datetime | None = None


class OperationJournal(Protocol):
    def find(self, user_id: int, kind: str, client_key: str, since: datetime) -> BillingOperation | None: ...

    def start(self, operation: BillingOperation) -> BillingOperation:
        """Record the operation as pending, or take up again a pending one (`id` set), holding
        the user's lock, and make that durable at once (before any provider call). Raises
        `OperationInProgress` while another call of the user's holds the lock (or this one is
        still in flight). The lock is released when the unit of work ends, whatever its end."""
        ...

    def finish(self, operation: BillingOperation, status: int, response: Any, now: datetime) -> None:
        """Done: the answer is stored with the unit of work (it commits with the change)."""
        ...

    def fail(self, operation: BillingOperation, error: str, now: datetime, *, outcome_known: bool) -> None:
        """Failed (`outcome_known`: nothing was made), or of unknown outcome (it stays pending):
        recorded whatever becomes of the unit of work (it will not commit)."""
        ...

    def checkpoint(self) -> None:
        """Commit the unit of work so far."""
        ...

    def settle(self, key: str, note: str, found: Any, now: datetime) -> None:
        """A pending operation whose outcome was found at the provider (reconciled); `found`
        names what was found (`{"subscription_id": ...}`), for a retry with the same key."""
        ...

    def pending_for(self, user_id: int, kind: str, since: datetime) -> builtins.list[BillingOperation]:
        """The user's pending operations of `kind` started since `since`."""
        ...

    def pending(self, older_than: datetime) -> builtins.list[BillingOperation]:
        """Operations still pending: a call whose local commit failed, to reconcile."""
        ...


# -- one-off payments -------------------------------------------------------------------------

PAYMENT_STATUSES = ("waiting", "preauth", "confirmed", "rejected", "refunded", "error")


@dataclass
class Payment:
    id: int | None
    user_id: int
    amount: Decimal
    currency: str
    status: str = "waiting"
    description: str = ""
    order_id: str = ""
    metadata: Mapping[str, str] = field(default_factory=dict)
    capture_method: str = "automatic"
    payment_intent_id: str | None = None
    client_secret: str | None = None
    refunded_amount: Decimal = Decimal("0.00")
    created_at: datetime | None = None
    updated_at: datetime | None = None
    provider_updated: int = 0


@dataclass(frozen=True)
class PaymentLogEntry:
    id: int | None
    payment_id: int
    event: str  # created, captured, refunded, webhook:<type>, ...
    from_status: str | None
    to_status: str
    message: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True)
class PaymentQuery:
    page: PageRequest
    user_id: int | None = None  # only this user's
    tenant_id: int | None = None  # only users of this tenant
    status: str | None = None
    hide_superadmins: bool = False  # an admin's view


class PaymentRepository(Protocol):
    def get(self, payment_id: int, *, lock: bool = False) -> Payment | None:
        """`lock`: hold the payment until the unit of work ends (capture and refund are serial)."""
        ...

    def get_by_intent(self, payment_intent_id: str) -> Payment | None: ...

    def add(self, payment: Payment, *, replace_existing: bool = True) -> Payment:
        """Store a new payment; it comes back with its id."""
        ...

    def update(self, payment: Payment) -> None: ...

    def list(self, query: PaymentQuery) -> Page[Payment]:
        """A page of the payments that match, by id."""
        ...

    def log(self, entry: PaymentLogEntry) -> PaymentLogEntry: ...

    def logs(self, payment_id: int) -> builtins.list[PaymentLogEntry]:
        """The payment's log, oldest first."""
        ...



# -- webhook events ---------------------------------------------------------------------------


@dataclass
class WebhookEvent:
    """A provider event as received. `status`: processed, ignored or failed (kept for replay)."""

    event_id: str
    type: str
    created: int
    payload: str  # the raw body, exactly as signed
    status: str
    received_at: datetime
    processed_at: datetime | None = None
    error: str = ""
    attempts: int = 1


class WebhookEventStore(Protocol):
    def claim(self, event: WebhookEvent) -> bool:
        """Record the event as processed in the unit of work; False when it already was (a
        duplicate delivery, also one racing this one: the unique id decides, never a 500)."""
        ...

    def record_failure(self, event: WebhookEvent) -> None:
        """Keep a failed event, in a transaction of its own (the unit of work is rolled back)."""
        ...

    def get(self, event_id: str) -> WebhookEvent | None: ...

    def failed(self) -> Sequence[WebhookEvent]: ...
