"""A tenant owner never reaches outside their tenant, whatever they try and in whatever order.

Hypothesis draws sequences of operations a tenant owner may send (lists with random filters;
get, update, delete, activate, assign-role and set-password on random user ids; creating users with
random roles and tenants; reading and updating random tenants; tenants/me) and checks that each one
is refused (NotFound, PermissionDenied, ValidationFailed) or touches only users and the tenant of
the owner's own tenant, and that at the end every other tenant and every user outside the owner's
tenant is exactly as it was. Derandomized and bounded, so it runs the same examples in seconds.
"""

import copy

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from wiwebb.domain.errors import NotFound, PermissionDenied, ValidationFailed
from wiwebb.domain.listing import PageRequest
from wiwebb.domain.model import Role
from wiwebb.domain.queries import UserQuery

from .conftest import FRONTEND, World

REFUSALS = (NotFound, PermissionDenied, ValidationFailed)
HOME = 1  # the owner's tenant: created first
OTHER_TENANTS = (2, 3)
MISSING = 999

# -- the world the owner acts in ------------------------------------------------------------------


def build_world() -> tuple[World, int]:
    world = World()
    acme, globex, initech = (world.add_tenant(name) for name in ("Acme", "Globex", "Initech"))
    assert (acme.id, globex.id, initech.id) == (HOME, *OTHER_TENANTS)
    owner = world.owner(acme, "acme-owner")
    world.owner(acme, "co-owner")
    acme_sub = world.subscriber(acme, "acme-sub")
    world.add_user("acme-idle", tenant=acme, is_active=False, first_name="Ida")
    world.owner(globex, "globex-owner")
    globex_sub = world.subscriber(globex, "globex-sub")
    world.add_user("initech-sub", tenant=initech, last_name="Acme-fan")
    world.subscriber(None, "solo")
    world.admin("staff")
    world.superadmin("root")
    for user in (acme_sub, globex_sub):
        world.login(user)
    world.audit.entries.clear()
    world.outbox.queued.clear()
    return world, owner.id


# -- what the owner may try -----------------------------------------------------------------------

ROLES = st.sampled_from([r.value for r in Role])
# The home tenant's subscribers (3, 4) and the users the sequence creates (11 on) are hit as often
# as every other user (1 to 10) and as missing ones, so that operations succeed as well as fail.
USER_IDS = st.one_of(st.sampled_from([3, 4]), st.integers(11, 16), st.integers(1, 10), st.just(MISSING))
# A fresh name or address (made unique when the operation runs), or one that clashes or is invalid.
FRESH = "{fresh}"
NAMES = st.just(FRESH) | st.sampled_from(["Acme-sub", "acme-sub", "globex-sub", "solo", "root", "bad name"])
EMAILS = st.just(f"{FRESH}@new.test") | st.sampled_from(
    ["globex-sub@example.test", "SOLO@example.test", "not-an-address"])
PASSWORDS = st.sampled_from([None, "", "correct-horse-9", "short", "12345678"])
TEXT = st.text(alphabet="aAz -_", max_size=6)


def operations() -> st.SearchStrategy:
    # Values that may succeed are drawn as often as all the others together.
    tenant_ids = st.just(HOME) | st.sampled_from([*OTHER_TENANTS, MISSING])
    tenants = tenant_ids | st.none()
    roles = st.just(Role.SUBSCRIBER.value) | ROLES
    password = st.just("correct-horse-9") | PASSWORDS.filter(bool)
    user_changes = st.fixed_dictionaries({}, optional={
        "first_name": TEXT, "username": NAMES, "email": EMAILS, "role": roles, "tenant": tenants,
        "is_active": st.booleans(), "password": PASSWORDS})
    new_user = st.fixed_dictionaries({"username": NAMES, "email": EMAILS}, optional={
        "role": roles, "tenant": tenants, "password": PASSWORDS, "first_name": TEXT})
    tenant_changes = st.fixed_dictionaries({}, optional={
        "name": st.sampled_from(["Acme", "Globex", "Acme Two", ""]), "slug": st.sampled_from(["acme", "globex", "x"]),
        "is_active": st.booleans(), "description": TEXT, "email": EMAILS, "url": st.just("https://x.test")})
    query = st.builds(
        UserQuery,
        tenant=st.sampled_from([None, HOME, *OTHER_TENANTS, MISSING]),
        role=st.none() | st.sampled_from(list(Role)),
        is_active=st.none() | st.booleans(),
        search=st.sampled_from([None, "", "a", "ACME", "globex", "sub", "example"]),
        ordering=st.sampled_from(["id", "-id", "username", "-username", "-last_login", "date_joined,-id", "email"]),
        page=st.builds(PageRequest, st.integers(1, 3), st.integers(1, 4)),
    )
    return st.one_of(
        st.tuples(st.just("list"), query),
        st.tuples(st.just("get"), USER_IDS),
        st.tuples(st.just("update"), USER_IDS, user_changes),
        st.tuples(st.just("delete"), USER_IDS),
        st.tuples(st.just("activate"), USER_IDS, st.booleans()),
        st.tuples(st.just("assign-role"), USER_IDS, roles.map(Role)),
        st.tuples(st.just("set-password"), USER_IDS, password),
        st.tuples(st.just("create"), new_user),
        st.tuples(st.just("get-tenant"), tenant_ids),
        st.tuples(st.just("update-tenant"), tenant_ids, tenant_changes),
        st.tuples(st.just("delete-tenant"), tenant_ids),
        st.tuples(st.just("tenants-me")),
        st.tuples(st.just("update-tenants-me"), tenant_changes),
    )


def perform(world: World, actor, op):
    """Run one operation; answer the users and tenants it returned."""
    name, *args = op
    args = [_freshen(world, arg) if isinstance(arg, dict) else arg for arg in args]
    admin, tenancy = world.user_admin, world.tenancy
    if name == "list":
        return [v.user for v in admin.find(actor, args[0]).items], []
    if name == "get":
        return [admin.get(actor, args[0]).user], []
    if name == "update":
        return [admin.update(actor, *args).user], []
    if name == "delete":
        admin.delete(actor, args[0])
        return [], []
    if name == "activate":
        return [admin.set_active(actor, *args).user], []
    if name == "assign-role":
        return [admin.assign_role(actor, *args).user], []
    if name == "set-password":
        admin.set_password(actor, args[0], args[1], args[1])
        return [], []
    if name == "create":
        return [admin.create(actor, args[0], FRONTEND).user], []
    if name == "get-tenant":
        return [], [tenancy.get(actor, args[0]).tenant]
    if name == "update-tenant":
        return [], [tenancy.update(actor, *args).tenant]
    if name == "delete-tenant":
        tenancy.delete(actor, args[0])
        return [], []
    if name == "tenants-me":
        return [], [tenancy.mine(actor).tenant]
    if name == "update-tenants-me":
        return [], [tenancy.update_mine(actor, args[0]).tenant]
    raise AssertionError(name)


def _freshen(world: World, data: dict) -> dict:
    """`data` with FRESH in its values replaced by a name nobody has yet."""
    fresh = f"new-{len(world.audit.entries)}-{len(world.users.rows)}"
    return {k: v.replace(FRESH, fresh) if isinstance(v, str) else v for k, v in data.items()}


def outside(world: World):
    """Everything outside the home tenant: users, their tokens, and the other tenants."""
    users = {i: copy.deepcopy(u) for i, u in world.users.rows.items() if u.tenant_id != HOME}
    tokens = sorted(t.id for t in world.tokens.rows.values() if t.user_id in users)
    tenants = {i: copy.deepcopy(t) for i, t in world.tenants.rows.items() if i != HOME}
    return users, tokens, tenants


def check_sequence(ops) -> list[str]:
    """Run `ops` as the owner of the home tenant, checking the property; answer each one's outcome."""
    world, owner_id = build_world()
    outcomes = []
    home_users = {i for i, u in world.users.rows.items() if u.tenant_id == HOME}
    start = outside(world)
    for op in ops:
        actor = world.users.get(owner_id)
        assert actor is not None and (actor.role, actor.tenant_id) == (Role.TENANT_OWNER, HOME)
        before = {i: copy.deepcopy(u) for i, u in world.users.rows.items()}
        entries = len(world.audit.entries)
        try:
            users, tenants = perform(world, actor, op)
        except REFUSALS as refusal:
            outcomes.append(type(refusal).__name__)
            continue
        outcomes.append("ok")
        # It succeeded: it acted on a user of the home tenant (if on a user at all) ...
        if op[0] in ("get", "update", "delete", "activate", "assign-role", "set-password"):
            assert before[op[1]].tenant_id == HOME, op
        # ... and all it shows or made is of the home tenant.
        assert all(u.tenant_id == HOME for u in users), (op, users)
        assert all(t.id == HOME for t in tenants), (op, tenants)
        assert all(e.tenant_id == HOME for e in world.audit.entries[entries:]), (op, world.audit.entries[entries:])
    assert outside(world) == start
    assert all(world.users.rows[i].tenant_id == HOME for i in home_users if i in world.users.rows)
    return outcomes


SETTINGS = settings(max_examples=100, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(operations(), min_size=5, max_size=40))
# `tenant: null` once let an owner create, or move, a subscriber outside their tenant.
@example([("create", {"username": FRESH, "email": f"{FRESH}@new.test", "tenant": None})])
@example([("update", 3, {"tenant": None})])
def test_a_tenant_owner_never_reaches_outside_their_tenant(ops):
    check_sequence(ops)


def test_the_operations_can_succeed_and_be_refused():
    """The property is only as good as its operations: these succeed, and these are refused."""
    assert check_sequence([
        ("create", {"username": FRESH, "email": f"{FRESH}@new.test"}), ("update", 11, {"first_name": "Sam"}),
        ("activate", 11, False), ("assign-role", 11, Role.SUBSCRIBER), ("set-password", 3, "correct-horse-9"),
        ("get", 3), ("list", UserQuery()), ("get-tenant", HOME), ("update-tenant", HOME, {"description": "d"}),
        ("tenants-me",), ("update-tenants-me", {"name": "Acme Two"}), ("delete", 11),
    ]) == ["ok"] * 12
    assert check_sequence([
        ("get", 6), ("get", MISSING), ("update", 2, {"first_name": "x"}), ("delete", 1),
        ("create", {"username": FRESH, "email": f"{FRESH}@new.test", "tenant": 2}),
        ("create", {"username": FRESH, "email": f"{FRESH}@new.test", "role": "admin"}),
        ("create", {"username": "globex-sub", "email": f"{FRESH}@new.test"}),
        ("update", 3, {"tenant": None}), ("assign-role", 3, Role.ADMIN),
        ("list", UserQuery(page=PageRequest(9))), ("get-tenant", 2), ("update-tenant", 3, {}), ("delete-tenant", 1),
    ]) == ["NotFound", "NotFound", "PermissionDenied", "PermissionDenied", *["ValidationFailed"] * 5,
           "InvalidPage", "NotFound", "NotFound", "PermissionDenied"]
