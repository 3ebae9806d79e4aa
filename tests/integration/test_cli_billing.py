"""`wiwebb webhooks` (failed Stripe events: list, replay) and `wiwebb sync-subscriptions` (repair
local subscriptions from Stripe), run as the real console script against a real localstripe.

The data is made through the WSGI application in-process (a superuser's plan, a subscriber who
buys it with a good card on localstripe) on the SQLite file the command then works on; drift and
failed events are then written straight into the tables, as a missed webhook or a lost commit
would leave them."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import stripe
import webtest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from wiwebb.adapters.orm import WebhookEventRow
from wiwebb.app import build_app

from ..conftest import make_settings
from .test_cli_support import Cli, free_port, one_line, sqlite_cli

STRIPE_KEY = "sk_test_anything"  # localstripe takes any sk_ key
GOOD_CARD = "4242424242424242"
PASSWORD = "correct-horse-9"
ALL_MATCH = "All subscriptions match Stripe."


def stripe_environ(localstripe) -> dict[str, str]:
    return {"USE_LOCALSTRIPE": "true", "LOCALSTRIPE_URL": localstripe.url, "STRIPE_SECRET_KEY": STRIPE_KEY,
            "STRIPE_WEBHOOK_SECRET": "whsec_x"}


@dataclass
class Billing:
    """A migrated SQLite database with one subscriber (`user_id`) holding an active Premium
    subscription on localstripe, and a superuser (`root_id`) with none."""

    cli: Cli
    url: str
    stripe: Any  # stripe.StripeClient(...).v1 on localstripe, to look behind WiWebb or act as Stripe
    root_id: int
    user_id: int
    row_id: int  # subscriptions.id
    subscription: str  # Stripe's sub_...
    customer: str  # Stripe's cus_...
    price: str  # Stripe's price of the pricing bought

    def sql(self, statement: str, **params: Any) -> list[dict[str, Any]]:
        engine = create_engine(self.url)
        try:
            with engine.begin() as connection:
                result = connection.execute(text(statement), params)
                return [dict(row._mapping) for row in result] if result.returns_rows else []
        finally:
            engine.dispose()

    def subscriptions(self) -> list[dict[str, Any]]:
        return self.sql("SELECT id, user_id, plan_id, pricing_id, status, subscription_id, customer_id, "
                        "ended_at, provider_updated FROM subscriptions ORDER BY id")

    def event(self, event_id: str) -> dict[str, Any]:
        [row] = self.sql("SELECT * FROM webhook_events WHERE event_id = :id", id=event_id)
        return row

    def store_failed_event(self, event_id: str, payload: dict[str, Any], *, error: str = "RuntimeError: boom",
                           attempts: int = 1, received_at: datetime | None = None) -> None:
        """A webhook_events row as the webhook leaves a delivery whose handling failed."""
        engine = create_engine(self.url)
        try:
            with Session(engine) as session, session.begin():
                session.add(WebhookEventRow(
                    event_id=event_id, type=payload["type"], created=payload["created"], payload=json.dumps(payload),
                    status="failed", received_at=received_at or datetime.now(UTC), processed_at=None, error=error,
                    attempts=attempts))
        finally:
            engine.dispose()


def subscription_event(event_id: str, *, subscription: str, customer: str, price: str, status: str,
                       created: int) -> dict[str, Any]:
    start = int(time.time())
    return {"id": event_id, "object": "event", "type": "customer.subscription.updated", "created": created,
            "data": {"object": {
                "id": subscription, "object": "subscription", "status": status, "customer": customer,
                "cancel_at_period_end": False,
                "items": {"object": "list", "data": [{
                    "object": "subscription_item", "price": {"id": price, "object": "price"},
                    "current_period_start": start, "current_period_end": start + 30 * 86400}]}}}}


@pytest.fixture
def billing(tmp_path, localstripe) -> Billing:
    environ = stripe_environ(localstripe)
    cli = sqlite_cli(tmp_path)
    cli.env.update(environ)
    cli.ok("migrate")
    url = f"sqlite:///{cli.sqlite_path}"
    stripe_api = stripe.StripeClient(STRIPE_KEY, base_addresses={"api": localstripe.url}).v1
    app = build_app(make_settings(url, tmp_path, **environ), wait_for_database=False)
    try:
        api = webtest.TestApp(app)
        adapters = app.adapters
        with adapters.database.session(write=True) as session, session.begin():
            adapters.identity(session).create_superuser(username="root", email="root@wiwebb.test",
                                                        password=PASSWORD)
        root = {"Authorization": "Token " + api.post_json(
            "/api/v1/auth/login/", {"username": "root", "password": PASSWORD}).json["key"]}
        root_id = api.get("/api/v1/auth/user/", headers=root).json["id"]
        plan = api.post_json("/api/v1/plans/", {"name": "Premium", "pricings": [{"amount": "200"}]},
                             headers=root, status=201).json
        key = api.post_json("/api/v1/auth/registration/", {
            "username": "sam", "email": "sam@acme.test", "password1": PASSWORD, "password2": PASSWORD},
            status=201).json["key"]
        sam = {"Authorization": f"Token {key}"}
        user_id = api.get("/api/v1/auth/user/", headers=sam).json["id"]
        card = {"number": GOOD_CARD, "exp_month": 12, "exp_year": 2034, "cvc": "123"}
        payment_method = stripe_api.payment_methods.create(params={"type": "card", "card": card}).id
        bought = api.post_json("/api/v1/subscriptions/subscribe/", {
            "pricing_id": plan["pricings"][0]["id"], "payment_method": payment_method}, headers=sam, status=201).json
        assert bought["status"] == "active"
    finally:
        if app.adapters.gateway is not None:
            app.adapters.gateway.close()
        app.adapters.database.engine.dispose()
    setup = Billing(cli, url, stripe_api, root_id, user_id, bought["id"], bought["subscription_id"], "", "")
    [row] = setup.subscriptions()
    [customer] = setup.sql("SELECT customer_id FROM billing_customers WHERE user_id = :id", id=user_id)
    [pricing] = setup.sql("SELECT stripe_price_id FROM pricings WHERE id = :id", id=plan["pricings"][0]["id"])
    setup.customer, setup.price = customer["customer_id"], pricing["stripe_price_id"]
    assert row["id"] == setup.row_id and row["status"] == "active" and row["customer_id"] == setup.customer
    assert stripe_api.subscriptions.retrieve(setup.subscription).status == "active"
    return setup


def provider_updates(billing: Billing) -> list[dict[str, Any]]:
    """The details of the audit entries that record a change read from the provider."""
    rows = billing.sql("SELECT details FROM audit_log WHERE action = 'subscription_changed' ORDER BY id")
    details = [json.loads(row["details"]) if isinstance(row["details"], str) else row["details"] for row in rows]
    return [d for d in details if d["change"] == "provider_update"]


# -- sync-subscriptions -------------------------------------------------------------------------


def test_sync_repairs_a_drifted_status_and_then_finds_nothing(billing):
    billing.sql("UPDATE subscriptions SET status = 'incomplete' WHERE id = :id", id=billing.row_id)

    others = billing.cli.ok("sync-subscriptions", "--user", str(billing.root_id))
    assert others.stdout.splitlines() == [ALL_MATCH]
    assert billing.subscriptions()[0]["status"] == "incomplete"  # another user's: untouched
    assert provider_updates(billing) == []

    repaired = billing.cli.ok("sync-subscriptions")
    assert repaired.stdout.splitlines() == [
        f"subscription {billing.row_id} ({billing.subscription}) of user {billing.user_id}: incomplete -> active",
        "1 subscription(s) repaired."]
    [row] = billing.subscriptions()
    assert row["status"] == "active" and row["user_id"] == billing.user_id and row["ended_at"] is None
    [update] = provider_updates(billing)
    assert update["subscription"] == billing.row_id and update["status"] == "active"
    assert update["previous_status"] == "incomplete"

    again = billing.cli.ok("sync-subscriptions")
    assert again.stdout.splitlines() == [ALL_MATCH]
    assert [r["status"] for r in billing.subscriptions()] == ["active"]
    assert len(provider_updates(billing)) == 1  # nothing more recorded


def test_sync_of_one_user_repairs_that_users_subscription(billing):
    billing.sql("UPDATE subscriptions SET status = 'past_due' WHERE id = :id", id=billing.row_id)
    out = billing.cli.ok("sync-subscriptions", "--user", str(billing.user_id)).stdout
    assert out.splitlines()[-1] == "1 subscription(s) repaired."
    assert f"of user {billing.user_id}: past_due -> active" in out
    assert billing.subscriptions()[0]["status"] == "active"


def test_sync_adopts_a_subscription_whose_local_row_was_lost_and_records_a_cancellation(billing):
    before = billing.subscriptions()[0]
    billing.sql("DELETE FROM subscriptions")  # as if the subscribe's local commit had failed

    adopted = billing.cli.ok("sync-subscriptions").stdout.splitlines()
    [row] = billing.subscriptions()
    assert adopted == [f"subscription {row['id']} ({billing.subscription}) of user {billing.user_id}: adopted",
                       "1 subscription(s) repaired."]
    assert (row["user_id"], row["plan_id"], row["pricing_id"], row["status"], row["customer_id"]) == (
        before["user_id"], before["plan_id"], before["pricing_id"], "active", billing.customer)

    billing.stripe.subscriptions.cancel(billing.subscription)  # at Stripe, with the webhook missed
    canceled = billing.cli.ok("sync-subscriptions").stdout.splitlines()
    assert canceled == [f"subscription {row['id']} ({billing.subscription}) of user {billing.user_id}: "
                        "active -> canceled", "1 subscription(s) repaired."]
    [row] = billing.subscriptions()
    assert row["status"] == "canceled" and row["ended_at"] is not None

    assert billing.cli.ok("sync-subscriptions").stdout.splitlines() == [ALL_MATCH]
    assert [r["status"] for r in billing.subscriptions()] == ["canceled"]


def test_sync_with_stripe_unreachable_fails_and_changes_nothing(billing):
    billing.sql("UPDATE subscriptions SET status = 'incomplete' WHERE id = :id", id=billing.row_id)
    down = billing.cli("sync-subscriptions", LOCALSTRIPE_URL=f"http://127.0.0.1:{free_port()}")
    assert down.returncode == 1 and down.stdout == ""
    assert "Traceback" not in down.stderr
    assert down.stderr.splitlines()[-1] == "wiwebb: Payment provider unavailable. Try again later."
    assert billing.subscriptions()[0]["status"] == "incomplete"
    assert provider_updates(billing) == []


# -- webhooks -----------------------------------------------------------------------------------


def test_webhooks_lists_failed_events_only(billing):
    empty = billing.cli.ok("webhooks").stdout.splitlines()
    assert len(empty) == 1 and empty[0].startswith("0 failed event(s);")

    now = datetime.now(UTC)
    created = int(time.time())
    event = {"subscription": billing.subscription, "customer": billing.customer, "price": billing.price,
             "status": "past_due", "created": created}
    billing.store_failed_event("evt_first", subscription_event("evt_first", **event),
                               error="LookupError: first line\nsecond line", attempts=3,
                               received_at=now - timedelta(minutes=5))
    billing.store_failed_event("evt_second", subscription_event("evt_second", **event),
                               error="RuntimeError: boom", received_at=now - timedelta(minutes=1))
    billing.store_failed_event("evt_done", subscription_event("evt_done", **event))
    billing.sql("UPDATE webhook_events SET status = 'processed', error = '' WHERE event_id = 'evt_done'")

    listed = billing.cli.ok("webhooks", "--failed").stdout
    assert billing.cli.ok("webhooks").stdout == listed  # --failed is the default
    first, second, count = listed.splitlines()
    assert first.split("\t")[:2] == ["evt_first", "customer.subscription.updated"]
    assert "3 attempt(s)" in first.split("\t") and first.endswith("\tLookupError: first line")
    assert second.split("\t")[:2] == ["evt_second", "customer.subscription.updated"]
    assert "1 attempt(s)" in second.split("\t") and second.endswith("\tRuntimeError: boom")
    assert "evt_done" not in listed
    assert count.startswith("2 failed event(s);") and "--replay" in count
    # Listing changes nothing.
    assert [billing.event(e)["status"] for e in ("evt_first", "evt_second", "evt_done")] == [
        "failed", "failed", "processed"]
    assert billing.event("evt_first")["attempts"] == 3
    assert billing.subscriptions()[0]["status"] == "active"


def test_replay_applies_a_stored_event_once(billing):
    [row] = billing.subscriptions()
    billing.store_failed_event("evt_late", subscription_event(
        "evt_late", subscription=billing.subscription, customer=billing.customer, price=billing.price,
        status="past_due", created=row["provider_updated"] + 1))

    replayed = billing.cli.ok("webhooks", "--replay", "evt_late")
    assert replayed.stdout.splitlines() == ["evt_late: processed."]
    event = billing.event("evt_late")
    assert event["status"] == "processed" and event["error"] == "" and event["processed_at"] is not None
    assert event["attempts"] == 2
    [row] = billing.subscriptions()
    assert row["status"] == "past_due" and row["provider_updated"] == event["created"]
    [update] = provider_updates(billing)
    assert update["previous_status"] == "active" and update["status"] == "past_due"
    assert billing.cli.ok("webhooks").stdout.startswith("0 failed event(s);")

    again = billing.cli.ok("webhooks", "--replay", "evt_late")
    assert again.stdout.splitlines() == ["evt_late: already applied."]
    assert billing.event("evt_late")["attempts"] == 2 and billing.event("evt_late")["status"] == "processed"
    assert len(provider_updates(billing)) == 1

    # What the event said is no longer Stripe's state: the sync puts it right.
    assert billing.cli.ok("sync-subscriptions").stdout.splitlines()[-1] == "1 subscription(s) repaired."
    assert billing.subscriptions()[0]["status"] == "active"


def test_replay_of_an_unknown_event_fails_in_one_line(billing):
    unknown = billing.cli("webhooks", "--replay", "evt_nope")
    assert unknown.returncode == 1 and unknown.stdout == ""
    assert one_line(unknown) == "wiwebb: no stored event evt_nope"
    assert billing.sql("SELECT event_id FROM webhook_events") == []


def test_replay_that_fails_again_keeps_the_event_failed(billing):
    billing.store_failed_event("evt_ghost", subscription_event(
        "evt_ghost", subscription="sub_ghost", customer="cus_ghost", price=billing.price, status="active",
        created=int(time.time())), error="LookupError: before")

    failed = billing.cli("webhooks", "--replay", "evt_ghost")
    assert failed.returncode == 1 and failed.stdout == ""
    assert "Traceback" not in failed.stderr
    assert "wiwebb: event evt_ghost failed again: LookupError: subscription sub_ghost: unknown customer " \
           "'cus_ghost'" in failed.stderr.splitlines()[-1]
    event = billing.event("evt_ghost")
    assert event["status"] == "failed" and event["attempts"] == 2 and event["processed_at"] is None
    assert event["error"].startswith("LookupError: subscription sub_ghost: unknown customer 'cus_ghost'")
    assert [r["subscription_id"] for r in billing.subscriptions()] == [billing.subscription]  # nothing adopted
    assert provider_updates(billing) == []

    listed = billing.cli.ok("webhooks").stdout.splitlines()
    assert listed[0].startswith("evt_ghost\t") and "2 attempt(s)" in listed[0].split("\t")
    assert listed[-1].startswith("1 failed event(s);")

    assert billing.cli("webhooks", "--replay", "evt_ghost").returncode == 1
    assert billing.event("evt_ghost")["attempts"] == 3


def test_sync_subscriptions_without_a_payment_provider_says_so(tmp_path):
    cli = sqlite_cli(tmp_path)
    cli.ok("migrate")
    result = cli("sync-subscriptions", STRIPE_SECRET_KEY="", STRIPE_API_KEY="")
    assert result.returncode == 1
    assert one_line(result) == "wiwebb: no payment provider is configured (STRIPE_SECRET_KEY)"
