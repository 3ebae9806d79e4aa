"""The payment provider's webhook: signed events applied exactly once, in order, never lost.

- Exactly once: the event id is recorded in the same unit of work as its effect (`claim`); a
  second delivery finds it and changes nothing, also when both arrive at once.
- In order: each subscription and payment keeps the `created` time of the newest state applied,
  and an older event does not overwrite it (see `SubscriptionService.apply_provider_state`).
- Never lost: the caller answers 2xx only after the commit; a failure propagates (500, so the
  provider delivers again) and the raw event is kept, in a transaction of its own, for
  `wiwebb webhooks --failed` and `--replay`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from .billing import WebhookEvent, WebhookEventStore
from .errors import DomainError, NotFound
from .payments import GatewayInvoice, GatewayPaymentIntent, GatewaySubscription
from .ports import Clock
from .subscription_sync import SubscriptionSync

log = logging.getLogger("wiwebb.webhooks")

SUBSCRIPTION_EVENTS = frozenset({"customer.subscription.created", "customer.subscription.updated",
                                 "customer.subscription.deleted"})
INVOICE_EVENTS = frozenset({"invoice.paid", "invoice.payment_succeeded", "invoice.payment_failed"})
PAYMENT_EVENTS = frozenset({"payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled"})
HANDLED = SUBSCRIPTION_EVENTS | INVOICE_EVENTS | PAYMENT_EVENTS


def object_kind(event_type: str) -> str | None:
    """The kind of object a handled event must carry (`subscription`, `invoice` or
    `payment_intent`, also the name of its `ProviderEvent` field); None for an event not handled."""
    if event_type in SUBSCRIPTION_EVENTS:
        return "subscription"
    if event_type in INVOICE_EVENTS:
        return "invoice"
    if event_type in PAYMENT_EVENTS:
        return "payment_intent"
    return None


class InvalidEvent(DomainError):
    """A delivery that is not a genuine event of the provider (400)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


INVALID_SIGNATURE = "Invalid signature."
INVALID_PAYLOAD = "Invalid payload."


@dataclass(frozen=True)
class ProviderEvent:
    id: str
    type: str
    created: int  # Unix seconds
    subscription: GatewaySubscription | None = None
    payment_intent: GatewayPaymentIntent | None = None
    invoice: GatewayInvoice | None = None


class EventReader(Protocol):
    def verify(self, payload: bytes, signature: str | None) -> ProviderEvent:
        """The event, if `signature` proves the provider sent `payload` (recently); else
        `InvalidEvent`."""
        ...

    def parse(self, payload: str) -> ProviderEvent:
        """An event already verified (a stored one, replayed)."""
        ...


class PaymentUpdates(Protocol):
    def apply_provider_state(self, intent: GatewayPaymentIntent, created: int, event_type: str) -> object: ...


class WebhookService:
    def __init__(self, *, reader: EventReader, events: WebhookEventStore, subscriptions: SubscriptionSync,
                 payments: PaymentUpdates | None, clock: Clock) -> None:
        self._reader = reader
        self._events = events
        self._subscriptions = subscriptions
        self._payments = payments
        self._clock = clock

    def receive(self, payload: bytes, signature: str | None) -> str:
        """Verify and apply one delivery; returns `processed`, `duplicate` or `ignored`."""
        event = self._reader.verify(payload, signature)
        return self._apply(event, payload.decode("utf-8"))

    def replay(self, event_id: str) -> str:
        """Apply a stored (failed) event again."""
        stored = self._events.get(event_id)
        if stored is None:
            raise NotFound()
        return self._apply(self._reader.parse(stored.payload), stored.payload)

    def failed(self) -> Sequence[WebhookEvent]:
        return self._events.failed()

    def _apply(self, event: ProviderEvent, payload: str) -> str:
        kind = object_kind(event.type)
        if kind is None:
            log.info("Stripe webhook %s %s: ignored", event.id, event.type)
            return "ignored"
        if getattr(event, kind) is None:  # refused before anything is claimed or stored
            log.warning("Stripe webhook refused: %s %s carries no %s object", event.id, event.type, kind)
            raise InvalidEvent(INVALID_PAYLOAD)
        now = self._clock.now()
        record = WebhookEvent(event_id=event.id, type=event.type, created=event.created, payload=payload,
                              status="processed", received_at=now, processed_at=now)
        if not self._events.claim(record):
            log.info("Stripe webhook %s %s: duplicate, already applied", event.id, event.type)
            return "duplicate"
        try:
            effect = self._dispatch(event)
        except Exception as error:
            record.status, record.processed_at = "failed", None
            record.error = f"{type(error).__name__}: {error}"
            self._events.record_failure(record)
            log.error("Stripe webhook %s %s: failed, kept for replay: %s", event.id, event.type, record.error)
            raise
        log.info("Stripe webhook %s %s: processed (%s)", event.id, event.type, effect)
        return "processed"

    def _dispatch(self, event: ProviderEvent) -> str:
        if event.type in SUBSCRIPTION_EVENTS and event.subscription is not None:
            changed = self._subscriptions.apply_provider_state(event.subscription, event.created)
            return f"subscription {event.subscription.id} {changed.status if changed else 'unchanged'}"
        if event.type in INVOICE_EVENTS and event.invoice is not None:
            if event.invoice.subscription is None:
                return "invoice without subscription"
            changed = self._subscriptions.refresh(event.invoice.subscription)
            return f"subscription {event.invoice.subscription} {changed.status if changed else 'unchanged'}"
        if event.type in PAYMENT_EVENTS and event.payment_intent is not None:
            if self._payments is None:
                return "payments not handled"
            changed_payment = self._payments.apply_provider_state(event.payment_intent, event.created, event.type)
            return f"payment intent {event.payment_intent.id} {'applied' if changed_payment else 'unchanged'}"
        raise ValueError(f"event {event.id} of type {event.type} carries no {event.type.split('.')[0]} object")
