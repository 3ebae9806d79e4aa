"""One-off payments over HTTP (API.md, "Payments"), with an in-memory payment provider: creating
(automatic and manual capture, declined cards, an unreachable provider, `Idempotency-Key`),
capture and refunds by staff, who may read what, lists, logs, and the provider's state applied by
the webhook."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from sqlalchemy import select

from wiwebb.adapters.memory import InMemoryPaymentGateway
from wiwebb.adapters.orm import BillingOperationRow

PAYMENTS = "/api/v1/payments/"
PASSWORD = "correct-horse-9"
FORBIDDEN = {"detail": "You do not have permission to perform this action."}
NOT_FOUND = {"detail": "Not found."}
NOT_PREAUTH = {"detail": "Payment is not in preauth status"}
NOT_CONFIRMED = {"detail": "Payment is not confirmed"}
UNAVAILABLE = {"detail": "Payment provider unavailable. Try again later."}
SHAPE = {"id", "user", "amount", "currency", "description", "order_id", "metadata", "capture_method", "status",
         "payment_intent_id", "client_secret", "refunded_amount", "created_at", "updated_at"}


@pytest.fixture
def gateway() -> InMemoryPaymentGateway:
    return InMemoryPaymentGateway()



@pytest.fixture
def people(api, root) -> dict[str, dict[str, str]]:
    """Authorization headers: staff (`root`), and an owner and a subscriber in each of two tenants."""
    tenants = {name: api.post_json("/api/v1/tenants/", {"name": name}, headers=root).json["id"]
               for name in ("Alpha", "Beta")}
    headers = {"root": root}
    for name, role, tenant in (("owner_a", "tenant_owner", "Alpha"), ("sub_a", "subscriber", "Alpha"),
                               ("owner_b", "tenant_owner", "Beta"), ("sub_b", "subscriber", "Beta")):
        api.post_json("/api/v1/users/", {"username": name, "email": f"{name}@wiwebb.test", "password": PASSWORD,
                                         "role": role, "tenant": tenants[tenant]}, headers=root, status=201)
        headers[name] = api.auth(api.login(name, PASSWORD))
    return headers


def pay(api, headers, amount="10.00", status=201, **extra):
    body = {"amount": amount, "currency": "usd", "description": "Tickets", **extra}
    return api.post_json(PAYMENTS, body, headers=headers, status=status).json


def user_id(api, headers) -> int:
    return api.get("/api/v1/auth/user/", headers=headers).json["id"]


def all_payments(api, root) -> list[dict]:
    return api.get(f"{PAYMENTS}?page_size=100", headers=root).json["results"]


def creates(gateway) -> list[str | None]:
    return [key for method, key in gateway.calls if method == "create_payment_intent"]


# -- creating ---------------------------------------------------------------------------------


def test_a_good_card_with_automatic_capture_is_confirmed_at_once(api, people, gateway):
    payment = pay(api, people["sub_a"], "10", currency="USD", order_id="A-17", metadata={"seat": "12F", "row": 3},
                  payment_method="pm_card_visa")
    assert set(payment) == SHAPE
    assert payment["user"] == user_id(api, people["sub_a"])
    assert (payment["amount"], payment["currency"], payment["status"], payment["refunded_amount"]) == (
        "10.00", "usd", "confirmed", "0.00")
    assert (payment["description"], payment["order_id"], payment["metadata"], payment["capture_method"]) == (
        "Tickets", "A-17", {"seat": "12F", "row": "3"}, "automatic")
    assert payment["created_at"].endswith("Z") and payment["updated_at"].endswith("Z")
    intent = gateway.payment_intents[payment["payment_intent_id"]]
    assert (intent.amount, intent.currency, intent.status, intent.amount_received) == (1000, "usd", "succeeded", 1000)
    assert payment["client_secret"] == intent.client_secret
    assert intent.metadata["order_id"] == "A-17" and intent.metadata["seat"] == "12F"
    assert intent.metadata["wiwebb_user"] == str(payment["user"])
    assert api.get(f"{PAYMENTS}{payment['id']}/", headers=people["sub_a"]).json == payment


def test_without_a_card_the_payment_waits_for_the_customer(api, people, gateway):
    payment = pay(api, people["sub_a"], "5.50")
    assert payment["status"] == "waiting" and payment["client_secret"]
    assert gateway.payment_intents[payment["payment_intent_id"]].status == "requires_payment_method"


def test_manual_capture_is_preauth_until_staff_capture_it_once(api, people, gateway):
    payment = pay(api, people["sub_a"], "42.00", capture_method="manual", payment_method="pm_card_visa")
    assert payment["status"] == "preauth"
    url = f"{PAYMENTS}{payment['id']}/"
    captured = api.post_json(f"{url}capture/", {}, headers=people["root"]).json
    assert captured["status"] == "confirmed" and captured["id"] == payment["id"]
    assert gateway.payment_intents[payment["payment_intent_id"]].amount_received == 4200
    assert api.post_json(f"{url}capture/", {}, headers=people["root"], status=400).json == NOT_PREAUTH
    assert api.get(url, headers=people["sub_a"]).json["status"] == "confirmed"
    logs = api.get(f"{url}logs/", headers=people["sub_a"]).json
    assert [(e["event"], e["from_status"], e["to_status"]) for e in logs] == [
        ("created", None, "preauth"), ("captured", "preauth", "confirmed")]
    assert set(logs[0]) == {"id", "payment", "event", "from_status", "to_status", "message", "created_at"}
    assert {e["payment"] for e in logs} == {payment["id"]} and logs[0]["created_at"].endswith("Z")


def test_a_declined_card_answers_the_providers_message_and_keeps_nothing(api, people, gateway):
    answer = pay(api, people["sub_a"], payment_method="pm_card_declined", status=400)
    assert answer == {"detail": "Your card was declined."}
    assert all_payments(api, people["root"]) == []


def test_an_unreachable_provider_is_503_and_keeps_nothing(api, people, gateway):
    gateway.unavailable = True
    response = api.post_json(PAYMENTS, {"amount": "10", "currency": "usd", "description": "x"},
                             headers=people["sub_a"], status=503)
    assert response.json == UNAVAILABLE
    gateway.unavailable = False
    assert all_payments(api, people["root"]) == []
    pay(api, people["sub_a"])  # and the next try goes through (nothing is left locked)


# -- Idempotency-Key ----------------------------------------------------------------------------


def test_the_same_idempotency_key_answers_the_first_answer_and_pays_once(api, people, gateway):
    headers = {**people["sub_a"], "Idempotency-Key": "order-17"}
    first = api.post_json(PAYMENTS, {"amount": "10", "currency": "usd", "description": "x",
                                     "payment_method": "pm_card_visa"}, headers=headers, status=201)
    again = api.post_json(PAYMENTS, {"amount": "10", "currency": "usd", "description": "x",
                                     "payment_method": "pm_card_visa"}, headers=headers, status=201)
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    assert len(creates(gateway)) == 1 and len(gateway.payment_intents) == 1
    assert len(all_payments(api, people["root"])) == 1
    # Another user's same key is another operation.
    other = pay(api, {**people["sub_b"], "Idempotency-Key": "order-17"})
    assert other["id"] != first.json["id"]


def test_a_lost_answer_retried_with_the_same_key_makes_one_intent(api, people, gateway):
    headers = {**people["sub_a"], "Idempotency-Key": "retry-me"}
    body = {"amount": "12.00", "currency": "usd", "description": "x", "payment_method": "pm_card_visa"}
    gateway.lose_next_answer()  # the intent is made, then the answer is lost
    assert api.post_json(PAYMENTS, body, headers=headers, status=503).json == UNAVAILABLE
    assert all_payments(api, people["root"]) == []
    payment = api.post_json(PAYMENTS, body, headers=headers, status=201).json
    [intent] = gateway.payment_intents.values()
    assert payment["payment_intent_id"] == intent.id and payment["status"] == "confirmed"
    first_key, second_key = creates(gateway)
    assert first_key == second_key
    assert [p["id"] for p in all_payments(api, people["root"])] == [payment["id"]]
    assert api.post_json(PAYMENTS, body, headers=headers, status=201).json == payment


def test_an_unknown_outcome_keeps_the_key_open_without_holding_up_the_user(api, people, gateway, database):
    headers = {**people["sub_a"], "Idempotency-Key": "unknown"}
    body = {"amount": "3.00", "currency": "usd", "description": "x"}
    gateway.fail_next()
    assert api.post_json(PAYMENTS, body, headers=headers, status=503).json == UNAVAILABLE
    with database.session() as session:  # on record as pending (outcome unknown), holding no lock
        [operation] = session.scalars(select(BillingOperationRow).filter_by(client_key="unknown"))
        assert (operation.status, operation.lock) == ("pending", None)
    pay(api, people["sub_a"])  # the user's other payments go through
    resumed = api.post_json(PAYMENTS, body, headers=headers, status=201).json
    assert resumed["status"] == "waiting"
    first_key, *_, last_key = creates(gateway)
    assert first_key == last_key  # the retry carried the first attempt's provider key


# -- refunds -------------------------------------------------------------------------------------


def test_partial_then_full_refund(api, people, gateway):
    payment = pay(api, people["sub_a"], "25.00", payment_method="pm_card_visa")
    refund = f"{PAYMENTS}{payment['id']}/refund/"
    partial = api.post_json(refund, {"amount": "10"}, headers=people["root"]).json
    assert (partial["status"], partial["refunded_amount"]) == ("confirmed", "10.00")
    assert api.post_json(refund, {"amount": "20"}, headers=people["root"], status=400).json == {
        "amount": ["Ensure this value is less than or equal to 15.00."]}
    assert api.post_json(refund, {"amount": "0"}, headers=people["root"], status=400).json == {
        "amount": ["Ensure this value is greater than or equal to 0.01."]}
    full = api.post_json(refund, {}, headers=people["root"]).json
    assert (full["status"], full["refunded_amount"]) == ("refunded", "25.00")
    assert sorted(r.amount for r in gateway.refunds.values()) == [1000, 1500]
    assert gateway.payment_intents[payment["payment_intent_id"]].amount_refunded == 2500
    assert api.post_json(refund, {}, headers=people["root"], status=400).json == NOT_CONFIRMED
    logs = api.get(f"{PAYMENTS}{payment['id']}/logs/", headers=people["root"]).json
    assert [(e["event"], e["from_status"], e["to_status"]) for e in logs] == [
        ("created", None, "confirmed"), ("refunded", "confirmed", "confirmed"), ("refunded", "confirmed", "refunded")]


def test_only_a_confirmed_payment_is_refunded(api, people):
    waiting = pay(api, people["sub_a"])
    preauth = pay(api, people["sub_a"], capture_method="manual", payment_method="pm_card_visa")
    for payment in (waiting, preauth):
        assert api.post_json(f"{PAYMENTS}{payment['id']}/refund/", {"amount": "1"}, headers=people["root"],
                             status=400).json == NOT_CONFIRMED
    assert api.post_json(f"{PAYMENTS}{waiting['id']}/capture/", {}, headers=people["root"],
                         status=400).json == NOT_PREAUTH


def test_a_refund_retried_after_a_lost_answer_refunds_once(api, people, gateway):
    payment = pay(api, people["sub_a"], "30.00", payment_method="pm_card_visa")
    refund = f"{PAYMENTS}{payment['id']}/refund/"
    gateway.lose_next_answer()
    assert api.post_json(refund, {"amount": "10"}, headers=people["root"], status=503).json == UNAVAILABLE
    assert api.post_json(refund, {"amount": "10"}, headers=people["root"]).json["refunded_amount"] == "10.00"
    assert [r.amount for r in gateway.refunds.values()] == [1000]
    assert api.post_json(refund, {"amount": "10"}, headers=people["root"]).json["refunded_amount"] == "20.00"
    assert [r.amount for r in gateway.refunds.values()] == [1000, 1000]
    # Retried with another amount, the lost refund is a second one; what is kept is what the
    # provider holds refunded.
    gateway.lose_next_answer()
    api.post_json(refund, {"amount": "5"}, headers=people["root"], status=503)
    kept = api.post_json(refund, {"amount": "4"}, headers=people["root"]).json
    assert (kept["refunded_amount"], kept["status"]) == ("29.00", "confirmed")


# -- who may do what ----------------------------------------------------------------------------


def test_reading_is_own_for_subscribers_tenant_for_owners_all_for_staff(api, people):
    mine = pay(api, people["sub_a"])
    url = f"{PAYMENTS}{mine['id']}/"
    for caller in ("sub_a", "owner_a", "root"):
        assert api.get(url, headers=people[caller]).json["id"] == mine["id"]
        assert len(api.get(f"{url}logs/", headers=people[caller]).json) == 1
    for caller in ("sub_b", "owner_b"):
        assert api.get(url, headers=people[caller], status=404).json == NOT_FOUND
        assert api.get(f"{url}logs/", headers=people[caller], status=404).json == NOT_FOUND
    assert api.get(f"{PAYMENTS}999999/", headers=people["root"], status=404).json == NOT_FOUND
    api.get(url, status=401)
    api.post_json(PAYMENTS, {"amount": "1", "currency": "usd", "description": "x"}, status=401)


def test_only_staff_capture_and_refund(api, people):
    held = pay(api, people["sub_a"], capture_method="manual", payment_method="pm_card_visa")
    owners = pay(api, people["owner_a"], capture_method="manual", payment_method="pm_card_visa")
    for action in ("capture", "refund"):
        held_url = f"{PAYMENTS}{held['id']}/{action}/"
        for caller in ("sub_a", "owner_a"):  # can read it, may not act on it: 403
            assert api.post_json(held_url, {}, headers=people[caller], status=403).json == FORBIDDEN
        assert api.post_json(f"{PAYMENTS}{owners['id']}/{action}/", {}, headers=people["owner_a"],
                             status=403).json == FORBIDDEN
        for caller in ("sub_b", "owner_b"):  # cannot even read it: 404
            assert api.post_json(held_url, {}, headers=people[caller], status=404).json == NOT_FOUND
    assert api.post_json(f"{PAYMENTS}{held['id']}/capture/", {}, headers=people["root"]).json["status"] == "confirmed"
    assert api.post_json(f"{PAYMENTS}{held['id']}/refund/", {}, headers=people["root"]).json["status"] == "refunded"
    assert api.get(f"{PAYMENTS}{held['id']}/capture/", headers=people["root"], status=405).json == {
        "detail": 'Method "GET" not allowed.'}


# -- lists ------------------------------------------------------------------------------------------


def test_lists_are_scoped_paginated_and_filtered(api, people):
    for caller, count in (("sub_a", 3), ("sub_b", 2), ("owner_a", 1)):
        for _ in range(count):
            pay(api, people[caller])
    pay(api, people["sub_b"], capture_method="manual", payment_method="pm_card_visa")
    sub_a, sub_b = user_id(api, people["sub_a"]), user_id(api, people["sub_b"])

    def listed(caller: str, query: str = "") -> dict:
        return api.get(f"{PAYMENTS}?page_size=100{query}", headers=people[caller]).json

    assert {p["user"] for p in listed("sub_a")["results"]} == {sub_a} and listed("sub_a")["count"] == 3
    assert listed("sub_a", f"&user={sub_b}")["count"] == 0
    assert listed("owner_a")["count"] == 4 and listed("owner_b")["count"] == 3
    assert listed("owner_a", f"&user={sub_b}")["count"] == 0
    assert listed("root")["count"] == 7
    assert listed("root", f"&user={sub_b}")["count"] == 3
    assert [p["status"] for p in listed("root", "&status=preauth")["results"]] == ["preauth"]
    assert listed("owner_b", "&status=waiting")["count"] == 2
    ids = [p["id"] for p in listed("root")["results"]]
    assert ids == sorted(ids)
    page = api.get(f"{PAYMENTS}?page=2&page_size=2&status=waiting", headers=people["root"]).json
    assert page["count"] == 6 and [p["id"] for p in page["results"]] == ids[2:4]
    assert page["next"].endswith("/api/v1/payments/?page=3&page_size=2&status=waiting")
    assert page["previous"].endswith("/api/v1/payments/?page=1&page_size=2&status=waiting")
    assert api.get(f"{PAYMENTS}?page=9", headers=people["root"], status=404).json == {"detail": "Invalid page."}
    assert api.get(f"{PAYMENTS}?user=x&status=paid", headers=people["root"], status=400).json == {
        "user": ["A valid integer is required."], "status": ['"paid" is not a valid choice.']}


# -- validation -------------------------------------------------------------------------------------


def test_validation_errors_in_drf_format(api, people, gateway):
    sam = people["sub_a"]
    assert api.post_json(PAYMENTS, {}, headers=sam, status=400).json == {
        "amount": ["This field is required."], "currency": ["This field is required."],
        "description": ["This field is required."]}
    cases = [
        ({"amount": "0"}, {"amount": ["Ensure this value is greater than or equal to 0.01."]}),
        ({"amount": "-5"}, {"amount": ["Ensure this value is greater than or equal to 0.01."]}),
        ({"amount": "abc"}, {"amount": ["A valid number is required."]}),
        ({"amount": True}, {"amount": ["A valid number is required."]}),
        ({"amount": "NaN"}, {"amount": ["A valid number is required."]}),
        ({"amount": "1.005"}, {"amount": ["Ensure that there are no more than 2 decimal places."]}),
        ({"amount": "12345678901.00"}, {"amount": ["Ensure that there are no more than 12 digits in total."]}),
        ({"currency": "dollars"}, {"currency": ["Enter a valid 3-letter currency code."]}),
        ({"currency": "u$d"}, {"currency": ["Enter a valid 3-letter currency code."]}),
        ({"description": "  "}, {"description": ["This field may not be blank."]}),
        ({"capture_method": "later"}, {"capture_method": ['"later" is not a valid choice.']}),
        ({"metadata": ["a"]}, {"metadata": ['Expected a dictionary of items but got type "list".']}),
    ]
    for change, errors in cases:
        body = {"amount": "10", "currency": "usd", "description": "x", **change}
        assert api.post_json(PAYMENTS, body, headers=sam, status=400).json == errors, change
    assert creates(gateway) == []
    assert pay(api, sam, 7.5)["amount"] == "7.50"  # a JSON number is read as DRF reads it
    payment = pay(api, sam, payment_method="pm_card_visa")
    assert api.post_json(f"{PAYMENTS}{payment['id']}/refund/", {"amount": "x"}, headers=people["root"],
                         status=400).json == {"amount": ["A valid number is required."]}


# -- the provider's state, as the webhook applies it ------------------------------------------------


def apply_provider_state(database, wsgi_app, gateway, intent, created, event_type):
    """What the webhook does with a payment intent event: the service over a session of its own."""
    with database.session(write=True) as session, session.begin():
        service = wsgi_app.adapters.payments(session, durable=lambda work: None)  # starts nothing
        return service.apply_provider_state(intent, created, event_type)


def test_the_providers_newer_state_is_applied_and_logged(api, people, gateway, database, wsgi_app):
    payment = pay(api, people["sub_a"], "20.00", capture_method="manual", payment_method="pm_card_visa")
    intent_id = payment["payment_intent_id"]
    captured = gateway.capture_payment_intent(intent_id)  # at the provider, as from its dashboard
    later = int(time.time()) + 10

    def apply(intent, created, event_type):
        return apply_provider_state(database, wsgi_app, gateway, intent, created, event_type)

    assert apply(replace(captured, status="requires_capture"), later - 100, "payment_intent.amount_capturable") \
        is None  # older than WiWebb's own state
    applied = apply(captured, later, "payment_intent.succeeded")
    assert applied is not None and applied.status == "confirmed"
    # An event of the same second is read back from the provider: here the refund made meanwhile.
    gateway.refund(intent_id, 2000)
    applied = apply(captured, later, "payment_intent.succeeded")
    assert applied is not None and (applied.status, applied.refunded_amount) == ("refunded", 20)
    # An intent that is none of WiWebb's payments (a subscription invoice's, say) is left alone.
    assert apply(replace(captured, id="pi_unknown", metadata={}), later + 50, "payment_intent.succeeded") is None
    logs = api.get(f"{PAYMENTS}{payment['id']}/logs/", headers=people["sub_a"]).json
    assert [(e["event"], e["from_status"], e["to_status"]) for e in logs] == [
        ("created", None, "preauth"), ("webhook:payment_intent.succeeded", "preauth", "confirmed"),
        ("webhook:payment_intent.succeeded", "confirmed", "refunded")]
    detail = api.get(f"{PAYMENTS}{payment['id']}/", headers=people["sub_a"]).json
    assert (detail["status"], detail["refunded_amount"]) == ("refunded", "20.00")


def test_a_failed_payment_reported_by_the_provider_is_rejected(api, people, gateway, database, wsgi_app):
    payment = pay(api, people["sub_a"])
    intent = gateway.payment_intents[payment["payment_intent_id"]]
    applied = apply_provider_state(database, wsgi_app, gateway, intent, int(time.time()) + 5,
                                   "payment_intent.payment_failed")
    assert applied is not None and applied.status == "rejected"
    assert api.get(f"{PAYMENTS}{payment['id']}/logs/", headers=people["sub_a"]).json[-1]["event"] == \
        "webhook:payment_intent.payment_failed"


def test_a_payment_whose_answer_was_lost_is_adopted_by_its_webhook_and_the_same_key_answers_it(
        api, people, gateway, database, wsgi_app):
    """The intent was made but the answer lost (503); the client goes away. Stripe's
    payment_intent.succeeded names WiWebb's user and operation in its metadata: the payment is
    kept, the operation settled, and the client's retry with its key answers that payment."""
    headers = {**people["sub_a"], "Idempotency-Key": "lost-then-found"}
    body = {"amount": "12.00", "currency": "usd", "description": "x", "order_id": "o-7",
            "payment_method": "pm_card_visa", "metadata": {"basket": "b1"}}
    gateway.lose_next_answer()
    api.post_json(PAYMENTS, body, headers=headers, status=503)
    [intent] = gateway.payment_intents.values()
    with database.session(write=True) as session, session.begin():
        service = wsgi_app.adapters.payments(session, durable=lambda work: None)  # starts nothing
        adopted = service.apply_provider_state(intent, int(time.time()), "payment_intent.succeeded")
    assert adopted is not None and (adopted.status, adopted.amount, adopted.order_id) == ("confirmed", 12, "o-7")
    assert adopted.metadata == {"basket": "b1"}
    with database.session() as session:
        operation = session.scalar(select(BillingOperationRow).filter_by(client_key="lost-then-found"))
        assert (operation.status, operation.lock) == ("reconciled", None)
    retried = api.post_json(PAYMENTS, body, headers=headers, status=201).json
    assert retried["id"] == adopted.id and retried["payment_intent_id"] == intent.id
    assert len(gateway.payment_intents) == 1 and len(creates(gateway)) == 1
    assert api.post_json(PAYMENTS, body, headers=headers, status=201).headers["Idempotent-Replayed"] == "true"
