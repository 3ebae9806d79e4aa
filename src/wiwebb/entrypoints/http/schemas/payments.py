"""Payment bodies and filters, and the payment and payment log shapes (amounts as decimal strings)."""

from __future__ import annotations

import decimal
import re
from typing import Any

from marshmallow import ValidationError, fields, validate

from wiwebb.domain.billing import PAYMENT_STATUSES, Payment, PaymentLogEntry

from .base import BaseSchema
from .fields import Amount, Choice, Int, Str, format_datetime

CAPTURE_METHODS = ("automatic", "manual")
# The provider keeps at most 50 metadata keys (WiWebb adds a few of its own), keys of 40
# characters and values of 500.
METADATA_MAX_KEYS, METADATA_KEY_LENGTH, METADATA_VALUE_LENGTH = 40, 40, 500

_POSITIVE = validate.Range(min=1, error="Ensure this value is greater than or equal to 1.")
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")


# Stripe's currencies whose minor unit is not a hundredth (zero-decimal: ¥10 is 10; three-decimal:
# 10.000 KWD is 10000). WiWebb keeps amounts with two decimals and sends hundredths, so these would
# be charged 100 times, or a tenth of, what the answer shows: refused until amounts follow the
# currency's own unit.
NOT_HUNDREDTHS = frozenset({
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf",
    "bhd", "jod", "kwd", "omr", "tnd"})


class Currency(Str):
    default_error_messages = {**Str.default_error_messages, "currency": "Enter a valid 3-letter currency code.",
                              "unit": "Currency {code} is not supported: amounts are kept in hundredths of a unit."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not _CURRENCY.match(text):
            raise self.make_error("currency")
        if text.lower() in NOT_HUNDREDTHS:
            raise self.make_error("unit", code=text.upper())
        return text.lower()


class Metadata(fields.Field):
    """A flat object of strings, as the provider keeps metadata (numbers become text)."""

    default_error_messages = {"null": "This field may not be null."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict[str, str]:
        if not isinstance(value, dict):
            raise ValidationError(f'Expected a dictionary of items but got type "{type(value).__name__}".')
        if len(value) > METADATA_MAX_KEYS:
            raise ValidationError(f"Ensure this field has no more than {METADATA_MAX_KEYS} keys.")
        metadata: dict[str, str] = {}
        for key, item in value.items():
            if not key or len(key) > METADATA_KEY_LENGTH:
                raise ValidationError(f"Keys must have 1 to {METADATA_KEY_LENGTH} characters.")
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                raise ValidationError(f'"{key}": Not a valid string.')
            if len(str(item)) > METADATA_VALUE_LENGTH:
                raise ValidationError(f'"{key}": Ensure this field has no more than {METADATA_VALUE_LENGTH} '
                                      "characters.")
            metadata[key] = str(item)
        return metadata


class PaymentCreateSchema(BaseSchema):
    amount = Amount(required=True)
    currency = Currency(required=True)
    description = Str(required=True)
    order_id = Str(allow_blank=True, max_length=255, load_default="")
    metadata = Metadata(load_default=dict)
    capture_method = Choice(CAPTURE_METHODS, load_default="automatic")
    payment_method = Str(allow_blank=True, allow_none=True, max_length=255)


class RefundSchema(BaseSchema):
    amount = Amount(allow_none=True)


class PaymentFilterSchema(BaseSchema):
    user = Int(validate=_POSITIVE)
    status = Choice(PAYMENT_STATUSES)


def _money(amount: decimal.Decimal) -> str:
    return f"{amount:.2f}"


def dump_payment(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.id, "user": payment.user_id, "amount": _money(payment.amount), "currency": payment.currency,
        "description": payment.description, "order_id": payment.order_id, "metadata": dict(payment.metadata),
        "capture_method": payment.capture_method, "status": payment.status,
        "payment_intent_id": payment.payment_intent_id, "client_secret": payment.client_secret,
        "refunded_amount": _money(payment.refunded_amount),
        "created_at": format_datetime(payment.created_at), "updated_at": format_datetime(payment.updated_at),
    }


def dump_payment_log(entry: PaymentLogEntry) -> dict[str, Any]:
    return {"id": entry.id, "payment": entry.payment_id, "event": entry.event, "from_status": entry.from_status,
            "to_status": entry.to_status, "message": entry.message, "created_at": format_datetime(entry.created_at)}
