"""Stripe's webhook deliveries read into the domain's `ProviderEvent`: the `Stripe-Signature`
header checked on the raw body (HMAC-SHA256 with the endpoint secret, 300 s tolerance), then the
event's object read with the same readers as the API's answers (both Stripe layouts)."""

from __future__ import annotations

import json
import logging
from typing import Any

import stripe

from wiwebb.domain.webhooks import INVALID_PAYLOAD, INVALID_SIGNATURE, InvalidEvent, ProviderEvent

from .stripe_gateway import read_invoice, read_payment_intent, read_subscription

log = logging.getLogger("wiwebb.webhooks")

TOLERANCE_SECONDS = 300


class StripeEventReader:
    def __init__(self, secret: str, tolerance: int = TOLERANCE_SECONDS) -> None:
        self._secret = secret
        self._tolerance = tolerance

    def verify(self, payload: bytes, signature: str | None) -> ProviderEvent:
        if not self._secret:
            log.error("Stripe webhook refused: STRIPE_WEBHOOK_SECRET is not set, so no signature can be checked")
            raise InvalidEvent(INVALID_SIGNATURE)
        try:
            stripe.WebhookSignature.verify_header(payload, signature, self._secret, self._tolerance)
        except (stripe.SignatureVerificationError, UnicodeDecodeError) as error:
            reason = error if isinstance(error, UnicodeDecodeError) else error.user_message
            log.warning("Stripe webhook refused: %s", reason)
            raise InvalidEvent(INVALID_SIGNATURE) from None
        return self.parse(payload.decode("utf-8"))

    def parse(self, payload: str) -> ProviderEvent:
        try:
            data = json.loads(payload)
            event_id, event_type, created = str(data["id"]), str(data["type"]), int(data["created"])
            obj = data["data"]["object"]
        except (ValueError, KeyError, TypeError):
            raise InvalidEvent(INVALID_PAYLOAD) from None
        if not isinstance(obj, dict) or not event_id or not event_type:
            raise InvalidEvent(INVALID_PAYLOAD)
        return ProviderEvent(id=event_id, type=event_type, created=created, **_object_of(obj))


def _object_of(obj: dict[str, Any]) -> dict[str, Any]:
    try:
        kind = obj.get("object")
        if kind == "subscription":
            return {"subscription": read_subscription(obj)}
        if kind == "payment_intent":
            return {"payment_intent": read_payment_intent(obj)}
        if kind == "invoice":
            return {"invoice": read_invoice(obj)}
    except (KeyError, TypeError, ValueError):
        raise InvalidEvent(INVALID_PAYLOAD) from None
    return {}
