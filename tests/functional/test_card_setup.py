"""Saving a card with a SetupIntent over HTTP, against the in-memory payment provider: the
intent's secret for the browser, the customer made once, a subscribe with the card the browser
saved, and the provider's refusals and outages in the contract's words."""

from __future__ import annotations

import pytest

from wiwebb.adapters.memory import InMemoryPaymentGateway

from .conftest import Api

SUBS = "/api/v1/subscriptions/"
SETUP = f"{SUBS}setup-intent/"


@pytest.fixture
def gateway() -> InMemoryPaymentGateway:
    return InMemoryPaymentGateway()


@pytest.fixture
def premium(api, root) -> int:
    plan = api.post_json("/api/v1/plans/", {"name": "Premium", "pricings": [{"amount": "200"}]}, headers=root,
                         status=201).json
    return int(plan["pricings"][0]["id"])


def user(api: Api, name: str = "sam") -> dict[str, str]:
    return api.auth(api.register(name)["key"])


def test_a_setup_intent_for_the_callers_customer_made_once_and_never_cached(api, gateway):
    sam = user(api)

    answer = api.post(SETUP, headers=sam)
    assert answer.headers["Cache-Control"] == "no-store"
    body = answer.json
    assert set(body) == {"client_secret", "id"}
    assert body["id"].startswith("seti_") and body["client_secret"].startswith(f"{body['id']}_secret_")
    intent = gateway.setup_intents[body["id"]]
    assert intent.client_secret == body["client_secret"] and intent.status == "requires_payment_method"
    [customer] = gateway.customers.values()
    assert (intent.customer, customer.email) == (customer.id, "sam@acme.test")

    again = api.post_json(SETUP, {}, headers=sam).json  # a body, if any, is ignored
    assert again["id"] != body["id"] and gateway.setup_intents[again["id"]].customer == customer.id
    assert len(gateway.customers) == 1


def test_the_card_the_browser_saved_pays_the_subscription(api, gateway, premium):
    sam = user(api)
    intent = api.post(SETUP, headers=sam).json
    card = gateway.confirm_setup_intent(intent["id"]).payment_method  # Stripe.js confirmCardSetup

    body = api.post_json(f"{SUBS}subscribe/", {"pricing_id": premium, "payment_method": card}, headers=sam,
                         status=201).json

    assert body["status"] == "active" and "client_secret" not in body
    customer = gateway.setup_intents[intent["id"]].customer
    assert gateway.subscriptions[body["subscription_id"]].customer == customer
    assert gateway.default_payment_methods[customer] == card and len(gateway.customers) == 1


def test_a_saved_card_whose_charges_fail_leaves_the_subscription_to_pay_with_its_secret(api, gateway, premium):
    sam = user(api)
    intent = api.post(SETUP, headers=sam).json
    card = gateway.confirm_setup_intent(intent["id"], "pm_card_chargeCustomerFail").payment_method

    body = api.post_json(f"{SUBS}subscribe/", {"pricing_id": premium, "payment_method": card}, headers=sam,
                         status=201).json

    assert body["status"] == "incomplete" and body["client_secret"].startswith("pi_")


def test_every_role_may_save_a_card_and_nobody_anonymous(api, gateway, root):
    assert api.post(SETUP, headers=root).json["id"].startswith("seti_")
    assert api.post(SETUP, status=401).json == {"detail": "Authentication credentials were not provided."}


def test_the_providers_refusal_is_a_400_with_its_message_and_an_outage_a_503(api, gateway):
    sam = user(api)
    customer = gateway.setup_intents[api.post(SETUP, headers=sam).json["id"]].customer
    del gateway.customers[customer]  # deleted in Stripe's dashboard

    assert api.post(SETUP, headers=sam, status=400).json == {"detail": f"No such customer: '{customer}'"}
    gateway.unavailable = True
    answer = api.post(SETUP, headers=user(api, "dee"), status=503)
    assert answer.json == {"detail": "Payment provider unavailable. Try again later."}
    assert answer.headers["Retry-After"]


@pytest.mark.parametrize("gateway", [None], ids=["no provider"])
def test_without_a_payment_provider_it_is_a_503(api):
    assert api.post(SETUP, headers=user(api), status=503).json == {
        "detail": "Payment provider unavailable. Try again later."}
