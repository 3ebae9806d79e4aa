"""The in-memory fakes keep the SQL repositories' contract where the services cannot show it."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from wiwebb.adapters.memory import (
    InMemoryAuditLog,
    InMemoryTenantRepository,
    InMemoryTokenRepository,
    IntegrityViolation,
)
from wiwebb.domain.listing import InvalidPage, PageRequest
from wiwebb.domain.model import AuditEntry, Tenant
from wiwebb.domain.queries import AuditQuery, TenantQuery, UserQuery


def test_usernames_and_case_folded_emails_are_unique(world):
    world.add_user("alice", email="alice@acme.test")
    for username, email in (("alice", "other@acme.test"), ("bob", "ALICE@acme.test")):
        with pytest.raises(IntegrityViolation):
            world.add_user(username, email=email)
    bob = world.add_user("bob")
    bob.username = "alice"
    with pytest.raises(IntegrityViolation):
        world.users.update(bob)
    bob.username, bob.email = "bob", "BOB@example.test"  # one's own address in another case is no clash
    world.users.update(bob)


def test_tenant_names_and_slugs_are_unique(world):
    acme = world.add_tenant("Acme")
    for name, slug in (("Acme", "other"), ("Other", "acme")):
        with pytest.raises(IntegrityViolation):
            world.add_tenant(name, slug=slug)
    globex = world.add_tenant("Globex")
    globex.slug = acme.slug
    with pytest.raises(IntegrityViolation):
        world.tenants.update(globex)
    missing = Tenant(id=99, uuid=uuid.uuid4(), name="Nowhere", slug="nowhere")
    with pytest.raises(KeyError):
        world.tenants.update(missing)


def test_a_tenant_with_users_is_restricted_and_counts_need_the_users():
    tenants = InMemoryTenantRepository()
    tenant = tenants.add(Tenant(id=None, uuid=uuid.uuid4(), name="Acme", slug="acme"))
    with pytest.raises(RuntimeError, match="users="):
        tenants.user_counts([tenant.id])
    with pytest.raises(RuntimeError):
        tenants.delete(tenant.id)


def test_a_token_is_found_with_its_owner_which_needs_the_users_and_tenants(world):
    tenant = world.add_tenant("Acme")
    user = world.add_user("alice", tenant=tenant)
    issued = world.identity.login("alice", "correct-horse-9")
    found = world.tokens.get_with_owner(issued.token.key_hash)
    assert (found.token, found.user, found.tenant) == (issued.token, world.users.get(user.id), tenant)
    assert world.tokens.get_with_owner("0" * 64) is None
    with pytest.raises(RuntimeError, match="users= and tenants="):
        InMemoryTokenRepository().get_with_owner(issued.token.key_hash)


def test_deleting_a_tenant_with_users_is_refused(world):
    acme, globex = world.add_tenant("Acme"), world.add_tenant("Globex")
    world.subscriber(acme)
    world.subscriber(acme)
    world.subscriber(None)
    assert world.tenants.user_counts([acme.id, globex.id, 99]) == {acme.id: 2}
    with pytest.raises(IntegrityViolation):
        world.tenants.delete(acme.id)
    world.tenants.delete(globex.id)
    world.tenants.delete(globex.id)  # a missing row: nothing to do, as DELETE ... WHERE
    assert world.tenants.get_many([acme.id, globex.id]) == {acme.id: acme} and world.tenants.count() == 1


def test_lookups_and_counts(world):
    acme = world.add_tenant("Acme")
    a, b = world.subscriber(acme), world.add_user("idle", tenant=acme, is_active=False)
    c = world.superadmin()
    assert world.users.get_many([a.id, c.id, 99]) == {a.id: a, c.id: c}
    assert world.users.get_many([]) == {}
    assert world.users.counts(acme.id) == (2, 1)
    assert world.users.counts(None) == (3, 2)
    assert world.users.counts(-1) == (0, 0)
    assert world.tenants.get_by_slug("acme") == acme and world.tenants.get_by_slug("ACME") is None
    assert world.tenants.get_by_name("Acme") == acme and world.tenants.get_by_name("acme") is None
    world.users.delete(b.id)
    world.users.delete(b.id)
    assert world.users.get(b.id) is None and world.users.counts(acme.id) == (1, 1)


def test_pages_hold_copies(world):
    world.add_tenant("Acme")
    world.subscriber(None, "sam")
    world.users.list(UserQuery()).items[0].first_name = "changed"
    world.tenants.list(TenantQuery()).items[0].name = "changed"
    assert world.users.get_by_username("sam").first_name == ""
    assert world.tenants.get_by_slug("acme").name == "Acme"


def test_orders_put_nulls_last_going_up_and_first_going_down(world):
    now = world.clock.now()
    first, second = world.add_tenant("B", created_at=None), world.add_tenant("A", created_at=None)
    early, late = world.add_tenant("C", created_at=now), world.add_tenant("D", created_at=now + timedelta(days=1))

    def order(ordering):
        return [t.id for t in world.tenants.list(TenantQuery(ordering=ordering)).items]

    assert order("created_at") == [early.id, late.id, first.id, second.id]
    assert order("-created_at") == [first.id, second.id, late.id, early.id]
    assert order("-created_at,name") == [second.id, first.id, late.id, early.id]
    assert order("-id") == [late.id, early.id, second.id, first.id]


def test_an_empty_list_has_one_empty_page(world):
    page = world.users.list(UserQuery(page=PageRequest(1, 5)))
    assert (list(page.items), page.count, page.has_next, page.has_previous) == ([], 0, False, False)
    with pytest.raises(InvalidPage):
        world.users.list(UserQuery(page=PageRequest(2, 5)))


def test_the_audit_log_numbers_entries_and_bounds_by_time():
    log = InMemoryAuditLog()
    noon = datetime(2026, 1, 1, 12, tzinfo=UTC)
    for n, action in enumerate(("a", "b", "c")):
        log.record(AuditEntry(action, actor_id=None, timestamp=noon + timedelta(hours=n)), durable=action == "b")
    log.record(AuditEntry("untimed", actor_id=None))
    assert [e.id for e in log.entries] == [1, 2, 3, 4]

    def actions(**query):
        return [e.action for e in log.list(AuditQuery(**query)).items]

    assert actions() == ["untimed", "c", "b", "a"]  # newest first; no time sorts as NULL going down
    assert actions(since=noon + timedelta(hours=1)) == ["c", "b"]
    assert actions(until=noon) == ["a"]
