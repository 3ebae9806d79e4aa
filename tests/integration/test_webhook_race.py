"""Two copies of one Stripe event arriving at the same moment, on PostgreSQL with real concurrent
connections: one is applied, the other waits on the event id's unique index and answers 200 as a
duplicate. Never two effects, never a 500."""

from __future__ import annotations

import json
import threading
import time

import stripe
import webtest

from wiwebb.adapters import schema
from wiwebb.adapters.database import Database, create_database_engine
from wiwebb.adapters.mail import InMemoryMailer
from wiwebb.adapters.memory import InMemoryPaymentGateway
from wiwebb.app import build_app
from wiwebb.domain.subscription_sync import SubscriptionSync

from ..conftest import make_settings, new_postgres_database

SECRET = "whsec_race"


def test_simultaneous_duplicate_deliveries_apply_the_event_once(tmp_path, monkeypatch):
    with new_postgres_database("wiwebb_race") as url:
        engine = create_database_engine(url.render_as_string(False))
        try:
            schema.migrate(engine)
            settings = make_settings(url.render_as_string(False), tmp_path, STRIPE_WEBHOOK_SECRET=SECRET)
            gateway = InMemoryPaymentGateway()
            app = build_app(settings, database=Database(engine), mailer=InMemoryMailer(), gateway=gateway,
                            wait_for_database=False)
            _run_race(app, gateway, monkeypatch)
        finally:
            engine.dispose()


def _run_race(app, gateway, monkeypatch) -> None:
    api = webtest.TestApp(app)
    identity = app.adapters
    with identity.database.session(write=True) as session, session.begin():
        identity.identity(session).create_superuser(username="root", email="root@wiwebb.test",
                                                    password="correct-horse-9")
    root = {"Authorization": "Token " + api.post_json("/api/v1/auth/login/", {
        "username": "root", "password": "correct-horse-9"}).json["key"]}
    plan = api.post_json("/api/v1/plans/", {"name": "Premium", "pricings": [{"amount": "200"}]}, headers=root).json
    sub = api.post_json("/api/v1/subscriptions/subscribe/", {"pricing_id": plan["pricings"][0]["id"],
                                                             "payment_method": "pm_card_visa"}, headers=root).json
    remote = gateway.subscriptions[sub["subscription_id"]]
    start = int(time.time())
    payload = json.dumps({"id": "evt_twice", "object": "event", "type": "customer.subscription.updated",
                          "created": start + 10, "data": {"object": {
                              "id": remote.id, "object": "subscription", "status": "past_due",
                              "customer": remote.customer, "cancel_at_period_end": False,
                              "items": {"data": [{"price": {"id": remote.price}, "current_period_start": start,
                                                  "current_period_end": start + 86400}]}}}})
    headers = {"Stripe-Signature": stripe.WebhookSignature.generate_signature_header(payload, SECRET),
               "Content-Type": "application/json"}

    applied = []
    original = SubscriptionSync.apply_provider_state

    def slow_apply(self, *args, **kwargs):
        applied.append(threading.current_thread().name)
        time.sleep(0.5)  # hold the transaction (and the event id's row) while the copy arrives
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SubscriptionSync, "apply_provider_state", slow_apply)
    answers: dict[str, tuple[int, dict]] = {}

    def deliver(name: str) -> None:
        response = webtest.TestApp(app).post("/api/v1/payments/webhook/", payload, headers=headers, expect_errors=True)
        answers[name] = (response.status_int, response.json)

    threads = [threading.Thread(target=deliver, args=(f"copy-{n}",), name=f"copy-{n}") for n in range(2)]
    for thread in threads:
        thread.start()
        time.sleep(0.1)  # the second copy arrives while the first is being applied
    for thread in threads:
        thread.join(10)
    assert sorted(status for status, _ in answers.values()) == [200, 200]
    assert sorted(body["outcome"] for _, body in answers.values()) == ["duplicate", "processed"]
    assert len(applied) == 1
    changes = api.get("/api/v1/audit-logs/?action=subscription_changed", headers=root).json["results"]
    assert [c["details"]["status"] for c in changes] == ["past_due", "active"]
