"""Subscriptions over HTTP against an in-memory payment provider that answers as Stripe does:
buying (paid, Free, Day Pass, trials, declined cards), one live paid subscription per user,
cancelling (own only; staff anyone's, also at once), resuming, changing price, the payment
method, invoices, limits, lists, Idempotency-Key, and a provider that is down."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from wiwebb.adapters.memory import InMemoryPaymentGateway
from wiwebb.adapters.orm import BillingOperationRow, SubscriptionRow

from .conftest import Api

SUBS = "/api/v1/subscriptions/"
SHAPE = {"id", "user", "plan", "pricing", "subscription_id", "status", "current_period_start", "current_period_end",
         "cancel_at_period_end", "trial_end", "created_at", "updated_at"}


@pytest.fixture
def gateway() -> InMemoryPaymentGateway:
    return InMemoryPaymentGateway()



@pytest.fixture
def plans(api, root) -> dict[str, dict]:
    """The default catalogue plus a trial plan and a second price of Premium, by name."""
    made = {}
    for body in ({"name": "Free", "requires_payment": False, "default": True, "daily_time_minutes": 180,
                  "daily_data_mb": 300, "pricings": [{"amount": "0"}]},
                 {"name": "Day Pass", "auto_renew": False, "pricings": [{"amount": "5", "interval": "day"}]},
                 {"name": "Premium", "pricings": [{"amount": "200"}, {"amount": "2000", "interval": "year"}]},
                 {"name": "Trial", "pricings": [{"amount": "10", "trial_period_days": 14}]}):
        made[body["name"]] = api.post_json("/api/v1/plans/", body, headers=root, status=201).json
    return made


def user(api: Api, name: str = "sam") -> dict[str, str]:
    return api.auth(api.register(name)["key"])


def price(plans, name: str, index: int = 0) -> int:
    return plans[name]["pricings"][index]["id"]


def subscribe(api, headers, plans, name="Premium", status=201, **extra):
    body = {"pricing_id": price(plans, name), "payment_method": "pm_card_visa", **extra}
    return api.post_json(f"{SUBS}subscribe/", body, headers=headers, status=status)


def rows(database, **where) -> list[SubscriptionRow]:
    with database.session() as session:
        return list(session.scalars(select(SubscriptionRow).filter_by(**where).order_by(SubscriptionRow.id)))


def test_subscribing_with_a_good_card_is_active_in_the_contract_shape(api, plans, gateway, root):
    sam = user(api)
    me = api.get("/api/v1/auth/user/", headers=sam).json
    body = subscribe(api, sam, plans).json
    assert set(body) == SHAPE  # no client_secret: nothing left to pay
    assert body["status"] == "active" and body["user"] == me["id"] and body["plan"] == plans["Premium"]["id"]
    assert body["pricing"] == price(plans, "Premium") and body["subscription_id"] in gateway.subscriptions
    assert body["current_period_start"].endswith("Z") and body["current_period_end"] > body["current_period_start"]
    assert body["cancel_at_period_end"] is False and body["trial_end"] is None
    assert api.get(f"{SUBS}status/", headers=sam).json == body
    assert api.get(SUBS, headers=sam).json["results"] == [body]
    assert api.get(f"{SUBS}me/limits/", headers=sam).json == {
        "plan_id": plans["Premium"]["id"], "plan_name": "Premium", "daily_time_minutes": None, "daily_data_mb": None}
    [entry] = api.get("/api/v1/audit-logs/?action=subscription_changed", headers=root).json["results"]
    assert entry["details"]["change"] == "subscribed" and entry["details"]["subscription"] == body["id"]
    # The provider's customer knows the card and who it is.
    customer = gateway.subscriptions[body["subscription_id"]].customer
    assert gateway.customers[customer].email == "sam@acme.test"


def test_subscribe_by_plan_id_takes_its_newest_active_pricing(api, plans):
    body = api.post_json(f"{SUBS}subscribe/", {"plan_id": plans["Premium"]["id"], "payment_method": "pm_card_visa"},
                         headers=user(api), status=201).json
    assert body["pricing"] == price(plans, "Premium", 1)


def test_one_live_paid_subscription_per_user(api, plans, gateway):
    sam = user(api)
    subscribe(api, sam, plans)
    refused = subscribe(api, sam, plans, "Day Pass", status=400).json
    assert refused == {"detail": "User already has an active subscription"}
    assert [c for c, _ in gateway.calls].count("create_subscription") == 1


def test_a_paid_subscription_replaces_the_free_one(api, plans, database):
    sam = user(api)
    free = api.post_json(f"{SUBS}subscribe/", {"plan_id": plans["Free"]["id"]}, headers=sam, status=201).json
    assert free["subscription_id"] is None and free["status"] == "active"
    assert api.get(f"{SUBS}me/limits/", headers=sam).json["daily_time_minutes"] == 180
    paid = subscribe(api, sam, plans).json
    assert api.get(f"{SUBS}status/", headers=sam).json["id"] == paid["id"]
    statuses = {r.id: r.status for r in rows(database)}
    assert statuses == {free["id"]: "canceled", paid["id"]: "active"}


def test_limits_fall_back_to_the_default_plan_and_status_is_null_before_any_subscription(api, plans):
    sam = user(api)
    assert api.get(f"{SUBS}status/", headers=sam).json is None
    assert api.get(f"{SUBS}me/limits/", headers=sam).json == {
        "plan_id": plans["Free"]["id"], "plan_name": "Free", "daily_time_minutes": 180, "daily_data_mb": 300}


def test_a_declined_first_payment_is_incomplete_with_a_client_secret(api, plans):
    body = subscribe(api, user(api), plans, payment_method="pm_card_chargeCustomerFail").json
    assert body["status"] == "incomplete" and body["client_secret"].startswith("pi_")


def test_a_card_the_provider_refuses_outright_is_a_400_with_its_message_and_nothing_kept(api, plans, database):
    body = subscribe(api, user(api), plans, payment_method="pm_invalid_card", status=400).json
    assert "No such PaymentMethod" in body["detail"]
    assert rows(database) == []


def test_day_pass_ends_by_itself_and_trials_reach_the_provider(api, plans):
    day = subscribe(api, user(api, "dee"), plans, "Day Pass").json
    assert day["cancel_at_period_end"] is True and day["status"] == "active"
    trial = subscribe(api, user(api, "tim"), plans, "Trial").json
    assert trial["status"] == "trialing" and trial["trial_end"] is not None


def test_cancel_own_at_period_end_and_resume(api, plans, gateway):
    sam = user(api)
    body = subscribe(api, sam, plans).json
    cancelled = api.post_json(f"{SUBS}cancel/", {}, headers=sam).json
    assert cancelled["id"] == body["id"] and cancelled["cancel_at_period_end"] is True
    assert cancelled["status"] == "active"  # live until the period ends
    assert gateway.subscriptions[body["subscription_id"]].cancel_at_period_end is True
    resumed = api.post_json(f"{SUBS}resume/", {}, headers=sam).json
    assert resumed["cancel_at_period_end"] is False
    assert api.post_json(f"{SUBS}resume/", {}, headers=sam, status=400).json == {
        "detail": "Subscription is not set to cancel at period end."}


def test_nobody_cancels_someone_elses_subscription_but_staff_who_may_also_end_it_at_once(api, plans, root, gateway):
    sam, eve = user(api, "sam"), user(api, "eve")
    body = subscribe(api, sam, plans).json
    assert api.post_json(f"{SUBS}cancel/", {"subscription_id": body["id"]}, headers=eve, status=404).json == {
        "detail": "Not found."}
    assert api.post_json(f"{SUBS}cancel/", {"subscription_id": body["id"], "at_once": True}, headers=sam,
                         status=403).json == {"detail": "You do not have permission to perform this action."}
    ended = api.post_json(f"{SUBS}cancel/", {"subscription_id": body["id"], "at_once": True}, headers=root).json
    assert ended["status"] == "canceled" and gateway.subscriptions[body["subscription_id"]].status == "canceled"
    assert api.post_json(f"{SUBS}cancel/", {"subscription_id": body["id"]}, headers=root, status=400).json == {
        "detail": "Subscription is already canceled."}
    assert api.post_json(f"{SUBS}cancel/", {}, headers=sam, status=400).json == {
        "detail": "No active subscription to cancel."}
    # Ended, it no longer counts: sam may buy again.
    subscribe(api, sam, plans)


def test_the_list_is_in_id_order_as_every_list_whose_order_is_not_stated(api, plans, root):
    sam = user(api)
    first = subscribe(api, sam, plans).json
    api.post_json(f"{SUBS}cancel/", {"subscription_id": first["id"], "at_once": True}, headers=root)
    second = subscribe(api, sam, plans).json

    assert [s["id"] for s in api.get(SUBS, headers=sam).json["results"]] == [first["id"], second["id"]]
    assert first["id"] < second["id"]


def test_an_id_with_a_fraction_is_no_id(api, plans):
    sam = user(api)
    answer = api.post_json(f"{SUBS}subscribe/", {"pricing_id": price(plans, "Premium") + 0.9,
                                                 "payment_method": "pm_card_visa"}, headers=sam, status=400).json
    assert answer == {"pricing_id": ["A valid integer is required."]}
    assert api.get(f"{SUBS}status/", headers=sam).json is None
    # A whole number written as one (1.0) is that number, as DRF reads it.
    subscribe(api, sam, plans, pricing_id=float(price(plans, "Premium")))


def test_a_card_another_user_saved_is_refused(api, plans, gateway):
    sam, eve = user(api), user(api, "eve")
    body = subscribe(api, sam, plans).json
    sams_card = gateway.default_payment_methods[gateway.subscriptions[body["subscription_id"]].customer]

    answer = subscribe(api, eve, plans, payment_method=sams_card, status=400).json

    assert answer == {"detail": "The payment method you provided has already been attached to a customer."}
    assert api.get(f"{SUBS}status/", headers=eve).json is None
    assert gateway.attached_payment_methods[sams_card] == gateway.subscriptions[body["subscription_id"]].customer


def test_a_user_is_deleted_only_once_their_paid_subscription_has_ended(api, plans, root, gateway):
    sam = user(api)
    sam_id = api.get("/api/v1/auth/user/", headers=sam).json["id"]
    body = subscribe(api, sam, plans).json
    api.post_json(f"{SUBS}cancel/", {}, headers=sam)  # at the period's end: still live, still charged until then
    refused = {"detail": "Cannot delete user with an active subscription."}

    assert api.delete(f"/api/v1/users/{sam_id}/", headers=root, status=400).json == refused
    assert api.get(f"/api/v1/users/{sam_id}/", headers=root).json["id"] == sam_id

    api.post_json(f"{SUBS}cancel/", {"subscription_id": body["id"], "at_once": True}, headers=root)
    api.delete(f"/api/v1/users/{sam_id}/", headers=root, status=204)
    assert gateway.subscriptions[body["subscription_id"]].status == "canceled"


def test_a_user_on_the_free_plan_is_deleted(api, plans, root):
    sam = user(api)
    sam_id = api.get("/api/v1/auth/user/", headers=sam).json["id"]
    subscribe(api, sam, plans, "Free")

    api.delete(f"/api/v1/users/{sam_id}/", headers=root, status=204)


def test_tenant_owners_read_their_tenants_subscriptions_but_cancel_none(api, plans, root):
    tenant = api.post_json("/api/v1/tenants/", {"name": "Acme"}, headers=root, status=201).json
    for username, role in (("olive", "tenant_owner"), ("sue", "subscriber")):
        api.post_json("/api/v1/users/", {"username": username, "email": f"{username}@acme.test", "role": role,
                                         "tenant": tenant["id"], "password": "correct-horse-9"}, headers=root,
                      status=201)
    olive, sue = (api.auth(api.login(n, "correct-horse-9")) for n in ("olive", "sue"))
    outsider = user(api, "out")
    sues = subscribe(api, sue, plans).json
    subscribe(api, outsider, plans)
    assert [s["id"] for s in api.get(SUBS, headers=olive).json["results"]] == [sues["id"]]
    assert api.post_json(f"{SUBS}cancel/", {"subscription_id": sues["id"]}, headers=olive, status=404)
    assert api.get(SUBS, headers=root).json["count"] == 2
    assert api.get(f"{SUBS}?user={sues['user']}", headers=root).json["count"] == 1
    assert api.get(f"{SUBS}?user={sues['user']}", headers=outsider).json["count"] == 0


def test_change_moves_to_another_price_prorated(api, plans, root, gateway):
    sam = user(api)
    body = subscribe(api, sam, plans).json
    changed = api.post_json(f"{SUBS}change/", {"pricing_id": price(plans, "Trial")}, headers=sam).json
    assert changed["id"] == body["id"] and changed["plan"] == plans["Trial"]["id"]
    assert changed["pricing"] == price(plans, "Trial")
    assert gateway.subscriptions[body["subscription_id"]].price != gateway.subscriptions[body["subscription_id"]].id
    assert api.post_json(f"{SUBS}change/", {"pricing_id": price(plans, "Trial")}, headers=sam, status=400).json == {
        "pricing_id": ["The subscription already has this price."]}
    assert api.post_json(f"{SUBS}change/", {"pricing_id": 999999}, headers=sam, status=400).json == {
        "pricing_id": ['Invalid pk "999999" - object does not exist.']}
    assert api.post_json(f"{SUBS}change/", {"pricing_id": price(plans, "Trial")}, headers=user(api, "new"),
                         status=400).json == {"detail": "No active paid subscription."}
    changes = [e["details"]["change"] for e in
               api.get("/api/v1/audit-logs/?action=subscription_changed", headers=root).json["results"]]
    assert changes == ["changed", "subscribed"]


def test_payment_method_and_invoices(api, plans):
    sam = user(api)
    assert api.get(f"{SUBS}invoices/", headers=sam).json == []
    method = api.post_json(f"{SUBS}payment-method/", {"payment_method": "pm_card_visa"}, headers=sam).json
    assert method["payment_method"].startswith("pm_")
    subscribe(api, sam, plans, payment_method=None)  # pays with the default card set above
    [invoice] = api.get(f"{SUBS}invoices/", headers=sam).json
    assert invoice["status"] == "paid" and invoice["amount_paid"] == "200.00" and invoice["currency"] == "usd"
    assert api.post_json(f"{SUBS}payment-method/", {}, headers=sam, status=400).json == {
        "payment_method": ["This field is required."]}


def test_bad_bodies_answer_in_drf_format(api, plans):
    sam = user(api)
    assert api.post_json(f"{SUBS}subscribe/", {}, headers=sam, status=400).json == {
        "non_field_errors": ["Either pricing_id or plan_id is required."]}
    assert api.post_json(f"{SUBS}subscribe/", {"pricing_id": "x"}, headers=sam, status=400).json == {
        "pricing_id": ["A valid integer is required."]}
    assert api.post_json(f"{SUBS}subscribe/", {"plan_id": 424242}, headers=sam, status=400).json == {
        "plan_id": ['Invalid pk "424242" - object does not exist.']}
    api.post_json(f"{SUBS}subscribe/", {"plan_id": 1}, status=401)


def test_a_provider_outage_is_a_503_and_leaves_nothing_half_made(api, plans, gateway, database):
    sam = user(api)
    gateway.unavailable = True
    assert subscribe(api, sam, plans, status=503).json == {"detail": "Payment provider unavailable. Try again later."}
    assert rows(database) == []
    with database.session() as session:  # the attempt is on record, of unknown outcome, and holds no lock
        [operation] = session.scalars(select(BillingOperationRow).filter_by(kind="subscribe"))
        assert (operation.status, operation.lock) == ("pending", None)
        assert "PaymentProviderUnavailable" in operation.error
    gateway.unavailable = False
    assert subscribe(api, sam, plans).json["status"] == "active"


def test_the_same_idempotency_key_answers_the_first_result_and_subscribes_once(api, plans, gateway, database):
    sam = user(api)
    first = api.post_json(
        f"{SUBS}subscribe/", {"pricing_id": price(plans, "Premium"), "payment_method": "pm_card_visa"},
        headers={**sam, "Idempotency-Key": "order-1"}, status=201)
    again = api.post_json(f"{SUBS}subscribe/", {"pricing_id": price(plans, "Premium")},
                          headers={**sam, "Idempotency-Key": "order-1"}, status=201)
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    assert [c for c, _ in gateway.calls].count("create_subscription") == 1
    # Another user's identical key is theirs alone.
    body = {"pricing_id": price(plans, "Premium"), "payment_method": "pm_card_visa"}
    other = api.post_json(f"{SUBS}subscribe/", body, headers={**user(api, "eve"), "Idempotency-Key": "order-1"},
                          status=201)
    assert other.json["id"] != first.json["id"]


def test_a_lost_answer_retried_with_the_same_key_subscribes_once(api, plans, gateway, database):
    sam = user(api)
    headers = {**sam, "Idempotency-Key": "retry-me"}
    body = {"pricing_id": price(plans, "Premium"), "payment_method": "pm_card_visa"}
    calls_before = len(gateway.calls)
    _lose_answer_of(gateway, "create_subscription")  # the provider subscribed; its answer never arrived
    api.post_json(f"{SUBS}subscribe/", body, headers=headers, status=503)
    assert len(gateway.subscriptions) == 1 and rows(database) == []
    retried = api.post_json(f"{SUBS}subscribe/", body, headers=headers, status=201).json
    assert len(gateway.subscriptions) == 1 and retried["subscription_id"] in gateway.subscriptions
    keys = {key for call, key in gateway.calls[calls_before:] if call == "create_subscription"}
    assert len(keys) == 1  # the retry carried the first attempt's idempotency key
    assert [r.subscription_id for r in rows(database)] == [retried["subscription_id"]]


def _lose_answer_of(gateway: InMemoryPaymentGateway, method: str) -> None:
    """Lose the answer of the next call of `method` only."""
    original = getattr(gateway, method)

    def once(*args, **kwargs):
        setattr(gateway, method, original)
        gateway.lose_next_answer()
        return original(*args, **kwargs)

    setattr(gateway, method, once)


def test_an_operation_in_progress_blocks_a_second_one_until_its_lock_is_stale(api, plans, database):
    """A lock is released when its request ends, however it ends; one still held after 15 minutes
    belongs to a process that died mid-request, and is released then."""
    from datetime import UTC, datetime, timedelta

    sam = user(api)
    me = api.get("/api/v1/auth/user/", headers=sam).json["id"]
    now = datetime.now(UTC)
    with database.session(write=True) as session, session.begin():
        session.add(BillingOperationRow(key="k-1", user_id=me, kind="subscribe", lock=f"user:{me}", locked_at=now,
                                        status="pending", created_at=now))
    assert subscribe(api, sam, plans, status=409).json == {
        "detail": "Another billing operation for this account is in progress. Try again in a moment."}
    with database.session(write=True) as session, session.begin():  # its process was killed long ago
        session.query(BillingOperationRow).filter_by(key="k-1").update(
            {"locked_at": now - timedelta(minutes=16), "created_at": now - timedelta(minutes=16)})
    assert subscribe(api, sam, plans).json["status"] == "active"
    with database.session() as session:
        released = session.scalar(select(BillingOperationRow).filter_by(key="k-1"))
        # Its lock released, and then (being a subscribe of unknown outcome) looked up at the
        # provider by the next subscribe: nothing was made, so it is closed.
        assert (released.status, released.lock) == ("failed", None)
        assert "not made at the provider" in released.error
        done = session.scalars(select(BillingOperationRow).filter_by(kind="subscribe", status="done")).all()
        assert len(done) == 1 and done[0].lock is None


def test_the_same_key_while_its_first_request_is_still_running_is_409(api, plans, database):
    from datetime import UTC, datetime

    sam = user(api)
    me = api.get("/api/v1/auth/user/", headers=sam).json["id"]
    now = datetime.now(UTC)
    with database.session(write=True) as session, session.begin():  # the first request, mid-way
        session.add(BillingOperationRow(key="k-2", user_id=me, kind="subscribe", client_key="same", status="pending",
                                        lock=f"user:{me}", locked_at=now, created_at=now))
    body = {"pricing_id": price(plans, "Premium"), "payment_method": "pm_card_visa"}
    api.post_json(f"{SUBS}subscribe/", body, headers={**sam, "Idempotency-Key": "same"}, status=409)
    with database.session(write=True) as session, session.begin():  # it died: its lock released
        session.query(BillingOperationRow).filter_by(key="k-2").update({"lock": None})
    resumed = api.post_json(f"{SUBS}subscribe/", body, headers={**sam, "Idempotency-Key": "same"}, status=201).json
    assert resumed["status"] == "active"
    with database.session() as session:
        assert session.scalar(select(BillingOperationRow).filter_by(key="k-2")).status == "done"


def test_a_request_that_dies_for_any_reason_releases_its_lock(api, plans, gateway, database):
    sam = user(api)
    original = gateway.create_subscription

    def crash(*args, **kwargs):
        raise RuntimeError("a bug after the journal started")

    gateway.create_subscription = crash
    api.post_json(f"{SUBS}subscribe/", {"pricing_id": price(plans, "Premium"), "payment_method": "pm_card_visa"},
                  headers=sam, status=500)
    gateway.create_subscription = original
    with database.session() as session:
        [operation] = session.scalars(select(BillingOperationRow).filter_by(kind="subscribe"))
        assert (operation.status, operation.lock) == ("pending", None)  # unknown outcome, not locked
    assert subscribe(api, sam, plans).json["status"] == "active"  # at once, not after 15 minutes



def test_the_dashboard_counts_live_paid_subscriptions_and_their_monthly_revenue(api, plans, root, gateway):
    from datetime import UTC, datetime

    tenant = api.post_json("/api/v1/tenants/", {"name": "Acme"}, headers=root, status=201).json
    api.post_json("/api/v1/users/", {"username": "olive", "email": "olive@acme.test", "role": "tenant_owner",
                                     "tenant": tenant["id"], "password": "correct-horse-9"}, headers=root, status=201)
    api.post_json("/api/v1/users/", {"username": "sue", "email": "sue@acme.test", "role": "subscriber",
                                     "tenant": tenant["id"], "password": "correct-horse-9"}, headers=root, status=201)
    olive, sue = (api.auth(api.login(n, "correct-horse-9")) for n in ("olive", "sue"))
    subscribe(api, sue, plans)  # Premium, $200 a month, in Acme
    yearly = api.post_json(f"{SUBS}subscribe/", {"pricing_id": price(plans, "Premium", 1),
                                                 "payment_method": "pm_card_visa"}, headers=user(api, "yan")).json
    subscribe(api, user(api, "dee"), plans, "Day Pass")  # does not renew: counted once, $5
    api.post_json(f"{SUBS}subscribe/", {"plan_id": plans["Free"]["id"]}, headers=user(api, "fay"))  # not paid
    ended = subscribe(api, user(api, "end"), plans).json
    api.post_json(f"{SUBS}cancel/", {"subscription_id": ended["id"], "at_once": True}, headers=root)
    platform = api.get("/api/v1/dashboard/stats/", headers=root).json
    assert platform["active_subscriptions"] == 3
    assert platform["monthly_revenue"] == round(200 + 2000 / 12 + 5, 2)
    this_month = platform["series"][-1]
    assert this_month["month"] == f"{datetime.now(UTC):%Y-%m}"
    assert this_month["new_subscriptions"] == 4  # ended ones were new this month too
    assert this_month["revenue"] == 200 + 2000 + 5 + 200
    assert all(m["new_subscriptions"] == 0 for m in platform["series"][:-1])
    mine = api.get("/api/v1/dashboard/stats/", headers=olive).json
    assert (mine["active_subscriptions"], mine["monthly_revenue"]) == (1, 200.0)
    assert mine["series"][-1]["new_subscriptions"] == 1 and yearly["status"] == "active"


def test_a_subscription_whose_answer_was_lost_is_adopted_by_sync_and_its_operation_settled(
        api, plans, gateway, database, wsgi_app):
    sam = user(api)
    _lose_answer_of(gateway, "create_subscription")  # no Idempotency-Key: nobody will retry this one
    subscribe(api, sam, plans, status=503)
    assert rows(database) == [] and len(gateway.subscriptions) == 1
    with database.session(write=True) as session:  # sync commits customer by customer
        service = wsgi_app.adapters.subscription_sync(session, durable=lambda work: None)  # starts nothing
        [pending] = [o for o in service._operations.unresolved(older_than=timedelta(0)) if o.kind == "subscribe"]
        changes, skipped = service.sync()
        session.commit()
    assert [how for _, how in changes] == ["adopted"] and skipped == []
    [row] = rows(database)
    assert (row.subscription_id, row.status, row.plan_id) == (next(iter(gateway.subscriptions)), "active",
                                                              plans["Premium"]["id"])
    with database.session() as session:
        settled = session.scalar(select(BillingOperationRow).filter_by(key=pending.key))
        assert settled.status == "reconciled" and "adopted" in settled.error
    assert api.get(f"{SUBS}status/", headers=sam).json["id"] == row.id


def test_admins_neither_see_nor_touch_a_superadmins_billing(api, plans, root):
    """API.md: admins cannot see a superadmin's private data beyond the user record, and cannot
    touch superadmins at all. Their subscriptions and payments are out of an admin's reach (404)."""
    api.post_json("/api/v1/users/", {"username": "ada", "email": "ada@wiwebb.test", "role": "admin",
                                     "password": "correct-horse-9"}, headers=root, status=201)
    admin = api.auth(api.login("ada", "correct-horse-9"))
    mine = subscribe(api, root, plans).json
    payment = api.post_json("/api/v1/payments/", {"amount": "10.00", "currency": "usd", "description": "x",
                                                  "payment_method": "pm_card_visa", "capture_method": "manual"},
                            headers=root, status=201).json
    sams = subscribe(api, user(api), plans).json
    assert [s["id"] for s in api.get(SUBS, headers=admin).json["results"]] == [sams["id"]]
    assert api.get(f"{SUBS}?user={mine['user']}", headers=admin).json["count"] == 0
    assert api.get("/api/v1/payments/", headers=admin).json["count"] == 0
    for method, path, body in (("post", f"{SUBS}cancel/", {"subscription_id": mine["id"], "at_once": True}),
                               ("get", f"/api/v1/payments/{payment['id']}/", None),
                               ("get", f"/api/v1/payments/{payment['id']}/logs/", None),
                               ("post", f"/api/v1/payments/{payment['id']}/capture/", {})):
        answer = (api.post_json(path, body, headers=admin, status=404) if method == "post"
                  else api.get(path, headers=admin, status=404))
        assert answer.json == {"detail": "Not found."}, path
    # The admin still manages everyone else's; superadmins see everything.
    assert api.post_json(f"{SUBS}cancel/", {"subscription_id": sams["id"]}, headers=admin).json[
        "cancel_at_period_end"] is True
    assert api.get(SUBS, headers=root).json["count"] == 2
    # Nor through the audit log, whose billing entries carry the subscription, plan and status.
    audit = "/api/v1/audit-logs/?action=subscription_changed"
    assert {e["target"]["id"] for e in api.get(audit, headers=admin).json["results"]} == {sams["user"]}
    assert api.get(f"{audit}&target={mine['user']}", headers=admin).json["count"] == 0
    assert {e["target"]["id"] for e in api.get(audit, headers=root).json["results"]} == {sams["user"], mine["user"]}


def _meanwhile(gateway, method: str, request):
    """While the provider works on `method`, make `request()` (another request of the user's, a
    double click): its answer is kept in the returned dict."""
    original, seen = getattr(gateway, method), {}

    def during(*args, **kwargs):
        setattr(gateway, method, original)
        seen["answer"] = request()
        return original(*args, **kwargs)

    setattr(gateway, method, during)
    return seen


@pytest.mark.parametrize("second_key", [None, "another", "same"])
def test_a_second_subscribe_while_the_first_is_at_the_provider_is_409(api, plans, gateway, second_key):
    sam = user(api)
    body = {"pricing_id": price(plans, "Premium"), "payment_method": "pm_card_visa"}
    keyed = {**sam, "Idempotency-Key": "same"}
    seen = _meanwhile(gateway, "create_subscription", lambda: api.post_json(
        f"{SUBS}subscribe/", body, headers={**sam, "Idempotency-Key": second_key} if second_key else sam,
        expect_errors=True))
    first = api.post_json(f"{SUBS}subscribe/", body, headers=keyed, status=201).json
    assert seen["answer"].status_int == 409, seen["answer"].body
    assert list(gateway.subscriptions) == [first["subscription_id"]]


def test_a_retry_without_its_key_after_a_lost_answer_answers_what_was_made(api, plans, gateway, database):
    """One paid subscription per user: a subscribe whose outcome is unknown is looked up at the
    provider (by the operation key in its metadata) before another is made."""
    sam = user(api)
    _lose_answer_of(gateway, "create_subscription")
    subscribe(api, sam, plans, status=503)
    again = subscribe(api, sam, plans).json  # no Idempotency-Key: a plain retry
    assert list(gateway.subscriptions) == [again["subscription_id"]]
    assert [r.subscription_id for r in rows(database)] == [again["subscription_id"]]
    with database.session() as session:  # the retry repeated the first attempt under its own key
        statuses = [o.status for o in session.scalars(select(BillingOperationRow).filter_by(kind="subscribe"))]
    assert statuses == ["done"]
    keys = {key for call, key in gateway.calls if call == "create_subscription"}
    assert len(keys) == 1


def test_a_retry_after_an_outage_that_made_nothing_makes_it_once(api, plans, gateway, database):
    sam = user(api)
    gateway.fail_next()  # the customer call fails: nothing is made
    subscribe(api, sam, plans, status=503)
    made = subscribe(api, sam, plans).json
    assert list(gateway.subscriptions) == [made["subscription_id"]]
    with database.session() as session:
        operations = session.scalars(select(BillingOperationRow).filter_by(kind="subscribe")).all()
    assert [o.status for o in operations] == ["done"]


def test_another_plan_after_a_lost_answer_answers_what_the_first_attempt_made(api, plans, gateway, database):
    """One paid subscription per user: the earlier attempt (another price, unknown outcome) is
    looked up at the provider; it made an incomplete subscription, which is adopted and answered
    with the secret to pay it."""
    sam = user(api)
    _lose_answer_of(gateway, "create_subscription")
    subscribe(api, sam, plans, payment_method="pm_card_chargeCustomerFail", status=503)
    answer = subscribe(api, sam, plans, "Day Pass", payment_method="pm_card_visa").json
    assert list(gateway.subscriptions) == [answer["subscription_id"]]
    assert (answer["status"], answer["plan"]) == ("incomplete", plans["Premium"]["id"])
    assert answer["client_secret"].startswith("pi_")
    with database.session() as session:
        statuses = sorted(o.status for o in session.scalars(select(BillingOperationRow).filter_by(kind="subscribe")))
    assert statuses == ["done", "reconciled"]


def test_another_plan_right_after_an_outage_waits_until_the_first_attempt_cannot_be_under_way(
        api, plans, gateway, database):
    from datetime import UTC, datetime

    sam = user(api)
    gateway.fail_next()  # nothing made, but from here that cannot be told yet
    subscribe(api, sam, plans, status=503)
    assert subscribe(api, sam, plans, "Day Pass", status=409).json == {
        "detail": "Another billing operation for this account is in progress. Try again in a moment."}
    with database.session(write=True) as session, session.begin():
        session.query(BillingOperationRow).filter_by(kind="subscribe", status="pending").update(
            {"created_at": datetime.now(UTC) - timedelta(minutes=6)})
    day = subscribe(api, sam, plans, "Day Pass").json
    assert list(gateway.subscriptions) == [day["subscription_id"]]
    with database.session() as session:
        operations = session.scalars(select(BillingOperationRow).filter_by(kind="subscribe")
                                     .order_by(BillingOperationRow.id)).all()
    assert operations[0].status == "failed" and "not made at the provider" in operations[0].error
    assert operations[-1].status == "done"
