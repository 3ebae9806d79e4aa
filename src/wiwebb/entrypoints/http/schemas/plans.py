"""Plan and pricing bodies, and the plan shape of API.md (amounts as decimal strings)."""

from __future__ import annotations

import decimal
from typing import Any

from marshmallow import validate

from wiwebb.domain.catalogue import INTERVALS, Plan, Pricing

from .base import BaseSchema
from .fields import MAX_INT32, Amount, Bool, Choice, Int, ObjectList, Str, format_datetime
from .payments import Currency

_NOT_NEGATIVE = "Ensure this value is greater than or equal to 0."


class Money(Amount):
    """A price: DRF's DecimalField(max_digits=12, decimal_places=2, min_value=0), as the column holds."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(minimum=decimal.Decimal("0"), **kwargs)


class PricingWriteSchema(BaseSchema):
    amount = Money(required=True)
    currency = Currency(load_default="usd")
    interval = Choice(INTERVALS, load_default="month")
    trial_period_days = Int(load_default=0, maximum=MAX_INT32, validate=validate.Range(min=0, error=_NOT_NEGATIVE))


class PlanWriteSchema(BaseSchema):
    name = Str(required=True, max_length=100)
    description = Str(allow_blank=True, trim=False)
    default = Bool()
    available = Bool()
    requires_payment = Bool()
    auto_renew = Bool()
    daily_time_minutes = Int(allow_none=True, maximum=MAX_INT32, validate=validate.Range(min=0, error=_NOT_NEGATIVE))
    daily_data_mb = Int(allow_none=True, maximum=MAX_INT32, validate=validate.Range(min=0, error=_NOT_NEGATIVE))
    pricings = ObjectList(PricingWriteSchema, load_default=list)


def dump_pricing(pricing: Pricing) -> dict[str, Any]:
    return {"id": pricing.id, "amount": f"{pricing.amount:.2f}", "currency": pricing.currency,
            "interval": pricing.interval, "trial_period_days": pricing.trial_period_days, "active": pricing.active}


def dump_plan(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.id, "name": plan.name, "description": plan.description, "default": plan.default,
        "available": plan.available, "requires_payment": plan.requires_payment, "auto_renew": plan.auto_renew,
        "daily_time_minutes": plan.daily_time_minutes, "daily_data_mb": plan.daily_data_mb,
        "stripe_product_id": plan.stripe_product_id,
        "created_at": format_datetime(plan.created_at), "updated_at": format_datetime(plan.updated_at),
        "pricings": [dump_pricing(p) for p in plan.pricings],
    }
