"""Reading the audit log and the dashboard, each scoped to what the caller's role reaches."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from wiwebb.domain.audit import Person
from wiwebb.domain.dashboard import DashboardService, MonthFigures, last_months
from wiwebb.domain.errors import PermissionDenied, ValidationFailed
from wiwebb.domain.listing import InvalidPage, PageRequest
from wiwebb.domain.model import AuditEntry, Role
from wiwebb.domain.queries import AuditQuery

from .conftest import FRONTEND


@pytest.fixture
def busy(world):
    """Two tenants with an owner each, and a little history: creations, a role change, a failed login."""
    acme, globex = world.add_tenant("Acme"), world.add_tenant("Globex")
    root = world.superadmin()
    acme_owner, globex_owner = world.owner(acme), world.owner(globex)
    ann = world.user_admin.create(acme_owner, {"username": "ann", "email": "ann@acme.test"}, FRONTEND).user
    world.clock.advance(timedelta(minutes=1))
    gus = world.user_admin.create(globex_owner, {"username": "gus", "email": "gus@globex.test"}, FRONTEND).user
    world.clock.advance(timedelta(minutes=1))
    world.user_admin.assign_role(root, ann.id, Role.TENANT_OWNER)
    world.clock.advance(timedelta(minutes=1))
    with pytest.raises(ValidationFailed):
        world.identity.login("gus", "wrong-password")
    world.clock.advance(timedelta(minutes=1))
    world.tenancy.update(root, globex.id, {"description": "Globex Corporation"})
    return SimpleNamespace(world=world, acme=acme, globex=globex, root=root, acme_owner=acme_owner,
                           globex_owner=globex_owner, ann=ann, gus=gus)


def actions_of(page):
    return [v.entry.action for v in page.items]


# -- audit log ----------------------------------------------------------------------------------

def test_staff_read_the_whole_log_newest_first_with_actor_and_target(busy):
    h, world = busy, busy.world
    for staff in (h.root, world.admin()):
        page = world.audit_reader.find(staff, AuditQuery())
        assert actions_of(page) == ["tenant_updated", "login_failed", "role_changed", "user_created", "user_created"]
        assert [v.entry.id for v in page.items] == [5, 4, 3, 2, 1]
        role_changed = page.items[2]
        assert (role_changed.actor, role_changed.target) == (Person(h.root.id, "root"), Person(h.ann.id, "ann"))
        assert role_changed.entry.details == {"from": "subscriber", "to": "tenant_owner"}
        failed = page.items[1]
        assert (failed.actor, failed.target.username, failed.entry.tenant_id) == (None, "gus", h.globex.id)
        assert failed.entry.details == {"username": "gus", "ip": ""}


def test_the_log_filters(busy):
    h, world = busy, busy.world
    start = world.clock.now() - timedelta(minutes=4)

    def actions(**query):
        return actions_of(world.audit_reader.find(h.root, AuditQuery(**query)))

    assert actions(action="user_created") == ["user_created", "user_created"]
    assert actions(actor=h.root.id) == ["tenant_updated", "role_changed"]
    assert actions(target=h.gus.id) == ["login_failed", "user_created"]
    assert actions(tenant=h.acme.id) == ["role_changed", "user_created"]
    assert actions(since=start + timedelta(minutes=2)) == ["tenant_updated", "login_failed", "role_changed"]
    assert actions(until=start + timedelta(minutes=1)) == ["user_created", "user_created"]
    assert actions(since=start + timedelta(minutes=1), until=start + timedelta(minutes=2)) == [
        "role_changed", "user_created"]
    assert actions(action="nothing") == []


def test_the_log_pages(busy):
    world, root = busy.world, busy.root
    page = world.audit_reader.find(root, AuditQuery(page=PageRequest(2, 2)))
    assert (actions_of(page), page.count, page.has_next) == (["role_changed", "user_created"], 5, True)
    with pytest.raises(InvalidPage):
        world.audit_reader.find(root, AuditQuery(page=PageRequest(4, 2)))


def test_same_time_entries_come_newest_id_first(world):
    root = world.superadmin()
    for action in ("first", "second", "third"):
        world.audit.record(AuditEntry(action, actor_id=root.id, timestamp=world.clock.now()))
    assert actions_of(world.audit_reader.find(root, AuditQuery())) == ["third", "second", "first"]


def test_a_tenant_owner_reads_their_tenants_entries_only(busy):
    h, world = busy, busy.world
    assert actions_of(world.audit_reader.find(h.acme_owner, AuditQuery())) == ["role_changed", "user_created"]
    assert actions_of(world.audit_reader.find(h.globex_owner, AuditQuery())) == [
        "tenant_updated", "login_failed", "user_created"]
    # A filter never widens the reach.
    assert world.audit_reader.find(h.acme_owner, AuditQuery(tenant=h.globex.id)).count == 0
    assert world.audit_reader.find(h.acme_owner, AuditQuery(target=h.gus.id)).count == 0


def test_a_tenant_owner_without_a_tenant_reads_nothing(busy):
    world = busy.world
    world.audit.record(AuditEntry("orphan", actor_id=None, tenant_id=None, timestamp=world.clock.now()))
    lost = world.add_user("lost", Role.TENANT_OWNER)
    assert world.audit_reader.find(lost, AuditQuery()).count == 0


def test_subscribers_may_not_read_the_log(busy):
    world = busy.world
    with pytest.raises(PermissionDenied):
        world.audit_reader.find(world.subscriber(busy.acme), AuditQuery())


def test_admins_do_not_read_superadmins_billing_in_the_log(world):
    root, admin, acme = world.superadmin(), world.admin(), world.add_tenant()
    other_root, payer = world.superadmin("root2"), world.subscriber(acme, "payer")
    for target in (other_root, payer, None):
        world.audit.record(AuditEntry.of("subscription_changed", actor=None, target=target,
                                         details={"plan": "Premium"}, timestamp=world.clock.now()))
    world.audit.record(AuditEntry.of("user_updated", actor=root, target=other_root, timestamp=world.clock.now()))

    def seen(actor):
        entries = world.audit_reader.find(actor, AuditQuery()).items
        return [(view.entry.action, view.target.username if view.target else None) for view in entries]

    everything = [("user_updated", "root2"), ("subscription_changed", None), ("subscription_changed", "payer"),
                  ("subscription_changed", "root2")]
    assert seen(root) == everything
    # Their subscriptions are hidden from admins (404), so are the entries that carry them.
    assert seen(admin) == [entry for entry in everything if entry != ("subscription_changed", "root2")]
    assert world.audit_reader.find(admin, AuditQuery(target=other_root.id)).count == 1


def test_entries_about_a_deleted_user_still_name_them(busy):
    h, world = busy, busy.world
    world.user_admin.delete(h.globex_owner, h.gus.id)
    page = world.audit_reader.find(h.root, AuditQuery(target=h.gus.id))
    assert actions_of(page) == ["user_deleted", "login_failed", "user_created"]
    assert all(v.target == Person(h.gus.id, "gus") for v in page.items)
    assert page.items[0].entry.details == {"username": "gus", "email": "gus@globex.test", "role": "subscriber"}


def test_recorded_entries_are_copies(world):
    entry = AuditEntry("x", actor_id=None, details={"a": [1]}, timestamp=world.clock.now())
    world.audit.record(entry)
    entry.details["a"].append(2)
    assert entry.id is None and world.audit.entries[0].details == {"a": [1]} and world.audit.entries[0].id == 1


# -- dashboard ----------------------------------------------------------------------------------

@pytest.fixture
def populated(world):
    acme, globex = world.add_tenant("Acme"), world.add_tenant("Globex")
    world.add_tenant("Empty")
    owner = world.owner(acme)
    world.subscriber(acme)
    world.add_user("idle", tenant=acme, is_active=False)
    world.owner(globex)
    world.subscriber(globex)
    world.subscriber(None)
    return world, acme, owner


def test_staff_see_the_platform(populated):
    world = populated[0]
    staff = [world.superadmin(), world.admin()]  # 6 users above, and these two
    for actor in staff:
        stats = world.dashboard.stats(actor, world.clock.now())
        assert (stats.total_tenants, stats.total_users, stats.active_users) == (3, 8, 7)
        assert (stats.active_subscriptions, stats.monthly_revenue) == (0, 0.0)


def test_a_tenant_owner_sees_their_tenant(populated):
    world, _, owner = populated
    stats = world.dashboard.stats(owner, world.clock.now())
    assert (stats.total_tenants, stats.total_users, stats.active_users) == (1, 3, 2)


def test_a_tenant_owner_without_a_tenant_sees_zeros(populated):
    world = populated[0]
    stats = world.dashboard.stats(world.add_user("lost", Role.TENANT_OWNER), world.clock.now())
    assert (stats.total_tenants, stats.total_users, stats.active_users) == (0, 0, 0)


def test_subscribers_see_no_dashboard(populated):
    world, acme, _ = populated
    with pytest.raises(PermissionDenied):
        world.dashboard.stats(world.subscriber(acme), world.clock.now())


def test_the_series_is_the_last_twelve_months_ending_with_this_one(world):
    stats = world.dashboard.stats(world.superadmin(), datetime(2026, 3, 15, tzinfo=UTC))
    assert [f.month for f in stats.series] == [
        "2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12",
        "2026-01", "2026-02", "2026-03"]
    assert all(f == MonthFigures(f.month) for f in stats.series)
    assert last_months(datetime(2026, 12, 31, tzinfo=UTC))[0] == "2026-01"


class FakeBilling:
    """Billing figures per tenant (None: the platform), remembering whom it was asked about."""

    def __init__(self) -> None:
        self.asked: list[int | None] = []

    def active_subscriptions(self, tenant_id):
        self.asked.append(tenant_id)
        return 7 if tenant_id is None else 2

    def monthly_revenue(self, tenant_id):
        return 1234.5 if tenant_id is None else 99.0

    def series(self, tenant_id, months):
        return {months[-1]: MonthFigures(months[-1], new_subscriptions=3, revenue=600.0)}


def test_billing_figures_are_asked_for_the_callers_reach(populated):
    world, acme, owner = populated
    billing = FakeBilling()
    dashboard = DashboardService(users=world.users, tenants=world.tenants, billing=billing)
    platform = dashboard.stats(world.admin(), world.clock.now())
    mine = dashboard.stats(owner, world.clock.now())
    assert billing.asked == [None, acme.id]
    assert (platform.active_subscriptions, platform.monthly_revenue) == (7, 1234.5)
    assert (mine.active_subscriptions, mine.monthly_revenue) == (2, 99.0)
    assert len(mine.series) == 12 and mine.series[-1] == MonthFigures("2026-01", 3, 600.0)
    assert mine.series[0] == MonthFigures("2025-02")
