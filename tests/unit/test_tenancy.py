"""TenantService over the in-memory fakes: CRUD, slugs, uniqueness, owners on their own tenant."""

from datetime import timedelta

import pytest

from wiwebb.domain.errors import NOT_ALLOWED, InvalidOperation, NotFound, PermissionDenied, ValidationFailed
from wiwebb.domain.listing import InvalidPage, PageRequest
from wiwebb.domain.model import Role
from wiwebb.domain.queries import TenantQuery
from wiwebb.domain.tenancy import HAS_USERS, INVALID_SLUG, NAME_TAKEN, ONLY_OWNERS, SLUG_TAKEN


def errors_of(call, *args, **kwargs):
    with pytest.raises(ValidationFailed) as caught:
        call(*args, **kwargs)
    return caught.value.errors


@pytest.fixture(params=["superadmin", "admin"])
def staff(request, world):
    return world.superadmin() if request.param == "superadmin" else world.admin()


# -- creating -----------------------------------------------------------------------------------

def test_staff_create_a_tenant_with_the_slug_made_from_its_name(world, staff):
    view = world.tenancy.create(staff, {"name": "Ärger & Söhne GmbH", "email": "info@aerger.test"})
    tenant = view.tenant
    assert (tenant.name, tenant.slug, tenant.email, tenant.is_active) == (
        "Ärger & Söhne GmbH", "arger-sohne-gmbh", "info@aerger.test", True)
    assert view.user_count == 0 and tenant.id is not None and tenant.uuid is not None
    assert tenant.created_at == tenant.updated_at == world.clock.now()
    assert world.tenants.get(tenant.id) == tenant
    [entry] = world.audit.entries
    assert (entry.action, entry.actor_id, entry.target_id, entry.tenant_id) == (
        "tenant_created", staff.id, None, tenant.id)
    assert entry.details == {"name": "Ärger & Söhne GmbH", "slug": "arger-sohne-gmbh"}
    assert entry.timestamp == world.clock.now()


@pytest.mark.parametrize(("data", "errors"), [
    ({"name": "  "}, {"name": ["This field may not be blank."]}),
    ({"name": "a" * 256}, {"name": ["Ensure this field has no more than 255 characters."]}),
    ({"name": "Acme", "slug": "b" * 256}, {"slug": ["Ensure this field has no more than 255 characters."]}),
])
def test_a_library_user_or_the_command_line_gets_the_apis_refusals(world, staff, data, errors):
    # The API's schema refuses these before the service sees them; other callers come here directly.
    assert errors_of(world.tenancy.create, staff, data) == errors
    assert world.tenants.rows == {} and world.audit.entries == []


def test_a_made_slug_stays_within_the_column_when_de_duplicated(world, staff):
    names = ("s" * 255, "S" * 255, "S" * 254 + "s")  # three names, one slug
    slugs = [world.tenancy.create(staff, {"name": name}).tenant.slug for name in names]
    assert slugs == ["s" * 255, "s" * 253 + "-2", "s" * 253 + "-3"]
    # Cut where a hyphen falls, the slug does not end in it (nor the base of its suffix).
    # ("\ufb01", the ligature fi, becomes two letters: the slug is longer than the name.)
    names = ("\ufb01" * 127 + " x", "X" * 252 + " yy", "x" * 252 + " yy")
    cut = [world.tenancy.create(staff, {"name": name}).tenant.slug for name in names]
    assert cut == ["fi" * 127, "x" * 252 + "-yy", "x" * 252 + "-2"]


def test_a_made_slug_is_de_duplicated(world, staff):
    slugs = [world.tenancy.create(staff, {"name": name}).tenant.slug for name in ("Acme", "ACME", "acme!", "Acme 2")]
    assert slugs == ["acme", "acme-2", "acme-3", "acme-2-2"]


def test_a_name_without_letters_still_gets_a_slug(world, staff):
    assert [world.tenancy.create(staff, {"name": n}).tenant.slug for n in ("!!!", "???")] == ["tenant", "tenant-2"]


def test_an_explicit_slug_is_kept(world, staff):
    assert world.tenancy.create(staff, {"name": "Acme", "slug": "the-acme"}).tenant.slug == "the-acme"


def test_name_and_slug_are_unique(world, staff):
    world.tenancy.create(staff, {"name": "Acme"})
    assert errors_of(world.tenancy.create, staff, {"name": "Acme"}) == {"name": [NAME_TAKEN]}
    assert errors_of(world.tenancy.create, staff, {"name": "Other", "slug": "acme"}) == {"slug": [SLUG_TAKEN]}
    assert errors_of(world.tenancy.create, staff, {"name": "Acme", "slug": "acme"}) == {
        "name": [NAME_TAKEN], "slug": [SLUG_TAKEN]}
    assert world.tenants.count() == 1


@pytest.mark.parametrize("slug", ["not a slug", "acme/2", "ünï"])
def test_an_invalid_explicit_slug_is_refused(world, staff, slug):
    assert errors_of(world.tenancy.create, staff, {"name": "Acme", "slug": slug}) == {"slug": [INVALID_SLUG]}


def test_tenant_owners_and_subscribers_may_not_list_create_or_delete_tenants(world):
    acme = world.add_tenant("Acme")
    for actor in (world.owner(acme), world.subscriber(acme)):
        with pytest.raises(PermissionDenied) as caught:
            world.tenancy.create(actor, {"name": "Mine"})
        assert caught.value.detail == NOT_ALLOWED
        with pytest.raises(PermissionDenied):
            world.tenancy.find(actor, TenantQuery())
        with pytest.raises(PermissionDenied):
            world.tenancy.delete(actor, acme.id)
    assert world.tenants.count() == 1 and world.audit.entries == []


# -- reading ------------------------------------------------------------------------------------

def test_staff_read_any_tenant_with_its_user_count(world, staff):
    acme = world.add_tenant("Acme")
    world.owner(acme)
    world.subscriber(acme)
    world.subscriber(None)
    view = world.tenancy.get(staff, acme.id)
    assert (view.tenant, view.user_count) == (acme, 2)
    with pytest.raises(NotFound):
        world.tenancy.get(staff, 999)


def test_an_owner_reads_their_own_tenant_and_no_other(world):
    acme, globex = world.add_tenant("Acme"), world.add_tenant("Globex")
    owner = world.owner(acme)
    assert world.tenancy.get(owner, acme.id).tenant == acme
    for tenant_id in (globex.id, 999):
        with pytest.raises(NotFound):
            world.tenancy.get(owner, tenant_id)


def test_a_subscriber_is_refused_before_any_lookup(world):
    acme = world.add_tenant("Acme")
    subscriber = world.subscriber(acme)
    for tenant_id in (acme.id, 999):
        with pytest.raises(PermissionDenied):
            world.tenancy.get(subscriber, tenant_id)
        with pytest.raises(PermissionDenied):
            world.tenancy.update(subscriber, tenant_id, {"name": "Mine"})


def test_the_list_filters_searches_orders_and_pages(world, staff):
    names = ["Globex", "acme", "Initech", "Umbrella", "Acme Labs"]
    for n, name in enumerate(names):
        world.add_tenant(name, is_active=name != "Initech",
                         created_at=world.clock.now() + timedelta(days=n))
    world.subscriber(world.tenants.get_by_name("Globex"))

    def names_of(**query):
        return [v.tenant.name for v in world.tenancy.find(staff, TenantQuery(**query)).items]

    assert names_of() == ["Acme Labs", "Globex", "Initech", "Umbrella", "acme"]  # by name, code point order
    assert names_of(search="ACME") == ["Acme Labs", "acme"]
    assert names_of(search="labs") == ["Acme Labs"]  # the slug is acme-labs
    assert names_of(search="ME-LA") == ["Acme Labs"]
    assert names_of(is_active=False) == ["Initech"]
    assert names_of(ordering="-created_at") == names[::-1]
    assert names_of(ordering="slug,-name") == ["acme", "Acme Labs", "Globex", "Initech", "Umbrella"]
    page = world.tenancy.find(staff, TenantQuery(page=PageRequest(2, 2)))
    assert [v.tenant.name for v in page.items] == ["Initech", "Umbrella"]
    assert (page.count, page.has_previous, page.has_next) == (5, True, True)
    counts = {v.tenant.name: v.user_count for v in world.tenancy.find(staff, TenantQuery()).items}
    assert counts == {"Acme Labs": 0, "Globex": 1, "Initech": 0, "Umbrella": 0, "acme": 0}
    with pytest.raises(InvalidPage):
        world.tenancy.find(staff, TenantQuery(page=PageRequest(4, 2)))
    assert world.tenancy.find(staff, TenantQuery(search="nothing")).count == 0


# -- updating -----------------------------------------------------------------------------------

def test_staff_update_any_field_and_the_change_is_audited(world, staff):
    acme = world.add_tenant("Acme")
    world.clock.advance(timedelta(hours=1))
    view = world.tenancy.update(staff, acme.id, {"name": "Acme Inc", "slug": "acme-inc", "is_active": False,
                                                 "description": "Anvils", "uuid": "ignored", "user_count": 9})
    stored = world.tenants.get(acme.id)
    assert view.tenant == stored
    assert (stored.name, stored.slug, stored.is_active, stored.description, stored.uuid) == (
        "Acme Inc", "acme-inc", False, "Anvils", acme.uuid)
    assert stored.updated_at == world.clock.now() != stored.created_at
    [entry] = world.audit.entries
    assert (entry.action, entry.actor_id, entry.tenant_id) == ("tenant_updated", staff.id, acme.id)
    assert entry.details == {"changes": {
        "name": {"from": "Acme", "to": "Acme Inc"}, "slug": {"from": "acme", "to": "acme-inc"},
        "is_active": {"from": True, "to": False}, "description": {"from": "", "to": "Anvils"}}}


def test_an_update_that_changes_nothing_writes_nothing(world, staff):
    acme = world.add_tenant("Acme")
    world.clock.advance(timedelta(hours=1))
    world.tenancy.update(staff, acme.id, {"name": "Acme", "slug": ""})
    assert world.tenants.get(acme.id) == acme and world.audit.entries == []


def test_an_update_keeps_names_and_slugs_unique(world, staff):
    acme = world.add_tenant("Acme")
    world.add_tenant("Globex")
    assert errors_of(world.tenancy.update, staff, acme.id, {"name": "Globex", "slug": "globex"}) == {
        "name": [NAME_TAKEN], "slug": [SLUG_TAKEN]}
    assert errors_of(world.tenancy.update, staff, acme.id, {"slug": "a b"}) == {"slug": [INVALID_SLUG]}
    assert world.tenants.get(acme.id) == acme


@pytest.mark.parametrize("way", ["tenants/{id}", "tenants/me"])
def test_an_owner_changes_only_name_description_email_and_url_of_their_tenant(world, way):
    acme = world.add_tenant("Acme")
    owner = world.owner(acme)
    changes = {"name": "Acme Ltd", "description": "d", "email": "hi@acme.test", "url": "https://acme.test",
               "slug": "hijacked", "is_active": False}
    if way == "tenants/me":
        tenant = world.tenancy.update_mine(owner, changes).tenant
    else:
        tenant = world.tenancy.update(owner, acme.id, changes).tenant
    assert (tenant.name, tenant.description, tenant.email, tenant.url) == (
        "Acme Ltd", "d", "hi@acme.test", "https://acme.test")
    assert (tenant.slug, tenant.is_active) == ("acme", True)
    assert world.tenants.get(acme.id) == tenant
    [entry] = world.audit.entries
    assert (entry.action, entry.actor_id, entry.tenant_id) == ("tenant_updated", owner.id, acme.id)
    assert set(entry.details["changes"]) == {"name", "description", "email", "url"}


def test_an_owner_cannot_update_another_tenant_nor_take_its_name(world):
    acme, globex = world.add_tenant("Acme"), world.add_tenant("Globex")
    owner = world.owner(acme)
    with pytest.raises(NotFound):
        world.tenancy.update(owner, globex.id, {"name": "Mine now"})
    assert errors_of(world.tenancy.update_mine, owner, {"name": "Globex"}) == {"name": [NAME_TAKEN]}
    assert world.tenants.get(globex.id) == globex and world.tenants.get(acme.id) == acme
    assert world.audit.entries == []


# -- tenants/me ---------------------------------------------------------------------------------

def test_tenants_me_is_the_owners_own_tenant(world):
    acme = world.add_tenant("Acme")
    owner = world.owner(acme)
    world.subscriber(acme)
    view = world.tenancy.mine(owner)
    assert (view.tenant, view.user_count) == (acme, 2)


def test_tenants_me_is_for_tenant_owners_with_a_tenant_only(world):
    acme = world.add_tenant("Acme")
    world.owner(acme)
    lost_owner = world.add_user("lost", Role.TENANT_OWNER, tenant=None)
    for actor in (world.superadmin(), world.admin(), world.subscriber(acme), lost_owner):
        for call in (lambda a: world.tenancy.mine(a), lambda a: world.tenancy.update_mine(a, {"name": "X"})):
            with pytest.raises(PermissionDenied) as caught:
                call(actor)
            assert caught.value.detail == ONLY_OWNERS == "Only TenantOwner with a tenant can access this endpoint."
    assert world.tenants.get(acme.id) == acme


# -- deleting -----------------------------------------------------------------------------------

def test_a_tenant_with_users_is_not_deleted(world, staff):
    acme = world.add_tenant("Acme")
    world.subscriber(acme)
    with pytest.raises(InvalidOperation) as caught:
        world.tenancy.delete(staff, acme.id)
    assert caught.value.detail == HAS_USERS == "Cannot delete tenant with existing users."
    assert world.tenants.get(acme.id) == acme and world.audit.entries == []


def test_a_tenant_without_users_is_deleted_and_the_deletion_audited(world, staff):
    acme = world.add_tenant("Acme")
    world.tenancy.delete(staff, acme.id)
    assert world.tenants.get(acme.id) is None and world.tenants.count() == 0
    [entry] = world.audit.entries
    assert (entry.action, entry.actor_id, entry.details) == ("tenant_deleted", staff.id,
                                                             {"name": "Acme", "slug": "acme"})
    with pytest.raises(NotFound):
        world.tenancy.delete(staff, acme.id)
