"""Subscription bodies and the subscription shape of API.md (which the mobile app also parses)."""

from __future__ import annotations

from typing import Any

from marshmallow import validate

from wiwebb.domain.billing import Subscription
from wiwebb.domain.payments import GatewayInvoice
from wiwebb.domain.subscriptions import Limits

from .base import BaseSchema
from .fields import Bool, Int, Str, format_datetime

_POSITIVE = validate.Range(min=1, error="Ensure this value is greater than or equal to 1.")


class SubscribeSchema(BaseSchema):
    pricing_id = Int(allow_none=True, validate=_POSITIVE)
    plan_id = Int(allow_none=True, validate=_POSITIVE)
    payment_method = Str(allow_none=True, allow_blank=True, max_length=255)


class CancelSchema(BaseSchema):
    subscription_id = Int(allow_none=True, validate=_POSITIVE)
    at_once = Bool(load_default=False)


class ChangeSchema(BaseSchema):
    pricing_id = Int(required=True, validate=_POSITIVE)


class PaymentMethodSchema(BaseSchema):
    payment_method = Str(required=True, max_length=255)


class SubscriptionFilterSchema(BaseSchema):
    user = Int(validate=_POSITIVE)


def dump_subscription(subscription: Subscription) -> dict[str, Any]:
    return {
        "id": subscription.id, "user": subscription.user_id, "plan": subscription.plan_id,
        "pricing": subscription.pricing_id, "subscription_id": subscription.subscription_id,
        "status": subscription.status,
        "current_period_start": format_datetime(subscription.current_period_start),
        "current_period_end": format_datetime(subscription.current_period_end),
        "cancel_at_period_end": subscription.cancel_at_period_end,
        "trial_end": format_datetime(subscription.trial_end),
        "created_at": format_datetime(subscription.created_at), "updated_at": format_datetime(subscription.updated_at),
    }


def dump_limits(limits: Limits) -> dict[str, Any]:
    return {"plan_id": limits.plan_id, "plan_name": limits.plan_name,
            "daily_time_minutes": limits.daily_time_minutes, "daily_data_mb": limits.daily_data_mb}


def dump_invoice(invoice: GatewayInvoice) -> dict[str, Any]:
    return {
        "id": invoice.id, "number": invoice.number, "status": invoice.status,
        "amount_due": f"{invoice.amount_due / 100:.2f}", "amount_paid": f"{invoice.amount_paid / 100:.2f}",
        "currency": invoice.currency, "period_start": format_datetime(invoice.period_start),
        "period_end": format_datetime(invoice.period_end), "hosted_invoice_url": invoice.hosted_invoice_url,
        "subscription_id": invoice.subscription,
    }
