"""Billing end to end with nothing faked: WiWebb served on a real local port over PostgreSQL,
localstripe as Stripe, and localstripe delivering its signed webhooks to WiWebb's endpoint.

A subscriber subscribes through the HTTP API with the test card 4242 4242 4242 4242 and sees
`active`; with the declining card 4000 0000 0000 0341 sees `incomplete` (with the secret to pay
another way); cancels at period end and sees it in the status (from Stripe's answer: localstripe
sends no `customer.subscription.updated`); a subscription ended in Stripe reaches `canceled`
through the `customer.subscription.deleted` webhook. Every event localstripe sends is received,
verified and recorded."""

from __future__ import annotations

import time
import urllib.parse
import urllib.request
from collections.abc import Callable

import pytest
import requests
import stripe
from sqlalchemy import select
from webtest.http import StopableWSGIServer

from wiwebb.adapters import schema
from wiwebb.adapters.database import Database, create_database_engine
from wiwebb.adapters.mail import InMemoryMailer
from wiwebb.adapters.orm import WebhookEventRow
from wiwebb.app import build_app

from ..conftest import make_settings, new_postgres_database
from .localstripe_server import SECRET_KEY

WEBHOOK_SECRET = "whsec_end_to_end"
GOOD_CARD = "4242424242424242"
DECLINING_CARD = "4000000000000341"
SUBS = "/api/v1/subscriptions/"


@pytest.fixture
def served(localstripe, tmp_path):
    """(api, database, stripe API) with WiWebb listening on a real port and localstripe's webhooks
    pointed at it."""
    with new_postgres_database("wiwebb_e2e") as url:
        engine = create_database_engine(url.render_as_string(False))
        schema.migrate(engine)
        settings = make_settings(url.render_as_string(False), tmp_path, USE_LOCALSTRIPE="true",
                                 LOCALSTRIPE_URL=localstripe.url, STRIPE_SECRET_KEY=SECRET_KEY,
                                 STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
        database = Database(engine)
        app = build_app(settings, database=database, mailer=InMemoryMailer(), wait_for_database=False)
        server = StopableWSGIServer.create(app)
        try:
            hook = f"{server.application_url}api/v1/payments/webhook/"
            form = urllib.parse.urlencode({"url": hook, "secret": WEBHOOK_SECRET}).encode()
            urllib.request.urlopen(f"{localstripe.url}/_config/webhooks/wiwebb", form, timeout=10).close()
            stripe_api = stripe.StripeClient(SECRET_KEY, base_addresses={"api": localstripe.url}).v1
            with database.session(write=True) as session, session.begin():
                app.adapters.identity(session).create_superuser(username="root", email="root@wiwebb.test",
                                                                password="correct-horse-9")
            yield Http(server.application_url.rstrip("/")), database, stripe_api
        finally:
            server.shutdown()
            app.adapters.gateway.close()
            engine.dispose()


class Http:
    """The API over real HTTP (what a client on the network sees), WebTest-like."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()

    def get(self, path: str, headers: dict[str, str], status: int = 200) -> requests.Response:
        return self._check(self.session.get(self.base + path, headers=headers, timeout=30), status)

    def post_json(self, path: str, body: dict, headers: dict[str, str] | None = None,
                  status: int = 200) -> requests.Response:
        return self._check(self.session.post(self.base + path, json=body, headers=headers or {}, timeout=30), status)

    @staticmethod
    def _check(response: requests.Response, status: int) -> requests.Response:
        assert response.status_code == status, (response.status_code, response.text)
        response.json = response.json()  # type: ignore[method-assign]  # WebTest's attribute, for brevity
        return response


def card(stripe_api, number: str) -> str:
    """A card payment method, made as Stripe.js would make it in the customer's browser."""
    return stripe_api.payment_methods.create(params={
        "type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}}).id


def eventually(check: Callable[[], object], timeout: float = 15.0) -> object:
    """Wait for localstripe's webhooks (sent about a second after each change)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.2)


def events(database, kind: str | None = None) -> list[tuple[str, str]]:
    with database.session() as session:
        statement = select(WebhookEventRow.type, WebhookEventRow.status)
        if kind:
            statement = statement.where(WebhookEventRow.type == kind)
        return [tuple(row) for row in session.execute(statement.order_by(WebhookEventRow.received_at))]


def register(api, username: str) -> dict[str, str]:
    body = {"username": username, "email": f"{username}@acme.test", "password1": "correct-horse-9",
            "password2": "correct-horse-9"}
    return {"Authorization": "Token " + api.post_json("/api/v1/auth/registration/", body, status=201).json["key"]}


def test_subscriptions_with_localstripe_and_its_webhooks(served):
    api, database, stripe_api = served
    staff = {"Authorization": "Token " + api.post_json("/api/v1/auth/login/", {
        "username": "root", "password": "correct-horse-9"}).json["key"]}
    plan = api.post_json("/api/v1/plans/", {"name": "Premium", "pricings": [{"amount": "200"}]}, headers=staff,
                        status=201).json
    pricing = plan["pricings"][0]["id"]

    # A good card: active at once, and the webhooks that follow agree.
    sam = register(api, "sam")
    active = api.post_json(f"{SUBS}subscribe/", {"pricing_id": pricing, "payment_method": card(stripe_api, GOOD_CARD)},
                           headers=sam, status=201).json
    assert active["status"] == "active" and active["subscription_id"].startswith("sub_")
    assert "client_secret" not in active
    assert eventually(lambda: ("customer.subscription.created", "processed") in events(database))
    assert eventually(lambda: ("invoice.payment_succeeded", "processed") in events(database))
    assert api.get(f"{SUBS}status/", headers=sam).json["status"] == "active"

    # A card that attaches but whose charges fail: incomplete, with the secret to pay otherwise.
    dee = register(api, "dee")
    incomplete = api.post_json(f"{SUBS}subscribe/", {"pricing_id": pricing,
                                                     "payment_method": card(stripe_api, DECLINING_CARD)},
                               headers=dee, status=201).json
    assert incomplete["status"] == "incomplete" and incomplete["client_secret"]
    # (localstripe reports the failed first payment by no event of its own: the created event only.)
    assert eventually(lambda: events(database, "customer.subscription.created") == [
        ("customer.subscription.created", "processed")] * 2), events(database)
    assert api.get(f"{SUBS}status/", headers=dee).json["status"] == "incomplete"

    # Cancel at period end: the flag comes from Stripe's answer.
    cancelled = api.post_json(f"{SUBS}cancel/", {}, headers=sam).json
    assert cancelled["cancel_at_period_end"] is True and cancelled["status"] == "active"
    remote = stripe_api.subscriptions.retrieve(active["subscription_id"])
    assert remote["cancel_at_period_end"] in (True, "true")
    assert api.get(f"{SUBS}status/", headers=sam).json["cancel_at_period_end"] is True

    # Ended in Stripe itself (its dashboard, say): the deleted webhook brings `canceled` here.
    stripe_api.subscriptions.cancel(active["subscription_id"])
    assert eventually(lambda: api.get(f"{SUBS}status/", headers=sam).json["status"] == "canceled")
    assert ("customer.subscription.deleted", "processed") in events(database)

    # Staff end one at once through the API: canceled now, and the webhook that follows agrees.
    ended = api.post_json(f"{SUBS}cancel/", {"subscription_id": incomplete["id"], "at_once": True},
                          headers=staff).json
    assert ended["status"] == "canceled"
    assert eventually(lambda: len(events(database, "customer.subscription.deleted")) == 2)
    assert api.get(f"{SUBS}status/", headers=dee).json["status"] == "canceled"

    # Nothing localstripe sent failed or was lost.
    assert eventually(lambda: all(status == "processed" for _, status in events(database)))
    audit = api.get("/api/v1/audit-logs/?action=subscription_changed&page_size=100", headers=staff).json
    assert {"subscribed", "canceled", "canceled_at_once", "provider_update"} <= {
        e["details"]["change"] for e in audit["results"]}
