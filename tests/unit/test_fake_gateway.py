"""The in-memory payment gateway answers as Stripe does, and its test controls do what they say."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from wiwebb.adapters.memory import FixedClock, InMemoryPaymentGateway
from wiwebb.domain.payments import PaymentGateway, PaymentProviderUnavailable, PaymentRefused

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    return FixedClock(NOW)


@pytest.fixture
def gateway(clock):
    return InMemoryPaymentGateway(clock=clock)


@pytest.fixture
def customer(gateway):
    customer = gateway.create_customer("ada@example.com", "Ada", {"user_id": "7"})
    gateway.set_default_payment_method(customer.id, "pm_card_visa")
    return customer


@pytest.fixture
def monthly(gateway):
    return gateway.create_price(gateway.create_product("Premium").id, 20000, "usd", "month")


def refused(call, *args, **kwargs) -> PaymentRefused:
    with pytest.raises(PaymentRefused) as error:
        call(*args, **kwargs)
    return error.value


def test_it_is_a_payment_gateway_with_stripe_like_deterministic_ids(gateway):
    port: PaymentGateway = gateway
    ids = [port.create_customer(None, None, {}).id, port.create_product("P").id]
    ids.append(port.create_price(ids[1], 100, "usd", "day").id)

    assert ids == ["cus_1", "prod_2", "price_3"]
    again = InMemoryPaymentGateway()
    assert again.create_customer(None, None, {}).id == "cus_1"


# -- customers and cards ---------------------------------------------------------------------------

def test_a_test_alias_attaches_a_new_method_and_a_plain_id_itself(gateway):
    customer = gateway.create_customer("ada@example.com", "Ada", {"user_id": "7"})

    attached = gateway.set_default_payment_method(customer.id, "pm_card_visa")
    assert attached.startswith("pm_") and attached != "pm_card_visa"
    assert gateway.default_payment_methods[customer.id] == attached
    assert gateway.set_default_payment_method(customer.id, "pm_1Abc") == "pm_1Abc"
    assert (customer.email, customer.name, gateway.customer_metadata[customer.id]) == (
        "ada@example.com", "Ada", {"user_id": "7"})


def test_unknown_payment_methods_and_customers_are_resource_missing(gateway, customer):
    error = refused(gateway.set_default_payment_method, customer.id, "pm_invalid_42")
    assert (error.detail, error.code) == ("No such PaymentMethod: 'pm_invalid_42'", "resource_missing")
    assert refused(gateway.set_default_payment_method, customer.id, "card_1").code == "resource_missing"
    assert refused(gateway.set_default_payment_method, "cus_nope", "pm_card_visa").code == "resource_missing"
    assert refused(gateway.list_invoices, "cus_nope").code == "resource_missing"


def test_a_setup_intent_saves_a_card_to_its_customer_once_the_browser_confirms_it(gateway, monthly):
    customer = gateway.create_customer("ada@example.com", "Ada", {})

    intent = gateway.create_setup_intent(customer.id, idempotency_key="k-setup")
    assert intent.id.startswith("seti_") and intent.client_secret.startswith(f"{intent.id}_secret_")
    assert (intent.status, intent.customer, intent.payment_method) == ("requires_payment_method", customer.id, None)
    assert gateway.create_setup_intent(customer.id, idempotency_key="k-setup") == intent  # replayed
    confirmed = gateway.confirm_setup_intent(intent.id)
    assert confirmed.status == "succeeded" and confirmed.payment_method.startswith("pm_")
    assert gateway.attached_payment_methods[confirmed.payment_method] == customer.id
    assert refused(gateway.confirm_setup_intent, intent.id).code == "setup_intent_unexpected_state"

    assert gateway.set_default_payment_method(customer.id, confirmed.payment_method) == confirmed.payment_method
    assert gateway.create_subscription(customer.id, monthly.id).status == "active"
    assert refused(gateway.create_setup_intent, "cus_nope").code == "resource_missing"


def test_a_setup_intents_declining_card_is_saved_but_its_charges_fail(gateway, monthly):
    customer = gateway.create_customer(None, None, {})
    intent = gateway.create_setup_intent(customer.id)
    card = gateway.confirm_setup_intent(intent.id, "pm_card_chargeCustomerFail").payment_method

    gateway.set_default_payment_method(customer.id, card)
    assert gateway.create_subscription(customer.id, monthly.id).status == "incomplete"


# -- products and prices ---------------------------------------------------------------------------

def test_a_retired_price_takes_no_new_subscription_but_keeps_the_old(gateway, customer, monthly):
    kept = gateway.create_subscription(customer.id, monthly.id)

    assert gateway.deactivate_price(monthly.id).active is False
    assert "inactive" in refused(gateway.create_subscription, customer.id, monthly.id).detail
    assert gateway.retrieve_subscription(kept.id).price == monthly.id
    assert refused(gateway.deactivate_price, "price_nope").code == "resource_missing"
    assert refused(gateway.create_price, "prod_nope", 1, "usd", "month").code == "resource_missing"


# -- subscriptions ---------------------------------------------------------------------------------

def test_a_good_card_makes_an_active_subscription_and_a_paid_invoice(gateway, customer, monthly):
    subscription = gateway.create_subscription(customer.id, monthly.id, metadata={"operation": "op-1"})

    assert subscription.id.startswith("sub_")
    assert (subscription.status, subscription.customer, subscription.price) == ("active", customer.id, monthly.id)
    assert (subscription.current_period_start, subscription.current_period_end) == (NOW, NOW + timedelta(days=30))
    assert (subscription.client_secret, subscription.trial_end, subscription.cancel_at_period_end) == (
        None, None, False)
    assert subscription.metadata == {"operation": "op-1"}
    [invoice] = gateway.list_invoices(customer.id)
    assert invoice.id.startswith("in_") and invoice.number == "INV-0001"
    assert (invoice.amount_due, invoice.amount_paid, invoice.currency, invoice.status) == (20000, 20000, "usd", "paid")
    assert (invoice.period_start, invoice.period_end, invoice.subscription) == (NOW, NOW + timedelta(days=30),
                                                                                subscription.id)
    assert gateway.retrieve_subscription(subscription.id) == subscription


@pytest.mark.parametrize(("interval", "count", "days"), [("day", 1, 1), ("week", 2, 14), ("month", 1, 30),
                                                          ("month", 3, 90), ("year", 1, 365)])
def test_the_period_is_the_prices_interval(gateway, customer, interval, count, days):
    price = gateway.create_price(gateway.create_product("P").id, 100, "usd", interval, count)

    subscription = gateway.create_subscription(customer.id, price.id)

    assert subscription.current_period_end - subscription.current_period_start == timedelta(days=days)


def test_times_are_whole_seconds_in_utc_as_on_stripe(gateway, customer, monthly, clock):
    clock.current = datetime(2026, 1, 1, 13, 0, 0, 999_999, tzinfo=timezone(timedelta(hours=1)))

    subscription = gateway.create_subscription(customer.id, monthly.id)

    assert subscription.current_period_start == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert subscription.current_period_start.tzinfo is UTC


@pytest.mark.parametrize("card", [None, "pm_card_chargeCustomerFail", "pm_card_declined"])
def test_without_a_card_that_charges_the_subscription_is_incomplete_with_a_secret(gateway, monthly, card):
    customer = gateway.create_customer(None, None, {})
    if card:
        gateway.set_default_payment_method(customer.id, card)

    subscription = gateway.create_subscription(customer.id, monthly.id)

    assert subscription.status == "incomplete"
    intent, _, _ = subscription.client_secret.partition("_secret_")
    assert intent.startswith("pi_") and gateway.retrieve_payment_intent(intent).status == "requires_payment_method"
    assert [(i.status, i.amount_paid) for i in gateway.list_invoices(customer.id)] == [("open", 0)]


def test_once_paid_the_secret_is_gone(gateway, monthly):
    customer = gateway.create_customer(None, None, {})
    subscription = gateway.create_subscription(customer.id, monthly.id)

    paid = gateway.set_subscription_status(subscription.id, "active")

    assert gateway.calls[-1] == ("create_subscription", None)  # the helper is no call to the provider
    assert (paid.status, paid.client_secret) == ("active", None)
    assert [i.status for i in gateway.list_invoices(customer.id)] == ["paid"]


def test_an_expired_incomplete_subscription_voids_its_invoice(gateway, monthly):
    customer = gateway.create_customer(None, None, {})
    subscription = gateway.create_subscription(customer.id, monthly.id)

    expired = gateway.set_subscription_status(subscription.id, "incomplete_expired")

    assert (expired.status, expired.client_secret) == ("incomplete_expired", None)
    assert gateway.invoices[gateway.list_invoices(customer.id)[0].id].status == "void"
    with pytest.raises(ValueError, match="unknown subscription status"):
        gateway.set_subscription_status(subscription.id, "happy")


def test_a_trial_charges_nothing_and_is_the_first_period(gateway, monthly):
    customer = gateway.create_customer(None, None, {})  # no card needed

    subscription = gateway.create_subscription(customer.id, monthly.id, trial_days=14, cancel_at_period_end=True)

    assert (subscription.status, subscription.client_secret) == ("trialing", None)
    assert subscription.trial_end == subscription.current_period_end == NOW + timedelta(days=14)
    assert subscription.cancel_at_period_end is True
    assert [(i.amount_due, i.status) for i in gateway.list_invoices(customer.id)] == [(0, "paid")]


def test_cancel_now_or_at_period_end(gateway, customer, monthly):
    subscription = gateway.create_subscription(customer.id, monthly.id)

    assert gateway.set_cancel_at_period_end(subscription.id, True).cancel_at_period_end is True
    resumed = gateway.set_cancel_at_period_end(subscription.id, False)
    assert (resumed.status, resumed.cancel_at_period_end) == ("active", False)
    assert gateway.cancel_subscription(subscription.id).status == "canceled"
    assert gateway.retrieve_subscription(subscription.id).status == "canceled"
    assert "canceled" in refused(gateway.set_cancel_at_period_end, subscription.id, True).detail


def test_lists_are_newest_first_ended_ones_included(gateway, customer, monthly):
    first = gateway.create_subscription(customer.id, monthly.id)
    gateway.cancel_subscription(first.id)
    second = gateway.create_subscription(customer.id, monthly.id)
    other = gateway.create_customer(None, None, {})
    gateway.create_subscription(other.id, monthly.id)

    assert [(s.id, s.status) for s in gateway.list_subscriptions(customer.id)] == [
        (second.id, "active"), (first.id, "canceled")]
    assert [(i.number, i.subscription) for i in gateway.list_invoices(customer.id)] == [
        ("INV-0002", second.id), ("INV-0001", first.id)]


def test_unknown_subscriptions_are_resource_missing(gateway):
    for call in (gateway.retrieve_subscription, gateway.cancel_subscription):
        error = refused(call, "sub_nope")
        assert (error.detail, error.code) == ("No such subscription: 'sub_nope'", "resource_missing")
    assert refused(gateway.change_subscription_price, "sub_nope", "price_1").code == "resource_missing"


def test_changing_the_price_keeps_the_subscription_and_invoices_the_difference(gateway, customer, monthly, clock):
    subscription = gateway.create_subscription(customer.id, monthly.id)
    dearer = gateway.create_price(gateway.create_product("Pro").id, 50000, "usd", "month")
    clock.advance(timedelta(days=15))  # half the period left

    changed = gateway.change_subscription_price(subscription.id, dearer.id)

    assert (changed.id, changed.price, changed.status) == (subscription.id, dearer.id, "active")
    assert changed.current_period_end == subscription.current_period_end
    latest = gateway.list_invoices(customer.id)[0]
    assert (latest.amount_due, latest.status, latest.subscription) == (15000, "paid", subscription.id)
    unprorated = gateway.change_subscription_price(subscription.id, monthly.id, prorate=False)
    assert unprorated.price == monthly.id and gateway.list_invoices(customer.id)[0].amount_due == 0


def test_another_interval_starts_a_new_period(gateway, customer, monthly, clock):
    subscription = gateway.create_subscription(customer.id, monthly.id)
    yearly = gateway.create_price(gateway.create_product("Yearly").id, 200000, "usd", "year")
    clock.advance(timedelta(days=15))

    changed = gateway.change_subscription_price(subscription.id, yearly.id)

    later = NOW + timedelta(days=15)
    assert (changed.current_period_start, changed.current_period_end) == (later, later + timedelta(days=365))
    assert gateway.list_invoices(customer.id)[0].amount_due == 200000 - 10000  # less the unused half month


def test_a_declined_price_change_leaves_the_subscription_past_due(gateway, customer, monthly):
    subscription = gateway.create_subscription(customer.id, monthly.id)
    yearly = gateway.create_price(gateway.create_product("Yearly").id, 200000, "usd", "year")
    gateway.set_default_payment_method(customer.id, "pm_card_chargeCustomerFail")

    changed = gateway.change_subscription_price(subscription.id, yearly.id)

    assert changed.status == "past_due" and changed.client_secret.startswith("pi_")
    gateway.deactivate_price(monthly.id)
    assert "inactive" in refused(gateway.change_subscription_price, subscription.id, monthly.id).detail


# -- payment intents -------------------------------------------------------------------------------

def test_a_payment_without_a_method_waits_for_the_customer(gateway, customer):
    intent = gateway.create_payment_intent(1000, "usd", customer=customer.id, metadata={"order": "1"})

    assert (intent.status, intent.amount, intent.amount_received, intent.capture_method) == (
        "requires_payment_method", 1000, 0, "automatic")
    assert intent.client_secret.startswith(f"{intent.id}_secret_")
    assert (intent.customer, intent.metadata) == (customer.id, {"order": "1"})
    assert gateway.retrieve_payment_intent(intent.id) == intent
    assert refused(gateway.retrieve_payment_intent, "pi_nope").code == "resource_missing"


def test_a_good_card_is_charged_at_once(gateway):
    intent = gateway.create_payment_intent(2500, "usd", payment_method="pm_card_visa")

    assert (intent.status, intent.amount_received) == ("succeeded", 2500)


@pytest.mark.parametrize("card", ["pm_card_chargeCustomerFail", "pm_card_declined"])
def test_a_failing_card_is_declined(gateway, card):
    error = refused(gateway.create_payment_intent, 2500, "usd", payment_method=card)

    assert (error.detail, error.code) == ("Your card was declined.", "card_declined")
    assert "pm_invalid" in refused(gateway.create_payment_intent, 1, "usd", payment_method="pm_invalid").detail


def test_manual_capture_all_or_part(gateway):
    intent = gateway.create_payment_intent(5000, "usd", capture_method="manual", payment_method="pm_card_visa")
    assert (intent.status, intent.capture_method, intent.amount_received) == ("requires_capture", "manual", 0)
    assert refused(gateway.refund, intent.id).code == "charge_not_refundable"

    captured = gateway.capture_payment_intent(intent.id)
    assert (captured.status, captured.amount_received) == ("succeeded", 5000)
    assert refused(gateway.capture_payment_intent, intent.id).code == "payment_intent_unexpected_state"

    other = gateway.create_payment_intent(5000, "usd", capture_method="manual", payment_method="pm_card_visa")
    assert refused(gateway.capture_payment_intent, other.id, 6000).code == "amount_too_large"
    assert gateway.capture_payment_intent(other.id, 3000).amount_received == 3000


def test_refunds_accumulate_up_to_what_was_received(gateway):
    intent = gateway.create_payment_intent(5000, "usd", payment_method="pm_card_visa")

    refund = gateway.refund(intent.id, 1500)
    assert refund.id.startswith("re_")
    assert (refund.payment_intent, refund.amount, refund.currency, refund.status) == (
        intent.id, 1500, "usd", "succeeded")
    assert gateway.retrieve_payment_intent(intent.id).amount_refunded == 1500
    assert refused(gateway.refund, intent.id, 4000).code == "amount_too_large"
    assert gateway.refund(intent.id).amount == 3500  # what is left
    assert gateway.retrieve_payment_intent(intent.id).amount_refunded == 5000
    assert refused(gateway.refund, intent.id).code == "charge_already_refunded"


# -- idempotency -----------------------------------------------------------------------------------

def test_a_key_sent_again_answers_the_very_first_result(gateway, customer, monthly):
    results = {}
    for _ in range(2):
        results.setdefault("customer", []).append(
            gateway.create_customer("b@example.com", "B", {}, idempotency_key="k-customer"))
        results.setdefault("product", []).append(gateway.create_product("Pro", idempotency_key="k-product"))
        results.setdefault("price", []).append(
            gateway.create_price(monthly.product, 1, "usd", "month", idempotency_key="k-price"))
        results.setdefault("subscription", []).append(
            gateway.create_subscription(customer.id, monthly.id, idempotency_key="k-sub"))
        results.setdefault("payment", []).append(
            gateway.create_payment_intent(900, "usd", capture_method="manual", payment_method="pm_card_visa",
                                          idempotency_key="k-pay"))
        pay = results["payment"][0].id
        results.setdefault("capture", []).append(gateway.capture_payment_intent(pay, idempotency_key="k-capture"))
        results.setdefault("refund", []).append(gateway.refund(pay, 100, idempotency_key="k-refund"))

    for name, (first, second) in results.items():
        assert first is second, name
    assert len(gateway.subscriptions) == 1 and len(gateway.refunds) == 1
    assert gateway.retrieve_payment_intent(results["payment"][0].id).amount_refunded == 100
    assert len(gateway.list_invoices(customer.id)) == 1


def test_a_price_change_sent_again_is_made_once(gateway, customer, monthly):
    subscription = gateway.create_subscription(customer.id, monthly.id)
    dearer = gateway.create_price(monthly.product, 30000, "usd", "month")

    first = gateway.change_subscription_price(subscription.id, dearer.id, idempotency_key="change")
    assert gateway.change_subscription_price(subscription.id, dearer.id, idempotency_key="change") is first
    assert len(gateway.list_invoices(customer.id)) == 2


def test_a_key_used_with_other_parameters_is_an_unknown_outcome_not_a_refusal(gateway, customer, monthly):
    """As the Stripe adapter reads Stripe's idempotency_error: the first call's outcome is not known
    to the caller, so it must not close the operation as refused (a retry would charge again)."""
    gateway.create_payment_intent(100, "usd", idempotency_key="k")

    with pytest.raises(PaymentProviderUnavailable, match="same parameters"):
        gateway.create_payment_intent(200, "usd", idempotency_key="k")
    with pytest.raises(PaymentProviderUnavailable, match="same parameters"):
        gateway.create_product("P", idempotency_key="k")
    assert len(gateway.payment_intents) == 1


def test_a_declined_charge_sent_again_is_declined_without_a_second_attempt(gateway):
    for _ in range(2):
        refused(gateway.create_payment_intent, 100, "usd", payment_method="pm_card_declined", idempotency_key="k")

    assert len(gateway.payment_intents) == 1


def test_a_refusal_of_an_invalid_request_is_not_kept(gateway, monthly):
    future = f"cus_{int(monthly.id.removeprefix('price_')) + 1}"  # the id the next customer gets
    refused(gateway.create_subscription, future, monthly.id, idempotency_key="k")

    assert gateway.create_customer(None, None, {}).id == future
    assert gateway.create_subscription(future, monthly.id, idempotency_key="k").status == "incomplete"


# -- failures --------------------------------------------------------------------------------------

def test_failing_calls_do_nothing_then_the_provider_answers_again(gateway, customer, monthly):
    gateway.fail_next(2)

    for _ in range(2):
        with pytest.raises(PaymentProviderUnavailable):
            gateway.create_subscription(customer.id, monthly.id, idempotency_key="k")
    assert gateway.subscriptions == {}
    assert gateway.create_subscription(customer.id, monthly.id, idempotency_key="k").status == "active"
    assert gateway.calls[-3:] == [("create_subscription", "k")] * 3


def test_an_unavailable_provider_fails_every_call(gateway, customer):
    gateway.unavailable = True
    with pytest.raises(PaymentProviderUnavailable):
        gateway.retrieve_payment_intent("pi_1")
    with pytest.raises(PaymentProviderUnavailable):
        gateway.create_product("P")
    gateway.unavailable = False

    assert gateway.products == {}
    assert gateway.create_product("P").name == "P"


def test_a_lost_answer_took_effect_and_a_retry_with_its_key_never_charges_twice(gateway, customer):
    gateway.lose_next_answer()
    with pytest.raises(PaymentProviderUnavailable):
        gateway.create_payment_intent(700, "usd", customer=customer.id, payment_method="pm_card_visa",
                                      idempotency_key="order-1")
    [charged] = gateway.payment_intents.values()
    assert charged.status == "succeeded"  # it did happen

    retried = gateway.create_payment_intent(700, "usd", customer=customer.id, payment_method="pm_card_visa",
                                            idempotency_key="order-1")

    assert retried is charged and len(gateway.payment_intents) == 1
    assert gateway.calls == [("create_customer", None), ("set_default_payment_method", None),
                             ("create_payment_intent", "order-1"), ("create_payment_intent", "order-1")]


def test_a_lost_answer_retried_without_a_key_charges_twice(gateway):
    gateway.lose_next_answer()
    with pytest.raises(PaymentProviderUnavailable):
        gateway.create_payment_intent(700, "usd", payment_method="pm_card_visa")
    gateway.create_payment_intent(700, "usd", payment_method="pm_card_visa")

    assert len(gateway.payment_intents) == 2


def test_a_lost_refusal_is_unavailable_and_the_retry_refused(gateway):
    gateway.lose_next_answer()
    with pytest.raises(PaymentProviderUnavailable):
        gateway.create_payment_intent(700, "usd", payment_method="pm_card_declined", idempotency_key="k")

    assert refused(gateway.create_payment_intent, 700, "usd", payment_method="pm_card_declined",
                   idempotency_key="k").code == "card_declined"


# -- time ------------------------------------------------------------------------------------------

def test_the_time_is_settable_and_else_the_clocks_or_the_real_one(gateway, clock):
    assert gateway.now == NOW
    clock.advance(timedelta(hours=1))
    assert gateway.now == NOW + timedelta(hours=1)
    gateway.now = NOW - timedelta(days=1)
    assert gateway.now == NOW - timedelta(days=1)
    gateway.now += timedelta(days=1)
    assert gateway.now == NOW
    with pytest.raises(ValueError, match="timezone-aware"):
        gateway.now = datetime(2026, 1, 1)
    real = InMemoryPaymentGateway().now
    assert abs(real - datetime.now(UTC)) < timedelta(seconds=5)
