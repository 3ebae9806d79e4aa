from datetime import timedelta

import pytest

from wiwebb.domain import tokens
from wiwebb.domain.errors import AuthenticationFailed, NotFound, PermissionDenied, ValidationFailed
from wiwebb.domain.identity import BAD_CREDENTIALS, IdentityPolicy
from wiwebb.domain.model import Role, Tenant

from .conftest import World


def errors_of(call, *args, **kwargs):
    with pytest.raises(ValidationFailed) as caught:
        call(*args, **kwargs)
    return caught.value.errors


# -- registration -------------------------------------------------------------------------

def test_registration_makes_a_subscriber_without_tenant_and_logs_in(world):
    issued = world.register(first_name="Alice")
    user = world.users.get(issued.user.id)
    assert (user.role, user.tenant_id, user.first_name, user.is_active) == (Role.SUBSCRIBER, None, "Alice", True)
    assert world.identity.authenticate(issued.key).user.id == user.id
    assert world.audit.actions() == ["user_created"]


def test_registration_refuses_taken_names_case_insensitive_emails_and_weak_passwords(world):
    world.register()
    errors = errors_of(world.identity.register, username="alice", email="ALICE@acme.test",
                       password1="alice", password2="alice")
    assert errors == {
        "username": ["A user with that username already exists."],
        "email": ["A user with that email already exists."],
        "password1": ["The password is too similar to the username.",
                      "This password is too short. It must contain at least 8 characters.",
                      "This password is too common."],
    }


def test_registration_with_two_different_passwords(world):
    errors = errors_of(world.identity.register, username="bob", email="bob@acme.test",
                       password1="correct-horse-9", password2="correct-horse-8")
    assert errors == {"non_field_errors": ["The two password fields didn't match."]}


def test_registration_checks_username_characters_and_email(world):
    errors = errors_of(world.identity.register, username="bad name", email="not-an-address",
                       password1="correct-horse-9", password2="correct-horse-9")
    assert errors["username"][0].startswith("Enter a valid username.")
    assert errors["email"] == ["Enter a valid email address."]


def test_registration_can_be_switched_off():
    world = World(IdentityPolicy(registration_open=False))
    with pytest.raises(PermissionDenied):
        world.register()
    assert world.users.rows == {}


def test_the_email_domain_is_normalised(world):
    assert world.register(email="Alice@ACME.Test").user.email == "Alice@acme.test"


# -- login --------------------------------------------------------------------------------

def test_login_by_username_is_case_sensitive(world):
    world.register(username="Admin", email="admin@acme.test")
    assert world.identity.login("Admin", "correct-horse-9").user.username == "Admin"
    assert errors_of(world.identity.login, "admin", "correct-horse-9") == {"non_field_errors": [BAD_CREDENTIALS]}


def test_login_by_email_in_the_username_field_is_case_insensitive(world):
    world.register()
    assert world.identity.login("ALICE@Acme.TEST", "correct-horse-9").user.username == "alice"


@pytest.mark.parametrize("case", ["wrong password", "unknown user", "inactive user", "inactive tenant"])
def test_every_failed_login_gives_one_answer_after_one_hash(world, case):
    issued = world.register()
    user = world.users.get(issued.user.id)
    identifier, password = "alice", "correct-horse-9"
    if case == "wrong password":
        password = "wrong-horse-9"
    elif case == "unknown user":
        identifier = "nobody"
    elif case == "inactive user":
        user.is_active = False
        world.users.update(user)
    else:
        tenant = world.tenants.add(Tenant(id=None, uuid=__import__("uuid").uuid4(), name="A", slug="a",
                                          is_active=False))
        user.tenant_id = tenant.id
        world.users.update(user)
    before = world.hasher.work
    assert errors_of(world.identity.login, identifier, password) == {"non_field_errors": [BAD_CREDENTIALS]}
    assert world.hasher.work - before == 1


def test_each_login_issues_its_own_token_with_expiry_and_user_agent(world):
    world.register()
    first = world.identity.login("alice", "correct-horse-9", user_agent="curl/8")
    second = world.identity.login("alice", "correct-horse-9")
    assert first.key != second.key and len(first.key) == 40 and int(first.key, 16) >= 0
    stored = world.tokens.rows[first.token.id]
    assert stored.key_hash == tokens.digest(first.key) and first.key not in repr(stored)
    assert stored.prefix == first.key[:8]
    assert stored.expires_at == world.clock.now() + timedelta(days=7)
    assert stored.user_agent == "curl/8"
    assert world.users.get(first.user.id).last_login == world.clock.now()


def test_an_old_hash_is_replaced_at_login(world):
    issued = world.register()
    user = world.users.get(issued.user.id)
    user.password_hash = "old$" + user.password_hash.partition("$")[2]
    world.users.update(user)
    world.identity.login("alice", "correct-horse-9")
    assert world.users.get(user.id).password_hash.startswith("fake$")


# -- tokens -------------------------------------------------------------------------------

def test_a_token_expires_after_its_ttl():
    world = World(IdentityPolicy(token_ttl=timedelta(hours=1)))
    key = world.register().key
    world.clock.advance(timedelta(minutes=59))
    world.identity.authenticate(key)
    world.clock.advance(timedelta(minutes=1))
    with pytest.raises(AuthenticationFailed, match=r"Invalid token\."):
        world.identity.authenticate(key)


def test_unknown_token_and_inactive_user(world):
    issued = world.register()
    with pytest.raises(AuthenticationFailed, match=r"Invalid token\."):
        world.identity.authenticate("0" * 40)
    user = world.users.get(issued.user.id)
    user.is_active = False
    world.users.update(user)
    with pytest.raises(AuthenticationFailed, match=r"User inactive or deleted\."):
        world.identity.authenticate(issued.key)


def test_a_token_of_an_inactive_tenants_user_is_refused_and_staff_need_no_tenant(world):
    tenant = world.add_tenant("Acme")
    member = world.add_user("member", tenant=tenant)
    staff = world.admin()
    member_key, staff_key = (world.identity.login(u.username, "correct-horse-9").key for u in (member, staff))
    assert world.identity.authenticate(member_key).user.id == member.id
    assert world.identity.authenticate(staff_key).user.id == staff.id
    tenant.is_active = False
    world.tenants.update(tenant)
    with pytest.raises(AuthenticationFailed, match=r"User inactive or deleted\."):
        world.identity.authenticate(member_key)
    tenant.is_active = True
    world.tenants.update(tenant)
    assert world.identity.authenticate(member_key).user.tenant_id == tenant.id


def test_last_used_moves_at_most_once_a_minute(world):
    issued = world.register()
    world.identity.authenticate(issued.key)
    first = world.tokens.rows[issued.token.id].last_used
    world.clock.advance(timedelta(seconds=59))
    world.identity.authenticate(issued.key)
    assert world.tokens.rows[issued.token.id].last_used == first
    world.clock.advance(timedelta(seconds=1))
    world.identity.authenticate(issued.key)
    assert world.tokens.rows[issued.token.id].last_used == world.clock.now()


def test_logout_revokes_the_presented_token_only_or_all(world):
    one = world.register()
    two = world.identity.login("alice", "correct-horse-9")
    three = world.identity.login("alice", "correct-horse-9")
    world.identity.logout(world.identity.authenticate(one.key))
    with pytest.raises(AuthenticationFailed):
        world.identity.authenticate(one.key)
    world.identity.authenticate(two.key)
    world.identity.logout(world.identity.authenticate(two.key), everywhere=True)
    with pytest.raises(AuthenticationFailed):
        world.identity.authenticate(three.key)


def test_revoke_one_of_own_tokens_but_not_anothers(world):
    alice = world.register()
    bob = world.register(username="bob", email="bob@acme.test")
    with pytest.raises(NotFound):
        world.identity.revoke_token(alice.user, bob.token.id)
    world.identity.revoke_token(alice.user, alice.token.id)
    assert world.identity.live_tokens(alice.user) == []
    assert len(world.identity.live_tokens(bob.user)) == 1


# -- passwords and profile ----------------------------------------------------------------

def test_change_password_needs_the_old_one_and_keeps_only_the_current_token(world):
    current = world.register()
    other = world.identity.login("alice", "correct-horse-9")
    session = world.identity.authenticate(current.key)
    assert errors_of(world.identity.change_password, session, old_password="nope",
                     new_password1="brand-new-pass-1", new_password2="brand-new-pass-1") == {
        "old_password": ["Your old password was entered incorrectly. Please enter it again."]}
    world.identity.change_password(session, old_password="correct-horse-9",
                                   new_password1="brand-new-pass-1", new_password2="brand-new-pass-1")
    world.identity.authenticate(current.key)
    with pytest.raises(AuthenticationFailed):
        world.identity.authenticate(other.key)
    world.identity.login("alice", "brand-new-pass-1")
    assert "password_changed" in world.audit.actions()


def test_change_password_uses_djangos_form_messages(world):
    session = world.identity.authenticate(world.register().key)
    kwargs = {"old_password": "correct-horse-9"}
    assert errors_of(world.identity.change_password, session, new_password1="brand-new-pass-1",
                     new_password2="brand-new-pass-2", **kwargs) == {
        "new_password2": ["The two password fields didn\u2019t match."]}
    assert errors_of(world.identity.change_password, session, new_password1="123", new_password2="123",
                     **kwargs) == {"new_password2": [
        "This password is too short. It must contain at least 8 characters.",
        "This password is too common.", "This password is entirely numeric."]}


def test_profile_update_ignores_read_only_fields(world):
    user = world.register().user
    updated = world.identity.update_profile(user, {"first_name": "Al", "role": "superadmin", "email": "x@y.test",
                                                   "is_active": False, "tenant_id": 3, "is_staff": True})
    stored = world.users.get(user.id)
    assert (stored.first_name, stored.role, stored.email, stored.is_active, stored.tenant_id) == (
        "Al", Role.SUBSCRIBER, "alice@acme.test", True, None)
    assert updated.first_name == "Al"


def test_profile_username_must_stay_unique(world):
    world.register(username="bob", email="bob@acme.test")
    user = world.register().user
    assert errors_of(world.identity.update_profile, user, {"username": "bob"}) == {
        "username": ["A user with that username already exists."]}


# -- operators ----------------------------------------------------------------------------

def test_createsuperuser_makes_a_real_superadmin(world):
    user = world.identity.create_superuser(username="root", email="root@acme.test", password="correct-horse-9")
    assert (user.role, user.is_staff, user.is_superuser) == (Role.SUPERADMIN, True, True)


def test_ensure_superuser_generates_a_password_once(world):
    first = world.identity.ensure_superuser(username="admin", email="admin@example.com", password=None)
    assert first.generated_password and first.generated_password not in repr(first)
    world.identity.login("admin", first.generated_password)
    assert world.identity.ensure_superuser(username="admin", email="admin@example.com", password=None) is None


def test_ensure_superuser_with_invite_at_sets_no_password_and_mails_a_link(world):
    created = world.identity.ensure_superuser(username="admin", email="admin@acme.test", password=None,
                                              invite_at="https://console.acme.test")
    assert created.invited and created.generated_password is None
    assert not created.user.has_usable_password and created.user.password_updated is None
    [mail] = world.outbox.queued
    assert mail.to == "admin@acme.test" and "https://console.acme.test/reset-password/" in mail.text
    with pytest.raises(ValidationFailed):  # no password matches until one is chosen from the link
        world.identity.login("admin", "")


@pytest.mark.parametrize("email", ["admin@example.com", "ops@mail.example.org", "root@host.invalid", "a@localhost"])
def test_ensure_superuser_will_not_invite_an_address_no_mail_reaches(world, email):
    with pytest.raises(ValidationFailed) as caught:
        world.identity.ensure_superuser(username="admin", email=email, password=None, invite_at="https://c.acme.test")
    assert caught.value.errors == {"email": [f"{email} cannot receive the link to choose a password: give a real "
                                             "address, or a password."]}
    assert world.outbox.queued == [] and world.identity.ensure_superuser(
        username="admin", email=email, password="correct-horse-9") is not None  # a password needs no mail


def test_ensure_superuser_with_a_password_and_invite_at_sends_nothing(world):
    created = world.identity.ensure_superuser(username="admin", email="admin@example.com",
                                              password="correct-horse-9", invite_at="https://console.acme.test")
    assert not created.invited and world.outbox.queued == []
    world.identity.login("admin", "correct-horse-9")


def test_throttled_message_is_drfs_with_the_wait_rounded_up():
    from wiwebb.domain.errors import Throttled

    assert Throttled(59.2).detail == "Request was throttled. Expected available in 60 seconds."
    assert (Throttled(0.3).detail, Throttled(0.3).wait) == ("Request was throttled. Expected available in 1 second.", 1)


@pytest.mark.parametrize(
    ("address", "valid"),
    [("a@b.co", True), ("user@localhost", True), ("x@example.xn--p1ai", True), ("al@acme.test", True),
     ("bad@-x.com", False), ("a@b.c1", False), ("a@b.c", False), ("a@b", False), ("a..b@c.com", False),
     ("no-at-sign", False)],
)
def test_email_addresses_as_django_accepts_them(address, valid):
    from wiwebb.domain.accounts import is_valid_email

    assert is_valid_email(address) is valid


def test_profile_changes_are_audited(world):
    user = world.register().user
    world.identity.update_profile(user, {"bio": "hi", "first_name": ""})
    entry = world.audit.entries[-1]
    assert (entry.action, entry.actor_id, entry.target_id) == ("user_updated", user.id, user.id)
    assert entry.details == {"via": "profile", "changes": {"bio": {"from": "", "to": "hi"}}}


def test_the_authenticator_alone_needs_only_the_tokens_and_the_clock_and_finds_the_tenant(world):
    from wiwebb.domain import Authenticator

    tenant = world.add_tenant("Acme")
    member = world.add_user("member", tenant=tenant)
    staff = world.admin()
    member_key, staff_key = (world.identity.login(u.username, "correct-horse-9").key for u in (member, staff))
    authenticator = Authenticator(world.tokens, world.clock)
    session = authenticator.authenticate(member_key)
    assert (session.user.id, session.tenant.id, session.tenant.name) == (member.id, tenant.id, "Acme")
    assert session == world.identity.authenticate(member_key)  # the same check
    assert authenticator.authenticate(staff_key).tenant is None
    with pytest.raises(AuthenticationFailed, match=r"Invalid token\."):
        authenticator.authenticate("0" * 40)
