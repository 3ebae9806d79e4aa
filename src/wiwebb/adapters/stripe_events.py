"""Stripe's webhook deliveries read into the domain's `ProviderEvent`: the `Stripe-Signature`
header checked on the raw body (HMAC-SHA256 with the endpoint secret, 300 s tolerance), then the
event's object read with the same readers as the API's answers (both Stripe layouts).

Whatever a signed body holds, reading it either gives a well-formed event or raises
`InvalidEvent(INVALID_PAYLOAD)` (a 400), never anything else: the event's id, type and `created`
are checked, a handled type must carry the object its type names, and the object read must have
fields of the expected types and times in range (what the database and `datetime` can hold)."""

from __future__ import annotations

import json
import logging
import types
from collections.abc import Mapping
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any, TypeGuard, Union, get_args, get_origin, get_type_hints

import stripe

from wiwebb.domain.webhooks import (
    INVALID_PAYLOAD,
    INVALID_SIGNATURE,
    InvalidEvent,
    ProviderEvent,
    object_kind,
)

from .stripe_gateway import read_invoice, read_payment_intent, read_subscription

log = logging.getLogger("wiwebb.webhooks")

TOLERANCE_SECONDS = 300
CREATED_LIMIT = 2**41  # `created`: 1 <= created < this (Unix seconds; a BigInteger, and sane)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)  # times in an object: EARLIEST <= time < LATEST
LATEST = datetime(3000, 1, 1, tzinfo=UTC)  # far from datetime's year 9999, which arithmetic overflows
AMOUNT_LIMIT = 10**12  # amounts, in minor units: 0 <= amount < this (the columns are Numeric(12, 2))
TEXT_LIMITS = {"status": 32, "hosted_invoice_url": 2048}  # the longest text of a field; others 255
TEXT_LIMIT = 255

# What reading a malformed body can raise: a wrong shape (a list for a dict, a number for a list),
# a missing key, a number or time out of range, nesting too deep for `json`.
_READING_ERRORS = (ValueError, LookupError, TypeError, AttributeError, ArithmeticError, OSError, RecursionError)
_READERS = {"subscription": read_subscription, "invoice": read_invoice, "payment_intent": read_payment_intent}


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
            return _event_of(json.loads(payload))
        except _Malformed as error:
            log.warning("Stripe webhook refused: %s", error)
        except _READING_ERRORS as error:
            log.warning("Stripe webhook refused: malformed payload (%s: %.200s)", type(error).__name__, error)
        raise InvalidEvent(INVALID_PAYLOAD)


class _Malformed(Exception):
    """Why a body is not a well-formed event (logged; the answer is only `Invalid payload.`)."""


def _event_of(data: Any) -> ProviderEvent:
    body = data.get("data") if isinstance(data, dict) else None
    if not isinstance(body, dict):
        raise _Malformed("not an event")
    event_id, event_type, created, obj = data.get("id"), data.get("type"), data.get("created"), body.get("object")
    if not _is_text(event_id) or not _is_text(event_type, 100):
        raise _Malformed("no valid event id or type")
    if not isinstance(created, int) or isinstance(created, bool) or not 1 <= created < CREATED_LIMIT:
        raise _Malformed(f"event {event_id} has no valid created time")
    if not isinstance(obj, dict):
        raise _Malformed(f"event {event_id} carries no object")
    kind = object_kind(event_type)
    if kind is None:  # not handled: acknowledged whatever its object
        return ProviderEvent(id=event_id, type=event_type, created=created)
    if obj.get("object") != kind:
        raise _Malformed(f"event {event_id} {event_type} carries no {kind} object")
    read: Any = _READERS[kind](obj)
    if not _well_formed(read):
        raise _Malformed(f"event {event_id} {event_type}: a field of its {kind} is malformed or out of range")
    return ProviderEvent(id=event_id, type=event_type, created=created, **{kind: read})


def _well_formed(read: Any) -> bool:
    """Every field of a Gateway* dataclass holds a value of its declared type, within range."""
    hints = get_type_hints(type(read))
    return all(_fits(getattr(read, field.name), hints[field.name], field.name) for field in fields(read))


def _fits(value: Any, hint: Any, name: str) -> bool:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        return any(_fits(value, option, name) for option in get_args(hint))
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < AMOUNT_LIMIT
    if hint is str:
        return _is_text(value, TEXT_LIMITS.get(name, TEXT_LIMIT), allow_empty=name != "id")
    if hint is datetime:
        return isinstance(value, datetime) and EARLIEST <= value < LATEST
    if origin is Mapping:  # metadata: text to text
        return isinstance(value, Mapping) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    return True  # a type this check does not know: left to the reader


def _is_text(value: Any, limit: int = TEXT_LIMIT, *, allow_empty: bool = False) -> TypeGuard[str]:
    """A string a database column takes: printable (no NUL, no lone surrogate), not too long."""
    return isinstance(value, str) and (allow_empty or value != "") and len(value) <= limit and value.isprintable()
