"""The domain's `PaymentGateway` on Stripe, through `stripe.StripeClient` (never the global
`stripe.api_key`). The same code drives localstripe in development and tests; where localstripe
differs from Stripe (legacy Plans instead of Prices, older field layouts, fewer parameters) the
`localstripe` flag picks the form it understands, and the readers accept both layouts.

Stripe objects are turned into plain dicts at once and read with `.get`, so that a field one
server omits reads as absent instead of raising."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import stripe

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
    PaymentProviderUnavailable,
    PaymentRefused,
)

log = logging.getLogger("wiwebb.stripe")

Data = Mapping[str, Any]
_EPOCH = datetime.fromtimestamp(0, UTC)


class StripeGateway:
    def __init__(self, secret_key: str, *, base_url: str | None = None, localstripe: bool = False,
                 timeout: float = 30.0, max_network_retries: int = 2,
                 http_client: stripe.HTTPClient | None = None) -> None:
        self._http = http_client or stripe.RequestsClient(timeout=timeout)
        client = stripe.StripeClient(secret_key, base_addresses={"api": base_url} if base_url else None,
                                     max_network_retries=max_network_retries, http_client=self._http)
        self._v1 = client.v1
        self._localstripe = localstripe
        # Stripe API versions since 2025-03-31 hand the first payment's secret out as the invoice's
        # `confirmation_secret`; localstripe still has `invoice.payment_intent`.
        self._subscription_expand = ["latest_invoice.payment_intent" if localstripe
                                     else "latest_invoice.confirmation_secret"]

    def close(self) -> None:
        """Close the pooled HTTP connections (of the calling thread)."""
        self._http.close()

    def create_customer(self, email: str | None, name: str | None, metadata: Mapping[str, str],
                        *, idempotency_key: str | None = None) -> GatewayCustomer:
        params = _without_none({"email": email, "name": name, "metadata": dict(metadata) or None})
        data = self._call(self._v1.customers.create, params=params, key=idempotency_key)
        return GatewayCustomer(id=data["id"], email=data.get("email"), name=data.get("name"))

    def create_setup_intent(self, customer: str, *, idempotency_key: str | None = None) -> GatewaySetupIntent:
        data = self._call(self._v1.setup_intents.create, key=idempotency_key, params={
            "customer": customer, "usage": "off_session", "payment_method_types": ["card"]})
        return read_setup_intent(data)

    def set_default_payment_method(self, customer: str, payment_method: str) -> str:
        # A card saved by a SetupIntent of this customer is attached already on Stripe, which
        # refuses to attach it again; localstripe leaves it unattached. (A test alias such as
        # `pm_card_visa` reads as a new, unattached method.) Another customer's card is refused
        # here as Stripe refuses it, since localstripe would move it to this customer.
        found = self._call(self._v1.payment_methods.retrieve, payment_method)
        holder = _id(found.get("customer"))
        if holder == customer:
            attached = found
        elif holder:
            raise PaymentRefused(ATTACHED_ELSEWHERE)
        else:
            attached = self._call(self._v1.payment_methods.attach, payment_method, params={"customer": customer})
        self._call(self._v1.customers.update, customer,
                   params={"invoice_settings": {"default_payment_method": attached["id"]}})
        return str(attached["id"])

    def create_product(self, name: str, description: str | None = None,
                       *, idempotency_key: str | None = None) -> GatewayProduct:
        params = _without_none({"name": name, "description": description or None})
        data = self._call(self._v1.products.create, params=params, key=idempotency_key)
        return GatewayProduct(id=data["id"], name=data["name"])

    def create_price(self, product: str, amount: int, currency: str, interval: Interval,
                     interval_count: int = 1, *, idempotency_key: str | None = None) -> GatewayPrice:
        if self._localstripe:  # legacy Plans: localstripe has no Prices
            data = self._call(self._v1.plans.create, key=idempotency_key, params={
                "product": product, "amount": amount, "currency": currency, "interval": interval,
                "interval_count": interval_count})
        else:
            data = self._call(self._v1.prices.create, key=idempotency_key, params={
                "product": product, "unit_amount": amount, "currency": currency,
                "recurring": {"interval": interval, "interval_count": interval_count}})
        return read_price(data)

    def deactivate_price(self, price: str) -> GatewayPrice:
        prices = self._v1.plans if self._localstripe else self._v1.prices
        return read_price(self._call(prices.update, price, params={"active": False}))

    def create_subscription(self, customer: str, price: str, *, trial_days: int | None = None,
                            cancel_at_period_end: bool = False, metadata: Mapping[str, str] | None = None,
                            idempotency_key: str | None = None) -> GatewaySubscription:
        # `allow_incomplete`: a declined first payment leaves an `incomplete` subscription whose
        # invoice the customer can still pay (localstripe knows no `default_incomplete`).
        params: dict[str, Any] = {"customer": customer, "items": [self._item(price)],
                                  "payment_behavior": "allow_incomplete"}
        if metadata:
            params["metadata"] = dict(metadata)
        if trial_days:
            if self._localstripe:  # it stores trial_period_days but reports no trial_end for it
                params["trial_end"] = int(time.time()) + trial_days * 86400
            else:
                params["trial_period_days"] = trial_days
        if cancel_at_period_end and not self._localstripe:
            params["cancel_at_period_end"] = True
        created = self._subscription(self._v1.subscriptions.create, params=params, key=idempotency_key)
        if cancel_at_period_end and self._localstripe:  # it refuses the flag on create
            return self.set_cancel_at_period_end(created.id, True)
        return created

    def retrieve_subscription(self, subscription: str) -> GatewaySubscription:
        return self._subscription(self._v1.subscriptions.retrieve, subscription)

    def list_subscriptions(self, customer: str) -> Sequence[GatewaySubscription]:
        # `status=all`: Stripe lists only live ones by default.
        page = self._call(self._v1.subscriptions.list, params={"customer": customer, "status": "all", "limit": 100})
        found = [read_subscription(data) for data in page.get("data", [])]
        return sorted(found, key=lambda s: s.current_period_start or _EPOCH, reverse=True)

    def cancel_subscription(self, subscription: str) -> GatewaySubscription:
        return self._subscription(self._v1.subscriptions.cancel, subscription)

    def set_cancel_at_period_end(self, subscription: str, cancel: bool) -> GatewaySubscription:
        return self._subscription(self._v1.subscriptions.update, subscription,
                                  params={"cancel_at_period_end": cancel})

    def change_subscription_price(self, subscription: str, price: str, *, prorate: bool = True,
                                  idempotency_key: str | None = None) -> GatewaySubscription:
        current = self._call(self._v1.subscriptions.retrieve, subscription)
        item = {"id": current["items"]["data"][0]["id"], **self._item(price)}  # replace, not add
        params: dict[str, Any] = {"items": [item]}
        if self._localstripe:  # it predates proration_behavior
            params["prorate"] = prorate
        else:
            params["proration_behavior"] = "create_prorations" if prorate else "none"
        return self._subscription(self._v1.subscriptions.update, subscription, params=params, key=idempotency_key)

    def list_invoices(self, customer: str) -> Sequence[GatewayInvoice]:
        page = self._call(self._v1.invoices.list, params={"customer": customer, "limit": 100})
        invoices = list(page.get("data", []))  # Stripe lists newest first
        if self._localstripe:
            invoices = localstripe_newest_first(invoices)
        return [read_invoice(data) for data in invoices]

    def create_payment_intent(self, amount: int, currency: str, *, customer: str | None = None,
                              description: str | None = None,
                              metadata: Mapping[str, str] | None = None,
                              capture_method: CaptureMethod = "automatic",
                              payment_method: str | None = None,
                              idempotency_key: str | None = None) -> GatewayPaymentIntent:
        params: dict[str, Any] = _without_none({
            "amount": amount, "currency": currency, "customer": customer, "capture_method": capture_method,
            "metadata": dict(metadata) if metadata else None, "expand": ["latest_charge"],
            # localstripe refuses `description` on payment intents.
            "description": None if self._localstripe else description or None})
        if payment_method:  # confirm now; cards only, so Stripe needs no return_url for redirects
            if customer and self._localstripe:  # Stripe refuses another customer's card; localstripe charges it
                holder = _id(self._call(self._v1.payment_methods.retrieve, payment_method).get("customer"))
                if holder and holder != customer:
                    raise PaymentRefused(ATTACHED_ELSEWHERE)
            params.update(payment_method=payment_method, confirm=True, payment_method_types=["card"])
        return read_payment_intent(self._call(self._v1.payment_intents.create, params=params,
                                              key=idempotency_key))

    def capture_payment_intent(self, payment_intent: str, amount: int | None = None,
                               *, idempotency_key: str | None = None) -> GatewayPaymentIntent:
        params = _without_none({"amount_to_capture": amount, "expand": ["latest_charge"]})
        return read_payment_intent(self._call(self._v1.payment_intents.capture, payment_intent,
                                              params=params, key=idempotency_key))

    def refund(self, payment_intent: str, amount: int | None = None,
               *, idempotency_key: str | None = None) -> GatewayRefund:
        params = _without_none({"payment_intent": payment_intent, "amount": amount})
        data = self._call(self._v1.refunds.create, params=params, key=idempotency_key)
        return GatewayRefund(id=data["id"], payment_intent=_id(data.get("payment_intent")),
                             amount=data["amount"], currency=data["currency"], status=data["status"])

    def retrieve_payment_intent(self, payment_intent: str) -> GatewayPaymentIntent:
        return read_payment_intent(self._call(self._v1.payment_intents.retrieve, payment_intent,
                                              params={"expand": ["latest_charge"]}))

    def _subscription(self, method: Any, *args: Any, params: Data | None = None,
                      key: str | None = None) -> GatewaySubscription:
        params = {**(params or {}), "expand": self._subscription_expand}
        return read_subscription(self._call(method, *args, params=params, key=key))

    def _item(self, price: str) -> dict[str, str]:
        return {"plan": price} if self._localstripe else {"price": price}

    def _call(self, method: Any, *args: Any, params: Data | None = None, key: str | None = None) -> Data:
        """Call a StripeClient service method; hand back its answer as plain dicts, or raise the
        domain's error."""
        options = {"idempotency_key": key} if key else {}
        with _domain_errors():
            answer = method(*args, params=dict(params or {}), options=options)
        return answer.to_dict()  # type: ignore[no-any-return]


@contextmanager
def _domain_errors() -> Iterator[None]:
    try:
        yield
    except stripe.IdempotencyError as error:
        # The key is in use by a request still running, or was sent with other parameters: either
        # way the first call's outcome is not known here. It must not read as "refused" (the
        # operation would be closed and a retry would charge again under a new key).
        log.warning("Stripe refused an idempotent retry: %r", error)
        raise PaymentProviderUnavailable(f"idempotency key refused: {error.user_message}") from error
    except (stripe.CardError, stripe.InvalidRequestError) as error:
        raise PaymentRefused(error.user_message or "The payment was refused.", error.code) from error
    except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as error:
        log.warning("Stripe unavailable: %r", error)
        raise PaymentProviderUnavailable() from error
    except (stripe.AuthenticationError, stripe.PermissionError) as error:
        # Our key is wrong or lacks a right: an operator must act, the user can only wait.
        log.error("Stripe refused our credentials: %r", error)
        raise PaymentProviderUnavailable() from error


def read_price(data: Data) -> GatewayPrice:
    """A Price, or a legacy Plan (localstripe)."""
    recurring = data.get("recurring") or data
    amount = data["unit_amount"] if "unit_amount" in data else data["amount"]
    return GatewayPrice(id=data["id"], product=_id(data.get("product")) or "", amount=amount,
                        currency=data["currency"], interval=recurring["interval"],
                        interval_count=int(recurring.get("interval_count") or 1),
                        active=_flag(data.get("active", True)))


def read_subscription_period(data: Data) -> tuple[datetime | None, datetime | None]:
    """The current period: on the first item since Stripe API 2025-03-31, on the subscription
    itself before that and on localstripe."""
    items = (data.get("items") or {}).get("data") or [{}]
    start = items[0].get("current_period_start") or data.get("current_period_start")
    end = items[0].get("current_period_end") or data.get("current_period_end")
    return _time(start), _time(end)


def read_subscription(data: Data) -> GatewaySubscription:
    items = (data.get("items") or {}).get("data") or [{}]
    price = _id(items[0].get("price") or items[0].get("plan") or data.get("plan")) or ""
    start, end = read_subscription_period(data)
    return GatewaySubscription(
        id=data["id"], status=data["status"], customer=_id(data.get("customer")) or "", price=price,
        current_period_start=start, current_period_end=end,
        cancel_at_period_end=_flag(data.get("cancel_at_period_end")), trial_end=_time(data.get("trial_end")),
        metadata=dict(data.get("metadata") or {}),
        client_secret=_open_invoice_secret(data.get("latest_invoice")))


def _open_invoice_secret(invoice: Any) -> str | None:
    if not isinstance(invoice, Mapping) or invoice.get("status") in ("paid", "void", None):
        return None
    secret = (invoice.get("confirmation_secret") or {}).get("client_secret")
    payment_intent = invoice.get("payment_intent")
    if secret is None and isinstance(payment_intent, Mapping):
        secret = payment_intent.get("client_secret")
    return secret


def read_setup_intent(data: Data) -> GatewaySetupIntent:
    return GatewaySetupIntent(id=data["id"], client_secret=data["client_secret"], status=data["status"],
                              customer=_id(data.get("customer")), payment_method=_id(data.get("payment_method")))


def read_payment_intent(data: Data) -> GatewayPaymentIntent:
    charge = data.get("latest_charge")
    refunds_known = charge is None or isinstance(charge, Mapping)  # an id alone: refunds unknown
    charge = charge if isinstance(charge, Mapping) else {}
    received = data.get("amount_received")
    if received is None:  # localstripe: what the charge took
        received = charge.get("amount", 0) if charge.get("captured") and charge.get("status") == "succeeded" else 0
    return GatewayPaymentIntent(
        id=data["id"], status=data["status"], amount=data["amount"], currency=data["currency"],
        amount_received=received, amount_refunded=charge.get("amount_refunded") or 0,
        client_secret=data.get("client_secret"), capture_method=data.get("capture_method") or "automatic",
        customer=_id(data.get("customer")), metadata=dict(data.get("metadata") or {}), refunds_known=refunds_known)


def localstripe_newest_first(invoices: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """localstripe's invoice list in Stripe's order, newest first.

    localstripe sorts by `date` (whole seconds, taken before `created`, so the two can differ by a
    second), newest first, and leaves invoices of the same second oldest first. Its list is
    therefore ordered by date, then by position within a date: newest first is both, descending."""
    ranked = sorted(enumerate(invoices), key=lambda pair: (pair[1].get("date") or pair[1].get("created") or 0,
                                                           pair[0]), reverse=True)
    return [data for _, data in ranked]


def read_invoice(data: Data) -> GatewayInvoice:
    # The period billed is the span of the lines (an invoice's own period_start/end is the
    # previous period on Stripe); invoices without lines fall back to the latter.
    periods = [line["period"] for line in (data.get("lines") or {}).get("data", []) if line.get("period")]
    start = min((p["start"] for p in periods), default=data.get("period_start"))
    end = max((p["end"] for p in periods), default=data.get("period_end"))
    parent = (data.get("parent") or {}).get("subscription_details") or {}
    return GatewayInvoice(
        id=data["id"], number=data.get("number"), amount_due=data.get("amount_due") or 0,
        amount_paid=data.get("amount_paid") or 0, currency=data.get("currency") or "",
        status=data.get("status") or "", period_start=_time(start), period_end=_time(end),
        hosted_invoice_url=data.get("hosted_invoice_url"),
        subscription=_id(data.get("subscription") or parent.get("subscription")))


def _id(value: Any) -> str | None:
    """An id, or the id of an expanded object."""
    if isinstance(value, Mapping):
        return str(value["id"])
    return None if value is None else str(value)


def _time(value: Any) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(int(value), UTC)


def _flag(value: Any) -> bool:
    # localstripe stores some updated booleans as the form's strings ("false").
    return value is True or value == "true"


def _without_none(params: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in params.items() if value is not None}
