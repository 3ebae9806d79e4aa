"""The answers' shapes for the OpenAPI description, as marshmallow schemas.

The user and tenant shapes are the schemas that dump them; the other answers are dumped by small
functions (`dump_payment`, ...), so their shapes are written here, field for field, and the
schemathesis run checks every answer against them. Every field of an answer is always present
(`required`); `allow_none` marks the ones that may be `null`.
"""

from __future__ import annotations

from marshmallow import Schema, fields

from wiwebb.domain.billing import PAYMENT_STATUSES
from wiwebb.domain.catalogue import INTERVALS
from wiwebb.domain.model import Role

from .schemas.auth import TenantSummarySchema, UserSchema
from .schemas.fields import DateTimeZ
from .schemas.payments import CAPTURE_METHODS
from .schemas.tenants import TenantSchema

_ROLES = [role.value for role in Role]


def _money(**kwargs: object) -> fields.String:
    return fields.String(metadata={"pattern": r"^-?\d+\.\d{2}$", "examples": ["200.00"]}, **kwargs)  # type: ignore[arg-type]


def _when(**kwargs: object) -> DateTimeZ:
    return DateTimeZ(**kwargs)  # type: ignore[arg-type]


class Detail(Schema):
    detail = fields.String(metadata={"description": "What happened, in DRF's words."})


class ServerError(Detail):
    request_id = fields.String(metadata={"description": "The id the traceback is logged under."})


class TenantSummary(TenantSummarySchema):
    pass


class User(UserSchema):
    email = fields.Email()
    role = fields.String(metadata={"enum": _ROLES})
    tenant = fields.Nested(TenantSummary, allow_none=True)
    last_login = _when(allow_none=True)
    password_updated = _when(allow_none=True, metadata={"description": "null until a password is set."})


class Tenant(TenantSchema):
    pass


class TokenAnswer(Schema):
    key = fields.String(metadata={"pattern": "^[0-9a-f]{40}$"})
    expires_at = _when()
    user = fields.Nested(User)


class TokenInfo(Schema):
    id = fields.Integer()
    created = _when()
    last_used = _when(allow_none=True)
    expires_at = _when()
    user_agent = fields.String()
    prefix = fields.String(metadata={"description": "The key's first 8 characters."})
    current = fields.Boolean(metadata={"description": "The token of this request."})


class Health(Schema):
    status = fields.String(metadata={"enum": ["ok", "unavailable"]})
    database = fields.String(metadata={"enum": ["ok", "unreachable"]})
    version = fields.String()


class Meta(Schema):
    version = fields.String()
    registration_open = fields.Boolean()
    stripe_public_key = fields.String(allow_none=True)
    stripe_js_url = fields.String(metadata={
        "description": "Where a browser client loads Stripe.js from: Stripe's, or localstripe's stand-in in "
                       "development (STRIPE_JS_URL)."})
    password_min_length = fields.Integer()


class Person(Schema):
    id = fields.Integer()
    username = fields.String()


class AuditEntry(Schema):
    id = fields.Integer()
    action = fields.String(metadata={"examples": ["user_created", "role_changed", "login_failed"]})
    actor = fields.Nested(Person, allow_none=True)
    target = fields.Nested(Person, allow_none=True)
    tenant = fields.Integer(allow_none=True)
    details = fields.Dict()
    timestamp = _when()


class MonthFigures(Schema):
    month = fields.String(metadata={"pattern": r"^\d{4}-\d{2}$"})
    new_subscriptions = fields.Integer()
    revenue = fields.Float()


class DashboardStats(Schema):
    total_tenants = fields.Integer()
    total_users = fields.Integer()
    active_users = fields.Integer()
    active_subscriptions = fields.Integer()
    monthly_revenue = fields.Float()
    series = fields.List(fields.Nested(MonthFigures), metadata={"description": "The last 12 months."})


class Pricing(Schema):
    id = fields.Integer()
    amount = _money()
    currency = fields.String()
    interval = fields.String(metadata={"enum": list(INTERVALS)})
    trial_period_days = fields.Integer()
    active = fields.Boolean()


class Plan(Schema):
    id = fields.Integer()
    name = fields.String()
    description = fields.String()
    default = fields.Boolean()
    available = fields.Boolean()
    requires_payment = fields.Boolean()
    auto_renew = fields.Boolean()
    daily_time_minutes = fields.Integer(allow_none=True)
    daily_data_mb = fields.Integer(allow_none=True)
    stripe_product_id = fields.String(allow_none=True)
    created_at = _when()
    updated_at = _when()
    pricings = fields.List(fields.Nested(Pricing))


class Subscription(Schema):
    id = fields.Integer()
    user = fields.Integer()
    plan = fields.Integer()
    pricing = fields.Integer(allow_none=True)
    subscription_id = fields.String(allow_none=True, metadata={"description": "Stripe's id; null for Free."})
    status = fields.String(metadata={"examples": ["active", "incomplete", "trialing", "canceled"]})
    current_period_start = _when(allow_none=True)
    current_period_end = _when(allow_none=True)
    cancel_at_period_end = fields.Boolean()
    trial_end = _when(allow_none=True)
    created_at = _when()
    updated_at = _when()


class SubscriptionStarted(Subscription):
    """`client_secret` only when the first payment still needs the customer."""

    client_secret = fields.String(metadata={"x-optional": True})


class Limits(Schema):
    plan_id = fields.Integer(allow_none=True)
    plan_name = fields.String(allow_none=True)
    daily_time_minutes = fields.Integer(allow_none=True)
    daily_data_mb = fields.Integer(allow_none=True)


class Invoice(Schema):
    id = fields.String()
    number = fields.String(allow_none=True)
    status = fields.String()
    amount_due = _money()
    amount_paid = _money()
    currency = fields.String()
    period_start = _when(allow_none=True)
    period_end = _when(allow_none=True)
    hosted_invoice_url = fields.String(allow_none=True)
    subscription_id = fields.String(allow_none=True)


class PaymentMethodSet(Schema):
    payment_method = fields.String()


class SetupIntentStarted(Schema):
    """A Stripe SetupIntent for the caller's browser to confirm (Stripe.js `confirmCardSetup`)."""

    client_secret = fields.String(metadata={"examples": ["seti_123_secret_abc"]})
    id = fields.String(metadata={"pattern": "^seti_", "examples": ["seti_123"]})


class Payment(Schema):
    id = fields.Integer()
    user = fields.Integer()
    amount = _money()
    currency = fields.String()
    description = fields.String()
    order_id = fields.String()
    metadata = fields.Dict(keys=fields.String(), values=fields.String())
    capture_method = fields.String(metadata={"enum": list(CAPTURE_METHODS)})
    status = fields.String(metadata={"enum": list(PAYMENT_STATUSES)})
    payment_intent_id = fields.String(allow_none=True)
    client_secret = fields.String(allow_none=True)
    refunded_amount = _money()
    created_at = _when()
    updated_at = _when()


class PaymentLog(Schema):
    id = fields.Integer()
    payment = fields.Integer()
    event = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    message = fields.String()
    created_at = _when()


class WebhookReceived(Schema):
    received = fields.Boolean()
    outcome = fields.String(metadata={"enum": ["processed", "duplicate", "ignored"]})


SHAPES: tuple[type[Schema], ...] = (
    Detail, ServerError, TenantSummary, User, Tenant, TokenAnswer, TokenInfo, Health, Meta, Person, AuditEntry,
    MonthFigures, DashboardStats, Pricing, Plan, Subscription, SubscriptionStarted, Limits, Invoice,
    PaymentMethodSet, SetupIntentStarted, Payment, PaymentLog, WebhookReceived,
)
