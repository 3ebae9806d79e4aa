"""API.md's general rules: error bodies, 401 cases, slashes, methods, media types, headers."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from wiwebb.domain.identity import IdentityService

USER = "/api/v1/auth/user/"


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("Token", "Invalid token header. No credentials provided."),
        ("Token abc def", "Invalid token header. Token string should not contain spaces."),
        ("Token " + "0" * 40, "Invalid token."),
        ("token " + "0" * 40, "Invalid token."),
    ],
)
def test_401_cases(api, header, detail):
    response = api.get(USER, headers={"Authorization": header}, status=401)
    assert response.json == {"detail": detail}
    assert response.headers["WWW-Authenticate"] == "Token"


def test_token_of_an_inactive_user(api, identity_of):
    key = api.register()["key"]

    def deactivate(identity):
        user = identity._users.get_by_username("alice")
        user.is_active = False
        identity._users.update(user)

    identity_of(deactivate)
    assert api.get(USER, headers=api.auth(key), status=401).json == {"detail": "User inactive or deleted."}


def test_expired_token(api, wsgi_app, identity_of):
    key = api.register()["key"]
    clock = wsgi_app.adapters.clock
    real_now = clock.now
    clock.now = lambda: real_now() + timedelta(days=7, seconds=1)
    try:
        assert api.get(USER, headers=api.auth(key), status=401).json == {"detail": "Invalid token."}
    finally:
        clock.now = real_now


def test_unknown_path_is_json_404(api):
    response = api.get("/api/v1/nothing-here/", status=404)
    assert response.json == {"detail": "Not found."} and response.content_type == "application/json"


def test_slashless_path_answers_308_keeping_method_body_and_query(api):
    response = api.post("/api/v1/auth/login?next=1", '{"username": "a"}', status=308)
    assert response.headers["Location"].endswith("/api/v1/auth/login/?next=1")
    assert response.content_type == "application/json" and response.json["detail"].startswith("Moved to ")


def test_405_with_allow_after_authentication(api):
    response = api.delete("/api/v1/auth/login/", status=405)
    assert response.json == {"detail": 'Method "DELETE" not allowed.'}
    assert response.headers["Allow"] == "OPTIONS, POST"
    # authentication comes first: an anonymous DELETE on a protected route is 401, not 405
    assert api.delete(USER, status=401).json == {"detail": "Authentication credentials were not provided."}
    key = api.register()["key"]
    response = api.delete(USER, headers=api.auth(key), status=405)
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS, PATCH, PUT"


def test_options_lists_the_allowed_methods(api):
    assert api.options("/api/v1/auth/login/").headers["Allow"] == "OPTIONS, POST"


def test_unsupported_media_type(api):
    response = api.post("/api/v1/auth/login/", "username=a", headers={"Content-Type": "text/plain"}, status=415)
    assert response.json == {"detail": 'Unsupported media type "text/plain" in request.'}
    # DRF's JSON parser is for application/json alone, not its +json relatives.
    vendor = api.post("/api/v1/auth/login/", b'{"username": "a"}', status=415,
                      headers={"Content-Type": "application/vnd.api+json"})
    assert vendor.json == {"detail": 'Unsupported media type "application/vnd.api+json" in request.'}


def test_json_parse_error(api):
    response = api.post("/api/v1/auth/login/", "{not json", headers={"Content-Type": "application/json"},
                        status=400)
    assert response.json["detail"].startswith("JSON parse error - Expecting property name")


def test_a_body_that_is_not_an_object(api):
    response = api.post_json("/api/v1/auth/login/", [1, 2], status=400)
    assert response.json == {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}


def test_500_is_json_with_request_id_and_the_traceback_goes_to_the_log(api, monkeypatch, caplog):
    def explode(self, *args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(IdentityService, "login", explode)
    with caplog.at_level(logging.ERROR, logger="wiwebb"):
        response = api.post_json("/api/v1/auth/login/", {"username": "a", "password": "b"}, status=500)
    body = response.json
    assert body == {"detail": "A server error occurred.", "request_id": body["request_id"]}
    assert "kaboom" not in response.text
    record = next(r for r in caplog.records if body["request_id"] in r.getMessage())
    assert record.exc_info and "kaboom" in str(record.exc_info[1])
    assert response.headers["X-Request-ID"] == body["request_id"]


def test_every_answer_carries_the_security_headers_and_auth_is_not_cached(api):
    for response in (api.get("/api/v1/health/"), api.get("/api/v1/nope/", status=404),
                     api.post_json("/api/v1/auth/login/", {}, status=400)):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Request-ID"]
    assert api.post_json("/api/v1/auth/login/", {}, status=400).headers["Cache-Control"] == "no-store"


def test_a_sane_client_request_id_is_kept(api):
    assert api.get("/api/v1/health/", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    assert api.get("/api/v1/health/", headers={"X-Request-ID": "bad id\u00e9"}).headers["X-Request-ID"] != "bad id"


def test_429_body_and_retry_after(api, monkeypatch):
    from wiwebb.domain.errors import Throttled

    def throttled(self, *args, **kwargs):
        raise Throttled(1.5)

    monkeypatch.setattr(IdentityService, "login", throttled)
    response = api.post_json("/api/v1/auth/login/", {"username": "a", "password": "b"}, status=429)
    assert response.json == {"detail": "Request was throttled. Expected available in 2 seconds."}
    assert response.headers["Retry-After"] == "2"


def test_an_imported_django_hash_logs_in_and_is_rehashed(api, identity_of):
    import base64
    import hashlib

    api.register("legacy")
    salt, rounds = "seasalt", 1000
    digest = base64.b64encode(hashlib.pbkdf2_hmac("sha256", b"old-django-pass", salt.encode(), rounds)).decode()

    def import_hash(identity):
        user = identity._users.get_by_username("legacy")
        user.password_hash = f"pbkdf2_sha256${rounds}${salt}${digest}"
        identity._users.update(user)

    identity_of(import_hash)
    assert api.login("legacy", "old-django-pass")
    stored = identity_of(lambda identity: identity._users.get_by_username("legacy").password_hash)
    assert stored.startswith("$argon2id$")
    assert api.login("legacy", "old-django-pass")


def test_bytes_that_are_not_utf8_get_json_answers(api, root):
    assert api.get("/%ff", status=404).json == {"detail": "Not found."}
    assert api.get("/api/v1/users/%ff/", headers=root, status=404).json == {"detail": "Not found."}
    response = api.get("/api/v1/users/?search=%ff", headers=root, status=400)
    assert response.json["detail"].startswith("Malformed request")
    assert response.headers["X-Request-ID"]


def test_null_characters_and_huge_numbers_are_400_or_404(api, root):
    assert api.post_json("/api/v1/auth/login/", {"username": "ro\u0000ot", "password": "x"}, status=400).json == {
        "username": ["Null characters are not allowed."]}
    assert api.get("/api/v1/users/?search=%00", headers=root, status=400).json == {
        "search": ["Null characters are not allowed."]}
    huge = "99999999999999999999"
    assert api.get(f"/api/v1/users/{huge}/", headers=root, status=404).json == {"detail": "Not found."}
    assert api.get(f"/api/v1/users/?tenant={huge}", headers=root, status=400).json == {
        "tenant": ["Ensure this value is less than or equal to 9223372036854775807."]}
    assert api.get(f"/api/v1/users/?page={huge}", headers=root, status=404).json == {"detail": "Invalid page."}


def test_nan_is_not_json(api):
    response = api.post("/api/v1/auth/login/", '{"username": NaN}', headers={"Content-Type": "application/json"},
                        status=400)
    assert response.json == {"detail": "JSON parse error - Out of range float values are not JSON compliant: 'NaN'"}


def test_health_and_login_never_read_the_token(api, monkeypatch):
    from wiwebb.domain.identity import IdentityService

    def refuse(self, key):
        raise AssertionError("the token was read")

    monkeypatch.setattr(IdentityService, "authenticate", refuse)
    api.get("/api/v1/health/", headers={"Authorization": "Token " + "a" * 40})
    api.post_json("/api/v1/auth/login/", {"username": "x", "password": "y"},
                  headers={"Authorization": "Token " + "a" * 40}, status=400)


@pytest.mark.parametrize("query", ["since=;2020", "action=&since=;%0E", "since=2020;x"])
def test_a_semicolon_does_not_split_the_query(api, root, query):
    """WebOb splits queries on `;` too: `since=;x` would read as an empty filter and list everything."""
    response = api.get(f"/api/v1/audit-logs/?{query}", headers=root, status=400)
    assert response.json == {"since": ["Enter a valid date/time."]}



def test_a_body_over_1_mib_is_refused_with_a_json_413_before_it_is_read(api, root):
    big = b'{"first_name": "' + b"x" * (1024 * 1024) + b'"}'
    response = api.request("/api/v1/auth/user/", method="PATCH", body=big, headers={
        **root, "Content-Type": "application/json"}, status=413)
    assert response.json == {"detail": "Request body too large: at most 1048576 bytes."}
    assert response.headers["X-Request-ID"]
    small = b'{"first_name": "' + b"x" * 100 + b'"}'
    assert api.request("/api/v1/auth/user/", method="PATCH", body=small, headers={
        **root, "Content-Type": "application/json"}, expect_errors=True).status_int != 413


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/api/v1/auth/login/"), ("PUT", "/api/v1/auth/registration/"), ("GET", "/api/v1/auth/password/reset/"),
    ("DELETE", "/api/v1/auth/password/reset/confirm/"), ("POST", "/api/v1/health/")])
def test_endpoints_that_ignore_credentials_ignore_a_stale_token_on_other_methods_too(api, method, path):
    stale = {"Authorization": "Token " + "0" * 40}
    answer = api.request(path, method=method, headers=stale, status=405)
    assert answer.json == {"detail": f'Method "{method}" not allowed.'}
    assert api.options(path, headers=stale).status_int == 200


def test_an_endpoint_that_reads_credentials_still_refuses_a_stale_token_before_the_405(api):
    stale = {"Authorization": "Token " + "0" * 40}
    assert api.get("/api/v1/auth/logout/", headers=stale, status=401).json == {"detail": "Invalid token."}
