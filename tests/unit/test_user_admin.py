"""UserAdminService over the in-memory fakes: who may create, read and change which users."""

import re
from datetime import timedelta

import pytest

from wiwebb.domain.billing import Subscription
from wiwebb.domain.errors import AuthenticationFailed, InvalidOperation, NotFound, PermissionDenied, ValidationFailed
from wiwebb.domain.identity import FORM_MISMATCH
from wiwebb.domain.listing import InvalidPage, PageRequest
from wiwebb.domain.model import Role
from wiwebb.domain.queries import UserQuery
from wiwebb.domain.user_admin import HAS_SUBSCRIPTION, OWN_TENANT_ONLY, REQUIRED, invalid_pk

from .conftest import FRONTEND, PASSWORD

ADMIN_CANNOT = "Platform Admin cannot assign SuperAdmin role."
OWNER_CANNOT = "TenantOwner can only assign the Subscriber role."
NEW_PASSWORD = "brand-new-pass-1"


def errors_of(call, *args, **kwargs):
    with pytest.raises(ValidationFailed) as caught:
        call(*args, **kwargs)
    return caught.value.errors


def new(username, **fields):
    return {"username": username, "email": f"{username}@new.test", **fields}


@pytest.fixture
def acme(world):
    return world.add_tenant("Acme")


@pytest.fixture
def globex(world):
    return world.add_tenant("Globex")


# -- creating -----------------------------------------------------------------------------------

def test_a_user_created_with_a_password_can_log_in_and_gets_no_mail(world, acme):
    admin = world.admin()
    view = world.user_admin.create(admin, new("ann", password=PASSWORD, tenant=acme.id, first_name="Ann",
                                              company="Acme", is_staff=True, is_active=False), FRONTEND)
    user = view.user
    assert user.id is not None and view.tenant == acme
    assert (user.role, user.tenant_id, user.first_name, user.company, user.is_active) == (
        Role.SUBSCRIBER, acme.id, "Ann", "Acme", True)
    assert user.has_usable_password and user.password_updated == user.date_joined == world.clock.now()
    assert world.users.get(user.id) == user
    assert world.identity.login("ann", PASSWORD).user.id == user.id
    assert world.outbox.queued == []
    [entry] = world.audit.entries
    assert (entry.action, entry.actor_id, entry.target_id, entry.tenant_id) == (
        "user_created", admin.id, user.id, acme.id)
    assert entry.details == {"role": "subscriber", "invited": False}


def test_a_user_created_without_a_password_is_invited_to_choose_one(world, acme):
    owner = world.owner(acme)
    user = world.user_admin.create(owner, new("bob", password=""), FRONTEND).user
    assert not user.has_usable_password and user.password_hash.startswith("!")
    assert user.password_updated is None and user.tenant_id == acme.id
    [mail] = world.outbox.queued
    assert (mail.to, mail.subject) == ("bob@new.test", "Your WiWebb account")
    uid, token = re.search(rf"{FRONTEND}/reset-password/([^/]+)/([^/]+)/", mail.text).groups()
    world.identity.confirm_password_reset(uid=uid, token=token, new_password1=NEW_PASSWORD,
                                          new_password2=NEW_PASSWORD)
    assert world.identity.login("bob", NEW_PASSWORD).user.id == user.id
    entry = world.audit.entries[0]
    assert (entry.action, entry.actor_id, entry.target_id, entry.tenant_id, entry.details) == (
        "user_created", owner.id, user.id, acme.id, {"role": "subscriber", "invited": True})


def test_the_new_users_password_must_pass_the_policy_and_names_be_free(world):
    admin = world.admin()
    world.subscriber(None, "taken")
    errors = errors_of(world.user_admin.create, admin, {"username": "taken", "email": "TAKEN@example.test",
                                                        "password": "12345678"}, FRONTEND)
    assert errors == {"username": ["A user with that username already exists."],
                      "email": ["A user with that email already exists."],
                      "password": ["This password is too common.", "This password is entirely numeric."]}
    assert len(world.users.rows) == 2 and world.audit.entries == []


@pytest.mark.parametrize(("role", "tenant"), [
    ("superadmin", None), ("admin", None), ("tenant_owner", "acme"), ("subscriber", "acme"), ("subscriber", None)])
def test_a_superadmin_creates_users_of_any_role(world, acme, role, tenant):
    user = world.user_admin.create(world.superadmin(), new("u", role=role, tenant=acme.id if tenant else None),
                                   FRONTEND).user
    assert (user.role, user.tenant_id) == (Role(role), acme.id if tenant else None)


def test_staff_roles_lose_the_tenant_they_are_given(world, acme):
    user = world.user_admin.create(world.superadmin(), new("u", role="admin", tenant=acme.id), FRONTEND).user
    assert (user.role, user.tenant_id) == (Role.ADMIN, None)


def test_a_tenant_owner_needs_a_tenant_that_exists(world):
    admin = world.admin()
    assert errors_of(world.user_admin.create, admin, new("o", role="tenant_owner"), FRONTEND) == {"tenant": [REQUIRED]}
    assert errors_of(world.user_admin.create, admin, new("o", role="tenant_owner", tenant=99), FRONTEND) == {
        "tenant": [invalid_pk(99)]}
    assert invalid_pk(99) == 'Invalid pk "99" - object does not exist.'
    assert errors_of(world.user_admin.create, admin, new("s", tenant=99), FRONTEND) == {"tenant": [invalid_pk(99)]}
    assert len(world.users.rows) == 1


def test_an_admin_cannot_create_a_superadmin(world):
    assert errors_of(world.user_admin.create, world.admin(), new("boss", role="superadmin"), FRONTEND) == {
        "role": [ADMIN_CANNOT]}


@pytest.mark.parametrize("role", ["superadmin", "admin", "tenant_owner"])
def test_a_tenant_owner_creates_subscribers_only(world, acme, role):
    owner = world.owner(acme)
    assert errors_of(world.user_admin.create, owner, new("x", role=role, tenant=acme.id), FRONTEND) == {
        "role": [OWNER_CANNOT]}


def test_a_tenant_owner_creates_in_their_own_tenant_only(world, acme, globex):
    owner = world.owner(acme)
    assert world.user_admin.create(owner, new("mine"), FRONTEND).user.tenant_id == acme.id
    assert world.user_admin.create(owner, new("also", tenant=acme.id), FRONTEND).user.tenant_id == acme.id
    for tenant_id in (globex.id, 99):
        assert errors_of(world.user_admin.create, owner, new("theirs", tenant=tenant_id), FRONTEND) == {
            "tenant": [OWN_TENANT_ONLY]}
    assert world.users.counts(globex.id) == (0, 0)


def test_a_tenant_owner_cannot_create_a_user_without_tenant(world, acme):
    owner = world.owner(acme)
    assert errors_of(world.user_admin.create, owner, new("loose", tenant=None), FRONTEND) == {
        "tenant": [OWN_TENANT_ONLY]}


def test_subscribers_may_not_create_users(world, acme):
    with pytest.raises(PermissionDenied):
        world.user_admin.create(world.subscriber(acme), new("x"), FRONTEND)


# -- reading ------------------------------------------------------------------------------------

def test_staff_read_every_user_and_a_tenant_owner_their_tenants(world, acme, globex):
    root, admin, owner = world.superadmin(), world.admin(), world.owner(acme)
    mine, theirs, solo = world.subscriber(acme), world.subscriber(globex), world.subscriber(None)
    everyone = {u.id for u in (root, admin, owner, mine, theirs, solo)}
    for staff in (root, admin):
        assert {v.user.id for v in world.user_admin.find(staff, UserQuery()).items} == everyone
        assert world.user_admin.get(staff, root.id).user == root  # an admin sees a superadmin's record
    assert {v.user.id for v in world.user_admin.find(owner, UserQuery()).items} == {owner.id, mine.id}
    assert world.user_admin.find(owner, UserQuery(tenant=globex.id)).count == 0
    view = world.user_admin.get(owner, mine.id)
    assert (view.user, view.tenant) == (mine, acme)
    for other in (root, admin, theirs, solo):
        with pytest.raises(NotFound):
            world.user_admin.get(owner, other.id)
    with pytest.raises(NotFound):
        world.user_admin.get(owner, 999)


def test_a_subscriber_reads_no_user_not_even_themselves(world, acme):
    subscriber = world.subscriber(acme)
    with pytest.raises(PermissionDenied):
        world.user_admin.find(subscriber, UserQuery())
    for user_id in (subscriber.id, 999):
        with pytest.raises(PermissionDenied):
            world.user_admin.get(subscriber, user_id)


def test_a_tenant_owner_without_a_tenant_sees_nobody(world, acme):
    world.subscriber(acme)
    world.subscriber(None)
    lost = world.add_user("lost", Role.TENANT_OWNER)
    assert world.user_admin.find(lost, UserQuery()).count == 0


def test_the_list_filters_searches_orders_and_pages(world, acme, globex):
    admin = world.admin("staff")
    world.add_user("Zed", tenant=acme, first_name="Zoë", last_login=world.clock.now())
    world.add_user("amy", tenant=acme, last_name="Pond", is_active=False)
    world.add_user("bob", Role.TENANT_OWNER, globex, email="Bob@Globex.test",
                   last_login=world.clock.now() - timedelta(days=1))
    world.add_user("carl", tenant=None, first_name="Carlos_")

    def names(**query):
        return [v.user.username for v in world.user_admin.find(admin, UserQuery(**query)).items]

    assert names() == ["staff", "Zed", "amy", "bob", "carl"]  # by id
    assert names(tenant=acme.id) == ["Zed", "amy"]
    assert names(role=Role.TENANT_OWNER) == ["bob"]
    assert names(is_active=False) == ["amy"]
    assert names(search="ZOË") == ["Zed"]
    assert names(search="pond") == ["amy"]
    assert names(search="GLOBEX") == ["bob"]
    assert names(search="s_") == ["carl"]  # no wildcards: `_` is a character
    assert names(search="example.TEST") == ["staff", "Zed", "amy", "carl"]
    assert names(ordering="username") == ["Zed", "amy", "bob", "carl", "staff"]
    assert names(ordering="-username") == ["staff", "carl", "bob", "amy", "Zed"]
    assert names(ordering="last_login") == ["bob", "Zed", "staff", "amy", "carl"]  # no login last
    assert names(ordering="-last_login") == ["staff", "amy", "carl", "Zed", "bob"]  # no login first
    assert names(ordering="-date_joined") == names()  # ties broken by id
    page = world.user_admin.find(admin, UserQuery(ordering="username", page=PageRequest(3, 2)))
    assert [v.user.username for v in page.items] == ["staff"]
    assert (page.count, page.has_previous, page.has_next) == (5, True, False)
    assert {v.user.username: v.tenant for v in world.user_admin.find(admin, UserQuery()).items}["bob"] == globex
    with pytest.raises(InvalidPage):
        world.user_admin.find(admin, UserQuery(page=PageRequest(4, 2)))


# -- who may change whom ------------------------------------------------------------------------

ACTIONS = {
    "update": lambda w, actor, uid: w.user_admin.update(actor, uid, {"first_name": "Changed"}),
    "delete": lambda w, actor, uid: w.user_admin.delete(actor, uid),
    "activate": lambda w, actor, uid: w.user_admin.set_active(actor, uid, False),
    "assign-role": lambda w, actor, uid: w.user_admin.assign_role(actor, uid, Role.SUBSCRIBER),
    "set-password": lambda w, actor, uid: w.user_admin.set_password(actor, uid, NEW_PASSWORD, NEW_PASSWORD),
}


@pytest.fixture(params=list(ACTIONS))
def action(request):
    return request.param


def attempt(world, action, actor, target):
    """Run `action`, and check that a refusal left the target and the audit log as they were."""
    before, entries = world.users.get(target.id), len(world.audit.entries)
    try:
        ACTIONS[action](world, actor, target.id)
    except (NotFound, PermissionDenied):
        assert world.users.get(target.id) == before and len(world.audit.entries) == entries
        raise


def test_a_tenant_owner_acts_on_the_subscribers_of_their_tenant(world, acme, action):
    target = world.subscriber(acme)
    attempt(world, action, world.owner(acme), target)
    assert world.audit.entries or action == "assign-role"  # assigning the same role changes nothing


def test_a_tenant_owner_cannot_act_on_another_owner_of_their_tenant(world, acme, action):
    owner, other_owner = world.owner(acme), world.owner(acme, "co-owner")
    with pytest.raises(PermissionDenied):
        attempt(world, action, owner, other_owner)


@pytest.mark.parametrize("where", ["other tenant", "no tenant", "staff"])
def test_a_tenant_owner_does_not_even_see_users_outside_their_tenant(world, acme, globex, action, where):
    target = {"other tenant": lambda: world.subscriber(globex), "no tenant": lambda: world.subscriber(None),
              "staff": world.admin}[where]()
    with pytest.raises(NotFound):
        attempt(world, action, world.owner(acme), target)


def test_an_admin_acts_on_anyone_but_superadmins(world, acme, action):
    admin = world.admin()
    attempt(world, action, admin, world.add_user("other-admin", Role.ADMIN))
    with pytest.raises(PermissionDenied):
        attempt(world, action, admin, world.superadmin())


def test_a_superadmin_acts_on_other_superadmins(world, action):
    attempt(world, action, world.superadmin(), world.superadmin("root2"))


def test_subscribers_change_nobody(world, acme, action):
    subscriber = world.subscriber(acme)
    for target in (world.subscriber(acme), subscriber):
        with pytest.raises(PermissionDenied):
            attempt(world, action, subscriber, target)


@pytest.mark.parametrize("action", ["delete", "activate", "assign-role"])
@pytest.mark.parametrize("role", [Role.SUPERADMIN, Role.ADMIN, Role.TENANT_OWNER])
def test_nobody_deletes_deactivates_or_changes_the_role_of_themselves(world, acme, action, role):
    actor = world.add_user("me", role, acme if role is Role.TENANT_OWNER else None)
    with pytest.raises(PermissionDenied):
        attempt(world, action, actor, actor)


def test_nobody_changes_their_own_role_through_an_update(world):
    admin = world.admin()
    with pytest.raises(PermissionDenied):
        world.user_admin.update(admin, admin.id, {"role": "subscriber"})
    assert world.users.get(admin.id).role is Role.ADMIN


def test_staff_may_update_their_own_record(world):
    admin = world.admin()
    assert world.user_admin.update(admin, admin.id, {"first_name": "Ada"}).user.first_name == "Ada"


# -- roles --------------------------------------------------------------------------------------

def test_assigning_a_role_is_audited_from_and_to(world, acme):
    admin, user = world.admin(), world.subscriber(acme)
    view = world.user_admin.assign_role(admin, user.id, Role.TENANT_OWNER)
    assert (view.user.role, view.user.tenant_id) == (Role.TENANT_OWNER, acme.id)
    assert world.users.get(user.id) == view.user
    [entry] = world.audit.entries
    assert (entry.action, entry.actor_id, entry.target_id, entry.tenant_id, entry.details) == (
        "role_changed", admin.id, user.id, acme.id, {"from": "subscriber", "to": "tenant_owner"})


def test_a_user_moved_to_a_staff_role_loses_their_tenant(world, acme):
    user = world.subscriber(acme)
    world.user_admin.assign_role(world.superadmin(), user.id, Role.ADMIN)
    assert (world.users.get(user.id).role, world.users.get(user.id).tenant_id) == (Role.ADMIN, None)


@pytest.mark.parametrize("how", ["assign-role to admin", "update with role and tenant"])
def test_a_role_change_that_moves_the_user_records_the_tenant_too(world, acme, globex, how):
    admin, user = world.superadmin(), world.subscriber(acme)
    if how == "assign-role to admin":
        world.user_admin.assign_role(admin, user.id, Role.ADMIN)
        moved_to = None
    else:
        world.user_admin.update(admin, user.id, {"role": "tenant_owner", "tenant": globex.id})
        moved_to = globex.id
    assert world.users.get(user.id).tenant_id == moved_to
    recorded = [e.details for e in world.audit.entries]
    assert any(d.get("tenant") == {"from": acme.id, "to": moved_to} or
               d.get("changes", {}).get("tenant") == {"from": acme.id, "to": moved_to} for d in recorded), recorded


def test_a_user_without_tenant_cannot_become_a_tenant_owner(world):
    user = world.subscriber(None)
    assert errors_of(world.user_admin.assign_role, world.admin(), user.id, Role.TENANT_OWNER) == {
        "tenant": [REQUIRED]}
    assert world.users.get(user.id) == user and world.audit.entries == []


@pytest.mark.parametrize(("actor_role", "role", "message"), [
    (Role.ADMIN, Role.SUPERADMIN, ADMIN_CANNOT), (Role.TENANT_OWNER, Role.TENANT_OWNER, OWNER_CANNOT),
    (Role.TENANT_OWNER, Role.ADMIN, OWNER_CANNOT)])
def test_roles_one_may_not_grant(world, acme, actor_role, role, message):
    actor, user = world.add_user("actor", actor_role, acme if actor_role is Role.TENANT_OWNER else None), \
        world.subscriber(acme)
    assert errors_of(world.user_admin.assign_role, actor, user.id, role) == {"role": [message]}
    assert errors_of(world.user_admin.update, actor, user.id, {"role": role.value}) == {"role": [message]}
    assert world.users.get(user.id) == user and world.audit.entries == []


def test_a_role_changed_through_an_update_is_saved(world, acme):
    user = world.subscriber(acme)
    world.user_admin.update(world.admin(), user.id, {"role": "tenant_owner"})
    assert world.users.get(user.id).role is Role.TENANT_OWNER
    assert world.audit.actions() == ["role_changed"]


# -- updating, (de)activating, deleting, passwords ------------------------------------------------

def test_an_update_records_what_changed_from_and_to(world, acme, globex):
    admin, user = world.admin(), world.subscriber(acme, "sam")
    view = world.user_admin.update(admin, user.id, {"first_name": "Sam", "email": "Sam@NEW.test", "username": "sam",
                                                    "tenant": globex.id, "is_superuser": True, "role": "subscriber"})
    assert (view.user.first_name, view.user.email, view.user.tenant_id, view.tenant) == (
        "Sam", "Sam@new.test", globex.id, globex)
    assert world.users.get(user.id) == view.user
    [entry] = world.audit.entries
    assert (entry.action, entry.actor_id, entry.target_id, entry.tenant_id) == (
        "user_updated", admin.id, user.id, globex.id)
    assert entry.details == {"changes": {"first_name": {"from": "", "to": "Sam"},
                                         "email": {"from": "sam@example.test", "to": "Sam@new.test"},
                                         "tenant": {"from": acme.id, "to": globex.id}}}


def test_an_update_keeps_usernames_and_emails_unique(world, acme):
    admin, user = world.admin(), world.subscriber(acme, "sam")
    assert errors_of(world.user_admin.update, admin, user.id, {"username": "staff", "email": "STAFF@example.test"}) == {
        "username": ["A user with that username already exists."],
        "email": ["A user with that email already exists."]}
    # Changing the case of one's own address is no clash.
    assert world.user_admin.update(admin, user.id, {"email": "SAM@example.test"}).user.email == "SAM@example.test"


def test_a_tenant_owner_cannot_move_a_subscriber_to_another_tenant(world, acme, globex):
    owner, user = world.owner(acme), world.subscriber(acme)
    assert errors_of(world.user_admin.update, owner, user.id, {"tenant": globex.id}) == {"tenant": [OWN_TENANT_ONLY]}
    assert world.users.get(user.id) == user


def test_a_tenant_owner_cannot_detach_a_subscriber_from_their_tenant(world, acme):
    owner, user = world.owner(acme), world.subscriber(acme)
    assert errors_of(world.user_admin.update, owner, user.id, {"tenant": None}) == {"tenant": [OWN_TENANT_ONLY]}
    assert world.users.get(user.id) == user


def test_deactivation_revokes_every_token_and_is_audited(world, acme):
    owner, user = world.owner(acme), world.subscriber(acme)
    keys = [world.login(user), world.login(user)]
    view = world.user_admin.set_active(owner, user.id, False)
    assert not view.user.is_active and not world.users.get(user.id).is_active
    assert world.tokens.list_for_user(user.id) == []
    for key in keys:
        with pytest.raises(AuthenticationFailed):
            world.identity.authenticate(key)
    [entry] = world.audit.entries
    assert (entry.action, entry.actor_id, entry.target_id, entry.tenant_id, entry.details) == (
        "activation_changed", owner.id, user.id, acme.id, {"from": True, "to": False})
    world.user_admin.set_active(owner, user.id, True)
    assert world.users.get(user.id).is_active and world.audit.entries[-1].details == {"from": False, "to": True}
    world.login(user)


def test_setting_the_same_activity_again_writes_nothing(world, acme):
    user = world.subscriber(acme)
    world.user_admin.set_active(world.admin(), user.id, True)
    assert world.audit.entries == []


def test_set_password_revokes_the_users_tokens_and_is_audited(world, acme):
    owner, user = world.owner(acme), world.subscriber(acme)
    key = world.login(user)
    world.clock.advance(timedelta(minutes=5))
    world.user_admin.set_password(owner, user.id, NEW_PASSWORD, NEW_PASSWORD)
    with pytest.raises(AuthenticationFailed):
        world.identity.authenticate(key)
    stored = world.users.get(user.id)
    assert stored.password_updated == world.clock.now()
    assert world.identity.login(user.username, NEW_PASSWORD).user.id == user.id
    [entry] = world.audit.entries
    assert (entry.action, entry.actor_id, entry.target_id, entry.tenant_id) == (
        "password_changed", owner.id, user.id, acme.id)
    assert world.outbox.queued[-1].subject == "Your WiWebb password was changed"


def test_set_password_checks_the_two_fields_and_the_policy(world, acme):
    admin, user = world.admin(), world.subscriber(acme)
    assert errors_of(world.user_admin.set_password, admin, user.id, NEW_PASSWORD, NEW_PASSWORD + "x") == {
        "new_password2": [FORM_MISMATCH]}
    assert errors_of(world.user_admin.set_password, admin, user.id, "short", "short") == {
        "new_password2": ["This password is too short. It must contain at least 8 characters."]}
    assert world.users.get(user.id) == user and world.audit.entries == []


def test_delete_removes_the_user_and_records_who_it_was(world, acme):
    owner, user = world.owner(acme), world.subscriber(acme, "gone")
    world.user_admin.delete(owner, user.id)
    assert world.users.get(user.id) is None
    [entry] = world.audit.entries
    assert (entry.action, entry.actor_id, entry.target_id, entry.tenant_id) == (
        "user_deleted", owner.id, user.id, acme.id)
    assert entry.details == {"username": "gone", "email": "gone@example.test", "role": "subscriber"}
    with pytest.raises(NotFound):
        world.user_admin.delete(owner, user.id)


def subscription(user, status, *, paid=True):
    return Subscription(id=None, user_id=user.id, plan_id=1, pricing_id=1, status=status, paid=paid,
                        subscription_id="sub_1" if paid else None)


@pytest.mark.parametrize("status", ["active", "trialing", "past_due", "incomplete", "unpaid", "paused"])
def test_a_user_paying_for_a_live_subscription_is_not_deleted(world, acme, status):
    admin, user = world.admin(), world.subscriber(acme, "payer")
    world.subscriptions.add(subscription(user, status))

    with pytest.raises(InvalidOperation) as caught:
        world.user_admin.delete(admin, user.id)

    assert caught.value.detail == HAS_SUBSCRIPTION == "Cannot delete user with an active subscription."
    assert world.users.get(user.id) == user and world.audit.entries == []


def test_a_user_whose_subscriptions_ended_or_are_free_is_deleted(world, acme):
    admin, user = world.admin(), world.subscriber(acme, "was-paying")
    world.subscriptions.add(subscription(user, "canceled"))
    world.subscriptions.add(subscription(user, "incomplete_expired"))
    world.subscriptions.add(subscription(user, "active", paid=False))  # a Free plan: nothing to charge
    world.subscriptions.add(subscription(world.subscriber(acme, "other"), "active"))  # someone else's

    world.user_admin.delete(admin, user.id)

    assert world.users.get(user.id) is None


def test_a_user_out_of_reach_is_not_found_before_their_subscription_counts(world, acme, globex):
    owner, stranger = world.owner(acme), world.subscriber(globex, "stranger")
    world.subscriptions.add(subscription(stranger, "active"))

    with pytest.raises(NotFound):
        world.user_admin.delete(owner, stranger.id)
