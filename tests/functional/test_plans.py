"""The plan catalogue over HTTP: staff manage plans and pricings (published to the payment
provider, here an in-memory one), anyone logged in reads the catalogue."""

from __future__ import annotations

import pytest

from wiwebb.adapters.mail import InMemoryMailer
from wiwebb.adapters.memory import InMemoryPaymentGateway
from wiwebb.app import build_app

from ..conftest import make_settings
from .conftest import Api

PLANS = "/api/v1/plans/"
CATALOGUE = "/api/v1/subscriptions/plans/"


@pytest.fixture
def gateway() -> InMemoryPaymentGateway:
    return InMemoryPaymentGateway()



def subscriber(api):
    return api.auth(api.register("sam")["key"])


def test_staff_create_a_paid_plan_published_to_the_provider(api, root, gateway):
    plan = api.post_json(PLANS, {"name": "Premium", "description": "All of it", "daily_data_mb": None,
                                 "pricings": [{"amount": "200", "interval": "month", "trial_period_days": 7}]},
                         headers=root, status=201).json
    assert set(plan) == {"id", "name", "description", "default", "available", "requires_payment", "auto_renew",
                         "daily_time_minutes", "daily_data_mb", "stripe_product_id", "created_at", "updated_at",
                         "pricings"}
    [pricing] = plan["pricings"]
    assert pricing == {"id": pricing["id"], "amount": "200.00", "currency": "usd", "interval": "month",
                       "trial_period_days": 7, "active": True}
    assert plan["stripe_product_id"] in gateway.products
    [price] = gateway.prices.values()
    assert (price.amount, price.currency, price.interval, price.product) == (20000, "usd", "month",
                                                                           plan["stripe_product_id"])
    [entry] = api.get("/api/v1/audit-logs/?action=plan_created", headers=root).json["results"]
    assert entry["details"] == {"plan": plan["id"], "name": "Premium"} and entry["actor"]["username"] == "root"


def test_the_catalogue_is_a_plain_array_of_available_plans_for_anyone_logged_in(api, root):
    api.post_json(PLANS, {"name": "Free", "requires_payment": False, "default": True,
                          "pricings": [{"amount": "0"}]}, headers=root)
    retired = api.post_json(PLANS, {"name": "Old", "pricings": [{"amount": "1"}]}, headers=root).json
    api.delete(f"{PLANS}{retired['id']}/", headers=root)
    catalogue = api.get(CATALOGUE, headers=subscriber(api)).json
    assert isinstance(catalogue, list) and [p["name"] for p in catalogue] == ["Free"]
    assert catalogue[0]["stripe_product_id"] is None and catalogue[0]["default"] is True
    api.get(CATALOGUE, status=401)


def test_only_staff_manage_plans(api, root):
    forbidden = {"detail": "You do not have permission to perform this action."}
    sam = subscriber(api)
    assert api.post_json(PLANS, {"name": "Mine", "pricings": []}, headers=sam, status=403).json == forbidden
    assert api.get(PLANS, headers=sam, status=403).json == forbidden


def test_pricings_are_added_and_retired_and_one_plan_is_the_default(api, root, gateway):
    plan = api.post_json(PLANS, {"name": "Pro", "pricings": [{"amount": "10"}]}, headers=root).json
    plan = api.post_json(f"{PLANS}{plan['id']}/pricings/", {"amount": "100", "interval": "year"}, headers=root,
                         status=201).json
    assert [p["amount"] for p in plan["pricings"]] == ["10.00", "100.00"]
    old = plan["pricings"][0]["id"]
    plan = api.delete(f"{PLANS}{plan['id']}/pricings/{old}/", headers=root).json
    assert [p["active"] for p in plan["pricings"]] == [False, True]
    assert [p.active for p in gateway.prices.values()] == [False, True]
    free = api.post_json(PLANS, {"name": "Free", "requires_payment": False, "default": True,
                                 "pricings": [{"amount": "0"}]}, headers=root).json
    api.patch_json(f"{PLANS}{plan['id']}/", {"default": True}, headers=root)
    defaults = [p["name"] for p in api.get(PLANS, headers=root).json["results"] if p["default"]]
    assert defaults == ["Pro"] and free["stripe_product_id"] is None


def test_errors(api, root):
    api.post_json(PLANS, {"name": "Pro", "pricings": []}, headers=root)
    assert api.post_json(PLANS, {"name": "Pro"}, headers=root, status=400).json == {
        "name": ["plan with this name already exists."]}
    assert api.post_json(PLANS, {"name": "X", "pricings": [{"amount": "-1", "interval": "fortnight"}]},
                         headers=root, status=400).json == {"pricings": [{
                             "amount": ["Ensure this value is greater than or equal to 0."],
                             "interval": ['"fortnight" is not a valid choice.']}]}
    api.get(f"{PLANS}999999/", headers=root, status=404)


def test_without_a_payment_provider_a_paid_plan_is_503_and_nothing_is_stored(database, tmp_path, identity_of):
    api = Api(build_app(make_settings(database.url.render_as_string(False), tmp_path), database=database,
                        mailer=InMemoryMailer(), wait_for_database=False))
    identity_of(lambda identity: identity.create_superuser(username="root", email="root@wiwebb.test",
                                                           password="correct-horse-9"))
    root = api.auth(api.login("root", "correct-horse-9"))
    response = api.post_json(PLANS, {"name": "Premium", "pricings": [{"amount": "200"}]}, headers=root, status=503)
    assert response.json == {"detail": "Payment provider unavailable. Try again later."}
    assert api.get(PLANS, headers=root).json["results"] == []


def test_publishing_to_the_provider_goes_through_the_operations_journal(api, root, gateway, database):
    from sqlalchemy import select

    from wiwebb.adapters.orm import BillingOperationRow, PlanRow

    api.post_json(PLANS, {"name": "Premium", "pricings": [{"amount": "200"}, {"amount": "2000", "interval": "year"}]},
                  headers=root, status=201)
    with database.session() as session:
        [done] = session.scalars(select(BillingOperationRow))
    assert (done.kind, done.status, done.lock) == ("plan", "done", None)
    assert [key for _, key in gateway.calls] == [f"{done.key}-product", f"{done.key}-price-0", f"{done.key}-price-1"]
    # The provider fails half-way: 503, no plan kept, and the attempt on record for inspection.
    original = gateway.create_price

    def failing_price(*args, **kwargs):
        gateway.fail_next()
        return original(*args, **kwargs)

    gateway.create_price = failing_price
    assert api.post_json(PLANS, {"name": "Gold", "pricings": [{"amount": "50"}]}, headers=root, status=503).json == {
        "detail": "Payment provider unavailable. Try again later."}
    with database.session() as session:
        assert session.scalar(select(PlanRow).filter_by(name="Gold")) is None
        attempt = session.scalars(select(BillingOperationRow).order_by(BillingOperationRow.id)).all()[-1]
    assert (attempt.kind, attempt.status, attempt.lock) == ("plan", "pending", None)
    assert "PaymentProviderUnavailable" in attempt.error


def test_the_staff_list_of_plans_is_paginated_as_every_list_but_the_catalogue(api, root):
    for number in range(12):
        api.post_json(PLANS, {"name": f"Plan {number:02}", "requires_payment": False,
                              "pricings": [{"amount": "0"}]}, headers=root, status=201)

    first = api.get(PLANS, headers=root).json
    last = api.get(f"{PLANS}?page=2", headers=root).json

    assert first["count"] == 12 and len(first["results"]) == 10 and first["next"].endswith("?page=2")
    assert [plan["name"] for plan in last["results"]] == ["Plan 10", "Plan 11"] and last["next"] is None
    assert len(api.get("/api/v1/subscriptions/plans/", headers=root).json) == 12  # the catalogue: an array
