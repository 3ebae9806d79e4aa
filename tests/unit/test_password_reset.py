import re
from datetime import timedelta

import pytest

from wiwebb.domain.errors import AuthenticationFailed, Throttled, ValidationFailed
from wiwebb.domain.identity import BAD_CREDENTIALS

FRONT = "http://console.test"
NEW = {"new_password1": "brand-new-pass-1", "new_password2": "brand-new-pass-1"}


def link_parts(mail):
    match = re.search(r"http://console\.test/reset-password/([^/]+)/([^/]+)/", mail.text)
    assert match and match.group(0) in mail.html
    return match.group(1), match.group(2)


def test_reset_mail_carries_a_working_link_and_the_token_dies_once_used(world):
    issued = world.register()
    world.identity.request_password_reset("ALICE@acme.test", FRONT)
    [mail] = world.outbox.queued
    assert mail.to == "alice@acme.test" and mail.from_address == world.identity.policy.mail_from
    uid, token = link_parts(mail)
    world.identity.confirm_password_reset(uid=uid, token=token, **NEW)
    world.identity.login("alice", "brand-new-pass-1")
    with pytest.raises(AuthenticationFailed):
        world.identity.authenticate(issued.key)  # every token revoked
    with pytest.raises(ValidationFailed) as caught:
        world.identity.confirm_password_reset(uid=uid, token=token, **NEW)
    assert caught.value.errors == {"token": ["Invalid value"]}
    assert world.audit.actions()[-1] == "password_reset"
    assert world.outbox.queued[-1].subject == "Your WiWebb password was changed"


def test_unknown_or_inactive_addresses_get_no_mail_but_the_same_work(world):
    world.register()
    user = world.users.get_by_username("alice")
    user.is_active = False
    world.users.update(user)
    world.identity.request_password_reset("alice@acme.test", FRONT)
    world.identity.request_password_reset("nobody@acme.test", FRONT)
    world.identity.request_password_reset("not an address", FRONT)
    assert world.outbox.queued == []


def test_bad_uid_token_expiry_and_mismatch(world):
    world.register()
    world.identity.request_password_reset("alice@acme.test", FRONT)
    uid, token = link_parts(world.outbox.queued[0])

    def errors(**kwargs):
        with pytest.raises(ValidationFailed) as caught:
            world.identity.confirm_password_reset(**{"uid": uid, "token": token, **NEW, **kwargs})
        return caught.value.errors

    assert errors(uid="zzz") == {"uid": ["Invalid value"]}
    assert errors(uid="OTk5") == {"uid": ["Invalid value"]}  # "999": no such user
    assert errors(token="abc-def") == {"token": ["Invalid value"]}
    assert errors(new_password2="other-pass-2") == {"new_password2": ["The two password fields didn\u2019t match."]}
    world.clock.advance(timedelta(days=3, seconds=1))
    assert errors() == {"token": ["Invalid value"]}


def test_password_change_sends_a_notice(world):
    session = world.identity.authenticate(world.register().key)
    world.identity.change_password(session, old_password="correct-horse-9", **NEW)
    [notice] = world.outbox.queued
    assert notice.to == "alice@acme.test" and "password" in notice.text


def test_failed_logins_per_username_are_limited_whoever_sends_them(world):
    world.register()
    for _ in range(20):
        with pytest.raises(ValidationFailed):
            world.identity.login("alice", "wrong-horse-1")
    with pytest.raises(Throttled) as caught:
        world.identity.login("alice", "correct-horse-9")  # even the right password waits
    assert caught.value.wait == 3600
    for _ in range(20):  # an unknown name is counted the same way: nothing is revealed
        with pytest.raises(ValidationFailed) as bad:
            world.identity.login("ghost", "wrong-horse-1")
        assert bad.value.errors == {"non_field_errors": [BAD_CREDENTIALS]}
    with pytest.raises(Throttled):
        world.identity.login("ghost", "wrong-horse-1")
    world.clock.advance(timedelta(hours=1))
    world.identity.login("alice", "correct-horse-9")


def test_a_completed_reset_lifts_the_failed_login_limit(world):
    world.register()
    for _ in range(20):
        with pytest.raises(ValidationFailed):
            world.identity.login("alice", "wrong-horse-1")
    world.identity.request_password_reset("alice@acme.test", FRONT)
    uid, token = link_parts(world.outbox.queued[0])
    world.identity.confirm_password_reset(uid=uid, token=token, **NEW)
    world.identity.login("alice", "brand-new-pass-1")
