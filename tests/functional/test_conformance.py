"""The check every functional test's answers go through (`conformance.py`): it refuses what the
description does not document, and the description documents what the contract says."""

from __future__ import annotations

import json

import jsonschema_rs
import pytest

from .conformance import Conformance, NonConformance, conformance_of

LOGIN, CANCEL = "/api/v1/auth/login/", "/api/v1/subscriptions/cancel/"
JSON = "application/json"
pytestmark = pytest.mark.sqlite


@pytest.fixture
def database(sqlite_database):
    return sqlite_database


@pytest.fixture
def conformance(wsgi_app) -> Conformance:
    return conformance_of(wsgi_app)


def check(conformance: Conformance, method: str, path: str, status: int, body: object = None,
          headers: dict[str, str] | None = None) -> None:
    conformance.check(method, path, status, headers or {}, JSON, b"" if body is None else json.dumps(body).encode())


def test_a_documented_answer_passes(conformance):
    check(conformance, "GET", "/api/v1/meta/", 200,
          {"version": "1.0", "registration_open": True, "stripe_public_key": None,
           "stripe_js_url": "https://js.stripe.com/v3/", "password_min_length": 8})
    check(conformance, "DELETE", "/api/v1/auth/tokens/7/", 204)
    check(conformance, "GET", "/api/v1/users/3/", 404, {"detail": "Not found."})
    check(conformance, "GET", "/api/v1/tenants/me/", 403, {"detail": "Only TenantOwner with a tenant can access "
                                                                     "this endpoint."})


def test_an_undocumented_status_fails_naming_the_operation(conformance):
    with pytest.raises(NonConformance, match=r"GET /api/v1/meta/ -> 418: 418 is not documented for GET "):
        check(conformance, "GET", "/api/v1/meta/", 418, {"detail": "teapot"})


def test_a_body_off_its_schema_fails_saying_where(conformance):
    with pytest.raises(NonConformance, match=r"at version: 1 is not of type \"string\""):
        check(conformance, "GET", "/api/v1/meta/", 200,
              {"version": 1, "registration_open": True, "stripe_public_key": None,
               "stripe_js_url": "https://js.stripe.com/v3/", "password_min_length": 8})
    with pytest.raises(NonConformance, match="password_min_length"):  # every field is required
        check(conformance, "GET", "/api/v1/meta/", 200,
              {"version": "1", "registration_open": True, "stripe_public_key": None,
               "stripe_js_url": "https://js.stripe.com/v3/"})
    with pytest.raises(NonConformance, match="date-time"):  # formats are checked
        check(conformance, "GET", "/api/v1/auth/tokens/", 200, [{
            "id": 1, "created": "yesterday", "last_used": None, "expires_at": "2026-01-01T00:00:00Z",
            "user_agent": "", "prefix": "0123abcd", "current": True}])
    with pytest.raises(NonConformance, match="a body where none is documented"):
        check(conformance, "DELETE", "/api/v1/auth/tokens/7/", 204, {"detail": "gone"})
    with pytest.raises(NonConformance, match="content type 'text/html' is not documented"):
        conformance.check("GET", "/api/v1/meta/", 200, {}, "text/html", b"<p>")


def test_documented_headers_are_required_and_checked(conformance):
    with pytest.raises(NonConformance, match="WWW-Authenticate is missing"):
        check(conformance, "GET", "/api/v1/users/", 401, {"detail": "Invalid token."})
    with pytest.raises(NonConformance, match="header Retry-After"):
        check(conformance, "GET", "/api/v1/users/", 429, {"detail": "Request was throttled."},
              {"Retry-After": "soon"})
    check(conformance, "GET", "/api/v1/users/", 401, {"detail": "Invalid token."}, {"WWW-Authenticate": "Token"})


def test_a_method_a_path_does_not_list_answers_405_with_allow_or_what_comes_first(conformance):
    check(conformance, "DELETE", "/api/v1/meta/", 405, {"detail": 'Method "DELETE" not allowed.'}, {"Allow": "GET"})
    check(conformance, "DELETE", "/api/v1/users/", 401, {"detail": "Invalid token."})
    with pytest.raises(NonConformance, match="a 405 without `Allow`"):
        check(conformance, "DELETE", "/api/v1/meta/", 405, {"detail": 'Method "DELETE" not allowed.'})
    with pytest.raises(NonConformance, match="DELETE is not described for /api/v1/meta/"):
        check(conformance, "DELETE", "/api/v1/meta/", 200, {})


def test_what_the_check_leaves_alone(conformance):
    for method, path, status in (("OPTIONS", "/api/v1/users/", 200), ("GET", "/api/v1/users", 308),
                                 ("GET", "/api/v1/nothing-here/", 404), ("GET", "/", 200)):
        conformance.check(method, path, status, {}, "text/html", b"<p>")


def test_a_non_staff_cancel_at_once_is_a_documented_403(api, conformance):
    key = api.register()["key"]
    answer = api.post_json(CANCEL, {"at_once": True}, headers=api.auth(key), status=403)  # checked by `Api`
    assert answer.json == {"detail": "You do not have permission to perform this action."}
    assert "403" in conformance.description["paths"][CANCEL]["post"]["responses"]


@pytest.mark.parametrize(("body", "valid"), [
    ({"username": "alice", "password": "correct-horse-9"}, True),
    ({"email": "alice@acme.test", "password": "correct-horse-9"}, True),
    ({"username": "", "email": "alice@acme.test", "password": "correct-horse-9"}, True),
    ({"password": "correct-horse-9"}, False),
    ({"username": " ", "password": "correct-horse-9"}, False),
    ({"username": "alice"}, False),
    ({"username": "alice", "password": ""}, False),
], ids=["username", "email", "blank username with email", "no name", "blank name", "no password", "blank password"])
def test_the_login_body_is_described_as_the_contract_says(api, identity_of, conformance, body, valid):
    """A password, and a username or an e-mail address: the description and the API agree."""
    identity_of(lambda identity: identity.create_superuser(username="alice", email="alice@acme.test",
                                                           password="correct-horse-9"))
    schema = {"$ref": "urn:wiwebb:openapi#/components/schemas/Login"}
    assert jsonschema_rs.Draft202012Validator(schema, registry=conformance.registry).is_valid(body) is valid
    answer = api.post_json(LOGIN, body, status=200 if valid else 400)
    if not valid:
        assert answer.json == {"non_field_errors": ['Must include "username" and "password".']}
