"""The permission matrix of API.md ("Roles and the permission matrix"), walked over HTTP.

Every case is one row of `CASES`: who calls, what they ask, on which target, and the exact answer
the contract gives (403 for an action the role may never take or a target it can read but not
change, 404 for an object out of reach, 400 with the exact role/tenant messages, 2xx when allowed).
A 403 or 404 row without a body of its own must answer the standard body.

The world (three tenants, nine users, a token for each caller, and billing: a paid plan, and for
sub_a, sub_b and owner_a a subscription and a payment each, against an in-memory payment provider)
is built once per backend through the API; each case runs inside a savepoint that is rolled back
after it, and the provider's state is put back as it was, so every case sees the same fresh world
and no case depends on another (deleting, deactivating, demoting, cancelling, capturing and
refunding are all undone).
"""

from __future__ import annotations

import copy
import itertools
import json
import shutil
from dataclasses import dataclass
from typing import Any

import pytest
import webtest

from wiwebb.adapters.database import Database, create_database_engine
from wiwebb.adapters.mail import InMemoryMailer
from wiwebb.adapters.memory import InMemoryPaymentGateway
from wiwebb.app import build_app

from ..conftest import make_settings
from .conftest import Api

PASSWORD = "correct-horse-9"
MISSING = 10**9  # an id nothing has

FORBIDDEN = {"detail": "You do not have permission to perform this action."}
NOT_FOUND = {"detail": "Not found."}
ONLY_OWNERS = {"detail": "Only TenantOwner with a tenant can access this endpoint."}
NO_SUPERADMIN = {"role": ["Platform Admin cannot assign SuperAdmin role."]}
ONLY_SUBSCRIBER = {"role": ["TenantOwner can only assign the Subscriber role."]}
OWN_TENANT_ONLY = {"tenant": ["TenantOwner can only manage users in their own tenant."]}
TENANT_REQUIRED = {"tenant": ["This field is required."]}
HAS_USERS = {"detail": "Cannot delete tenant with existing users."}
HAS_SUBSCRIPTION = {"detail": "Cannot delete user with an active subscription."}
PASSWORD_SET = {"detail": "Password has been set."}
NOTHING_TO_CANCEL = {"detail": "No active subscription to cancel."}
ALREADY_SUBSCRIBED = {"detail": "User already has an active subscription"}
NOT_PREAUTH = {"detail": "Payment is not in preauth status"}
NOT_CONFIRMED = {"detail": "Payment is not confirmed"}


# -- the world -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """A name of the world (a tenant, a user) that stands for its id in a body or an expected answer."""

    name: str

    def __str__(self) -> str:
        return self.name


TENANT_A, TENANT_B, TENANT_C = Ref("tenant_a"), Ref("tenant_b"), Ref("tenant_c")
TENANTS_OF_THE_WORLD = {"tenant_a": "Alpha", "tenant_b": "Beta", "tenant_c": "Gamma"}  # Gamma has no users
# name: (role, tenant); the first is created with createsuperuser, the rest through the API by it.
PEOPLE = {
    "superadmin": ("superadmin", None),
    "admin": ("admin", None),
    "owner_a": ("tenant_owner", TENANT_A),
    "owner_b": ("tenant_owner", TENANT_B),
    "coowner_a": ("tenant_owner", TENANT_A),
    "sub_a": ("subscriber", TENANT_A),
    "sub_b": ("subscriber", TENANT_B),
    "superadmin2": ("superadmin", None),
    "loner": ("subscriber", None),  # self-registered: a subscriber of no tenant
}
CALLERS = ("superadmin", "admin", "owner_a", "owner_b", "sub_a", "sub_b")
ALL_USERS, USERS_OF_A, USERS_OF_B = len(PEOPLE), 3, 2
SUB_A, SUB_B, OWNER_A = Ref("sub_a"), Ref("sub_b"), Ref("owner_a")
# Billing: PREMIUM is the one paid plan's pricing. Each of these people subscribes to it (a card
# that pays: `active`) and pays 10.00 once, captured so: manual leaves it `preauth`, automatic
# makes it `confirmed`. Their objects are named "<person>_subscription" and "<person>_payment".
PREMIUM = Ref("premium")
BILLING = {"sub_a": "manual", "sub_b": "manual", "owner_a": "automatic"}
SUBSCRIPTION_A, SUBSCRIPTION_B, SUBSCRIPTION_OWNER_A = (Ref(f"{who}_subscription") for who in BILLING)
PAYMENT_A, PAYMENT_B, PAYMENT_OWNER_A = (Ref(f"{who}_payment") for who in BILLING)
CARD = "pm_card_visa"


@dataclass
class World:
    api: webtest.TestApp
    ids: dict[str, int]
    tokens: dict[str, str]
    gateway: InMemoryPaymentGateway


def resolve(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, Ref):
        return ids[value.name]
    if isinstance(value, dict):
        return {k: resolve(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, ids) for v in value]
    return value


def pay(capture_method: str = "manual") -> dict[str, str]:
    """A body for `POST payments/`: 10.00 by a card that pays."""
    return {"amount": "10.00", "currency": "usd", "description": "x", "payment_method": CARD,
            "capture_method": capture_method}


def build_world(api: webtest.TestApp, identity_of, gateway: InMemoryPaymentGateway) -> World:
    identity_of(lambda identity: identity.create_superuser(
        username="superadmin", email="superadmin@wiwebb.test", password=PASSWORD))

    def login(username: str) -> str:
        return api.post_json("/api/v1/auth/login/", {"username": username, "password": PASSWORD}).json["key"]

    root = {"Authorization": f"Token {login('superadmin')}"}
    ids = {"missing": MISSING}
    for name, title in TENANTS_OF_THE_WORLD.items():
        ids[name] = api.post_json("/api/v1/tenants/", {"name": title}, headers=root, status=201).json["id"]
    for name, (role, tenant) in PEOPLE.items():
        if name == "superadmin":
            continue
        body = {"username": name, "email": f"{name}@wiwebb.test", "password": PASSWORD, "role": role,
                "tenant": resolve(tenant, ids)}
        ids[name] = api.post_json("/api/v1/users/", body, headers=root, status=201).json["id"]
    ids["superadmin"] = api.get("/api/v1/auth/user/", headers=root).json["id"]
    tokens = {name: login(name) for name in CALLERS}
    plan = api.post_json("/api/v1/plans/", {"name": "Premium", "pricings": [{"amount": "200"}]}, headers=root,
                         status=201).json
    ids["premium"] = plan["pricings"][0]["id"]
    for name, capture_method in BILLING.items():
        own = {"Authorization": f"Token {tokens[name]}"}
        ids[f"{name}_subscription"] = api.post_json("/api/v1/subscriptions/subscribe/", {
            "pricing_id": ids["premium"], "payment_method": CARD}, headers=own, status=201).json["id"]
        ids[f"{name}_payment"] = api.post_json("/api/v1/payments/", pay(capture_method), headers=own,
                                               status=201).json["id"]
    return World(api, ids, tokens, gateway)


def provider_state(gateway: InMemoryPaymentGateway) -> dict[str, Any]:
    """A copy of what the in-memory provider holds (its id counters aside: ids stay unique)."""
    return copy.deepcopy({k: v for k, v in vars(gateway).items() if not isinstance(v, itertools.count)})


@pytest.fixture(scope="module", params=["postgres", "sqlite"])
def backend(request, tmp_path_factory):
    """One app and one world per backend, built in an outer transaction that is rolled back at the end."""
    if request.param == "postgres":
        engine = request.getfixturevalue("postgres_engine")
        owned_engine = None
    else:
        path = tmp_path_factory.mktemp("matrix") / "wiwebb.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        engine = owned_engine = create_database_engine(f"sqlite:///{path}")
    connection = engine.connect()
    outer = connection.begin()
    try:
        database = Database(engine, bind=connection)
        settings = make_settings(engine.url.render_as_string(False), tmp_path_factory.mktemp("matrix-app"))
        gateway = InMemoryPaymentGateway()
        app = build_app(settings, database=database, mailer=InMemoryMailer(), gateway=gateway,
                        wait_for_database=False)

        def identity_of(work):
            with database.session(write=True) as session, session.begin():
                return work(app.adapters.identity(session))

        yield connection, build_world(Api(app), identity_of, gateway)
    finally:
        outer.rollback()
        connection.close()
        if owned_engine is not None:
            owned_engine.dispose()


@pytest.fixture
def world(backend):
    """The fresh world: whatever the case changes is rolled back after it, in the database and at
    the payment provider."""
    connection, world = backend
    provider = provider_state(world.gateway)
    savepoint = connection.begin_nested()
    try:
        yield world
    finally:
        savepoint.rollback()
        vars(world.gateway).update(provider)


# -- what an answer must hold, beyond its status ----------------------------------------------


class Has:
    """These top-level fields, with these values (a `Ref` is its id)."""

    def __init__(self, **fields: Any) -> None:
        self.fields = fields

    def __call__(self, body: Any, ids: dict[str, int]) -> None:
        assert {k: body.get(k) for k in self.fields} == resolve(self.fields, ids)


class UserIs:
    """A user shape with this role, in this tenant (None: no tenant)."""

    def __init__(self, role: str, tenant: Ref | None) -> None:
        self.role, self.tenant = role, tenant

    def __call__(self, body: Any, ids: dict[str, int]) -> None:
        assert (body["role"], (body["tenant"] or {}).get("id")) == (self.role, resolve(self.tenant, ids))
        assert (body["is_staff"], body["is_superuser"]) == (self.role in ("superadmin", "admin"),
                                                            self.role == "superadmin")


class AuditOf:
    """A page of the audit log holding only (and some of) this tenant's entries."""

    def __init__(self, tenant: Ref) -> None:
        self.tenant = tenant

    def __call__(self, body: Any, ids: dict[str, int]) -> None:
        assert body["count"] > 0
        assert {entry["tenant"] for entry in body["results"]} == {ids[self.tenant.name]}


class Page:
    """A page holding exactly these objects of the world (subscriptions, payments), by id."""

    def __init__(self, *objects: Ref) -> None:
        self.objects = objects

    def __call__(self, body: Any, ids: dict[str, int]) -> None:
        assert (body["count"], sorted(o["id"] for o in body["results"])) == (
            len(self.objects), sorted(resolve(list(self.objects), ids)))


class LogOf:
    """A payment's log (a plain array): so far only its creation."""

    def __init__(self, payment: Ref) -> None:
        self.payment = payment

    def __call__(self, body: Any, ids: dict[str, int]) -> None:
        assert [(entry["payment"], entry["event"]) for entry in body] == [(ids[self.payment.name], "created")]


def null(body: Any, ids: dict[str, int]) -> None:
    """JSON `null` (`subscriptions/status/` of a caller who never subscribed)."""
    assert body is None


# -- the table ---------------------------------------------------------------------------------

V1 = "/api/v1/"
TENANTS, TENANT, ME = "tenants/", "tenants/{target}/", "tenants/me/"
USERS, USER = "users/", "users/{target}/"
ACTIVATE, ASSIGN_ROLE, SET_PASSWORD = "users/{target}/activate/", "users/{target}/assign-role/", \
    "users/{target}/set-password/"
AUDIT, STATS = "audit-logs/", "dashboard/stats/"
SUBSCRIPTIONS, SUBSCRIBE, CANCEL, STATUS = "subscriptions/", "subscriptions/subscribe/", "subscriptions/cancel/", \
    "subscriptions/status/"
PAYMENTS, PAYMENT, PAYMENT_LOGS = "payments/", "payments/{target}/", "payments/{target}/logs/"
CAPTURE, REFUND = "payments/{target}/capture/", "payments/{target}/refund/"

RENAME = {"first_name": "Renamed"}
DESCRIBE = {"description": "Changed."}
DEACTIVATE = {"is_active": False}
NEW_PASSWORD = {"new_password1": "fresh-horse-42", "new_password2": "fresh-horse-42"}
SUBSCRIBER, OWNER, ADMIN, SUPERADMIN = ({"role": r} for r in ("subscriber", "tenant_owner", "admin", "superadmin"))


def cancel(of: str, **extra: Any) -> dict[str, Any]:
    """A body for `POST subscriptions/cancel/` naming the subscription of `of` ("missing": none)."""
    return {"subscription_id": MISSING if of == "missing" else Ref(f"{of}_subscription"), **extra}


def new_user(role: str | None = None, tenant: Ref | str | None = "omitted") -> dict[str, Any]:
    """A body for `POST users/` (tenant "omitted": no `tenant` key at all)."""
    body: dict[str, Any] = {"username": "newbie", "email": "newbie@wiwebb.test", "password": PASSWORD}
    if role is not None:
        body["role"] = role
    if tenant != "omitted":
        body["tenant"] = tenant
    return body


# (caller, method, path, target, body, status[, expected body: a dict, exact, or a check])
# `target` names a tenant, user or payment of the world, "self" (the caller) or "missing"; None: no target.
CASES: list[tuple] = [
    # -- list/create/delete tenants: staff yes, others 403
    ("superadmin", "GET", TENANTS, None, None, 200, Has(count=3)),
    ("admin", "GET", TENANTS, None, None, 200, Has(count=3)),
    ("owner_a", "GET", TENANTS, None, None, 403),
    ("owner_b", "GET", TENANTS, None, None, 403),
    ("sub_a", "GET", TENANTS, None, None, 403),
    ("sub_b", "GET", TENANTS, None, None, 403),
    ("superadmin", "POST", TENANTS, None, {"name": "Delta"}, 201, Has(name="Delta", slug="delta", user_count=0)),
    ("admin", "POST", TENANTS, None, {"name": "Delta"}, 201, Has(name="Delta", slug="delta", user_count=0)),
    ("owner_a", "POST", TENANTS, None, {"name": "Delta"}, 403),
    ("owner_b", "POST", TENANTS, None, {"name": "Delta"}, 403),
    ("sub_a", "POST", TENANTS, None, {"name": "Delta"}, 403),
    ("sub_b", "POST", TENANTS, None, {"name": "Delta"}, 403),
    ("superadmin", "DELETE", TENANT, "tenant_c", None, 204),
    ("admin", "DELETE", TENANT, "tenant_c", None, 204),
    ("superadmin", "DELETE", TENANT, "tenant_a", None, 400, HAS_USERS),
    ("admin", "DELETE", TENANT, "tenant_b", None, 400, HAS_USERS),
    ("superadmin", "DELETE", TENANT, "missing", None, 404),
    ("admin", "DELETE", TENANT, "missing", None, 404),
    ("owner_a", "DELETE", TENANT, "tenant_a", None, 403),
    ("owner_a", "DELETE", TENANT, "tenant_c", None, 403),
    ("owner_a", "DELETE", TENANT, "missing", None, 403),
    ("owner_b", "DELETE", TENANT, "tenant_b", None, 403),
    ("sub_a", "DELETE", TENANT, "tenant_a", None, 403),
    ("sub_b", "DELETE", TENANT, "tenant_c", None, 403),
    # -- read/update a tenant: staff all, an owner their own (other: 404), subscribers 403
    ("superadmin", "GET", TENANT, "tenant_a", None, 200, Has(id=TENANT_A, user_count=USERS_OF_A)),
    ("superadmin", "GET", TENANT, "tenant_c", None, 200, Has(id=TENANT_C, user_count=0)),
    ("superadmin", "GET", TENANT, "missing", None, 404),
    ("admin", "GET", TENANT, "tenant_b", None, 200, Has(id=TENANT_B, user_count=USERS_OF_B)),
    ("admin", "GET", TENANT, "tenant_c", None, 200, Has(id=TENANT_C)),
    ("owner_a", "GET", TENANT, "tenant_a", None, 200, Has(id=TENANT_A, user_count=USERS_OF_A)),
    ("owner_a", "GET", TENANT, "tenant_b", None, 404),
    ("owner_a", "GET", TENANT, "tenant_c", None, 404),
    ("owner_a", "GET", TENANT, "missing", None, 404),
    ("owner_b", "GET", TENANT, "tenant_b", None, 200, Has(id=TENANT_B, user_count=USERS_OF_B)),
    ("owner_b", "GET", TENANT, "tenant_a", None, 404),
    ("sub_a", "GET", TENANT, "tenant_a", None, 403),
    ("sub_a", "GET", TENANT, "tenant_b", None, 403),
    ("sub_a", "GET", TENANT, "missing", None, 403),
    ("sub_b", "GET", TENANT, "tenant_b", None, 403),
    ("superadmin", "PATCH", TENANT, "tenant_a", DESCRIBE, 200, Has(id=TENANT_A, description="Changed.")),
    ("superadmin", "PATCH", TENANT, "missing", DESCRIBE, 404),
    ("admin", "PATCH", TENANT, "tenant_b", DESCRIBE, 200, Has(id=TENANT_B, description="Changed.")),
    ("admin", "PATCH", TENANT, "tenant_a", {"is_active": False}, 200, Has(is_active=False)),
    ("superadmin", "PUT", TENANT, "tenant_a", {"name": "Alpha Two"}, 200, Has(name="Alpha Two")),
    ("owner_a", "PATCH", TENANT, "tenant_a", DESCRIBE, 200, Has(id=TENANT_A, description="Changed.")),
    ("owner_a", "PATCH", TENANT, "tenant_a", {"slug": "taken-over", "is_active": False}, 200,
     Has(slug="alpha", is_active=True)),
    ("owner_a", "PUT", TENANT, "tenant_a", {"name": "Alpha Two"}, 200, Has(name="Alpha Two")),
    ("owner_a", "PATCH", TENANT, "tenant_b", DESCRIBE, 404),
    ("owner_a", "PUT", TENANT, "tenant_b", {"name": "Beta Two"}, 404),
    ("owner_a", "PATCH", TENANT, "tenant_c", DESCRIBE, 404),
    ("owner_b", "PATCH", TENANT, "tenant_b", DESCRIBE, 200, Has(id=TENANT_B, description="Changed.")),
    ("owner_b", "PATCH", TENANT, "tenant_a", DESCRIBE, 404),
    ("sub_a", "PATCH", TENANT, "tenant_a", DESCRIBE, 403),
    ("sub_a", "PUT", TENANT, "tenant_a", {"name": "Alpha Two"}, 403),
    ("sub_b", "PATCH", TENANT, "tenant_b", DESCRIBE, 403),
    # -- tenants/me/: a tenant owner's own tenant; anyone else 403 with its own message
    ("superadmin", "GET", ME, None, None, 403, ONLY_OWNERS),
    ("admin", "GET", ME, None, None, 403, ONLY_OWNERS),
    ("owner_a", "GET", ME, None, None, 200, Has(id=TENANT_A, name="Alpha", user_count=USERS_OF_A)),
    ("owner_b", "GET", ME, None, None, 200, Has(id=TENANT_B, name="Beta", user_count=USERS_OF_B)),
    ("sub_a", "GET", ME, None, None, 403, ONLY_OWNERS),
    ("sub_b", "GET", ME, None, None, 403, ONLY_OWNERS),
    ("superadmin", "PATCH", ME, None, DESCRIBE, 403, ONLY_OWNERS),
    ("admin", "PATCH", ME, None, DESCRIBE, 403, ONLY_OWNERS),
    ("owner_a", "PATCH", ME, None, DESCRIBE, 200, Has(id=TENANT_A, description="Changed.")),
    ("owner_a", "PATCH", ME, None, {"slug": "taken-over", "is_active": False}, 200,
     Has(id=TENANT_A, slug="alpha", is_active=True)),
    ("owner_b", "PATCH", ME, None, DESCRIBE, 200, Has(id=TENANT_B, description="Changed.")),
    ("sub_a", "PATCH", ME, None, DESCRIBE, 403, ONLY_OWNERS),
    ("sub_b", "PATCH", ME, None, DESCRIBE, 403, ONLY_OWNERS),
    #    another method: the 403 first for whoever has no tenant of their own, then the 405
    ("superadmin", "DELETE", ME, None, None, 403, ONLY_OWNERS),
    ("admin", "PUT", ME, None, DESCRIBE, 403, ONLY_OWNERS),
    ("sub_a", "DELETE", ME, None, None, 403, ONLY_OWNERS),
    ("owner_a", "DELETE", ME, None, None, 405, {"detail": 'Method "DELETE" not allowed.'}),
    ("owner_b", "PUT", ME, None, DESCRIBE, 405, {"detail": 'Method "PUT" not allowed.'}),
    # -- list users: staff all, an owner their tenant's, subscribers 403
    ("superadmin", "GET", USERS, None, None, 200, Has(count=ALL_USERS)),
    ("admin", "GET", USERS, None, None, 200, Has(count=ALL_USERS)),
    ("owner_a", "GET", USERS, None, None, 200, Has(count=USERS_OF_A)),
    ("owner_a", "GET", "users/?tenant={tenant_b}", None, None, 200, Has(count=0)),
    ("owner_a", "GET", "users/?role=superadmin", None, None, 200, Has(count=0)),
    ("owner_b", "GET", USERS, None, None, 200, Has(count=USERS_OF_B)),
    ("sub_a", "GET", USERS, None, None, 403),
    ("sub_b", "GET", USERS, None, None, 403),
    # -- read a user: staff all (a superadmin's record included), an owner their tenant's (others 404),
    #    subscribers 403 (their own record too: that is auth/user/)
    ("superadmin", "GET", USER, "superadmin2", None, 200, UserIs("superadmin", None)),
    ("superadmin", "GET", USER, "sub_b", None, 200, UserIs("subscriber", TENANT_B)),
    ("superadmin", "GET", USER, "self", None, 200, UserIs("superadmin", None)),
    ("superadmin", "GET", USER, "missing", None, 404),
    ("admin", "GET", USER, "superadmin2", None, 200, UserIs("superadmin", None)),
    ("admin", "GET", USER, "sub_a", None, 200, UserIs("subscriber", TENANT_A)),
    ("admin", "GET", USER, "coowner_a", None, 200, UserIs("tenant_owner", TENANT_A)),
    ("admin", "GET", USER, "loner", None, 200, UserIs("subscriber", None)),
    ("admin", "GET", USER, "self", None, 200, UserIs("admin", None)),
    ("owner_a", "GET", USER, "sub_a", None, 200, UserIs("subscriber", TENANT_A)),
    ("owner_a", "GET", USER, "coowner_a", None, 200, UserIs("tenant_owner", TENANT_A)),
    ("owner_a", "GET", USER, "self", None, 200, UserIs("tenant_owner", TENANT_A)),
    ("owner_a", "GET", USER, "sub_b", None, 404),
    ("owner_a", "GET", USER, "owner_b", None, 404),
    ("owner_a", "GET", USER, "superadmin2", None, 404),
    ("owner_a", "GET", USER, "admin", None, 404),
    ("owner_a", "GET", USER, "loner", None, 404),
    ("owner_a", "GET", USER, "missing", None, 404),
    ("owner_b", "GET", USER, "sub_b", None, 200, UserIs("subscriber", TENANT_B)),
    ("owner_b", "GET", USER, "sub_a", None, 404),
    ("owner_b", "GET", USER, "coowner_a", None, 404),
    ("sub_a", "GET", USER, "self", None, 403),
    ("sub_a", "GET", USER, "sub_b", None, 403),
    ("sub_a", "GET", USER, "owner_a", None, 403),
    ("sub_a", "GET", USER, "superadmin2", None, 403),
    ("sub_a", "GET", USER, "missing", None, 403),
    ("sub_b", "GET", USER, "self", None, 403),
    ("sub_b", "GET", USER, "sub_a", None, 403),
    # -- create a user: superadmin any role, admin any but superadmin, an owner subscribers of their
    #    own tenant, subscribers 403; staff roles never have a tenant, an owner always one
    ("superadmin", "POST", USERS, None, new_user("superadmin"), 201, UserIs("superadmin", None)),
    ("superadmin", "POST", USERS, None, new_user("admin", TENANT_A), 201, UserIs("admin", None)),
    ("superadmin", "POST", USERS, None, new_user("tenant_owner", TENANT_A), 201, UserIs("tenant_owner", TENANT_A)),
    ("superadmin", "POST", USERS, None, new_user("tenant_owner"), 400, TENANT_REQUIRED),
    ("superadmin", "POST", USERS, None, new_user("subscriber", TENANT_B), 201, UserIs("subscriber", TENANT_B)),
    ("superadmin", "POST", USERS, None, new_user("subscriber"), 201, UserIs("subscriber", None)),
    ("admin", "POST", USERS, None, new_user("superadmin"), 400, NO_SUPERADMIN),
    ("admin", "POST", USERS, None, new_user("admin"), 201, UserIs("admin", None)),
    ("admin", "POST", USERS, None, new_user("tenant_owner", TENANT_B), 201, UserIs("tenant_owner", TENANT_B)),
    ("admin", "POST", USERS, None, new_user("subscriber", TENANT_A), 201, UserIs("subscriber", TENANT_A)),
    ("owner_a", "POST", USERS, None, new_user("subscriber", TENANT_A), 201, UserIs("subscriber", TENANT_A)),
    ("owner_a", "POST", USERS, None, new_user(), 201, UserIs("subscriber", TENANT_A)),
    ("owner_a", "POST", USERS, None, new_user("subscriber", TENANT_B), 400, OWN_TENANT_ONLY),
    ("owner_a", "POST", USERS, None, new_user("subscriber", TENANT_C), 400, OWN_TENANT_ONLY),
    ("owner_a", "POST", USERS, None, new_user("subscriber", None), 400, OWN_TENANT_ONLY),
    ("owner_a", "POST", USERS, None, new_user("tenant_owner", TENANT_A), 400, ONLY_SUBSCRIBER),
    ("owner_a", "POST", USERS, None, new_user("admin"), 400, ONLY_SUBSCRIBER),
    ("owner_a", "POST", USERS, None, new_user("superadmin"), 400, ONLY_SUBSCRIBER),
    ("owner_b", "POST", USERS, None, new_user("subscriber", TENANT_B), 201, UserIs("subscriber", TENANT_B)),
    ("owner_b", "POST", USERS, None, new_user("subscriber", TENANT_A), 400, OWN_TENANT_ONLY),
    ("owner_b", "POST", USERS, None, new_user("tenant_owner", TENANT_B), 400, ONLY_SUBSCRIBER),
    ("sub_a", "POST", USERS, None, new_user("subscriber", TENANT_A), 403),
    ("sub_a", "POST", USERS, None, new_user("admin"), 403),
    ("sub_b", "POST", USERS, None, new_user("subscriber", TENANT_B), 403),
    ("sub_b", "POST", USERS, None, new_user("subscriber", TENANT_A), 403),
    # -- update a user: superadmin all, admin all but superadmins (403), an owner the subscribers of
    #    their tenant (other tenants and staff 404, other owners and themselves 403), subscribers 403
    ("superadmin", "PATCH", USER, "sub_a", RENAME, 200, Has(first_name="Renamed")),
    ("superadmin", "PATCH", USER, "sub_b", RENAME, 200, Has(first_name="Renamed")),
    ("superadmin", "PATCH", USER, "coowner_a", RENAME, 200, Has(first_name="Renamed")),
    ("superadmin", "PATCH", USER, "superadmin2", RENAME, 200, Has(first_name="Renamed")),
    ("superadmin", "PATCH", USER, "self", RENAME, 200, Has(first_name="Renamed")),
    ("superadmin", "PATCH", USER, "missing", RENAME, 404),
    ("superadmin", "PUT", USER, "sub_b", {"username": "sub_b", "email": "b@wiwebb.test"}, 200,
     Has(email="b@wiwebb.test")),
    ("admin", "PATCH", USER, "sub_a", RENAME, 200, Has(first_name="Renamed")),
    ("admin", "PATCH", USER, "sub_b", RENAME, 200, Has(first_name="Renamed")),
    ("admin", "PATCH", USER, "coowner_a", RENAME, 200, Has(first_name="Renamed")),
    ("admin", "PATCH", USER, "superadmin2", RENAME, 403),
    ("admin", "PUT", USER, "superadmin2", {"username": "superadmin2", "email": "s@wiwebb.test"}, 403),
    ("admin", "PATCH", USER, "self", RENAME, 200, Has(first_name="Renamed")),
    ("admin", "PATCH", USER, "sub_a", {"role": "superadmin"}, 400, NO_SUPERADMIN),
    ("superadmin", "PATCH", USER, "sub_a", ADMIN, 200, UserIs("admin", None)),
    ("superadmin", "PATCH", USER, "loner", OWNER, 400, TENANT_REQUIRED),
    ("superadmin", "PATCH", USER, "self", DEACTIVATE, 200, Has(is_active=True)),  # read-only here: ignored
    ("superadmin", "PATCH", USER, "self", ADMIN, 403),
    ("superadmin", "PUT", USER, "self",
                            {"username": "superadmin", "email": "superadmin@wiwebb.test", "role": "subscriber"}, 403),
    ("admin", "PATCH", USER, "sub_b", OWNER, 200, UserIs("tenant_owner", TENANT_B)),
    ("admin", "PATCH", USER, "superadmin2", ADMIN, 403),
    ("admin", "PATCH", USER, "self", SUBSCRIBER, 403),
    ("admin", "PATCH", USER, "self", SUPERADMIN, 403),
    ("owner_a", "PATCH", USER, "sub_a", RENAME, 200, Has(first_name="Renamed")),
    ("owner_a", "PUT", USER, "sub_a", {"username": "sub_a", "email": "a@wiwebb.test"}, 200,
     Has(email="a@wiwebb.test")),
    ("owner_a", "PATCH", USER, "sub_b", RENAME, 404),
    ("owner_a", "PATCH", USER, "coowner_a", RENAME, 403),
    ("owner_a", "PATCH", USER, "superadmin2", RENAME, 404),
    ("owner_a", "PATCH", USER, "admin", RENAME, 404),
    ("owner_a", "PATCH", USER, "loner", RENAME, 404),
    ("owner_a", "PATCH", USER, "self", RENAME, 403),
    ("owner_a", "PATCH", USER, "sub_a", {"tenant": TENANT_B}, 400, OWN_TENANT_ONLY),
    ("owner_a", "PATCH", USER, "sub_a", {"role": "tenant_owner"}, 400, ONLY_SUBSCRIBER),
    ("owner_a", "PATCH", USER, "sub_a", {"role": "subscriber", "tenant": TENANT_B}, 400, OWN_TENANT_ONLY),
    ("owner_a", "PATCH", USER, "sub_a", {"tenant": TENANT_A}, 200, UserIs("subscriber", TENANT_A)),
    ("owner_a", "PATCH", USER, "sub_a", {"tenant": None}, 400, OWN_TENANT_ONLY),
    ("owner_b", "PATCH", USER, "sub_b", RENAME, 200, Has(first_name="Renamed")),
    ("owner_b", "PATCH", USER, "sub_a", RENAME, 404),
    ("owner_b", "PATCH", USER, "coowner_a", RENAME, 404),
    ("owner_b", "PATCH", USER, "self", RENAME, 403),
    ("sub_a", "PATCH", USER, "self", RENAME, 403),
    ("sub_a", "PATCH", USER, "sub_b", RENAME, 403),
    ("sub_a", "PATCH", USER, "coowner_a", RENAME, 403),
    ("sub_a", "PATCH", USER, "superadmin2", RENAME, 403),
    ("sub_b", "PATCH", USER, "sub_a", RENAME, 403),
    ("sub_b", "PATCH", USER, "self", RENAME, 403),
    # -- delete a user (nobody deletes themselves). sub_a and sub_b pay for a live subscription: a
    #    caller allowed to delete them gets past the permission checks to that refusal (400).
    ("superadmin", "DELETE", USER, "sub_a", None, 400, HAS_SUBSCRIPTION),
    ("superadmin", "DELETE", USER, "sub_b", None, 400, HAS_SUBSCRIPTION),
    ("superadmin", "DELETE", USER, "coowner_a", None, 204),
    ("superadmin", "DELETE", USER, "superadmin2", None, 204),
    ("superadmin", "DELETE", USER, "admin", None, 204),
    ("superadmin", "DELETE", USER, "self", None, 403),
    ("superadmin", "DELETE", USER, "missing", None, 404),
    ("admin", "DELETE", USER, "sub_a", None, 400, HAS_SUBSCRIPTION),
    ("admin", "DELETE", USER, "sub_b", None, 400, HAS_SUBSCRIPTION),
    ("admin", "DELETE", USER, "coowner_a", None, 204),
    ("admin", "DELETE", USER, "superadmin2", None, 403),
    ("admin", "DELETE", USER, "self", None, 403),
    ("owner_a", "DELETE", USER, "sub_a", None, 400, HAS_SUBSCRIPTION),
    ("owner_a", "DELETE", USER, "sub_b", None, 404),
    ("owner_a", "DELETE", USER, "coowner_a", None, 403),
    ("owner_a", "DELETE", USER, "superadmin2", None, 404),
    ("owner_a", "DELETE", USER, "self", None, 403),
    ("owner_b", "DELETE", USER, "sub_b", None, 400, HAS_SUBSCRIPTION),
    ("owner_b", "DELETE", USER, "sub_a", None, 404),
    ("owner_b", "DELETE", USER, "coowner_a", None, 404),
    ("owner_b", "DELETE", USER, "self", None, 403),
    ("sub_a", "DELETE", USER, "self", None, 403),
    ("sub_a", "DELETE", USER, "sub_b", None, 403),
    ("sub_a", "DELETE", USER, "coowner_a", None, 403),
    ("sub_a", "DELETE", USER, "superadmin2", None, 403),
    ("sub_b", "DELETE", USER, "sub_a", None, 403),
    ("sub_b", "DELETE", USER, "self", None, 403),
    # -- activate (nobody deactivates themselves)
    ("superadmin", "POST", ACTIVATE, "sub_a", DEACTIVATE, 200, Has(is_active=False)),
    ("superadmin", "POST", ACTIVATE, "sub_b", DEACTIVATE, 200, Has(is_active=False)),
    ("superadmin", "POST", ACTIVATE, "coowner_a", DEACTIVATE, 200, Has(is_active=False)),
    ("superadmin", "POST", ACTIVATE, "superadmin2", DEACTIVATE, 200, Has(is_active=False)),
    ("superadmin", "POST", ACTIVATE, "self", DEACTIVATE, 403),
    ("superadmin", "POST", ACTIVATE, "missing", DEACTIVATE, 404),
    ("admin", "POST", ACTIVATE, "sub_a", DEACTIVATE, 200, Has(is_active=False)),
    ("admin", "POST", ACTIVATE, "sub_b", DEACTIVATE, 200, Has(is_active=False)),
    ("admin", "POST", ACTIVATE, "coowner_a", DEACTIVATE, 200, Has(is_active=False)),
    ("admin", "POST", ACTIVATE, "superadmin2", DEACTIVATE, 403),
    ("admin", "POST", ACTIVATE, "self", DEACTIVATE, 403),
    ("owner_a", "POST", ACTIVATE, "sub_a", DEACTIVATE, 200, Has(is_active=False)),
    ("owner_a", "POST", ACTIVATE, "sub_b", DEACTIVATE, 404),
    ("owner_a", "POST", ACTIVATE, "coowner_a", DEACTIVATE, 403),
    ("owner_a", "POST", ACTIVATE, "superadmin2", DEACTIVATE, 404),
    ("owner_a", "POST", ACTIVATE, "self", DEACTIVATE, 403),
    ("owner_b", "POST", ACTIVATE, "sub_b", DEACTIVATE, 200, Has(is_active=False)),
    ("owner_b", "POST", ACTIVATE, "sub_a", DEACTIVATE, 404),
    ("owner_b", "POST", ACTIVATE, "coowner_a", DEACTIVATE, 404),
    ("owner_b", "POST", ACTIVATE, "self", DEACTIVATE, 403),
    ("sub_a", "POST", ACTIVATE, "self", DEACTIVATE, 403),
    ("sub_a", "POST", ACTIVATE, "sub_b", DEACTIVATE, 403),
    ("sub_a", "POST", ACTIVATE, "owner_a", DEACTIVATE, 403),
    ("sub_a", "POST", ACTIVATE, "superadmin2", DEACTIVATE, 403),
    ("sub_b", "POST", ACTIVATE, "sub_a", DEACTIVATE, 403),
    ("sub_b", "POST", ACTIVATE, "self", DEACTIVATE, 403),
    # -- set-password
    ("superadmin", "POST", SET_PASSWORD, "sub_a", NEW_PASSWORD, 200, PASSWORD_SET),
    ("superadmin", "POST", SET_PASSWORD, "sub_b", NEW_PASSWORD, 200, PASSWORD_SET),
    ("superadmin", "POST", SET_PASSWORD, "coowner_a", NEW_PASSWORD, 200, PASSWORD_SET),
    ("superadmin", "POST", SET_PASSWORD, "superadmin2", NEW_PASSWORD, 200, PASSWORD_SET),
    ("superadmin", "POST", SET_PASSWORD, "self", NEW_PASSWORD, 200, PASSWORD_SET),
    ("superadmin", "POST", SET_PASSWORD, "missing", NEW_PASSWORD, 404),
    ("admin", "POST", SET_PASSWORD, "sub_a", NEW_PASSWORD, 200, PASSWORD_SET),
    ("admin", "POST", SET_PASSWORD, "sub_b", NEW_PASSWORD, 200, PASSWORD_SET),
    ("admin", "POST", SET_PASSWORD, "coowner_a", NEW_PASSWORD, 200, PASSWORD_SET),
    ("admin", "POST", SET_PASSWORD, "superadmin2", NEW_PASSWORD, 403),
    ("admin", "POST", SET_PASSWORD, "self", NEW_PASSWORD, 200, PASSWORD_SET),
    ("owner_a", "POST", SET_PASSWORD, "sub_a", NEW_PASSWORD, 200, PASSWORD_SET),
    ("owner_a", "POST", SET_PASSWORD, "sub_b", NEW_PASSWORD, 404),
    ("owner_a", "POST", SET_PASSWORD, "coowner_a", NEW_PASSWORD, 403),
    ("owner_a", "POST", SET_PASSWORD, "superadmin2", NEW_PASSWORD, 404),
    ("owner_a", "POST", SET_PASSWORD, "self", NEW_PASSWORD, 403),
    ("owner_b", "POST", SET_PASSWORD, "sub_b", NEW_PASSWORD, 200, PASSWORD_SET),
    ("owner_b", "POST", SET_PASSWORD, "sub_a", NEW_PASSWORD, 404),
    ("owner_b", "POST", SET_PASSWORD, "coowner_a", NEW_PASSWORD, 404),
    ("owner_b", "POST", SET_PASSWORD, "self", NEW_PASSWORD, 403),
    ("sub_a", "POST", SET_PASSWORD, "self", NEW_PASSWORD, 403),
    ("sub_a", "POST", SET_PASSWORD, "sub_b", NEW_PASSWORD, 403),
    ("sub_a", "POST", SET_PASSWORD, "superadmin2", NEW_PASSWORD, 403),
    ("sub_b", "POST", SET_PASSWORD, "sub_a", NEW_PASSWORD, 403),
    ("sub_b", "POST", SET_PASSWORD, "self", NEW_PASSWORD, 403),
    # -- assign-role (nobody changes their own role; a role the caller may not grant is a 400)
    ("superadmin", "POST", ASSIGN_ROLE, "sub_a", OWNER, 200, UserIs("tenant_owner", TENANT_A)),
    ("superadmin", "POST", ASSIGN_ROLE, "sub_b", SUPERADMIN, 200, UserIs("superadmin", None)),
    ("superadmin", "POST", ASSIGN_ROLE, "coowner_a", SUBSCRIBER, 200, UserIs("subscriber", TENANT_A)),
    ("superadmin", "POST", ASSIGN_ROLE, "superadmin2", ADMIN, 200, UserIs("admin", None)),
    ("superadmin", "POST", ASSIGN_ROLE, "loner", OWNER, 400, TENANT_REQUIRED),
    ("superadmin", "POST", ASSIGN_ROLE, "self", ADMIN, 403),
    ("superadmin", "POST", ASSIGN_ROLE, "self", SUPERADMIN, 403),
    ("superadmin", "POST", ASSIGN_ROLE, "missing", ADMIN, 404),
    ("admin", "POST", ASSIGN_ROLE, "sub_a", ADMIN, 200, UserIs("admin", None)),
    ("admin", "POST", ASSIGN_ROLE, "sub_b", OWNER, 200, UserIs("tenant_owner", TENANT_B)),
    ("admin", "POST", ASSIGN_ROLE, "sub_b", SUPERADMIN, 400, NO_SUPERADMIN),
    ("admin", "POST", ASSIGN_ROLE, "coowner_a", SUBSCRIBER, 200, UserIs("subscriber", TENANT_A)),
    ("admin", "POST", ASSIGN_ROLE, "superadmin2", ADMIN, 403),
    ("admin", "POST", ASSIGN_ROLE, "superadmin2", SUBSCRIBER, 403),
    ("admin", "POST", ASSIGN_ROLE, "self", SUBSCRIBER, 403),
    ("admin", "POST", ASSIGN_ROLE, "self", SUPERADMIN, 403),
    ("owner_a", "POST", ASSIGN_ROLE, "sub_a", SUBSCRIBER, 200, UserIs("subscriber", TENANT_A)),
    ("owner_a", "POST", ASSIGN_ROLE, "sub_a", OWNER, 400, ONLY_SUBSCRIBER),
    ("owner_a", "POST", ASSIGN_ROLE, "sub_a", ADMIN, 400, ONLY_SUBSCRIBER),
    ("owner_a", "POST", ASSIGN_ROLE, "sub_a", SUPERADMIN, 400, ONLY_SUBSCRIBER),
    ("owner_a", "POST", ASSIGN_ROLE, "sub_b", SUBSCRIBER, 404),
    ("owner_a", "POST", ASSIGN_ROLE, "coowner_a", SUBSCRIBER, 403),
    ("owner_a", "POST", ASSIGN_ROLE, "superadmin2", SUBSCRIBER, 404),
    ("owner_a", "POST", ASSIGN_ROLE, "self", SUBSCRIBER, 403),
    ("owner_b", "POST", ASSIGN_ROLE, "sub_b", SUBSCRIBER, 200, UserIs("subscriber", TENANT_B)),
    ("owner_b", "POST", ASSIGN_ROLE, "sub_b", OWNER, 400, ONLY_SUBSCRIBER),
    ("owner_b", "POST", ASSIGN_ROLE, "sub_a", SUBSCRIBER, 404),
    ("owner_b", "POST", ASSIGN_ROLE, "coowner_a", SUBSCRIBER, 404),
    ("owner_b", "POST", ASSIGN_ROLE, "self", SUBSCRIBER, 403),
    ("sub_a", "POST", ASSIGN_ROLE, "self", OWNER, 403),
    ("sub_a", "POST", ASSIGN_ROLE, "self", SUBSCRIBER, 403),
    ("sub_a", "POST", ASSIGN_ROLE, "sub_b", SUBSCRIBER, 403),
    ("sub_a", "POST", ASSIGN_ROLE, "superadmin2", SUBSCRIBER, 403),
    ("sub_b", "POST", ASSIGN_ROLE, "sub_a", SUBSCRIBER, 403),
    ("sub_b", "POST", ASSIGN_ROLE, "self", OWNER, 403),
    # -- audit log: staff all, an owner their tenant's entries, subscribers 403
    ("superadmin", "GET", AUDIT, None, None, 200),
    ("admin", "GET", AUDIT, None, None, 200),
    ("owner_a", "GET", AUDIT, None, None, 200, AuditOf(TENANT_A)),
    ("owner_a", "GET", "audit-logs/?tenant={tenant_b}", None, None, 200, Has(count=0)),
    ("owner_b", "GET", AUDIT, None, None, 200, AuditOf(TENANT_B)),
    ("sub_a", "GET", AUDIT, None, None, 403),
    ("sub_b", "GET", AUDIT, None, None, 403),
    # -- dashboard: staff the platform, an owner their tenant, subscribers 403
    ("superadmin", "GET", STATS, None, None, 200, Has(total_tenants=3, total_users=ALL_USERS, active_users=ALL_USERS)),
    ("admin", "GET", STATS, None, None, 200, Has(total_tenants=3, total_users=ALL_USERS, active_users=ALL_USERS)),
    ("owner_a", "GET", STATS, None, None, 200, Has(total_tenants=1, total_users=USERS_OF_A, active_users=USERS_OF_A)),
    ("owner_b", "GET", STATS, None, None, 200, Has(total_tenants=1, total_users=USERS_OF_B, active_users=USERS_OF_B)),
    ("sub_a", "GET", STATS, None, None, 403),
    ("sub_b", "GET", STATS, None, None, 403),
    # -- a method a route does not have: 403 first for a role that may take none of its actions
    ("owner_a", "DELETE", TENANTS, None, None, 403),
    ("sub_a", "PUT", TENANTS, None, None, 403),
    ("sub_a", "DELETE", USERS, None, None, 403),
    ("owner_a", "DELETE", USERS, None, None, 405, {"detail": 'Method "DELETE" not allowed.'}),
    ("superadmin", "PUT", TENANTS, None, None, 405, {"detail": 'Method "PUT" not allowed.'}),
    # -- plans: everyone reads the catalogue; staff create, update, retire
    *[(who, "GET", "subscriptions/plans/", None, None, 200) for who in CALLERS],
    *[(who, "POST", "plans/", None, {"name": "Gift", "requires_payment": False, "pricings": []}, 201)
      for who in ("superadmin", "admin")],
    *[(who, "POST", "plans/", None, {"name": "Gift", "requires_payment": False, "pricings": []}, 403)
      for who in ("owner_a", "owner_b", "sub_a", "sub_b")],
    *[(who, "GET", "plans/", None, None, 403) for who in ("owner_a", "sub_a")],
    # -- subscriptions: everyone their own; others' read by staff (all) and an owner (own tenant's),
    #    cancelled by staff only (anyone else: 404), and only staff end one at once (anyone else: 403)
    ("superadmin", "GET", SUBSCRIPTIONS, None, None, 200, Page(SUBSCRIPTION_A, SUBSCRIPTION_B, SUBSCRIPTION_OWNER_A)),
    ("superadmin", "GET", "subscriptions/?user={sub_b}", None, None, 200, Page(SUBSCRIPTION_B)),
    ("admin", "GET", SUBSCRIPTIONS, None, None, 200, Page(SUBSCRIPTION_A, SUBSCRIPTION_B, SUBSCRIPTION_OWNER_A)),
    ("owner_a", "GET", SUBSCRIPTIONS, None, None, 200, Page(SUBSCRIPTION_A, SUBSCRIPTION_OWNER_A)),
    ("owner_a", "GET", "subscriptions/?user={sub_a}", None, None, 200, Page(SUBSCRIPTION_A)),
    ("owner_a", "GET", "subscriptions/?user={sub_b}", None, None, 200, Page()),
    ("owner_b", "GET", SUBSCRIPTIONS, None, None, 200, Page(SUBSCRIPTION_B)),
    ("sub_a", "GET", SUBSCRIPTIONS, None, None, 200, Page(SUBSCRIPTION_A)),
    ("sub_a", "GET", "subscriptions/?user={sub_b}", None, None, 200, Page()),
    ("sub_a", "GET", "subscriptions/?user={owner_a}", None, None, 200, Page()),
    ("sub_b", "GET", SUBSCRIPTIONS, None, None, 200, Page(SUBSCRIPTION_B)),
    ("superadmin", "GET", STATUS, None, None, 200, null),
    ("admin", "GET", STATUS, None, None, 200, null),
    ("owner_a", "GET", STATUS, None, None, 200, Has(id=SUBSCRIPTION_OWNER_A, user=OWNER_A, status="active")),
    ("owner_b", "GET", STATUS, None, None, 200, null),
    ("sub_a", "GET", STATUS, None, None, 200, Has(id=SUBSCRIPTION_A, user=SUB_A, status="active")),
    ("sub_b", "GET", STATUS, None, None, 200, Has(id=SUBSCRIPTION_B, user=SUB_B, status="active")),
    *[(who, "POST", SUBSCRIBE, None, {"pricing_id": PREMIUM, "payment_method": CARD}, 201,
       Has(user=Ref(who), pricing=PREMIUM, status="active")) for who in ("superadmin", "admin", "owner_b")],
    ("sub_a", "POST", SUBSCRIBE, None, {"pricing_id": PREMIUM, "payment_method": CARD}, 400, ALREADY_SUBSCRIBED),
    ("superadmin", "POST", CANCEL, None, cancel("sub_a"), 200,
     Has(id=SUBSCRIPTION_A, status="active", cancel_at_period_end=True)),
    ("superadmin", "POST", CANCEL, None, cancel("sub_b", at_once=True), 200, Has(id=SUBSCRIPTION_B, status="canceled")),
    ("superadmin", "POST", CANCEL, None, cancel("missing"), 404),
    ("superadmin", "POST", CANCEL, None, {}, 400, NOTHING_TO_CANCEL),
    ("admin", "POST", CANCEL, None, cancel("sub_b"), 200, Has(id=SUBSCRIPTION_B, cancel_at_period_end=True)),
    ("admin", "POST", CANCEL, None, cancel("owner_a", at_once=True), 200,
     Has(id=SUBSCRIPTION_OWNER_A, status="canceled")),
    ("owner_a", "POST", CANCEL, None, cancel("owner_a"), 200, Has(id=SUBSCRIPTION_OWNER_A, cancel_at_period_end=True)),
    ("owner_a", "POST", CANCEL, None, {}, 200, Has(id=SUBSCRIPTION_OWNER_A, cancel_at_period_end=True)),
    ("owner_a", "POST", CANCEL, None, cancel("owner_a", at_once=True), 403),
    ("owner_a", "POST", CANCEL, None, cancel("sub_a"), 404),  # readable, not theirs to cancel
    ("owner_a", "POST", CANCEL, None, cancel("sub_b"), 404),
    ("owner_a", "POST", CANCEL, None, cancel("missing"), 404),
    ("owner_b", "POST", CANCEL, None, cancel("sub_b"), 404),
    ("owner_b", "POST", CANCEL, None, cancel("sub_a"), 404),
    ("owner_b", "POST", CANCEL, None, {}, 400, NOTHING_TO_CANCEL),  # not their tenant's subscriber's
    ("sub_a", "POST", CANCEL, None, cancel("sub_a"), 200, Has(id=SUBSCRIPTION_A, cancel_at_period_end=True)),
    ("sub_a", "POST", CANCEL, None, {}, 200, Has(id=SUBSCRIPTION_A, cancel_at_period_end=True)),
    ("sub_a", "POST", CANCEL, None, cancel("sub_a", at_once=True), 403),
    ("sub_a", "POST", CANCEL, None, cancel("sub_b", at_once=True), 403),
    ("sub_a", "POST", CANCEL, None, cancel("sub_b"), 404),
    ("sub_a", "POST", CANCEL, None, cancel("owner_a"), 404),
    ("sub_a", "POST", CANCEL, None, cancel("missing"), 404),
    ("sub_b", "POST", CANCEL, None, cancel("sub_b"), 200, Has(id=SUBSCRIPTION_B, cancel_at_period_end=True)),
    ("sub_b", "POST", CANCEL, None, cancel("sub_a"), 404),
    # -- payments: everyone pays and reads their own; others' read by staff (all) and an owner (own
    #    tenant's; other payments 404); capture and refund by staff only (a payment the caller can
    #    read, their own included: 403; one they cannot: 404)
    *[(who, "POST", PAYMENTS, None, pay(), 201, Has(user=Ref(who), status="preauth")) for who in CALLERS],
    ("superadmin", "GET", PAYMENTS, None, None, 200, Page(PAYMENT_A, PAYMENT_B, PAYMENT_OWNER_A)),
    ("superadmin", "GET", "payments/?user={sub_b}", None, None, 200, Page(PAYMENT_B)),
    ("admin", "GET", PAYMENTS, None, None, 200, Page(PAYMENT_A, PAYMENT_B, PAYMENT_OWNER_A)),
    ("owner_a", "GET", PAYMENTS, None, None, 200, Page(PAYMENT_A, PAYMENT_OWNER_A)),
    ("owner_a", "GET", "payments/?user={sub_a}", None, None, 200, Page(PAYMENT_A)),
    ("owner_a", "GET", "payments/?user={sub_b}", None, None, 200, Page()),
    ("owner_b", "GET", PAYMENTS, None, None, 200, Page(PAYMENT_B)),
    ("sub_a", "GET", PAYMENTS, None, None, 200, Page(PAYMENT_A)),
    ("sub_a", "GET", "payments/?user={sub_b}", None, None, 200, Page()),
    ("sub_a", "GET", "payments/?user={owner_a}", None, None, 200, Page()),
    ("sub_b", "GET", PAYMENTS, None, None, 200, Page(PAYMENT_B)),
    ("superadmin", "GET", PAYMENT, "sub_a_payment", None, 200, Has(id=PAYMENT_A, user=SUB_A, status="preauth")),
    ("superadmin", "GET", PAYMENT, "owner_a_payment", None, 200, Has(id=PAYMENT_OWNER_A, status="confirmed")),
    ("superadmin", "GET", PAYMENT, "missing", None, 404),
    ("admin", "GET", PAYMENT, "sub_b_payment", None, 200, Has(id=PAYMENT_B, user=SUB_B)),
    ("owner_a", "GET", PAYMENT, "sub_a_payment", None, 200, Has(id=PAYMENT_A, user=SUB_A)),
    ("owner_a", "GET", PAYMENT, "owner_a_payment", None, 200, Has(id=PAYMENT_OWNER_A, user=OWNER_A)),
    ("owner_a", "GET", PAYMENT, "sub_b_payment", None, 404),
    ("owner_a", "GET", PAYMENT, "missing", None, 404),
    ("owner_b", "GET", PAYMENT, "sub_b_payment", None, 200, Has(id=PAYMENT_B, user=SUB_B)),
    ("owner_b", "GET", PAYMENT, "sub_a_payment", None, 404),
    ("owner_b", "GET", PAYMENT, "owner_a_payment", None, 404),
    ("sub_a", "GET", PAYMENT, "sub_a_payment", None, 200, Has(id=PAYMENT_A, user=SUB_A)),
    ("sub_a", "GET", PAYMENT, "sub_b_payment", None, 404),
    ("sub_a", "GET", PAYMENT, "owner_a_payment", None, 404),
    ("sub_a", "GET", PAYMENT, "missing", None, 404),
    ("sub_b", "GET", PAYMENT, "sub_b_payment", None, 200, Has(id=PAYMENT_B, user=SUB_B)),
    ("sub_b", "GET", PAYMENT, "sub_a_payment", None, 404),
    ("superadmin", "GET", PAYMENT_LOGS, "sub_a_payment", None, 200, LogOf(PAYMENT_A)),
    ("superadmin", "GET", PAYMENT_LOGS, "missing", None, 404),
    ("admin", "GET", PAYMENT_LOGS, "sub_b_payment", None, 200, LogOf(PAYMENT_B)),
    ("owner_a", "GET", PAYMENT_LOGS, "sub_a_payment", None, 200, LogOf(PAYMENT_A)),
    ("owner_a", "GET", PAYMENT_LOGS, "owner_a_payment", None, 200, LogOf(PAYMENT_OWNER_A)),
    ("owner_a", "GET", PAYMENT_LOGS, "sub_b_payment", None, 404),
    ("owner_b", "GET", PAYMENT_LOGS, "sub_b_payment", None, 200, LogOf(PAYMENT_B)),
    ("owner_b", "GET", PAYMENT_LOGS, "sub_a_payment", None, 404),
    ("owner_b", "GET", PAYMENT_LOGS, "owner_a_payment", None, 404),
    ("sub_a", "GET", PAYMENT_LOGS, "sub_a_payment", None, 200, LogOf(PAYMENT_A)),
    ("sub_a", "GET", PAYMENT_LOGS, "sub_b_payment", None, 404),
    ("sub_a", "GET", PAYMENT_LOGS, "owner_a_payment", None, 404),
    ("sub_b", "GET", PAYMENT_LOGS, "sub_b_payment", None, 200, LogOf(PAYMENT_B)),
    ("sub_b", "GET", PAYMENT_LOGS, "sub_a_payment", None, 404),
    ("superadmin", "POST", CAPTURE, "sub_a_payment", {}, 200, Has(id=PAYMENT_A, status="confirmed")),
    ("superadmin", "POST", CAPTURE, "owner_a_payment", {}, 400, NOT_PREAUTH),
    ("superadmin", "POST", CAPTURE, "missing", {}, 404),
    ("admin", "POST", CAPTURE, "sub_b_payment", {}, 200, Has(id=PAYMENT_B, status="confirmed")),
    ("owner_a", "POST", CAPTURE, "sub_a_payment", {}, 403),
    ("owner_a", "POST", CAPTURE, "owner_a_payment", {}, 403),
    ("owner_a", "POST", CAPTURE, "sub_b_payment", {}, 404),
    ("owner_a", "POST", CAPTURE, "missing", {}, 404),
    ("owner_b", "POST", CAPTURE, "sub_b_payment", {}, 403),
    ("owner_b", "POST", CAPTURE, "sub_a_payment", {}, 404),
    ("sub_a", "POST", CAPTURE, "sub_a_payment", {}, 403),
    ("sub_a", "POST", CAPTURE, "sub_b_payment", {}, 404),
    ("sub_a", "POST", CAPTURE, "owner_a_payment", {}, 404),
    ("sub_a", "POST", CAPTURE, "missing", {}, 404),
    ("sub_b", "POST", CAPTURE, "sub_b_payment", {}, 403),
    ("sub_b", "POST", CAPTURE, "sub_a_payment", {}, 404),
    ("superadmin", "POST", REFUND, "owner_a_payment", {}, 200,
     Has(id=PAYMENT_OWNER_A, status="refunded", refunded_amount="10.00")),
    ("superadmin", "POST", REFUND, "sub_a_payment", {}, 400, NOT_CONFIRMED),
    ("admin", "POST", REFUND, "owner_a_payment", {"amount": "4.00"}, 200,
     Has(id=PAYMENT_OWNER_A, status="confirmed", refunded_amount="4.00")),
    ("admin", "POST", REFUND, "missing", {}, 404),
    ("owner_a", "POST", REFUND, "owner_a_payment", {}, 403),
    ("owner_a", "POST", REFUND, "sub_a_payment", {}, 403),
    ("owner_a", "POST", REFUND, "sub_b_payment", {}, 404),
    ("owner_b", "POST", REFUND, "sub_b_payment", {}, 403),
    ("owner_b", "POST", REFUND, "owner_a_payment", {}, 404),
    ("sub_a", "POST", REFUND, "sub_a_payment", {}, 403),
    ("sub_a", "POST", REFUND, "owner_a_payment", {}, 404),
    ("sub_a", "POST", REFUND, "sub_b_payment", {}, 404),
    ("sub_b", "POST", REFUND, "sub_b_payment", {}, 403),
    ("sub_b", "POST", REFUND, "sub_a_payment", {}, 404),
]


def _label(value: Any) -> str:
    return json.dumps(value) if isinstance(value, bool | None) else str(value)


def case_id(caller: str, method: str, path: str, target: str | None, body: dict | None) -> str:
    """E.g. `owner_a-POST-users/sub_b/assign-role/-role=subscriber`."""
    where = path.replace("{target}", target or "").replace("{", "").replace("}", "")
    shown = {k: v for k, v in (body or {}).items() if k not in ("username", "email", "password")
             and not k.startswith("new_password")}
    return "-".join([caller, method, where, *(f"{k}={_label(v)}" for k, v in shown.items())])


def _param(row: tuple) -> Any:
    caller, method, path, target, body, status, *rest = row
    expected = rest[0] if rest else {403: FORBIDDEN, 404: NOT_FOUND}.get(status)
    return pytest.param(caller, method, path, target, body, status, expected,
                        id=case_id(caller, method, path, target, body))


@pytest.mark.parametrize(("caller", "method", "path", "target", "body", "status", "expected"),
                         [_param(row) for row in CASES])
def test_permission_matrix(world, caller, method, path, target, body, status, expected):
    ids = world.ids
    url = V1 + path.format(target=ids[caller if target == "self" else target] if target else "", **ids)
    params: dict[str, Any] = {"method": method, "headers": {"Authorization": f"Token {world.tokens[caller]}"}}
    if body is not None:
        params.update(body=json.dumps(resolve(body, ids)).encode(), content_type="application/json")
    response = world.api.request(url, expect_errors=True, **params)
    assert response.status_int == status, response.text
    if status == 204:
        assert response.body == b""
    elif callable(expected):
        expected(response.json, ids)
    elif expected is not None:
        assert response.json == resolve(expected, ids)


def test_the_table_has_no_duplicate_ids():
    ids = [p.id for p in (_param(row) for row in CASES)]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})

