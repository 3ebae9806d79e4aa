"""The payment provider as the domain sees it: the `PaymentGateway` port, the plain values it
hands back, and the two ways a call can fail.

Amounts are integers in the currency's minor unit (cents), as the provider counts them; currencies
are lower-case ISO codes (`"usd"`). Times are timezone-aware UTC datetimes. No provider type
crosses this boundary: an adapter (Stripe, or a fake in tests) converts everything.

Every call that creates something takes an `idempotency_key`: the same key sent again (a retried
request, a replayed `Idempotency-Key` header) makes the provider answer the first result instead
of doing the work twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from .errors import DomainError

Interval = Literal["day", "week", "month", "year"]
CaptureMethod = Literal["automatic", "manual"]


class PaymentProviderUnavailable(DomainError):
    """The provider could not be reached, timed out, or failed on its side (5xx). Nothing is known
    about whether the call took effect: retry it with the same idempotency key."""

    detail = "Payment provider unavailable. Try again later."  # the contract's words

    def __init__(self, reason: str | None = None) -> None:
        super().__init__(reason or self.detail)


class PaymentRefused(DomainError):
    """The provider refused the call: a declined card, or a request it finds invalid. `detail` is
    the provider's own message, meant for the user; `code` its machine-readable reason, if any
    (`card_declined`, `resource_missing`, ...)."""

    def __init__(self, detail: str, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code


# Stripe's answer to a card that another customer holds (it attaches a payment method to one
# customer only); the adapters give it where a stand-in (localstripe) would attach the card again.
ATTACHED_ELSEWHERE = "The payment method you provided has already been attached to a customer."


@dataclass(frozen=True)
class GatewayCustomer:
    id: str
    email: str | None
    name: str | None


@dataclass(frozen=True)
class GatewayProduct:
    id: str
    name: str


@dataclass(frozen=True)
class GatewayPrice:
    """A recurring price: `amount` every `interval_count` `interval`s."""

    id: str
    product: str
    amount: int
    currency: str
    interval: str
    interval_count: int
    active: bool


@dataclass(frozen=True)
class GatewaySubscription:
    id: str
    status: str  # incomplete, incomplete_expired, trialing, active, past_due, unpaid, paused, canceled
    customer: str
    price: str
    current_period_start: datetime | None
    current_period_end: datetime | None
    cancel_at_period_end: bool
    trial_end: datetime | None
    metadata: Mapping[str, str] = field(default_factory=dict)
    # The secret with which the customer's browser completes the latest invoice's payment
    # (Stripe.js `confirmCardPayment`); None when that invoice needs nothing more from them.
    client_secret: str | None = None


@dataclass(frozen=True)
class GatewayPaymentIntent:
    id: str
    status: str  # requires_payment_method, requires_confirmation, requires_action, processing,
    #              requires_capture, succeeded, canceled
    amount: int
    currency: str
    amount_received: int
    amount_refunded: int
    client_secret: str | None
    capture_method: str
    customer: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    # False when the charge was not expanded (a webhook's intent names it by id): then
    # `amount_refunded` says nothing, and the intent must be read back before it is applied.
    refunds_known: bool = True


@dataclass(frozen=True)
class GatewayRefund:
    id: str
    payment_intent: str | None
    amount: int
    currency: str
    status: str  # pending, succeeded, failed, canceled


@dataclass(frozen=True)
class GatewaySetupIntent:
    """A card being saved for later payments: the customer's browser confirms it with
    `client_secret` (Stripe.js `confirmCardSetup`), which makes the card's payment method (and, on
    Stripe, attaches it to `customer`)."""

    id: str
    client_secret: str
    status: str  # requires_payment_method, requires_confirmation, requires_action, processing,
    #              succeeded, canceled
    customer: str | None
    payment_method: str | None = None  # once confirmed


@dataclass(frozen=True)
class GatewayInvoice:
    id: str
    number: str | None  # None until the invoice is finalized (and always on localstripe)
    amount_due: int
    amount_paid: int
    currency: str
    status: str  # draft, open, paid, uncollectible, void
    period_start: datetime | None
    period_end: datetime | None
    hosted_invoice_url: str | None
    subscription: str | None = None


class PaymentGateway(Protocol):
    """The payment provider. Every method raises `PaymentProviderUnavailable` when the provider
    cannot answer, and `PaymentRefused` when it refuses (a declined card, an unknown id)."""

    def create_customer(self, email: str | None, name: str | None, metadata: Mapping[str, str],
                        *, idempotency_key: str | None = None) -> GatewayCustomer: ...

    def set_default_payment_method(self, customer: str, payment_method: str) -> str:
        """Attach the payment method to the customer (unless it is attached to them already, as
        a SetupIntent's card is) and make it the one their invoices are paid with. Returns the
        attached method's id, which differs from `payment_method` when that is a test alias such
        as `pm_card_visa`."""
        ...

    def create_setup_intent(self, customer: str, *, idempotency_key: str | None = None) -> GatewaySetupIntent:
        """A SetupIntent for saving a card of the customer for payments made without them
        (`usage=off_session`, cards only). Its `client_secret` goes to the customer's browser;
        the payment method it makes is then handed to `set_default_payment_method`."""
        ...

    def create_product(self, name: str, description: str | None = None,
                       *, idempotency_key: str | None = None) -> GatewayProduct: ...

    def create_price(self, product: str, amount: int, currency: str, interval: Interval,
                     interval_count: int = 1, *, idempotency_key: str | None = None) -> GatewayPrice: ...

    def deactivate_price(self, price: str) -> GatewayPrice:
        """Retire a price: no new subscription may use it; existing ones keep it."""
        ...

    def create_subscription(self, customer: str, price: str, *, trial_days: int | None = None,
                            cancel_at_period_end: bool = False, metadata: Mapping[str, str] | None = None,
                            idempotency_key: str | None = None) -> GatewaySubscription:
        """Subscribe the customer, charging their default payment method at once (unless on
        trial). A declined first payment still creates the subscription, `incomplete`, with the
        `client_secret` the customer needs to pay another way. `metadata` is kept on the
        provider's object (WiWebb records its operation key there, to reconcile)."""
        ...

    def retrieve_subscription(self, subscription: str) -> GatewaySubscription: ...

    def list_subscriptions(self, customer: str) -> Sequence[GatewaySubscription]:
        """All the customer's subscriptions, ended ones included (at most 100), newest first."""
        ...

    def cancel_subscription(self, subscription: str) -> GatewaySubscription:
        """End the subscription now (status `canceled`)."""
        ...

    def set_cancel_at_period_end(self, subscription: str, cancel: bool) -> GatewaySubscription:
        """Cancel at the end of the current period (True), or undo that (False)."""
        ...

    def change_subscription_price(self, subscription: str, price: str, *, prorate: bool = True,
                                  idempotency_key: str | None = None) -> GatewaySubscription: ...

    def list_invoices(self, customer: str) -> Sequence[GatewayInvoice]:
        """The customer's invoices, newest first (at most 100)."""
        ...

    def create_payment_intent(self, amount: int, currency: str, *, customer: str | None = None,
                              description: str | None = None,
                              metadata: Mapping[str, str] | None = None,
                              capture_method: CaptureMethod = "automatic",
                              payment_method: str | None = None,
                              idempotency_key: str | None = None) -> GatewayPaymentIntent:
        """A payment of `amount`. With `payment_method` it is confirmed at once (charged, or only
        authorized when `capture_method` is `manual`); without, the customer's browser confirms it
        with the `client_secret`."""
        ...

    def capture_payment_intent(self, payment_intent: str, amount: int | None = None,
                               *, idempotency_key: str | None = None) -> GatewayPaymentIntent:
        """Capture an authorized (`requires_capture`) payment, all of it or `amount`."""
        ...

    def refund(self, payment_intent: str, amount: int | None = None,
               *, idempotency_key: str | None = None) -> GatewayRefund:
        """Refund a succeeded payment, all of what is left of it or `amount`."""
        ...

    def retrieve_payment_intent(self, payment_intent: str) -> GatewayPaymentIntent: ...


def configured(gateway: PaymentGateway | None) -> PaymentGateway:
    """The gateway, or `PaymentProviderUnavailable` when none is configured."""
    if gateway is None:
        raise PaymentProviderUnavailable("no payment provider is configured (STRIPE_SECRET_KEY)")
    return gateway
