"""A payment's status as the provider's PaymentIntent states it, and amounts between WiWebb's main
units ("10.50") and the provider's minor units (1050)."""

from __future__ import annotations

from decimal import Decimal

from .payments import GatewayPaymentIntent

# The provider's PaymentIntent statuses, as WiWebb's payment statuses. `succeeded` is `confirmed`,
# or `refunded` once all of it is refunded (see `status_of`).
_INTENT_STATUSES = {
    "requires_payment_method": "waiting",
    "requires_confirmation": "waiting",
    "requires_action": "waiting",
    "processing": "waiting",
    "requires_capture": "preauth",
    "succeeded": "confirmed",
    "canceled": "rejected",
}
# States an intent cannot leave on its own: what such an intent says wins over the event's name.
_SETTLED_INTENT_STATUSES = frozenset({"requires_capture", "succeeded", "canceled"})


def status_of(intent: GatewayPaymentIntent) -> str:
    """The payment status an intent stands for (`error` for a status WiWebb does not know)."""
    status = _INTENT_STATUSES.get(intent.status, "error")
    if status == "confirmed" and intent.amount_received > 0 and intent.amount_refunded >= intent.amount_received:
        return "refunded"
    return status


def to_minor(amount: Decimal) -> int:
    """Main units ("10.50") as the provider's minor units (1050)."""
    return int((amount * 100).to_integral_value())


def from_minor(amount: int) -> Decimal:
    return (Decimal(amount) / 100).quantize(Decimal("0.01"))


def status_after(event_type: str, intent: GatewayPaymentIntent) -> str:
    """The status an event reports: a failed payment leaves its intent waiting for another card,
    which for WiWebb's copy is `rejected`; a settled intent says for itself."""
    if intent.status not in _SETTLED_INTENT_STATUSES and event_type == "payment_intent.payment_failed":
        return "rejected"
    return status_of(intent)
