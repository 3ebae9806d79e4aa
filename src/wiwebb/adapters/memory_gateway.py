"""An in-memory `PaymentGateway` that answers as Stripe does, for tests and local development.

Modelled: customers and their default card; products and prices; subscriptions (trial, first
payment, `incomplete` with the open invoice's `client_secret` after a decline, price changes,
cancelling); one invoice per subscription creation or price change; payment intents (automatic or
manual capture, refunds); Stripe's error codes; idempotency keys (a key sent again replays the
first answer, the very same object, and a declined card's refusal; reused with other parameters
it is refused). Ids are Stripe-like (`cus_1`, `sub_2`, ...) from one counter, so deterministic.
A trial is the subscription's first period (its end is `trial_end`), as on Stripe. Not modelled:
time passing (no renewals, no trial ending), webhooks, proration line items.

Cards: `set_default_payment_method` and `create_payment_intent(payment_method=...)` take any
`pm_...` id (a good card) or the test aliases `pm_card_visa` (good), `pm_card_chargeCustomerFail`
and `pm_card_declined` (attach, but every charge is declined); `pm_invalid...` is unknown. A card
saved through a SetupIntent is made by `confirm_setup_intent`, what Stripe.js does in the browser.

Test controls: `now` (settable; otherwise the `clock` given, or the real time), `fail_next(n)`
and `unavailable` (calls raise `PaymentProviderUnavailable` and do nothing), `lose_next_answer(n)`
(the call takes effect, then raises it: the answer was lost), `calls` (every call made, as
`(method, idempotency_key)`), `set_subscription_status` (what a webhook would report),
`confirm_setup_intent` (the customer's browser confirming a SetupIntent), and the stores
(`customers`, `products`, `prices`, `payment_intents`, `refunds`, `subscriptions`, `invoices`,
`default_payment_methods`, `setup_intents`, `attached_payment_methods`) to look behind the port
without making calls.
"""

from __future__ import annotations

import functools
import inspect
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar, cast

from wiwebb.domain.payments import (
    ATTACHED_ELSEWHERE,
    CaptureMethod,
    GatewayCustomer,
    GatewayInvoice,
    GatewayPaymentIntent,
    GatewayPrice,
    GatewayProduct,
    GatewayRefund,
    GatewaySetupIntent,
    GatewaySubscription,
    Interval,
    PaymentGateway,
    PaymentProviderUnavailable,
    PaymentRefused,
)
from wiwebb.domain.ports import Clock

P = ParamSpec("P")
R = TypeVar("R")

# Stripe's test aliases: whether charges to the card fail.
CARD_ALIASES = {"pm_card_visa": False, "pm_card_chargeCustomerFail": True, "pm_card_declined": True}
STATUSES = frozenset({"incomplete", "incomplete_expired", "trialing", "active", "past_due", "unpaid", "paused",
                      "canceled"})
INTERVAL_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
DECLINED = "Your card was declined."


def _provider_call(method: Callable[Concatenate[InMemoryPaymentGateway, P], R],
                   ) -> Callable[Concatenate[InMemoryPaymentGateway, P], R]:
    """Run a gateway method as a request to the provider: recorded in `calls`, subject to the
    failure controls, and replayed when its `idempotency_key` was seen before."""
    signature = inspect.signature(method)

    @functools.wraps(method)
    def call(gateway: InMemoryPaymentGateway, /, *args: P.args, **kwargs: P.kwargs) -> R:
        bound = signature.bind(gateway, *args, **kwargs)
        bound.apply_defaults()
        key = bound.arguments.pop("idempotency_key", None)
        request = {name: dict(value) if isinstance(value, Mapping) else value
                   for name, value in bound.arguments.items() if name != "self"}
        return gateway._call(method.__name__, key, request, lambda: method(gateway, *args, **kwargs))

    return call


@dataclass
class _Subscription:
    value: GatewaySubscription  # without its client_secret, which comes from the latest invoice
    latest_invoice: str | None = None


@dataclass
class _Invoice:
    value: GatewayInvoice
    customer: str
    payment_intent: str | None


class InMemoryPaymentGateway:
    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock
        self._now: datetime | None = None
        self.unavailable = False  # while True, every call raises PaymentProviderUnavailable
        self.calls: list[tuple[str, str | None]] = []
        self._failures = 0
        self._lost_answers = 0
        self._replies: dict[str, tuple[tuple[str, dict[str, object]], object]] = {}
        self._ids = itertools.count(1)
        self._invoice_numbers = itertools.count(1)
        self.customers: dict[str, GatewayCustomer] = {}
        self.customer_metadata: dict[str, dict[str, str]] = {}
        self.default_payment_methods: dict[str, str] = {}  # customer -> payment method
        self.attached_payment_methods: dict[str, str] = {}  # payment method -> customer
        self.setup_intents: dict[str, GatewaySetupIntent] = {}
        self._cards: dict[str, bool] = {}  # payment method -> whether its charges fail
        self.products: dict[str, GatewayProduct] = {}
        self.prices: dict[str, GatewayPrice] = {}
        self._subscriptions: dict[str, _Subscription] = {}
        self._invoices: dict[str, _Invoice] = {}
        self.payment_intents: dict[str, GatewayPaymentIntent] = {}
        self.refunds: dict[str, GatewayRefund] = {}

    # -- test controls ---------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        if self._now is not None:
            return self._now
        return self.clock.now() if self.clock is not None else datetime.now(UTC)

    @now.setter
    def now(self, value: datetime) -> None:
        if value.tzinfo is None:
            raise ValueError("the gateway's time must be timezone-aware")
        self._now = value

    def fail_next(self, n: int = 1) -> None:
        """The next `n` calls raise `PaymentProviderUnavailable` and do nothing."""
        self._failures += n

    def lose_next_answer(self, n: int = 1) -> None:
        """The next `n` calls take effect, then raise `PaymentProviderUnavailable`."""
        self._lost_answers += n

    def set_subscription_status(self, subscription: str, status: str) -> GatewaySubscription:
        """Move a subscription as the provider would on its own (the customer paid, a renewal
        failed, ...). Becoming `active` or `trialing` pays its open latest invoice; becoming
        `incomplete_expired` voids it. Not a call: neither recorded nor subject to failures."""
        if status not in STATUSES:
            raise ValueError(f"unknown subscription status {status!r}")
        record = self._subscription(subscription)
        record.value = replace(record.value, status=status)
        invoice = self._invoices.get(record.latest_invoice or "")
        if invoice is not None and invoice.value.status == "open":
            if status in ("active", "trialing"):
                self._settle(invoice)
            elif status == "incomplete_expired":
                invoice.value = replace(invoice.value, status="void")
        return self._view(record)

    def confirm_setup_intent(self, setup_intent: str, card: str = "pm_card_visa") -> GatewaySetupIntent:
        """What Stripe.js `confirmCardSetup` does with the intent's client secret: make a payment
        method of `card` (a test alias says whether its charges fail) and attach it to the intent's
        customer. Not a call: neither recorded nor subject to failures."""
        intent = self.setup_intents[setup_intent]
        if intent.status != "requires_payment_method":
            raise PaymentRefused("You cannot confirm this SetupIntent because it has already succeeded.",
                                 "setup_intent_unexpected_state")
        made = self._new_id("pm")
        self._cards[made] = self._card_fails(card)
        if intent.customer is not None:
            self.attached_payment_methods[made] = intent.customer
        self.setup_intents[setup_intent] = replace(intent, status="succeeded", payment_method=made)
        return self.setup_intents[setup_intent]

    @property
    def subscriptions(self) -> dict[str, GatewaySubscription]:
        return {key: self._view(record) for key, record in self._subscriptions.items()}

    @property
    def invoices(self) -> dict[str, GatewayInvoice]:
        return {key: invoice.value for key, invoice in self._invoices.items()}

    # -- the port --------------------------------------------------------------------------------

    @_provider_call
    def create_customer(self, email: str | None, name: str | None, metadata: Mapping[str, str],
                        *, idempotency_key: str | None = None) -> GatewayCustomer:
        customer = GatewayCustomer(id=self._new_id("cus"), email=email, name=name)
        self.customers[customer.id] = customer
        self.customer_metadata[customer.id] = dict(metadata)
        return customer

    @_provider_call
    def create_setup_intent(self, customer: str, *, idempotency_key: str | None = None) -> GatewaySetupIntent:
        self._customer(customer)
        intent_id = self._new_id("seti")
        intent = GatewaySetupIntent(id=intent_id, client_secret=f"{intent_id}_secret_{next(self._ids)}",
                                    status="requires_payment_method", customer=customer)
        self.setup_intents[intent_id] = intent
        return intent

    @_provider_call
    def set_default_payment_method(self, customer: str, payment_method: str) -> str:
        self._customer(customer)
        fails = self._card_fails(payment_method)
        if self.attached_payment_methods.get(payment_method, customer) != customer:
            raise PaymentRefused(ATTACHED_ELSEWHERE)
        attached = self._new_id("pm") if payment_method in CARD_ALIASES else payment_method
        self._cards[attached] = fails
        self.attached_payment_methods[attached] = customer
        self.default_payment_methods[customer] = attached
        return attached

    @_provider_call
    def create_product(self, name: str, description: str | None = None,
                       *, idempotency_key: str | None = None) -> GatewayProduct:
        product = GatewayProduct(id=self._new_id("prod"), name=name)
        self.products[product.id] = product
        return product

    @_provider_call
    def create_price(self, product: str, amount: int, currency: str, interval: Interval,
                     interval_count: int = 1, *, idempotency_key: str | None = None) -> GatewayPrice:
        if product not in self.products:
            raise PaymentRefused(f"No such product: '{product}'", "resource_missing")
        if interval not in INTERVAL_DAYS or interval_count < 1:
            raise PaymentRefused("Invalid interval: must be one of day, month, week, or year", "parameter_invalid")
        if amount < 0:
            raise PaymentRefused("This value must be greater than or equal to 0.", "parameter_invalid_integer")
        price = GatewayPrice(id=self._new_id("price"), product=product, amount=amount, currency=currency,
                             interval=interval, interval_count=interval_count, active=True)
        self.prices[price.id] = price
        return price

    @_provider_call
    def deactivate_price(self, price: str) -> GatewayPrice:
        self.prices[price] = replace(self._price(price), active=False)
        return self.prices[price]

    @_provider_call
    def create_subscription(self, customer: str, price: str, *, trial_days: int | None = None,
                            cancel_at_period_end: bool = False, metadata: Mapping[str, str] | None = None,
                            idempotency_key: str | None = None) -> GatewaySubscription:
        self._customer(customer)
        chosen = self._live_price(price)
        now = self._stamp()
        trial_end = now + timedelta(days=trial_days) if trial_days else None
        end = trial_end or _period_end(now, chosen)
        record = _Subscription(GatewaySubscription(
            id=self._new_id("sub"), status="trialing" if trial_end else "active", customer=customer,
            price=chosen.id, current_period_start=now, current_period_end=end,
            cancel_at_period_end=cancel_at_period_end, trial_end=trial_end, metadata=dict(metadata or {})))
        self._subscriptions[record.value.id] = record
        if not self._bill(record, 0 if trial_end else chosen.amount, chosen.currency, now, end):
            record.value = replace(record.value, status="incomplete")
        return self._view(record)

    @_provider_call
    def retrieve_subscription(self, subscription: str) -> GatewaySubscription:
        return self._view(self._subscription(subscription))

    @_provider_call
    def list_subscriptions(self, customer: str) -> Sequence[GatewaySubscription]:
        self._customer(customer)
        found = [self._view(r) for r in reversed(self._subscriptions.values()) if r.value.customer == customer]
        return found[:100]

    @_provider_call
    def cancel_subscription(self, subscription: str) -> GatewaySubscription:
        record = self._subscription(subscription)
        record.value = replace(record.value, status="canceled")
        return self._view(record)

    @_provider_call
    def set_cancel_at_period_end(self, subscription: str, cancel: bool) -> GatewaySubscription:
        record = self._changeable(subscription)
        record.value = replace(record.value, cancel_at_period_end=cancel)
        return self._view(record)

    @_provider_call
    def change_subscription_price(self, subscription: str, price: str, *, prorate: bool = True,
                                  idempotency_key: str | None = None) -> GatewaySubscription:
        """Same interval: the period stays, the difference for its rest is invoiced (if `prorate`).
        Another interval: a new period starts now, invoiced in full less (if `prorate`) the unused
        part of the old one. On trial: nothing is charged. A declined charge makes it `past_due`."""
        record = self._changeable(subscription)
        new = self._live_price(price)
        current = record.value
        if new.id == current.price:
            return self._view(record)
        old, now = self.prices[current.price], self._stamp()
        start, end = current.current_period_start or now, current.current_period_end or now
        unused = (end - now) / (end - start) if end > start else 0.0
        billed_from = now
        if current.status == "trialing":
            amount = 0
        elif (new.interval, new.interval_count) == (old.interval, old.interval_count):
            amount = max(0, round((new.amount - old.amount) * unused)) if prorate else 0
        else:
            start, end = now, _period_end(now, new)
            amount = max(0, new.amount - (round(old.amount * unused) if prorate else 0))
        record.value = replace(current, price=new.id, current_period_start=start, current_period_end=end)
        if not self._bill(record, amount, new.currency, billed_from, end) and current.status == "active":
            record.value = replace(record.value, status="past_due")
        return self._view(record)

    @_provider_call
    def list_invoices(self, customer: str) -> Sequence[GatewayInvoice]:
        self._customer(customer)
        return [i.value for i in reversed(self._invoices.values()) if i.customer == customer][:100]

    @_provider_call
    def create_payment_intent(self, amount: int, currency: str, *, customer: str | None = None,
                              description: str | None = None,
                              metadata: Mapping[str, str] | None = None,
                              capture_method: CaptureMethod = "automatic",
                              payment_method: str | None = None,
                              idempotency_key: str | None = None) -> GatewayPaymentIntent:
        if customer is not None:
            self._customer(customer)
            if payment_method is not None and self.attached_payment_methods.get(payment_method, customer) != customer:
                raise PaymentRefused(ATTACHED_ELSEWHERE)
        if amount < 1:
            raise PaymentRefused("This value must be greater than or equal to 1.", "parameter_invalid_integer")
        status, received = "requires_payment_method", 0
        if payment_method is not None:
            if self._card_fails(payment_method):  # Stripe keeps the failed intent, awaiting another card
                self._new_intent(amount, currency, customer, capture_method, metadata, status, 0)
                raise PaymentRefused(DECLINED, "card_declined")
            manual = capture_method == "manual"
            status, received = ("requires_capture", 0) if manual else ("succeeded", amount)
        return self._new_intent(amount, currency, customer, capture_method, metadata, status, received)

    @_provider_call
    def capture_payment_intent(self, payment_intent: str, amount: int | None = None,
                               *, idempotency_key: str | None = None) -> GatewayPaymentIntent:
        intent = self._intent(payment_intent)
        if intent.status != "requires_capture":
            raise PaymentRefused(f"This PaymentIntent could not be captured because it has a status of "
                                 f"{intent.status}. Only a PaymentIntent with one of the following statuses "
                                 "may be captured: requires_capture.", "payment_intent_unexpected_state")
        captured = intent.amount if amount is None else amount
        if not 0 < captured <= intent.amount:
            raise PaymentRefused("The amount to capture must be a positive integer no greater than the amount "
                                 "authorized.", "amount_too_large")
        self.payment_intents[intent.id] = replace(intent, status="succeeded", amount_received=captured)
        return self.payment_intents[intent.id]

    @_provider_call
    def refund(self, payment_intent: str, amount: int | None = None,
               *, idempotency_key: str | None = None) -> GatewayRefund:
        intent = self._intent(payment_intent)
        if intent.status != "succeeded":
            raise PaymentRefused(f"This PaymentIntent ({intent.id}) does not have a successful charge to refund.",
                                 "charge_not_refundable")
        left = intent.amount_received - intent.amount_refunded
        if left == 0:
            raise PaymentRefused(f"The charge of {intent.id} has already been refunded.", "charge_already_refunded")
        refunded = left if amount is None else amount
        if not 0 < refunded <= left:
            raise PaymentRefused(f"Refund amount ({_money(refunded)}) is greater than unrefunded amount on "
                                 f"charge ({_money(left)})", "amount_too_large")
        self.payment_intents[intent.id] = replace(intent, amount_refunded=intent.amount_refunded + refunded)
        refund = GatewayRefund(id=self._new_id("re"), payment_intent=intent.id, amount=refunded,
                               currency=intent.currency, status="succeeded")
        self.refunds[refund.id] = refund
        return refund

    @_provider_call
    def retrieve_payment_intent(self, payment_intent: str) -> GatewayPaymentIntent:
        return self._intent(payment_intent)

    # -- the provider's workings -----------------------------------------------------------------

    def _call(self, method: str, key: str | None, request: dict[str, object], work: Callable[[], R]) -> R:
        self.calls.append((method, key))
        if self.unavailable:
            raise PaymentProviderUnavailable()
        if self._failures:
            self._failures -= 1
            raise PaymentProviderUnavailable()
        outcome: object
        if key is not None and key in self._replies:
            first, outcome = self._replies[key]
            if first != (method, request):  # the real adapter reads Stripe's idempotency_error so too
                raise PaymentProviderUnavailable("idempotency key refused: keys for idempotent requests can only "
                                                 "be used with the same parameters they were first used with")
        else:
            try:
                outcome = work()
            except PaymentRefused as refusal:  # a decline was a charge: Stripe keeps it; others not
                outcome = refusal
            if key is not None and (not isinstance(outcome, PaymentRefused) or outcome.code == "card_declined"):
                self._replies[key] = ((method, request), outcome)
        if self._lost_answers:
            self._lost_answers -= 1
            raise PaymentProviderUnavailable()
        if isinstance(outcome, PaymentRefused):
            raise PaymentRefused(outcome.detail, outcome.code)
        return cast(R, outcome)

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids)}"

    def _stamp(self) -> datetime:
        """Now, in whole seconds as Stripe keeps times."""
        return self.now.astimezone(UTC).replace(microsecond=0)

    def _customer(self, customer: str) -> GatewayCustomer:
        if customer not in self.customers:
            raise PaymentRefused(f"No such customer: '{customer}'", "resource_missing")
        return self.customers[customer]

    def _card_fails(self, payment_method: str) -> bool:
        if payment_method in CARD_ALIASES:
            return CARD_ALIASES[payment_method]
        if not payment_method.startswith("pm_") or payment_method.startswith("pm_invalid"):
            raise PaymentRefused(f"No such PaymentMethod: '{payment_method}'", "resource_missing")
        return self._cards.get(payment_method, False)

    def _price(self, price: str) -> GatewayPrice:
        if price not in self.prices:
            raise PaymentRefused(f"No such price: '{price}'", "resource_missing")
        return self.prices[price]

    def _live_price(self, price: str) -> GatewayPrice:
        found = self._price(price)
        if not found.active:
            raise PaymentRefused("The price specified is inactive. This subscription cannot be created.")
        return found

    def _subscription(self, subscription: str) -> _Subscription:
        if subscription not in self._subscriptions:
            raise PaymentRefused(f"No such subscription: '{subscription}'", "resource_missing")
        return self._subscriptions[subscription]

    def _changeable(self, subscription: str) -> _Subscription:
        record = self._subscription(subscription)
        if record.value.status in ("canceled", "incomplete_expired"):
            raise PaymentRefused("A canceled subscription can only update its cancellation_details and metadata.")
        return record

    def _intent(self, payment_intent: str) -> GatewayPaymentIntent:
        if payment_intent not in self.payment_intents:
            raise PaymentRefused(f"No such payment_intent: '{payment_intent}'", "resource_missing")
        return self.payment_intents[payment_intent]

    def _new_intent(self, amount: int, currency: str, customer: str | None, capture_method: str,
                    metadata: Mapping[str, str] | None, status: str, received: int) -> GatewayPaymentIntent:
        intent_id = self._new_id("pi")
        intent = GatewayPaymentIntent(
            id=intent_id, status=status, amount=amount, currency=currency, amount_received=received, amount_refunded=0,
            client_secret=f"{intent_id}_secret_{next(self._ids)}", capture_method=capture_method, customer=customer,
            metadata=dict(metadata or {}))
        self.payment_intents[intent_id] = intent
        return intent

    def _bill(self, record: _Subscription, amount: int, currency: str, start: datetime, end: datetime) -> bool:
        """Invoice the subscription's customer and charge their default card; whether it was paid."""
        customer = record.value.customer
        invoice_id = self._new_id("in")
        intent = self._new_intent(amount, currency, customer, "automatic", None, "requires_payment_method", 0) \
            if amount else None
        invoice = _Invoice(GatewayInvoice(
            id=invoice_id, number=f"INV-{next(self._invoice_numbers):04d}", amount_due=amount, amount_paid=0,
            currency=currency, status="open", period_start=start, period_end=end,
            hosted_invoice_url=f"https://invoice.stripe.test/{invoice_id}", subscription=record.value.id),
            customer=customer, payment_intent=intent.id if intent else None)
        self._invoices[invoice_id] = invoice
        record.latest_invoice = invoice_id
        card = self.default_payment_methods.get(customer)
        paid = amount == 0 or (card is not None and not self._cards.get(card, False))
        if paid:
            self._settle(invoice)
        return paid

    def _settle(self, invoice: _Invoice) -> None:
        """The invoice is paid, and so its payment intent."""
        invoice.value = replace(invoice.value, status="paid", amount_paid=invoice.value.amount_due)
        if invoice.payment_intent is not None:
            intent = self.payment_intents[invoice.payment_intent]
            self.payment_intents[intent.id] = replace(intent, status="succeeded", amount_received=intent.amount)

    def _view(self, record: _Subscription) -> GatewaySubscription:
        invoice = self._invoices.get(record.latest_invoice or "")
        secret = None
        if invoice is not None and invoice.value.status == "open" and invoice.payment_intent is not None:
            secret = self.payment_intents[invoice.payment_intent].client_secret
        return replace(record.value, client_secret=secret)


def _period_end(start: datetime, price: GatewayPrice) -> datetime:
    return start + timedelta(days=INTERVAL_DAYS[price.interval] * price.interval_count)


def _money(amount: int) -> str:
    return f"${amount / 100:.2f}"


if TYPE_CHECKING:
    def _is_a_payment_gateway(gateway: InMemoryPaymentGateway) -> PaymentGateway:
        return gateway  # mypy checks here that the fake has the port's every method
