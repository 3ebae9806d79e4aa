"""What the route table cannot say about each operation: its summary, tag, body and query schemas,
its answer's shape, and the errors its domain service may raise beyond the ones derived from the
view (authentication, permission, path ids, bodies, throttling: see `openapi.py`).

Keyed by route name and method; a route without an entry here fails the description's test.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from marshmallow import Schema

from .schemas.auth import (
    LoginSchema,
    LogoutSchema,
    PasswordChangeSchema,
    PasswordResetConfirmSchema,
    PasswordResetSchema,
    ProfileSchema,
    RegistrationSchema,
)
from .schemas.payments import PaymentCreateSchema, PaymentFilterSchema, RefundSchema
from .schemas.plans import PlanWriteSchema, PricingWriteSchema
from .schemas.subscriptions import (
    CancelSchema,
    ChangeSchema,
    PaymentMethodSchema,
    SubscribeSchema,
    SubscriptionFilterSchema,
)
from .schemas.tenants import TenantFilterSchema, TenantWriteSchema
from .schemas.users import (
    ActivateSchema,
    AssignRoleSchema,
    AuditFilterSchema,
    SetPasswordSchema,
    UserCreateSchema,
    UserFilterSchema,
    UserWriteSchema,
)

# How an answer is wrapped: one object, a paginated envelope, a plain array, an object or null.
ONE, PAGE, ARRAY, NULLABLE = "one", "page", "array", "nullable"


@dataclass(frozen=True)
class Operation:
    summary: str
    tag: str
    answer: str | None = None  # the name of a shape in openapi_shapes (None: no body, 204)
    wrap: str = ONE
    body: type[Schema] | None = None
    partial: bool = False  # PATCH: every field optional
    query: type[Schema] | None = None
    errors: frozenset[int] = field(default_factory=frozenset)  # what the domain service adds
    idempotent: bool = False  # honours `Idempotency-Key`
    description: str = ""


def op(summary: str, tag: str, answer: str | None = None, *, errors: tuple[int, ...] = (),
       **kwargs: object) -> Operation:
    return Operation(summary, tag, answer, errors=frozenset(errors), **kwargs)  # type: ignore[arg-type]


AUTH, TENANTS, USERS, AUDIT, BILLING, PLANS, PAYMENTS, OPS = (
    "auth", "tenants", "users", "audit", "subscriptions", "plans", "payments", "operations")

# A live paid operation may be refused by the provider (400), find it unreachable or absent (503),
# or meet another attempt of the same user still running (409).
_PAID = (400, 409, 503)

# What a body's schema says beyond its fields, by the body's component name: login takes a
# password and a username or an e-mail address (either may be blank when the other is given).
_GIVEN = {"minLength": 1, "pattern": r"\S"}  # not blank once trimmed
BODY_RULES: dict[str, dict[str, object]] = {
    "Login": {"required": ["password"], "properties": {"password": _GIVEN},
              "anyOf": [{"required": ["username"], "properties": {"username": _GIVEN}},
                        {"required": ["email"], "properties": {"email": _GIVEN}}]},
}

OPERATIONS: dict[tuple[str, str], Operation] = {
    ("auth.login", "POST"): op("Log in (username or e-mail, and password)", AUTH, "TokenAnswer", body=LoginSchema),
    ("auth.logout", "POST"): op("Log out: revoke the presented token, or every token with `all`", AUTH, "Detail",
                                body=LogoutSchema),
    ("auth.registration", "POST"): op("Register a subscriber without a tenant", AUTH, "TokenAnswer",
                                      body=RegistrationSchema, errors=(403,),
                                      description="403 when registration is closed (REGISTRATION_OPEN)."),
    ("auth.user", "GET"): op("The caller's user", AUTH, "User"),
    ("auth.user", "PUT"): op("Replace the caller's profile", AUTH, "User", body=ProfileSchema),
    ("auth.user", "PATCH"): op("Change the caller's profile", AUTH, "User", body=ProfileSchema, partial=True),
    ("auth.password_change", "POST"): op("Change the caller's password (other tokens are revoked)", AUTH, "Detail",
                                         body=PasswordChangeSchema),
    ("auth.password_reset", "POST"): op("Mail a password reset link", AUTH, "Detail", body=PasswordResetSchema),
    ("auth.password_reset_confirm", "POST"): op("Set a new password with the link's uid and token", AUTH, "Detail",
                                                body=PasswordResetConfirmSchema),
    ("auth.tokens", "GET"): op("The caller's live tokens", AUTH, "TokenInfo", wrap=ARRAY),
    ("auth.token", "DELETE"): op("Revoke one of the caller's tokens", AUTH),
    ("health", "GET"): op("Is the service up and its database reachable", OPS, "Health",
                          description="503 with the same shape (`database`: `unreachable`) when it is not."),
    ("meta", "GET"): op("What a client needs before login", OPS, "Meta"),
    ("openapi", "GET"): op("This description (OpenAPI 3.1, JSON)", OPS),
    ("openapi.docs", "GET"): op("This description as a browsable page (HTML)", OPS),
    ("tenants", "GET"): op("List tenants", TENANTS, "Tenant", wrap=PAGE, query=TenantFilterSchema),
    ("tenants", "POST"): op("Create a tenant", TENANTS, "Tenant", body=TenantWriteSchema),
    ("tenants.me", "GET"): op("The caller's tenant (tenant owners)", TENANTS, "Tenant", errors=(403, 404)),
    ("tenants.me", "PATCH"): op("Change the caller's tenant (tenant owners)", TENANTS, "Tenant",
                                body=TenantWriteSchema, partial=True, errors=(403, 404)),
    ("tenant", "GET"): op("Read a tenant", TENANTS, "Tenant"),
    ("tenant", "PUT"): op("Replace a tenant", TENANTS, "Tenant", body=TenantWriteSchema),
    ("tenant", "PATCH"): op("Change a tenant", TENANTS, "Tenant", body=TenantWriteSchema, partial=True),
    ("tenant", "DELETE"): op("Delete a tenant without users", TENANTS, errors=(400,)),
    ("users", "GET"): op("List users", USERS, "User", wrap=PAGE, query=UserFilterSchema),
    ("users", "POST"): op("Create a user", USERS, "User", body=UserCreateSchema),
    ("user", "GET"): op("Read a user", USERS, "User"),
    ("user", "PUT"): op("Replace a user", USERS, "User", body=UserWriteSchema),
    ("user", "PATCH"): op("Change a user", USERS, "User", body=UserWriteSchema, partial=True),
    ("user", "DELETE"): op("Delete a user (not one whose paid subscription is live)", USERS, errors=(400,)),
    ("user.activate", "POST"): op("Activate or deactivate a user", USERS, "User", body=ActivateSchema),
    ("user.assign_role", "POST"): op("Give a user a role", USERS, "User", body=AssignRoleSchema),
    ("user.set_password", "POST"): op("Set a user's password (their tokens are revoked)", USERS, "Detail",
                                      body=SetPasswordSchema),
    ("audit", "GET"): op("The audit log, newest first", AUDIT, "AuditEntry", wrap=PAGE, query=AuditFilterSchema),
    ("dashboard", "GET"): op("The dashboard's figures", AUDIT, "DashboardStats"),
    ("catalogue", "GET"): op("The plan catalogue", PLANS, "Plan", wrap=ARRAY),
    ("plans", "GET"): op("Every plan, retired ones included (staff)", PLANS, "Plan", wrap=PAGE),
    ("plans", "POST"): op("Create a plan and its pricings (reaches Stripe)", PLANS, "Plan", body=PlanWriteSchema,
                          errors=(503,)),
    ("plan", "GET"): op("Read a plan", PLANS, "Plan"),
    ("plan", "PATCH"): op("Change a plan", PLANS, "Plan", body=PlanWriteSchema, partial=True, errors=(503,)),
    ("plan", "DELETE"): op("Retire a plan", PLANS, "Plan", errors=(503,)),
    ("plan.pricings", "POST"): op("Add a pricing to a plan", PLANS, "Plan", body=PricingWriteSchema, errors=(503,)),
    ("plan.pricing", "DELETE"): op("Retire a pricing", PLANS, "Plan", errors=(503,)),
    ("subscriptions.subscribe", "POST"): op("Subscribe to a pricing or a plan", BILLING, "SubscriptionStarted",
                                            body=SubscribeSchema, errors=(*_PAID, 404), idempotent=True),
    ("subscriptions.cancel", "POST"): op("Cancel a subscription at period end (staff: at once)", BILLING,
                                         "Subscription", body=CancelSchema, errors=(*_PAID, 403, 404),
                                         description="403 when a caller who is not staff asks for `at_once`."),
    ("subscriptions.change", "POST"): op("Move the live paid subscription to another pricing", BILLING,
                                         "SubscriptionStarted", body=ChangeSchema, errors=(*_PAID, 404),
                                         idempotent=True),
    ("subscriptions.resume", "POST"): op("Undo a cancel at period end", BILLING, "Subscription", errors=_PAID),
    ("subscriptions.payment-method", "POST"): op("Make a card the customer's default", BILLING,
                                                 "PaymentMethodSet", body=PaymentMethodSchema, errors=_PAID),
    ("subscriptions.setup-intent", "POST"): op(
        "Start saving a card: a Stripe SetupIntent for the caller's browser", BILLING, "SetupIntentStarted",
        errors=(400, 503), description="No body. The browser confirms it with `client_secret` (Stripe.js "
        "`confirmCardSetup`) and subscribes with the payment method it made. Answered with "
        "`Cache-Control: no-store`."),
    ("subscriptions", "GET"): op("Subscriptions the caller may read", BILLING, "Subscription", wrap=PAGE,
                                 query=SubscriptionFilterSchema),
    ("subscriptions.status", "GET"): op("The caller's current subscription, or null", BILLING, "Subscription",
                                        wrap=NULLABLE),
    ("subscriptions.limits", "GET"): op("The caller's daily limits", BILLING, "Limits"),
    ("subscriptions.invoices", "GET"): op("The caller's invoices, as Stripe reports them", BILLING, "Invoice",
                                          wrap=ARRAY, errors=(503,)),
    ("webhooks.stripe", "POST"): op("Stripe's signed events", PAYMENTS, "WebhookReceived", errors=(400, 413)),
    ("webhooks.stripe.alias", "POST"): op("Stripe's signed events (alias)", PAYMENTS, "WebhookReceived",
                                          errors=(400, 413)),
    ("payments", "GET"): op("Payments the caller may read", PAYMENTS, "Payment", wrap=PAGE, query=PaymentFilterSchema),
    ("payments", "POST"): op("Make a payment (a Stripe PaymentIntent)", PAYMENTS, "Payment",
                             body=PaymentCreateSchema, errors=_PAID, idempotent=True),
    ("payment", "GET"): op("Read a payment", PAYMENTS, "Payment"),
    ("payment.capture", "POST"): op("Capture a pre-authorized payment (staff)", PAYMENTS, "Payment", errors=_PAID),
    ("payment.refund", "POST"): op("Refund a confirmed payment, wholly or in part (staff)", PAYMENTS, "Payment",
                                   body=RefundSchema, errors=_PAID),
    ("payment.logs", "GET"): op("A payment's history, oldest first", PAYMENTS, "PaymentLog", wrap=ARRAY),
}
