"""The Stripe webhook over HTTP: signatures checked on the raw body, every malformed delivery a 400,
events applied exactly once and in order, invoice events read the subscription back, and a
failed event kept (with its raw body) for replay. Events are signed as Stripe signs them
(`stripe.WebhookSignature.generate_signature_header`)."""

from __future__ import annotations

import json
import time

import pytest
import stripe
from sqlalchemy import select

from wiwebb.adapters.memory import InMemoryPaymentGateway
from wiwebb.adapters.orm import BillingCustomerRow, SubscriptionRow, WebhookEventRow

from ..conftest import make_settings
from .conftest import Api

SECRET = "whsec_test_secret"
HOOK = "/api/v1/payments/webhook/"
SUBS = "/api/v1/subscriptions/"


@pytest.fixture
def settings(database, tmp_path):
    return make_settings(database.url.render_as_string(False), tmp_path, STRIPE_WEBHOOK_SECRET=SECRET)


@pytest.fixture
def gateway() -> InMemoryPaymentGateway:
    return InMemoryPaymentGateway()



def signed(payload: str, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp or int(time.time()))
    return {"Stripe-Signature": header, "Content-Type": "application/json"}


def deliver(api: Api, event: dict, status: int = 200, path: str = HOOK):
    payload = json.dumps(event)
    return api.post(path, payload, headers=signed(payload), status=status)


def event(event_id: str, event_type: str, obj: dict, created: int) -> dict:
    return {"id": event_id, "object": "event", "type": event_type, "created": created, "data": {"object": obj}}


def subscription_object(sub: dict, status: str, *, customer: str, price: str, cancel: bool = False) -> dict:
    """A subscription as current Stripe API versions send it (the period on the item)."""
    start = int(time.time())
    return {"id": sub["subscription_id"], "object": "subscription", "status": status, "customer": customer,
            "cancel_at_period_end": cancel, "trial_end": None, "metadata": {},
            "items": {"data": [{"price": {"id": price}, "current_period_start": start,
                                "current_period_end": start + 30 * 86400}]}}


@pytest.fixture
def subscribed(api, root, gateway):
    """A subscriber with an active Premium subscription: (headers, subscription, customer, price)."""
    plan = api.post_json("/api/v1/plans/", {"name": "Premium", "pricings": [{"amount": "200"}]}, headers=root).json
    headers = api.auth(api.register("sam")["key"])
    sub = api.post_json(f"{SUBS}subscribe/", {"pricing_id": plan["pricings"][0]["id"],
                                              "payment_method": "pm_card_visa"}, headers=headers, status=201).json
    remote = gateway.subscriptions[sub["subscription_id"]]
    return headers, sub, remote.customer, remote.price


def status_of(api, headers) -> dict:
    return api.get(f"{SUBS}status/", headers=headers).json


# -- what is refused ------------------------------------------------------------------------------


@pytest.mark.parametrize("name, payload, headers", [
    ("the guide's curl: {} unsigned", "{}", {"Content-Type": "application/json"}),
    ("no signature", '{"id": "evt_1"}', {"Content-Type": "application/json"}),
    ("wrong secret", '{"id": "evt_1"}', signed('{"id": "evt_1"}', secret="whsec_other")),
    ("body changed after signing", '{"id": "evt_2"}', signed('{"id": "evt_1"}')),
    ("garbage header", '{"id": "evt_1"}', {"Stripe-Signature": "nonsense", "Content-Type": "application/json"}),
    ("older than 300 s", '{"id": "evt_1"}', signed('{"id": "evt_1"}', timestamp=int(time.time()) - 301)),
])
def test_a_delivery_without_a_valid_recent_signature_is_a_400(api, name, payload, headers):
    assert api.post(HOOK, payload, headers=headers, status=400).json == {"detail": "Invalid signature."}


@pytest.mark.parametrize("payload", ["", "{}", "not json", "[1, 2]", '{"id": "evt_1", "type": "x"}'])
def test_a_signed_body_that_is_not_an_event_is_a_400(api, payload):
    assert api.post(HOOK, payload, headers=signed(payload), status=400).json == {"detail": "Invalid payload."}


def test_without_a_configured_secret_every_delivery_is_refused(make_api):
    api = make_api(STRIPE_WEBHOOK_SECRET="")
    payload = json.dumps(event("evt_1", "invoice.paid", {"object": "invoice", "id": "in_1"}, 1))
    assert api.post(HOOK, payload, headers=signed(payload), status=400).json == {"detail": "Invalid signature."}


def test_other_event_types_are_acknowledged_and_ignored(api):
    body = deliver(api, event("evt_x", "customer.created", {"object": "customer", "id": "cus_1"}, 1)).json
    assert body == {"received": True, "outcome": "ignored"}


# -- applied once, in order ---------------------------------------------------------------------------


def test_an_update_is_applied_once_and_a_duplicate_changes_nothing(api, subscribed, database, root):
    headers, sub, customer, price = subscribed
    later = int(time.time()) + 10
    past_due = event("evt_1", "customer.subscription.updated",
                     subscription_object(sub, "past_due", customer=customer, price=price), later)
    assert deliver(api, past_due).json["outcome"] == "processed"
    assert status_of(api, headers)["status"] == "past_due"
    active = event("evt_2", "customer.subscription.updated",
                   subscription_object(sub, "active", customer=customer, price=price), later + 5)
    deliver(api, active)
    assert deliver(api, past_due).json == {"received": True, "outcome": "duplicate"}
    assert status_of(api, headers)["status"] == "active"
    changes = api.get("/api/v1/audit-logs/?action=subscription_changed", headers=root).json["results"]
    assert [c["details"]["status"] for c in changes] == ["active", "past_due", "active"]
    with database.session() as session:
        assert sorted(session.scalars(select(WebhookEventRow.event_id))) == ["evt_1", "evt_2"]


def test_an_older_event_never_overwrites_a_newer_state_and_the_alias_path_works(api, subscribed):
    headers, sub, customer, price = subscribed
    now = int(time.time())
    deliver(api, event("evt_new", "customer.subscription.updated",
                       subscription_object(sub, "active", customer=customer, price=price, cancel=True), now + 20),
            path="/api/v1/webhooks/stripe/")
    deliver(api, event("evt_old", "customer.subscription.updated",
                       subscription_object(sub, "past_due", customer=customer, price=price), now + 10))
    state = status_of(api, headers)
    assert (state["status"], state["cancel_at_period_end"]) == ("active", True)


def test_two_events_of_the_same_second_are_settled_by_reading_the_subscription_back(api, subscribed, gateway):
    headers, sub, customer, price = subscribed
    second = int(time.time()) + 30
    deliver(api, event("evt_a", "customer.subscription.updated",
                       subscription_object(sub, "past_due", customer=customer, price=price), second))
    gateway.set_subscription_status(sub["subscription_id"], "unpaid")  # what Stripe holds now
    deliver(api, event("evt_b", "customer.subscription.updated",
                       subscription_object(sub, "active", customer=customer, price=price), second))
    assert status_of(api, headers)["status"] == "unpaid"


def test_invoice_paid_completes_an_incomplete_subscription(api, root, gateway):
    plan = api.post_json("/api/v1/plans/", {"name": "Premium", "pricings": [{"amount": "200"}]}, headers=root).json
    headers = api.auth(api.register("sam")["key"])
    sub = api.post_json(f"{SUBS}subscribe/", {"pricing_id": plan["pricings"][0]["id"],
                                              "payment_method": "pm_card_chargeCustomerFail"}, headers=headers).json
    assert sub["status"] == "incomplete"
    gateway.set_subscription_status(sub["subscription_id"], "active")  # the customer paid with another card
    invoice = {"id": "in_9", "object": "invoice", "status": "paid", "subscription": sub["subscription_id"],
               "amount_due": 20000, "amount_paid": 20000, "currency": "usd"}
    assert deliver(api, event("evt_paid", "invoice.paid", invoice, int(time.time()))).json["outcome"] == "processed"
    assert status_of(api, headers)["status"] == "active"


def test_deleted_ends_the_subscription(api, subscribed, database):
    headers, sub, customer, price = subscribed
    deliver(api, event("evt_del", "customer.subscription.deleted",
                       subscription_object(sub, "canceled", customer=customer, price=price), int(time.time()) + 5))
    assert status_of(api, headers)["status"] == "canceled"
    with database.session() as session:
        assert session.scalar(select(SubscriptionRow.ended_at)) is not None


def test_a_subscription_made_outside_wiwebb_for_a_known_customer_is_adopted(api, subscribed):
    headers, sub, customer, price = subscribed
    foreign = {**sub, "subscription_id": "sub_made_in_dashboard"}
    deliver(api, event("evt_created", "customer.subscription.created",
                       subscription_object(foreign, "active", customer=customer, price=price), int(time.time())))
    ids = [s["subscription_id"] for s in api.get(SUBS, headers=headers).json["results"]]
    assert ids == [sub["subscription_id"], "sub_made_in_dashboard"]  # in id order: the adopted one after


# -- never lost ---------------------------------------------------------------------------------------


def test_a_failing_event_answers_500_is_kept_and_can_be_replayed(api, subscribed, database, wsgi_app):
    headers, sub, _customer, price = subscribed
    stranger = {**sub, "subscription_id": "sub_unknown"}
    failing = event("evt_fail", "customer.subscription.created",
                    subscription_object(stranger, "active", customer="cus_not_yet_known", price=price),
                    int(time.time()))
    body = deliver(api, failing, status=500).json
    assert body["detail"] == "A server error occurred."
    deliver(api, failing, status=500)  # Stripe delivers again: still failing, counted
    with database.session() as session:
        stored = session.get(WebhookEventRow, "evt_fail")
        assert (stored.status, stored.attempts, stored.type) == ("failed", 2, "customer.subscription.created")
        assert "cus_not_yet_known" in stored.error and json.loads(stored.payload) == failing
        assert session.scalar(select(SubscriptionRow).filter_by(subscription_id="sub_unknown")) is None
    # The customer becomes known (for example the user's own subscribe commits); a replay applies it.
    me = api.get("/api/v1/auth/user/", headers=headers).json["id"]
    with database.session(write=True) as session, session.begin():
        session.query(BillingCustomerRow).filter_by(user_id=me).update({"customer_id": "cus_not_yet_known"})
    with database.session(write=True) as session, session.begin():
        service = wsgi_app.adapters.webhooks(session, durable=lambda work: None)  # replay succeeds
        assert [e.event_id for e in service.failed()] == ["evt_fail"]
        assert service.replay("evt_fail") == "processed"
    with database.session() as session:
        assert session.get(WebhookEventRow, "evt_fail").status == "processed"
        assert session.scalar(select(SubscriptionRow).filter_by(subscription_id="sub_unknown")) is not None
    assert deliver(api, failing).json["outcome"] == "duplicate"  # and Stripe's next retry is a no-op


def test_the_logs_answer_was_it_received_and_applied(api, subscribed, caplog):
    """The guide's `docker compose logs api | grep webhook` (and `grep -i stripe`) finds every
    delivery with its event id, type and outcome."""
    _headers, sub, customer, price = subscribed
    caplog.set_level("INFO", logger="wiwebb.webhooks")
    updated = event("evt_logged", "customer.subscription.updated",
                    subscription_object(sub, "past_due", customer=customer, price=price), int(time.time()) + 9)
    deliver(api, updated)
    deliver(api, updated)
    api.post(HOOK, "{}", headers={"Content-Type": "application/json"}, status=400)
    lines = [r.getMessage() for r in caplog.records if r.name == "wiwebb.webhooks"]
    assert any("evt_logged customer.subscription.updated: processed" in line for line in lines), lines
    assert any("evt_logged customer.subscription.updated: duplicate" in line for line in lines), lines
    assert any(line.startswith("Stripe webhook refused") for line in lines), lines
    assert all("webhook" in line and "stripe" in line.lower() for line in lines)


def intent_object(payment: dict, status: str, amount_received: int = 0) -> dict:
    return {"id": payment["payment_intent_id"], "object": "payment_intent", "status": status, "amount": 1000,
            "currency": "usd", "amount_received": amount_received, "client_secret": payment["client_secret"],
            "capture_method": "automatic", "metadata": {}}


def test_payment_intent_events_move_a_payment_and_log_each_transition(api, root):
    headers = api.auth(api.register("pam")["key"])
    payment = api.post_json("/api/v1/payments/", {"amount": "10.00", "currency": "usd", "description": "tickets"},
                            headers=headers, status=201).json
    assert payment["status"] == "waiting"  # the customer's browser pays with the client_secret
    now = int(time.time())
    deliver(api, event("evt_pi_ok", "payment_intent.succeeded", intent_object(payment, "succeeded", 1000), now + 5))
    paid = api.get(f"/api/v1/payments/{payment['id']}/", headers=headers).json
    assert paid["status"] == "confirmed"
    # An older failure arriving late changes nothing; a duplicate neither.
    deliver(api, event("evt_pi_old", "payment_intent.payment_failed",
                       intent_object(payment, "requires_payment_method"), now + 1))
    assert deliver(api, event("evt_pi_ok", "payment_intent.succeeded", intent_object(payment, "succeeded", 1000),
                              now + 5)).json["outcome"] == "duplicate"
    assert api.get(f"/api/v1/payments/{payment['id']}/", headers=headers).json["status"] == "confirmed"
    logs = api.get(f"/api/v1/payments/{payment['id']}/logs/", headers=root).json
    assert [(entry["event"], entry["from_status"], entry["to_status"]) for entry in logs] == [
        ("created", None, "waiting"), ("webhook:payment_intent.succeeded", "waiting", "confirmed")]


def test_a_late_succeeded_event_does_not_undo_a_refund(api, root, gateway):
    headers = api.auth(api.register("pam")["key"])
    payment = api.post_json("/api/v1/payments/", {"amount": "10.00", "currency": "usd", "description": "x",
                                                  "payment_method": "pm_card_visa"}, headers=headers, status=201).json
    refunded = api.post_json(f"/api/v1/payments/{payment['id']}/refund/", {}, headers=root).json
    assert (refunded["status"], refunded["refunded_amount"]) == ("refunded", "10.00")
    later = int(time.time()) + 5  # dated after the refund, as a second turning or a skewed clock makes it

    # As Stripe sends it: the charge named by id, not expanded, so its refunds are not in the event.
    charge_by_id = {**intent_object(payment, "succeeded", 1000), "latest_charge": "ch_1"}
    deliver(api, event("evt_pi_late", "payment_intent.succeeded", charge_by_id, later))
    # Expanded, but telling of no refund: an older state than the refund WiWebb made.
    no_refund = {**intent_object(payment, "succeeded", 1000),
                 "latest_charge": {"id": "ch_1", "amount_refunded": 0, "captured": True, "status": "succeeded"}}
    deliver(api, event("evt_pi_old", "payment_intent.succeeded", no_refund, later + 1))

    kept = api.get(f"/api/v1/payments/{payment['id']}/", headers=headers).json
    assert (kept["status"], kept["refunded_amount"]) == ("refunded", "10.00")


@pytest.mark.parametrize("user", ["99999999999999999999999", "\u00b2", "7x", ""])
def test_a_payment_intent_whose_metadata_names_no_user_of_ours_is_ignored(api, user):
    intent = {"id": "pi_foreign", "object": "payment_intent", "status": "succeeded", "amount": 1000, "currency": "usd",
              "amount_received": 1000, "client_secret": None, "capture_method": "automatic",
              "metadata": {"wiwebb_user": user, "wiwebb_operation": "op-1"}}
    assert deliver(api, event("evt_pi_foreign", "payment_intent.succeeded", intent, int(time.time()))).json == {
        "received": True, "outcome": "processed"}


def test_a_canceled_payment_intent_rejects_the_payment(api):
    headers = api.auth(api.register("pam")["key"])
    payment = api.post_json("/api/v1/payments/", {"amount": "10.00", "currency": "usd", "description": "x"},
                            headers=headers, status=201).json
    deliver(api, event("evt_pi_cancel", "payment_intent.canceled", intent_object(payment, "canceled"),
                       int(time.time()) + 5))
    assert api.get(f"/api/v1/payments/{payment['id']}/", headers=headers).json["status"] == "rejected"


def test_local_mode_still_refuses_unsigned_deliveries(make_api):
    """The original accepted unsigned webhooks when USE_LOCALSTRIPE was on; WiWebb never does."""
    api = make_api(STRIPE_WEBHOOK_SECRET=SECRET, USE_LOCALSTRIPE="true", STRIPE_SECRET_KEY="sk_test_local")
    payload = json.dumps(event("evt_local", "customer.subscription.deleted", {"object": "subscription"}, 1))
    assert api.post(HOOK, payload, headers={"Content-Type": "application/json"}, status=400).json == {
        "detail": "Invalid signature."}


# -- a signed body that is malformed: 400, and nothing claimed or stored ------------------------------


NOW = int(time.time())
SUBSCRIPTION = {"id": "sub_x", "object": "subscription", "status": "active", "customer": "cus_x",
                "items": {"data": [{"price": {"id": "price_x"}, "current_period_start": NOW,
                                    "current_period_end": NOW + 30 * 86400}]}}
INVOICE = {"id": "in_x", "object": "invoice", "status": "paid", "subscription": "sub_x", "currency": "usd"}
INTENT = {"id": "pi_x", "object": "payment_intent", "status": "succeeded", "amount": 1000, "currency": "usd"}


def body(obj: object, event_type: str = "customer.subscription.updated", created: object = NOW,
         event_id: object = "evt_bad") -> str:
    return json.dumps({"id": event_id, "object": "event", "type": event_type, "created": created,
                       "data": {"object": obj}})


@pytest.mark.parametrize("payload", [
    pytest.param(body(SUBSCRIPTION, created=1).replace('"created": 1,', '"created": 1e400,'), id="created 1e400"),
    pytest.param(body(SUBSCRIPTION, created=10**23), id="created 10**23"),
    pytest.param(body(SUBSCRIPTION, created=2**41), id="created 2**41"),
    pytest.param(body(SUBSCRIPTION, created=0), id="created 0"),
    pytest.param(body(SUBSCRIPTION, created=-5), id="created negative"),
    pytest.param(body(SUBSCRIPTION, created=True), id="created true"),
    pytest.param(body(SUBSCRIPTION, created=str(NOW)), id="created a string"),
    pytest.param(body(SUBSCRIPTION, created=NOW + 0.5), id="created a float"),
    pytest.param(body(SUBSCRIPTION, event_id="e" * 256), id="event id too long"),
    pytest.param(body(SUBSCRIPTION, event_id="evt_\u0000"), id="event id with NUL"),
    pytest.param(body(SUBSCRIPTION, event_id=7), id="event id a number"),
    pytest.param(body({**SUBSCRIPTION, "items": [1]}), id="items [1]"),
    pytest.param(body({**SUBSCRIPTION, "items": "x"}), id="items a string"),
    pytest.param(body({**SUBSCRIPTION, "items": {"data": [1]}}), id="items.data [1]"),
    pytest.param(body([]), id="data.object []"),
    pytest.param(body({**SUBSCRIPTION, "items": {}, "current_period_end": 10**23}), id="period end 10**23"),
    pytest.param(body({**SUBSCRIPTION, "items": {"data": [{"current_period_end": 10**12}]}}),
                 id="period end year 33658"),
    pytest.param(body({**SUBSCRIPTION, "trial_end": -1}), id="trial end before 1970"),
    pytest.param(body({**SUBSCRIPTION, "trial_end": "soon"}), id="trial end a word"),
    pytest.param(body({**SUBSCRIPTION, "id": None}), id="subscription id null"),
    pytest.param(body({**SUBSCRIPTION, "status": "x" * 40}), id="status too long"),
    pytest.param(body({**SUBSCRIPTION, "metadata": [1]}), id="metadata a list"),
    pytest.param(body({**INVOICE, "lines": 5}, "invoice.paid"), id="invoice lines 5"),
    pytest.param(body({**INVOICE, "lines": {"data": [{"period": {"start": 10**30, "end": NOW}}]}}, "invoice.paid"),
                 id="invoice line period 10**30"),
    pytest.param(body({**INVOICE, "amount_due": 1}, "invoice.paid").replace('"amount_due": 1', '"amount_due": NaN'),
                 id="invoice amount NaN"),
    pytest.param(body({**INTENT, "amount": "1000"}, "payment_intent.succeeded"), id="intent amount a string"),
    pytest.param(body({}), id="handled type, object {}"),
    pytest.param(body({}, "invoice.paid"), id="invoice.paid, object {}"),
    pytest.param(body(INVOICE), id="subscription event carrying an invoice"),
    pytest.param(body(SUBSCRIPTION, "invoice.paid"), id="invoice event carrying a subscription"),
    pytest.param(body(SUBSCRIPTION, "payment_intent.succeeded"), id="payment event carrying a subscription"),
    pytest.param('{"id": "evt_deep", "data": ' + "[" * 3_000 + "]" * 3_000 + "}", id="nested too deep"),
])
def test_a_signed_but_malformed_event_is_a_400_and_nothing_is_stored(api, database, payload):
    assert api.post(HOOK, payload, headers=signed(payload), status=400).json == {"detail": "Invalid payload."}
    with database.session() as session:
        assert session.scalars(select(WebhookEventRow)).all() == []


def test_an_event_not_handled_is_ignored_whatever_its_object(api, database):
    payload = body({**SUBSCRIPTION, "items": [1], "trial_end": 10**30}, "customer.subscription.trial_will_end")
    assert api.post(HOOK, payload, headers=signed(payload)).json == {"received": True, "outcome": "ignored"}
    with database.session() as session:
        assert session.scalars(select(WebhookEventRow)).all() == []


def test_the_payload_kept_is_the_exact_body_signed(api, database):
    payload = ('{ "id":"evt_exact" , "object":"event","type":"invoice.paid","created":' + str(NOW) + ',\n'
               '  "data":{"object":{"id":"in_é","object":"invoice","status":"paid","description":"caf\\u00e9 ☕"}}}')
    answer = api.post(HOOK, payload.encode(), headers=signed(payload))
    assert answer.json == {"received": True, "outcome": "processed"}
    with database.session() as session:
        assert session.get(WebhookEventRow, "evt_exact").payload == payload
