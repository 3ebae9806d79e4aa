"""Reset links interoperate with Django's PasswordResetTokenGenerator (vectors made by Django 5.2)."""

from datetime import UTC, datetime, timedelta

from wiwebb.domain.model import User
from wiwebb.domain.reset_tokens import ResetTokens, decode_uid, encode_uid

SECRET = "django-insecure-original-secret"
NOW = datetime(2026, 11, 28, 10, 0, 0, tzinfo=UTC)
THREE_DAYS = timedelta(days=3)


def alice() -> User:
    return User(id=7, username="alice", email="alice@acme.test", password_hash="pbkdf2_sha256$1000000$salt$hash",
                last_login=datetime(2026, 11, 1, 12, 30, 45, 123456, tzinfo=UTC))


def test_tokens_match_djangos():
    tokens = ResetTokens(SECRET, THREE_DAYS)
    assert (encode_uid(7), tokens.make(alice(), NOW)) == ("Nw", "diqzs0-9599c48036c100371a475b3e4cd9b1a1")
    bob = User(id=123456, username="b", email="", password_hash="!unusable")
    assert (encode_uid(123456), tokens.make(bob, NOW)) == ("MTIzNDU2", "diqzs0-bbc2fe48ced52c7fad05ff290ccb38ca")


def test_a_django_link_is_accepted_until_it_expires():
    tokens = ResetTokens(SECRET, THREE_DAYS)
    token = "diqzs0-9599c48036c100371a475b3e4cd9b1a1"
    assert tokens.check(alice(), token, NOW + THREE_DAYS)
    assert not tokens.check(alice(), token, NOW + THREE_DAYS + timedelta(seconds=1))


def test_a_token_dies_with_a_new_password_login_or_address():
    tokens = ResetTokens(SECRET, THREE_DAYS)
    token = tokens.make(alice(), NOW)
    for change in ({"password_hash": "$argon2id$new"}, {"last_login": NOW}, {"email": "new@acme.test"}):
        user = alice()
        for name, value in change.items():
            setattr(user, name, value)
        assert not tokens.check(user, token, NOW)


def test_other_secrets_and_garbage_are_refused_and_fallbacks_accepted():
    token = ResetTokens(SECRET, THREE_DAYS).make(alice(), NOW)
    assert not ResetTokens("another", THREE_DAYS).check(alice(), token, NOW)
    assert ResetTokens("another", THREE_DAYS, (SECRET,)).check(alice(), token, NOW)
    for garbage in ("", "-", "zzzzzzzzzzzzzzzz-abc", "nodash", "diqzs0-", "!!-00"):
        assert not ResetTokens(SECRET, THREE_DAYS).check(alice(), garbage, NOW)


def test_uids():
    assert decode_uid("Nw") == 7 and decode_uid(encode_uid(9876543)) == 9876543
    for bad in ("", "***", "YWJj", "\u00e9"):
        assert decode_uid(bad) is None
