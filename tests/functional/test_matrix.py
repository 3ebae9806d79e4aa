"""The permission matrix of API.md ("Roles and the permission matrix"), walked over HTTP.

Every case is one row of `CASES`: who calls, what they ask, on which target, and the exact answer
the contract gives (403 for an action the role may never take or a target it can read but not
change, 404 for an object out of reach, 400 with the exact role/tenant messages, 2xx when allowed).
A 403 or 404 row without a body of its own must answer the standard body.

The world (three tenants, nine users, a token for each caller) is built once per backend through
the API; each case runs inside a savepoint that is rolled back after it, so every case sees the
same fresh world and no case depends on another (deleting, deactivating, demoting are all undone).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from typing import Any

import pytest
import webtest

from wiwebb.adapters.database import Database, create_database_engine
from wiwebb.adapters.mail import InMemoryMailer
from wiwebb.app import build_app

from ..conftest import make_settings

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
PASSWORD_SET = {"detail": "Password has been set."}


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


@dataclass
class World:
    api: webtest.TestApp
    ids: dict[str, int]
    tokens: dict[str, str]


def resolve(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, Ref):
        return ids[value.name]
    if isinstance(value, dict):
        return {k: resolve(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, ids) for v in value]
    return value


def build_world(api: webtest.TestApp, identity_of) -> World:
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
    return World(api, ids, {name: login(name) for name in CALLERS})


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
        app = build_app(settings, database=database, mailer=InMemoryMailer(), wait_for_database=False)

        def identity_of(work):
            with database.session(write=True) as session, session.begin():
                return work(app.adapters.identity(session))

        yield connection, build_world(webtest.TestApp(app), identity_of)
    finally:
        outer.rollback()
        connection.close()
        if owned_engine is not None:
            owned_engine.dispose()


@pytest.fixture
def world(backend):
    """The fresh world: whatever the case changes is rolled back after it."""
    connection, world = backend
    savepoint = connection.begin_nested()
    try:
        yield world
    finally:
        savepoint.rollback()


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


# -- the table ---------------------------------------------------------------------------------

V1 = "/api/v1/"
TENANTS, TENANT, ME = "tenants/", "tenants/{target}/", "tenants/me/"
USERS, USER = "users/", "users/{target}/"
ACTIVATE, ASSIGN_ROLE, SET_PASSWORD = "users/{target}/activate/", "users/{target}/assign-role/", \
    "users/{target}/set-password/"
AUDIT, STATS = "audit-logs/", "dashboard/stats/"

RENAME = {"first_name": "Renamed"}
DESCRIBE = {"description": "Changed."}
DEACTIVATE = {"is_active": False}
NEW_PASSWORD = {"new_password1": "fresh-horse-42", "new_password2": "fresh-horse-42"}
SUBSCRIBER, OWNER, ADMIN, SUPERADMIN = ({"role": r} for r in ("subscriber", "tenant_owner", "admin", "superadmin"))


def new_user(role: str | None = None, tenant: Ref | str | None = "omitted") -> dict[str, Any]:
    """A body for `POST users/` (tenant "omitted": no `tenant` key at all)."""
    body: dict[str, Any] = {"username": "newbie", "email": "newbie@wiwebb.test", "password": PASSWORD}
    if role is not None:
        body["role"] = role
    if tenant != "omitted":
        body["tenant"] = tenant
    return body


# (caller, method, path, target, body, status[, expected body: a dict, exact, or a check])
# `target` names a tenant or user of the world, "self" (the caller) or "missing"; None: no target.
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
    # -- delete a user (nobody deletes themselves)
    ("superadmin", "DELETE", USER, "sub_a", None, 204),
    ("superadmin", "DELETE", USER, "sub_b", None, 204),
    ("superadmin", "DELETE", USER, "coowner_a", None, 204),
    ("superadmin", "DELETE", USER, "superadmin2", None, 204),
    ("superadmin", "DELETE", USER, "admin", None, 204),
    ("superadmin", "DELETE", USER, "self", None, 403),
    ("superadmin", "DELETE", USER, "missing", None, 404),
    ("admin", "DELETE", USER, "sub_a", None, 204),
    ("admin", "DELETE", USER, "sub_b", None, 204),
    ("admin", "DELETE", USER, "coowner_a", None, 204),
    ("admin", "DELETE", USER, "superadmin2", None, 403),
    ("admin", "DELETE", USER, "self", None, 403),
    ("owner_a", "DELETE", USER, "sub_a", None, 204),
    ("owner_a", "DELETE", USER, "sub_b", None, 404),
    ("owner_a", "DELETE", USER, "coowner_a", None, 403),
    ("owner_a", "DELETE", USER, "superadmin2", None, 404),
    ("owner_a", "DELETE", USER, "self", None, 403),
    ("owner_b", "DELETE", USER, "sub_b", None, 204),
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

