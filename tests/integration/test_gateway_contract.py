"""The in-memory payment gateway and the Stripe adapter (on localstripe) answer alike: each scenario
runs on both and asserts only what both must show."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import requests
import stripe

from wiwebb.adapters.memory import InMemoryPaymentGateway
from wiwebb.adapters.stripe_gateway import StripeGateway
from wiwebb.domain.payments import PaymentRefused

from .localstripe_server import SECRET_KEY

CARD_NUMBERS = {"good": "4242424242424242", "declining": "4000000000000341"}  # 0341: attaches, charges fail
FAKE_CARDS = {"good": "pm_card_visa", "declining": "pm_card_chargeCustomerFail"}


@dataclass
class Provider:
    gateway: Any  # a PaymentGateway
    card: Callable[[str], str]  # "good" or "declining" -> a payment method id, as Stripe.js makes one
    # (setup intent id, its client secret, "good" or "declining") -> the payment method the
    # customer's browser saves by confirming it (Stripe.js confirmCardSetup)
    confirm_setup: Callable[[str, str, str], str]

    def customer(self, card: str = "good") -> str:
        customer = self.gateway.create_customer("ada@example.com", "Ada", {"user_id": "7"})
        self.gateway.set_default_payment_method(customer.id, self.card(card))
        return str(customer.id)

    def monthly(self, amount: int = 20000) -> str:
        product = self.gateway.create_product("Premium", "Everything")
        return str(self.gateway.create_price(product.id, amount, "usd", "month").id)


@pytest.fixture(params=["fake", "localstripe"])
def provider(request):
    if request.param == "fake":
        fake = InMemoryPaymentGateway()
        yield Provider(fake, FAKE_CARDS.__getitem__,
                       lambda intent, secret, kind: fake.confirm_setup_intent(intent, FAKE_CARDS[kind]).payment_method)
        return
    server = request.getfixturevalue("localstripe")
    http = stripe.RequestsClient(timeout=10)
    api = stripe.StripeClient(SECRET_KEY, base_addresses={"api": server.url}, http_client=http).v1
    gateway = StripeGateway(SECRET_KEY, base_url=server.url, localstripe=True, http_client=http)

    def card(kind: str) -> str:
        details = {"number": CARD_NUMBERS[kind], "exp_month": 12, "exp_year": 2034, "cvc": "123"}
        return api.payment_methods.create(params={"type": "card", "card": details}).id

    def confirm_setup(intent: str, secret: str, kind: str) -> str:
        # What localstripe's Stripe.js stand-in sends: the publishable key, not the secret one.
        details = {"number": CARD_NUMBERS[kind], "exp_month": 12, "exp_year": 2034, "cvc": "123"}
        answer = requests.post(f"{server.url}/v1/setup_intents/{intent}/confirm", timeout=10, json={
            "key": "pk_test_wiwebb", "use_stripe_sdk": True, "client_secret": secret,
            "payment_method_data": {"type": "card", "card": details}}).json()
        assert answer["status"] == "succeeded", answer
        return str(answer["payment_method"])

    yield Provider(gateway, card, confirm_setup)
    gateway.close()


def test_a_good_card_makes_an_active_subscription(provider):
    customer, price = provider.customer(), provider.monthly()

    subscription = provider.gateway.create_subscription(customer, price, metadata={"operation": "op-1"})

    assert subscription.id.startswith("sub_")
    assert (subscription.status, subscription.customer, subscription.price) == ("active", customer, price)
    assert subscription.current_period_end > subscription.current_period_start
    assert (subscription.client_secret, subscription.cancel_at_period_end) == (None, False)
    assert subscription.metadata == {"operation": "op-1"}
    assert provider.gateway.retrieve_subscription(subscription.id) == subscription
    [invoice] = provider.gateway.list_invoices(customer)
    assert (invoice.amount_paid, invoice.status, invoice.subscription) == (20000, "paid", subscription.id)


@pytest.mark.parametrize(("kind", "status"), [("good", "active"), ("declining", "incomplete")])
def test_a_card_saved_by_a_setup_intent_pays_the_subscription(provider, kind, status):
    customer = provider.gateway.create_customer("ada@example.com", "Ada", {}).id
    price = provider.monthly()

    intent = provider.gateway.create_setup_intent(customer, idempotency_key="setup-1")
    assert intent.id.startswith("seti_") and intent.client_secret.startswith(f"{intent.id}_secret_")
    assert (intent.status, intent.customer, intent.payment_method) == ("requires_payment_method", customer, None)
    card = provider.confirm_setup(intent.id, intent.client_secret, kind)
    assert card.startswith("pm_")

    assert provider.gateway.set_default_payment_method(customer, card) == card
    assert provider.gateway.set_default_payment_method(customer, card) == card  # attached already: still fine
    assert provider.gateway.create_subscription(customer, price).status == status


def test_a_declining_card_leaves_an_incomplete_subscription_with_a_secret(provider):
    customer, price = provider.customer("declining"), provider.monthly()

    subscription = provider.gateway.create_subscription(customer, price)

    assert subscription.status == "incomplete"
    assert subscription.client_secret.startswith("pi_") and "_secret_" in subscription.client_secret
    [invoice] = provider.gateway.list_invoices(customer)
    assert (invoice.amount_paid, invoice.status) == (0, "open")


def test_cancel_at_period_end_and_at_once(provider):
    gateway = provider.gateway
    subscription = gateway.create_subscription(provider.customer(), provider.monthly())

    ending = gateway.set_cancel_at_period_end(subscription.id, True)
    assert (ending.status, ending.cancel_at_period_end) == ("active", True)
    assert gateway.set_cancel_at_period_end(subscription.id, False).cancel_at_period_end is False
    assert gateway.cancel_subscription(subscription.id).status == "canceled"
    assert gateway.retrieve_subscription(subscription.id).status == "canceled"
    assert [s.status for s in gateway.list_subscriptions(subscription.customer)] == ["canceled"]


def test_changing_the_price_keeps_the_subscription(provider):
    customer = provider.customer()
    subscription = provider.gateway.create_subscription(customer, provider.monthly())
    cheaper = provider.monthly(10000)

    changed = provider.gateway.change_subscription_price(subscription.id, cheaper)

    assert (changed.id, changed.status, changed.price) == (subscription.id, "active", cheaper)


def test_the_attached_alias_is_a_new_payment_method(provider):
    customer = provider.customer()

    attached = provider.gateway.set_default_payment_method(customer, "pm_card_visa")

    assert attached.startswith("pm_") and attached != "pm_card_visa"


def test_manual_capture_then_partial_refunds(provider):
    gateway = provider.gateway
    intent = gateway.create_payment_intent(5000, "usd", customer=provider.customer(), capture_method="manual",
                                           payment_method=provider.card("good"))
    assert (intent.status, intent.capture_method, intent.amount_received) == ("requires_capture", "manual", 0)

    captured = gateway.capture_payment_intent(intent.id)
    assert (captured.status, captured.amount_received, captured.amount_refunded) == ("succeeded", 5000, 0)

    refund = gateway.refund(intent.id, 1500)
    assert (refund.payment_intent, refund.amount, refund.currency, refund.status) == (
        intent.id, 1500, "usd", "succeeded")
    assert gateway.retrieve_payment_intent(intent.id).amount_refunded == 1500
    assert gateway.refund(intent.id, 3500).amount == 3500
    assert gateway.retrieve_payment_intent(intent.id).amount_refunded == 5000


def test_automatic_capture_then_full_refund(provider):
    gateway = provider.gateway
    intent = gateway.create_payment_intent(2500, "usd", payment_method=provider.card("good"))
    assert (intent.status, intent.amount_received) == ("succeeded", 2500)

    assert gateway.refund(intent.id).amount == 2500
    assert gateway.retrieve_payment_intent(intent.id).amount_refunded == 2500


def test_a_payment_without_a_method_waits_for_the_customer(provider):
    intent = provider.gateway.create_payment_intent(1000, "usd", metadata={"order_id": "1"})

    assert (intent.status, intent.amount_received, intent.metadata) == ("requires_payment_method", 0,
                                                                        {"order_id": "1"})
    assert intent.client_secret.startswith(intent.id + "_secret_")


def test_a_declined_payment_is_refused(provider):
    with pytest.raises(PaymentRefused) as refused:
        provider.gateway.create_payment_intent(2500, "usd", payment_method=provider.card("declining"))

    assert (refused.value.detail, refused.value.code) == ("Your card was declined.", "card_declined")


def test_unknown_subscriptions_are_refused(provider):
    with pytest.raises(PaymentRefused):
        provider.gateway.retrieve_subscription("sub_that_does_not_exist")


ATTACHED_ELSEWHERE = "The payment method you provided has already been attached to a customer."


@pytest.mark.parametrize("use", ["make it the default", "pay with it"])
def test_a_card_another_customer_holds_is_refused_and_stays_theirs(provider, use):
    gateway = provider.gateway
    ada = gateway.create_customer("ada@example.com", "Ada", {"user_id": "7"}).id
    eve = gateway.create_customer("eve@example.com", "Eve", {"user_id": "8"}).id
    card = gateway.set_default_payment_method(ada, provider.card("good"))

    def use_card(customer: str) -> object:
        if use == "pay with it":
            return gateway.create_payment_intent(1000, "usd", customer=customer, payment_method=card).status
        return gateway.set_default_payment_method(customer, card)

    with pytest.raises(PaymentRefused) as refused:
        use_card(eve)

    assert refused.value.detail == ATTACHED_ELSEWHERE
    assert use_card(ada) == ("succeeded" if use == "pay with it" else card)  # still Ada's to use
