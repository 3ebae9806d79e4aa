"""Registration, the caller's profile, password change, meta and health over HTTP."""

from __future__ import annotations

import pytest

from wiwebb.app import build_app

from ..conftest import make_settings
from .conftest import Api

USER = "/api/v1/auth/user/"
REGISTRATION = "/api/v1/auth/registration/"
CHANGE = "/api/v1/auth/password/change/"


def test_registration_answers_201_with_key_and_user(api):
    answer = api.register("zoe", first_name="Zoë")
    user = answer["user"]
    assert set(user) == {"id", "username", "email", "first_name", "last_name", "role", "tenant", "is_active",
                         "is_staff", "is_superuser", "last_login", "date_joined", "password_updated",
                         "phone_number", "bio", "url", "company", "location", "birth_date"}
    assert (user["role"], user["tenant"], user["is_staff"], user["is_superuser"]) == ("subscriber", None, False, False)
    assert user["last_name"] == "" and user["birth_date"] is None
    assert user["date_joined"].endswith("Z") and user["password_updated"].endswith("Z")
    assert isinstance(user["id"], int)


def test_answers_are_compact_utf8_json(api):
    response = api.post_json(REGISTRATION, {"username": "zoe", "email": "zoe@acme.test", "first_name": "Zoë",
                                            "password1": "correct-horse-9", "password2": "correct-horse-9"})
    assert response.content_type == "application/json"
    assert "Zoë".encode() in response.body and b'": ' not in response.body


def test_registration_errors_use_drf_messages(api):
    body = {"username": "", "email": "nope", "password1": "correct-horse-9"}
    assert api.post_json(REGISTRATION, body, status=400).json == {
        "username": ["This field may not be blank."],
        "email": ["Enter a valid email address."],
        "password2": ["This field is required."],
    }
    body = {"username": "bob", "email": "bob@acme.test", "password1": "correct-horse-9", "password2": "other-horse-9"}
    assert api.post_json(REGISTRATION, body, status=400).json == {
        "non_field_errors": ["The two password fields didn't match."]}
    api.register("bob")
    body["password2"] = body["password1"]
    assert api.post_json(REGISTRATION, {**body, "email": "BOB@acme.test"}, status=400).json == {
        "username": ["A user with that username already exists."],
        "email": ["A user with that email already exists."]}


def test_registration_can_be_closed(database, tmp_path):
    settings = make_settings(database.url.render_as_string(False), tmp_path, REGISTRATION_OPEN="false")
    api = Api(build_app(settings, database=database, wait_for_database=False))
    body = {"username": "bob", "email": "bob@acme.test", "password1": "correct-horse-9", "password2": "correct-horse-9"}
    assert api.post_json(REGISTRATION, body, status=403).json == {"detail": "Registration is closed."}
    # Permission before validation, as DRF: a bad or empty body is refused the same way.
    assert api.post_json(REGISTRATION, {}, status=403).json == {"detail": "Registration is closed."}
    assert api.post(REGISTRATION, b"{not json", headers={"Content-Type": "application/json"},
                    status=403).json == {"detail": "Registration is closed."}
    assert api.get("/api/v1/meta/").json["registration_open"] is False


def test_profile_update_ignores_read_only_fields(api):
    key = api.register()["key"]
    body = {"first_name": "Alice", "bio": "Down the hole", "role": "superadmin", "is_active": False,
            "email": "thief@evil.test", "is_staff": True, "tenant": 1, "birth_date": "1990-05-04"}
    user = api.patch_json(USER, body, headers=api.auth(key)).json
    assert (user["first_name"], user["bio"], user["birth_date"]) == ("Alice", "Down the hole", "1990-05-04")
    assert (user["role"], user["is_active"], user["email"], user["is_staff"], user["tenant"]) == (
        "subscriber", True, "alice@acme.test", False, None)
    assert api.get(USER, headers=api.auth(key)).json["first_name"] == "Alice"


def test_put_needs_the_username_and_patch_does_not(api):
    key = api.register()["key"]
    assert api.put_json(USER, {"first_name": "A"}, headers=api.auth(key), status=400).json == {
        "username": ["This field is required."]}
    assert api.put_json(USER, {"username": "alice2"}, headers=api.auth(key)).json["username"] == "alice2"
    assert api.patch_json(USER, {"birth_date": "soon", "url": "not a url"}, headers=api.auth(key), status=400).json == {
        "birth_date": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."],
        "url": ["Enter a valid URL."]}


def test_password_change_keeps_this_token_and_revokes_the_others(api):
    key = api.register()["key"]
    other = api.login("alice", "correct-horse-9")
    body = {"old_password": "correct-horse-9", "new_password1": "brand-new-pass-1", "new_password2": "brand-new-pass-1"}
    assert api.post_json(CHANGE, body, headers=api.auth(key)).json == {"detail": "New password has been saved."}
    api.get(USER, headers=api.auth(key))
    api.get(USER, headers=api.auth(other), status=401)
    assert api.login("alice", "brand-new-pass-1")
    assert api.post_json("/api/v1/auth/login/", {"username": "alice", "password": "correct-horse-9"}, status=400)


def test_password_change_errors(api):
    key = api.register()["key"]
    bad_old = {"old_password": "wrong", "new_password1": "brand-new-pass-1", "new_password2": "brand-new-pass-1"}
    assert api.post_json(CHANGE, bad_old, headers=api.auth(key), status=400).json == {
        "old_password": ["Your old password was entered incorrectly. Please enter it again."]}
    weak = {"old_password": "correct-horse-9", "new_password1": "alice", "new_password2": "alice"}
    assert api.post_json(CHANGE, weak, headers=api.auth(key), status=400).json == {"new_password2": [
        "The password is too similar to the username.",
        "This password is too short. It must contain at least 8 characters.",
        "This password is too common."]}
    api.post_json(CHANGE, bad_old, status=401)


def test_health_ignores_credentials(api):
    for headers in ({}, {"Authorization": "Token nonsense"}, {"Authorization": "Token"}):
        answer = api.get("/api/v1/health/", headers=headers).json
        assert answer["status"] == "ok" and answer["database"] == "ok" and answer["version"]


def test_meta_is_public_but_refuses_a_bad_token(api):
    meta = api.get("/api/v1/meta/").json
    assert meta["registration_open"] is True and meta["password_min_length"] == 8
    assert api.get("/api/v1/meta/", headers={"Authorization": "Token " + "f" * 40}, status=401).json == {
        "detail": "Invalid token."}


@pytest.mark.parametrize("path", ["/api/v1/auth/login/", REGISTRATION])
def test_credential_endpoints_ignore_the_authorization_header(api, path):
    api.post_json(path, {}, headers={"Authorization": "Token a b c"}, status=400)
