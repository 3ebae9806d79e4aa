"""The console's card flow against localstripe, with nothing faked on WiWebb's side: a SetupIntent
from the API, confirmed the way Stripe.js confirms it (localstripe's stand-in's very request, with
the publishable key the API hands out), then a subscribe with the payment method it saved."""

from __future__ import annotations

import pytest
import requests
import stripe
import webtest

from wiwebb.adapters.mail import InMemoryMailer
from wiwebb.app import build_app

from ..conftest import make_settings
from .localstripe_server import SECRET_KEY

PUBLIC_KEY = "pk_test_wiwebb_localstripe"
SUBS = "/api/v1/subscriptions/"


@pytest.fixture
def api(localstripe, database, tmp_path):
    settings = make_settings(database.url.render_as_string(False), tmp_path, USE_LOCALSTRIPE="true",
                             LOCALSTRIPE_URL=localstripe.url, STRIPE_SECRET_KEY=SECRET_KEY,
                             STRIPE_PUBLIC_KEY=PUBLIC_KEY)
    app = build_app(settings, database=database, mailer=InMemoryMailer(), wait_for_database=False)
    with database.session(write=True) as session, session.begin():
        app.adapters.identity(session).create_superuser(username="root", email="root@wiwebb.test",
                                                        password="correct-horse-9")
    yield webtest.TestApp(app)
    app.adapters.gateway.close()


@pytest.fixture
def stripe_api(localstripe):
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": localstripe.url}).v1


def confirm_card_setup(localstripe_url: str, public_key: str, client_secret: str,
                       number: str) -> tuple[int, dict]:
    """What localstripe's `Stripe(key).confirmCardSetup(secret, {payment_method: {card}})` sends for
    the card typed into its element (strings, as its inputs hold them)."""
    intent = client_secret.split("_secret_")[0]
    card = {"number": number, "exp_month": "12", "exp_year": "2030", "cvc": "123"}
    answer = requests.post(f"{localstripe_url}/v1/setup_intents/{intent}/confirm", timeout=10, json={
        "key": public_key, "use_stripe_sdk": True, "client_secret": client_secret,
        "payment_method_data": {"type": "card", "card": card,
                                "billing_details": {"address": {"postal_code": "42424"}}}})
    return answer.status_code, answer.json()


@pytest.mark.parametrize("attached_by_setup", [False, True], ids=["as-localstripe", "as-stripe"])
def test_a_card_saved_by_a_setup_intent_pays_a_paid_subscription(api, localstripe, stripe_api, attached_by_setup):
    root = {"Authorization": "Token " + api.post_json("/api/v1/auth/login/", {
        "username": "root", "password": "correct-horse-9"}).json["key"]}
    plan = api.post_json("/api/v1/plans/", {"name": "Premium", "pricings": [{"amount": "200"}]}, headers=root,
                         status=201).json
    sam = {"Authorization": "Token " + api.post_json("/api/v1/auth/registration/", {
        "username": "sam", "email": "sam@acme.test", "password1": "correct-horse-9",
        "password2": "correct-horse-9"}, status=201).json["key"]}
    public_key = api.get("/api/v1/meta/").json["stripe_public_key"]

    answer = api.post(f"{SUBS}setup-intent/", headers=sam)
    assert answer.headers["Cache-Control"] == "no-store"
    intent = answer.json
    assert intent["id"].startswith("seti_") and intent["client_secret"].startswith(f"{intent['id']}_secret_")
    made = stripe_api.setup_intents.retrieve(intent["id"])
    assert (made.usage, made.payment_method_types, made.status) == ("off_session", ["card"],
                                                                    "requires_payment_method")
    assert stripe_api.customers.retrieve(made.customer).email == "sam@acme.test"

    status, confirmed = confirm_card_setup(localstripe.url, public_key, intent["client_secret"], "4242424242424242")
    assert (status, confirmed["object"], confirmed["status"]) == (200, "setup_intent", "succeeded")
    card = confirmed["payment_method"]
    assert isinstance(card, str) and card.startswith("pm_")  # an id, as Stripe.js's setupIntent has it
    if attached_by_setup:  # Stripe attaches the card to the intent's customer; localstripe does not
        stripe_api.payment_methods.attach(card, params={"customer": made.customer})

    body = api.post_json(f"{SUBS}subscribe/", {"plan_id": plan["id"], "payment_method": card}, headers=sam,
                         status=201).json

    assert body["status"] == "active" and "client_secret" not in body
    assert stripe_api.subscriptions.retrieve(body["subscription_id"]).customer == made.customer
    assert stripe_api.customers.retrieve(made.customer).invoice_settings.default_payment_method == card
    assert stripe_api.payment_methods.retrieve(card).customer == made.customer


def test_a_card_declined_when_saved_is_refused_by_stripe_js_with_its_message(api, localstripe):
    sam = {"Authorization": "Token " + api.post_json("/api/v1/auth/registration/", {
        "username": "sam", "email": "sam@acme.test", "password1": "correct-horse-9",
        "password2": "correct-horse-9"}, status=201).json["key"]}
    intent = api.post(f"{SUBS}setup-intent/", headers=sam).json

    status, refused = confirm_card_setup(localstripe.url, PUBLIC_KEY, intent["client_secret"], "4000000000000002")

    assert (status, refused["error"]["message"]) == (402, "Your card was declined.")
