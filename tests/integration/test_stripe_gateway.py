"""The Stripe adapter against a real localstripe server, and its readers on both field layouts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import stripe

from wiwebb.adapters.stripe_gateway import (
    StripeGateway,
    localstripe_newest_first,
    read_invoice,
    read_payment_intent,
    read_subscription,
    read_subscription_period,
)
from wiwebb.domain.payments import PaymentProviderUnavailable, PaymentRefused

from .localstripe_server import SECRET_KEY
from .smtp_server import free_port

GOOD_CARD = "4242424242424242"
DECLINED_ON_ATTACH = "4000000000000002"
DECLINED_ON_CHARGE = "4000000000000341"  # attaches, then every charge fails


class RecordingClient(stripe.RequestsClient):
    """A real HTTP client that also keeps the headers of every request it sent."""

    def __init__(self) -> None:
        super().__init__(timeout=10)
        self.sent: list[tuple[str, str, dict[str, str]]] = []

    def request(self, method, url, headers, post_data=None):
        self.sent.append((method, url, dict(headers or {})))
        return super().request(method, url, headers, post_data)


@pytest.fixture
def http_client():
    client = RecordingClient()
    yield client
    client.close()


@pytest.fixture
def gateway(localstripe, http_client):
    gateway = StripeGateway(SECRET_KEY, base_url=localstripe.url, localstripe=True, http_client=http_client)
    yield gateway
    gateway.close()


@pytest.fixture
def stripe_api(localstripe, http_client):
    """Stripe's API itself, to do what the customer's browser does and to look behind the adapter."""
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": localstripe.url}, http_client=http_client).v1


@pytest.fixture
def new_card(stripe_api):
    """Make a card payment method as Stripe.js would (localstripe takes raw card numbers)."""

    def new_card(number: str) -> str:
        card = {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}
        return stripe_api.payment_methods.create(params={"type": "card", "card": card}).id

    return new_card


@pytest.fixture
def customer(gateway, new_card):
    customer = gateway.create_customer("ada@example.com", "Ada", {"user_id": "7"})
    gateway.set_default_payment_method(customer.id, new_card(GOOD_CARD))
    return customer


@pytest.fixture
def monthly(gateway):
    product = gateway.create_product("Premium", "Everything")
    return gateway.create_price(product.id, 20000, "usd", "month")


def test_every_create_sends_its_idempotency_key(gateway, http_client, new_card):
    customer = gateway.create_customer("bob@example.com", "Bob", {"user_id": "8"}, idempotency_key="k-customer")
    gateway.set_default_payment_method(customer.id, new_card(GOOD_CARD))
    product = gateway.create_product("Premium", idempotency_key="k-product")
    price = gateway.create_price(product.id, 20000, "usd", "month", idempotency_key="k-price")
    gateway.create_subscription(customer.id, price.id, idempotency_key="k-subscription")
    intent = gateway.create_payment_intent(100, "usd", payment_method=new_card(GOOD_CARD), idempotency_key="k-pay")
    gateway.refund(intent.id, idempotency_key="k-refund")
    gateway.create_setup_intent(customer.id, idempotency_key="k-setup")

    sent = {url.split("/v1/")[1]: headers.get("Idempotency-Key") for _, url, headers in http_client.sent}
    expected = {"customers": "k-customer", "products": "k-product", "plans": "k-price",
                "subscriptions": "k-subscription", "payment_intents": "k-pay", "refunds": "k-refund",
                "setup_intents": "k-setup"}
    assert {path: sent.get(path) for path in expected} == expected
    assert (customer.email, customer.name) == ("bob@example.com", "Bob")


def test_a_price_is_a_legacy_plan_on_localstripe_and_can_be_retired(gateway):
    product = gateway.create_product("Day Pass", "24 hours")

    price = gateway.create_price(product.id, 500, "usd", "day", idempotency_key="day-pass-price")
    retired = gateway.deactivate_price(price.id)

    assert price.id.startswith("plan_")
    assert (price.product, price.amount, price.currency, price.interval, price.interval_count, price.active) == (
        product.id, 500, "usd", "day", 1, True)
    assert retired.active is False


def test_the_default_payment_method_is_the_attached_one(gateway, customer, stripe_api):
    attached = gateway.set_default_payment_method(customer.id, "pm_card_visa")  # a test alias: a new method

    settings = stripe_api.customers.retrieve(customer.id).invoice_settings
    assert attached.startswith("pm_") and attached != "pm_card_visa"
    assert settings.default_payment_method == attached


def test_a_setup_intent_saves_cards_of_its_customer_for_later(gateway, customer, stripe_api):
    intent = gateway.create_setup_intent(customer.id)

    assert (intent.status, intent.customer, intent.payment_method) == ("requires_payment_method", customer.id, None)
    sent = stripe_api.setup_intents.retrieve(intent.id)
    assert (sent.usage, sent.payment_method_types, sent.client_secret) == ("off_session", ["card"],
                                                                           intent.client_secret)


def test_a_method_attached_to_the_customer_already_is_made_default_without_attaching_again(
        gateway, customer, new_card, stripe_api, http_client):
    card = new_card(GOOD_CARD)
    stripe_api.payment_methods.attach(card, params={"customer": customer.id})  # as a SetupIntent does on Stripe
    http_client.sent.clear()

    assert gateway.set_default_payment_method(customer.id, card) == card

    assert [url.split("/v1/")[1] for _, url, _ in http_client.sent] == [
        f"payment_methods/{card}", f"customers/{customer.id}"]
    assert stripe_api.customers.retrieve(customer.id).invoice_settings.default_payment_method == card


def test_a_card_declined_on_attach_is_refused_with_stripes_message(gateway, customer, new_card):
    with pytest.raises(PaymentRefused) as refused:
        gateway.set_default_payment_method(customer.id, new_card(DECLINED_ON_ATTACH))

    assert (refused.value.detail, refused.value.code) == ("Your card was declined.", "card_declined")


def test_a_subscription_paid_by_a_good_card_is_active(gateway, customer, monthly):
    before = datetime.now(UTC).replace(microsecond=0)

    subscription = gateway.create_subscription(customer.id, monthly.id, idempotency_key="sub-1")

    assert subscription.id.startswith("sub_")
    assert (subscription.status, subscription.customer, subscription.price) == ("active", customer.id, monthly.id)
    assert subscription.client_secret is None and subscription.cancel_at_period_end is False
    assert subscription.trial_end is None
    assert before <= subscription.current_period_start <= datetime.now(UTC)
    assert subscription.current_period_start.tzinfo is UTC
    length = subscription.current_period_end - subscription.current_period_start
    assert timedelta(days=28) <= length <= timedelta(days=31)
    assert gateway.retrieve_subscription(subscription.id) == subscription


def test_a_declined_first_payment_leaves_an_incomplete_subscription_to_pay(gateway, customer, monthly, new_card):
    gateway.set_default_payment_method(customer.id, new_card(DECLINED_ON_CHARGE))

    subscription = gateway.create_subscription(customer.id, monthly.id)

    assert subscription.status == "incomplete"
    assert subscription.client_secret.startswith("pi_") and "_secret_" in subscription.client_secret


def test_cancel_at_period_end_and_undo(gateway, customer, monthly):
    subscription = gateway.create_subscription(customer.id, monthly.id)

    ending = gateway.set_cancel_at_period_end(subscription.id, True)
    resumed = gateway.set_cancel_at_period_end(subscription.id, False)

    assert (ending.status, ending.cancel_at_period_end) == ("active", True)
    assert (resumed.status, resumed.cancel_at_period_end) == ("active", False)


def test_cancel_at_once(gateway, customer, monthly):
    subscription = gateway.create_subscription(customer.id, monthly.id)

    assert gateway.cancel_subscription(subscription.id).status == "canceled"
    assert gateway.retrieve_subscription(subscription.id).status == "canceled"


def test_a_day_pass_is_created_to_end_with_its_day(gateway, customer):
    day = gateway.create_price(gateway.create_product("Day Pass").id, 500, "usd", "day")

    subscription = gateway.create_subscription(customer.id, day.id, cancel_at_period_end=True)

    assert (subscription.status, subscription.cancel_at_period_end) == ("active", True)
    assert subscription.current_period_end - subscription.current_period_start == timedelta(days=1)


def test_a_trial_reports_its_end_and_charges_nothing(gateway, customer, monthly):
    subscription = gateway.create_subscription(customer.id, monthly.id, trial_days=14)

    assert abs(subscription.trial_end - (datetime.now(UTC) + timedelta(days=14))) < timedelta(minutes=1)
    assert gateway.list_invoices(customer.id) == []
    assert subscription.status == "incomplete"  # localstripe's; Stripe says "trialing"


def test_changing_the_price_replaces_the_item(gateway, customer, monthly):
    subscription = gateway.create_subscription(customer.id, monthly.id)
    cheaper = gateway.create_price(gateway.create_product("Basic").id, 10000, "usd", "month")

    changed = gateway.change_subscription_price(subscription.id, cheaper.id, idempotency_key="change-1")

    assert (changed.status, changed.price) == ("active", cheaper.id)


def test_invoices_list_what_was_billed(gateway, customer, monthly):
    subscription = gateway.create_subscription(customer.id, monthly.id)

    [invoice] = gateway.list_invoices(customer.id)

    assert (invoice.amount_due, invoice.amount_paid, invoice.currency, invoice.status) == (20000, 20000, "usd", "paid")
    assert (invoice.period_start, invoice.period_end) == (subscription.current_period_start,
                                                          subscription.current_period_end)
    assert invoice.subscription == subscription.id
    assert (invoice.number, invoice.hosted_invoice_url) == (None, None)  # localstripe has neither


def test_a_payment_without_a_method_waits_for_the_customer(gateway, customer):
    intent = gateway.create_payment_intent(1000, "usd", customer=customer.id, description="Order 1",
                                           metadata={"order_id": "1"}, idempotency_key="pay-1")

    assert (intent.status, intent.amount, intent.amount_received, intent.customer) == (
        "requires_payment_method", 1000, 0, customer.id)
    assert intent.client_secret.startswith(intent.id + "_secret_")
    assert intent.metadata == {"order_id": "1"}


def test_manual_capture_then_partial_refunds(gateway, customer, new_card):
    card = new_card(GOOD_CARD)
    intent = gateway.create_payment_intent(5000, "usd", customer=customer.id, capture_method="manual",
                                           payment_method=card)
    assert (intent.status, intent.capture_method, intent.amount_received) == ("requires_capture", "manual", 0)

    captured = gateway.capture_payment_intent(intent.id)
    assert (captured.status, captured.amount_received, captured.amount_refunded) == ("succeeded", 5000, 0)

    refund = gateway.refund(intent.id, 1500, idempotency_key="refund-1")
    assert (refund.payment_intent, refund.amount, refund.currency, refund.status) == (
        intent.id, 1500, "usd", "succeeded")
    assert gateway.retrieve_payment_intent(intent.id).amount_refunded == 1500

    gateway.refund(intent.id, 3500)
    assert gateway.retrieve_payment_intent(intent.id).amount_refunded == 5000


def test_automatic_capture_then_full_refund(gateway, customer, new_card):
    intent = gateway.create_payment_intent(2500, "usd", customer=customer.id, payment_method=new_card(GOOD_CARD))
    assert (intent.status, intent.amount_received) == ("succeeded", 2500)

    refund = gateway.refund(intent.id)

    assert refund.amount == 2500
    assert gateway.retrieve_payment_intent(intent.id).amount_refunded == 2500


def test_a_declined_payment_is_refused(gateway, customer, new_card):
    with pytest.raises(PaymentRefused, match=r"^Your card was declined\.$"):
        gateway.create_payment_intent(2500, "usd", customer=customer.id, payment_method=new_card(DECLINED_ON_CHARGE))


def test_an_invalid_request_is_refused_with_stripes_message(gateway, customer):
    with pytest.raises(PaymentRefused) as refused:
        gateway.create_subscription(customer.id, "plan_that_does_not_exist")

    assert refused.value.detail == "Not Found"


def test_an_unreachable_stripe_is_unavailable():
    gateway = StripeGateway(SECRET_KEY, base_url=f"http://127.0.0.1:{free_port()}", max_network_retries=0)
    try:
        with pytest.raises(PaymentProviderUnavailable):
            gateway.create_customer("ada@example.com", "Ada", {})
    finally:
        gateway.close()


class ServerError(stripe.HTTPClient):
    """An HTTP client to which Stripe always answers 503."""

    name = "server-error"

    def request(self, method, url, headers, post_data=None):
        return b'{"error": {"type": "api_error", "message": "Something went wrong."}}', 503, {}

    def close(self):
        pass


def test_a_failing_stripe_is_unavailable():
    gateway = StripeGateway(SECRET_KEY, max_network_retries=0, http_client=ServerError())

    with pytest.raises(PaymentProviderUnavailable):
        gateway.create_product("Premium")


class IdempotencyConflict(ServerError):
    """Stripe's answer to a key in use by a running request, or reused with other parameters."""

    def request(self, method, url, headers, post_data=None):
        return (b'{"error": {"type": "idempotency_error", "message": "Keys for idempotent requests can only be '
                b'used with the same parameters they were first used with."}}', 400, {})


def test_an_idempotency_conflict_is_an_unknown_outcome_not_a_refusal():
    """Reading it as "refused" would close the operation, and a retry under a new key would charge
    again; as "unavailable" the operation stays pending and the same key can be retried."""
    gateway = StripeGateway(SECRET_KEY, max_network_retries=0, http_client=IdempotencyConflict())

    with pytest.raises(PaymentProviderUnavailable):
        gateway.create_payment_intent(1000, "usd", idempotency_key="k-1")


# The readers, on hand-made answers of both layouts.

START, END = 1_795_000_000, 1_797_592_000


def test_the_period_is_read_from_the_item_on_current_stripe_versions():
    data = {"items": {"data": [{"id": "si_1", "current_period_start": START, "current_period_end": END}]}}

    assert read_subscription_period(data) == (datetime.fromtimestamp(START, UTC), datetime.fromtimestamp(END, UTC))


def test_the_period_is_read_from_the_subscription_on_localstripe_and_older_versions():
    data = {"current_period_start": START, "current_period_end": END, "items": {"data": [{"id": "si_1"}]}}

    assert read_subscription_period(data) == (datetime.fromtimestamp(START, UTC), datetime.fromtimestamp(END, UTC))
    assert read_subscription_period({}) == (None, None)


def test_the_client_secret_is_read_from_either_invoice_layout_while_the_invoice_is_open():
    base = {"id": "sub_1", "status": "incomplete", "customer": "cus_1",
            "items": {"data": [{"price": {"id": "price_1"}}]}}
    current = {**base, "latest_invoice": {"status": "open", "confirmation_secret": {"client_secret": "pi_1_secret"}}}
    legacy = {**base, "latest_invoice": {"status": "open", "payment_intent": {"client_secret": "pi_2_secret"}}}
    paid = {**base, "latest_invoice": {"status": "paid", "confirmation_secret": {"client_secret": "pi_3_secret"}}}

    assert read_subscription(current).client_secret == "pi_1_secret"
    assert read_subscription(current).price == "price_1"
    assert read_subscription(legacy).client_secret == "pi_2_secret"
    assert read_subscription(paid).client_secret is None


def test_an_invoice_is_read_from_the_current_layout():
    data = {"id": "in_1", "number": "A-0001", "amount_due": 20000, "amount_paid": 0, "currency": "usd",
            "status": "open", "period_start": START, "period_end": START, "hosted_invoice_url": "https://pay",
            "parent": {"subscription_details": {"subscription": "sub_1"}},
            "lines": {"data": [{"period": {"start": START, "end": END}}]}}

    invoice = read_invoice(data)

    assert (invoice.number, invoice.subscription, invoice.hosted_invoice_url) == ("A-0001", "sub_1", "https://pay")
    assert (invoice.period_start, invoice.period_end) == (datetime.fromtimestamp(START, UTC),
                                                          datetime.fromtimestamp(END, UTC))


def test_localstripe_invoices_are_put_newest_first():
    # localstripe's own order: `date` descending, invoices of the same second oldest first; `date` is
    # taken before `created`, so in_1's second turned between the two.
    listed = [{"id": "in_3", "date": START + 2, "created": START + 2},
              {"id": "in_4", "date": START + 2, "created": START + 2},
              {"id": "in_2", "date": START + 1, "created": START + 1},
              {"id": "in_1", "date": START, "created": START + 1}]

    assert [data["id"] for data in localstripe_newest_first(listed)] == ["in_4", "in_3", "in_2", "in_1"]


def test_invoices_are_listed_newest_first(gateway, customer, monthly):
    first = gateway.create_subscription(customer.id, monthly.id)
    gateway.cancel_subscription(first.id)
    second = gateway.create_subscription(customer.id, monthly.id)

    assert [invoice.subscription for invoice in gateway.list_invoices(customer.id)] == [second.id, first.id]


def test_a_payment_intent_naming_its_charge_by_id_has_unknown_refunds():
    data = {"id": "pi_1", "status": "succeeded", "amount": 1000, "currency": "usd", "amount_received": 1000}
    assert read_payment_intent({**data, "latest_charge": "ch_1"}).refunds_known is False
    expanded = read_payment_intent({**data, "latest_charge": {"id": "ch_1", "amount_refunded": 400}})
    assert (expanded.refunds_known, expanded.amount_refunded) == (True, 400)
    assert read_payment_intent(data).refunds_known is True  # no charge yet: nothing refunded
