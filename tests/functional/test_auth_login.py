"""Login, tokens and logout over HTTP, including the troubleshooting guide's flows."""

from __future__ import annotations

import re

BAD = {"non_field_errors": ["Unable to log in with provided credentials."]}
LOGIN = "/api/v1/auth/login/"


def test_login_returns_a_key_that_works_as_token(api):
    api.register(first_name="Alice")
    answer = api.post_json(LOGIN, {"username": "alice", "password": "correct-horse-9"}).json
    assert re.fullmatch(r"[0-9a-f]{40}", answer["key"])
    assert answer["expires_at"].endswith("Z")
    assert answer["user"]["username"] == "alice" and answer["user"]["role"] == "subscriber"
    me = api.get("/api/v1/auth/user/", headers=api.auth(answer["key"])).json
    assert me["first_name"] == "Alice"


def test_guide_login_with_curl_style_json_body(api):
    """curl -X POST .../auth/login/ -H "Content-Type: application/json" -d '{"username":...}'"""
    api.register("admin")
    response = api.post(LOGIN, '{"username":"admin","password":"correct-horse-9"}',
                        headers={"Content-Type": "application/json"})
    assert len(response.json["key"]) == 40


def test_guide_json_body_without_content_type_is_read_as_json(api):
    api.register("admin")
    # what `curl -d '{...}'` sends when no Content-Type is given
    response = api.post(LOGIN, '{"username":"admin","password":"correct-horse-9"}',
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert len(response.json["key"]) == 40


def test_login_with_a_form_body(api):
    api.register()
    assert api.post(LOGIN, {"username": "alice", "password": "correct-horse-9"}).json["key"]


def test_bearer_and_bare_keys_are_not_credentials(api):
    key = api.register()["key"]
    for header in (f"Bearer {key}", key):
        response = api.get("/api/v1/auth/user/", headers={"Authorization": header}, status=401)
        assert response.json == {"detail": "Authentication credentials were not provided."}
        assert response.headers["WWW-Authenticate"] == "Token"


def test_wrong_password_unknown_user_and_inactive_user_give_one_answer(api, identity_of):
    api.register()
    assert api.post_json(LOGIN, {"username": "alice", "password": "wrong-horse-1"}, status=400).json == BAD
    assert api.post_json(LOGIN, {"username": "nobody", "password": "wrong-horse-1"}, status=400).json == BAD

    def deactivate(identity):
        user = identity._users.get_by_username("alice")
        user.is_active = False
        identity._users.update(user)

    identity_of(deactivate)
    assert api.post_json(LOGIN, {"username": "alice", "password": "correct-horse-9"}, status=400).json == BAD


def test_usernames_are_case_sensitive(api):
    api.register("Admin")
    assert api.post_json(LOGIN, {"username": "admin", "password": "correct-horse-9"}, status=400).json == BAD
    api.post_json("/api/v1/auth/registration/", {"username": "admin", "email": "other@acme.test",
                  "password1": "other-horse-77", "password2": "other-horse-77"}, status=201)
    assert api.login("admin", "other-horse-77") != api.login("Admin", "correct-horse-9")


def test_email_in_the_username_field_logs_in(api):
    api.register()
    assert api.login("ALICE@acme.test", "correct-horse-9")
    assert api.post_json(LOGIN, {"email": "alice@acme.test", "password": "correct-horse-9"}).json["key"]


def test_missing_fields(api):
    expected = {"non_field_errors": ['Must include "username" and "password".']}
    assert api.post_json(LOGIN, {"username": "alice"}, status=400).json == expected
    assert api.post_json(LOGIN, {}, status=400).json == expected


def test_login_ignores_a_stale_token(api):
    api.register()
    response = api.post_json(LOGIN, {"username": "alice", "password": "correct-horse-9"},
                             headers={"Authorization": "Token " + "0" * 40})
    assert response.status_int == 200


def test_each_login_is_its_own_token_and_logout_revokes_only_it(api):
    api.register()
    phone, laptop = api.login("alice", "correct-horse-9"), api.login("alice", "correct-horse-9")
    assert api.post("/api/v1/auth/logout/", headers=api.auth(phone)).json == {"detail": "Successfully logged out."}
    assert api.get("/api/v1/auth/user/", headers=api.auth(phone), status=401).json == {"detail": "Invalid token."}
    api.get("/api/v1/auth/user/", headers=api.auth(laptop))


def test_logout_everywhere(api):
    first = api.register()["key"]
    second = api.login("alice", "correct-horse-9")
    api.post_json("/api/v1/auth/logout/", {"all": True}, headers=api.auth(second))
    api.get("/api/v1/auth/user/", headers=api.auth(first), status=401)


def test_logout_without_a_token_is_fine_and_with_a_bad_one_is_401(api):
    # dj-rest-auth's LogoutView allows anyone: a client that lost its token can still "log out".
    assert api.post("/api/v1/auth/logout/").json == {"detail": "Successfully logged out."}
    assert api.post("/api/v1/auth/logout/", headers={"Authorization": "Token " + "0" * 40}, status=401).json == {
        "detail": "Invalid token."}
