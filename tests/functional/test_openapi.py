"""The OpenAPI description (`/api/v1/schema/`) and its page (`/api/v1/docs/`): valid OpenAPI 3.1,
every route of the app and nothing else, and every 4xx an operation can answer documented."""

from __future__ import annotations

import copy
import re

import pytest
import schemathesis
from jsonschema_rs import ValidationError
from pyramid.security import NO_PERMISSION_REQUIRED

from wiwebb.domain.rbac import MATRIX, Permission, Scope
from wiwebb.entrypoints.http.openapi_page import content_security_policy

SCHEMA, DOCS = "/api/v1/schema/", "/api/v1/docs/"
pytestmark = pytest.mark.postgres


@pytest.fixture
def database(postgres_database):
    return postgres_database


@pytest.fixture
def description(api):
    return api.get(SCHEMA).json


def app_routes(wsgi_app) -> dict[str, tuple[str, dict[str, object]]]:
    """{route name: (pattern, {method: the view routes.py was given})}, from Pyramid's introspector."""
    found = {}
    for item in wsgi_app.registry.introspector.get_category("routes"):
        views = {}
        for related in item["related"]:
            methods = related["request_methods"] if related.category_name == "views" else None
            if methods:
                for method in (methods,) if isinstance(methods, str) else methods:
                    views[method] = related["callable"].__wrapped__
        found[item["introspectable"]["name"]] = (item["introspectable"]["pattern"], views)
    return found


def as_openapi(pattern: str) -> str:
    return re.sub(r"\{(\w+):[^}]*\}", r"{\1}", pattern)


def test_the_description_is_valid_openapi_3_1(description):
    assert description["openapi"] == "3.1.0"
    schemathesis.openapi.from_dict(description).validate()
    broken = copy.deepcopy(description)
    broken["paths"]["/api/v1/meta/"]["get"]["responses"] = "none"
    with pytest.raises(ValidationError):
        schemathesis.openapi.from_dict(broken).validate()


def test_it_is_served_without_credentials_and_names_the_token_scheme(api, description):
    assert description["components"]["securitySchemes"]["Token"] == {
        "type": "apiKey", "in": "header", "name": "Authorization",
        "description": "`Token <key>`: the keyword `Token`, a space, and the 40-character key."}
    assert api.get(SCHEMA, headers={"Authorization": "Token nope"}, status=401).json == {"detail": "Invalid token."}


def test_every_route_is_described_and_every_described_path_is_a_route(wsgi_app, description):
    routes = {as_openapi(pattern): set(views) for pattern, views in app_routes(wsgi_app).values()}
    described = {path: {method.upper() for method in operations} for path, operations in description["paths"].items()}
    assert described == routes
    assert "/api/v1/meta/" in described and "/api/v1/schema/" in described and "/api/v1/docs/" in described
    assert len(routes) > 40


# The contract's endpoints (/work/shared/API.md), written by hand: a route that disappears, or one
# that appears without being in the contract, fails the test below.
CONTRACT = {
    "/api/v1/auth/login/": {"POST"},
    "/api/v1/auth/logout/": {"POST"},
    "/api/v1/auth/registration/": {"POST"},
    "/api/v1/auth/user/": {"GET", "PUT", "PATCH"},
    "/api/v1/auth/password/change/": {"POST"},
    "/api/v1/auth/password/reset/": {"POST"},
    "/api/v1/auth/password/reset/confirm/": {"POST"},
    "/api/v1/auth/tokens/": {"GET"},
    "/api/v1/auth/tokens/{token_id}/": {"DELETE"},
    "/api/v1/tenants/": {"GET", "POST"},
    "/api/v1/tenants/me/": {"GET", "PATCH"},
    "/api/v1/tenants/{tenant_id}/": {"GET", "PUT", "PATCH", "DELETE"},
    "/api/v1/users/": {"GET", "POST"},
    "/api/v1/users/{user_id}/": {"GET", "PUT", "PATCH", "DELETE"},
    "/api/v1/users/{user_id}/activate/": {"POST"},
    "/api/v1/users/{user_id}/assign-role/": {"POST"},
    "/api/v1/users/{user_id}/set-password/": {"POST"},
    "/api/v1/audit-logs/": {"GET"},
    "/api/v1/dashboard/stats/": {"GET"},
    "/api/v1/subscriptions/plans/": {"GET"},
    "/api/v1/plans/": {"GET", "POST"},
    "/api/v1/plans/{plan_id}/": {"GET", "PATCH", "DELETE"},
    "/api/v1/plans/{plan_id}/pricings/": {"POST"},
    "/api/v1/plans/{plan_id}/pricings/{pricing_id}/": {"DELETE"},
    "/api/v1/subscriptions/": {"GET"},
    "/api/v1/subscriptions/subscribe/": {"POST"},
    "/api/v1/subscriptions/cancel/": {"POST"},
    "/api/v1/subscriptions/change/": {"POST"},
    "/api/v1/subscriptions/resume/": {"POST"},
    "/api/v1/subscriptions/payment-method/": {"POST"},
    "/api/v1/subscriptions/setup-intent/": {"POST"},
    "/api/v1/subscriptions/status/": {"GET"},
    "/api/v1/subscriptions/me/limits/": {"GET"},
    "/api/v1/subscriptions/invoices/": {"GET"},
    "/api/v1/payments/": {"GET", "POST"},
    "/api/v1/payments/{payment_id}/": {"GET"},
    "/api/v1/payments/{payment_id}/capture/": {"POST"},
    "/api/v1/payments/{payment_id}/refund/": {"POST"},
    "/api/v1/payments/{payment_id}/logs/": {"GET"},
    "/api/v1/payments/webhook/": {"POST"},
    "/api/v1/webhooks/stripe/": {"POST"},
    "/api/v1/health/": {"GET"},
    "/api/v1/meta/": {"GET"},
    "/api/v1/schema/": {"GET"},
    "/api/v1/docs/": {"GET"},
}


def test_the_described_operations_are_the_contracts_endpoints(description):
    described = {path: {method.upper() for method in operations} for path, operations in description["paths"].items()}
    assert described == CONTRACT


def expected_errors(pattern: str, view, operation: dict) -> set[int]:
    """The 4xx a view can answer, from what it declares (not from the description's own code)."""
    errors = set()
    if view.permission != NO_PERMISSION_REQUIRED:
        errors.add(401)  # no credentials, or a bad token even where no login is needed
    if view.permission in set(Permission) and any(
            scope in (Scope.DENIED, Scope.ALL_BUT_SUPERADMINS, Scope.OWN_TENANT_SUBSCRIBERS)
            for scope in MATRIX[Permission(view.permission)].values()):
        errors.add(403)
    if "{" in pattern:
        errors.add(404)
    if "requestBody" in operation:
        errors.add(400)
        if "webhook" not in pattern:  # Stripe's events are verified as raw bytes, whatever their type
            errors.add(415)
    if any(p["in"] == "query" and p["name"] not in ("page", "page_size") for p in operation.get("parameters", [])):
        errors.add(400)  # a filter's value (a bad page is 404, a bad size the default)
    if "page" in {p["name"] for p in operation.get("parameters", [])}:
        errors.add(404)  # `Invalid page.`
    if view.throttle is not None:
        errors.add(429)
    return errors


def test_every_4xx_an_operation_can_answer_is_documented(wsgi_app, description):
    missing = {}
    for name, (pattern, views) in app_routes(wsgi_app).items():
        for method, view in views.items():
            operation = description["paths"][as_openapi(pattern)][method.lower()]
            documented = {int(status) for status in operation["responses"]}
            if absent := expected_errors(pattern, view, operation) - documented:
                missing[f"{method} {pattern}"] = sorted(absent)
    assert missing == {}


def test_paid_operations_document_503_and_lists_the_envelope(description):
    paths = description["paths"]
    for path in ("/api/v1/subscriptions/subscribe/", "/api/v1/payments/"):
        assert "503" in paths[path]["post"]["responses"]
    assert paths["/api/v1/subscriptions/subscribe/"]["post"]["responses"]["409"] == {
        "$ref": "#/components/responses/Conflict"}
    throttled = description["components"]["responses"]["Throttled"]
    assert "Retry-After" in throttled["headers"]
    users = paths["/api/v1/users/"]["get"]
    envelope = users["responses"]["200"]["content"]["application/json"]["schema"]
    assert envelope["required"] == ["count", "next", "previous", "results"]
    assert envelope["properties"]["results"]["items"] == {"$ref": "#/components/schemas/User"}
    assert {p["name"] for p in users["parameters"]} == {
        "tenant", "role", "is_active", "search", "ordering", "page", "page_size"}
    assert paths["/api/v1/users/"]["post"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/UserCreate"}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Token 0000"}], ids=["anonymous", "bad token"])
def test_the_answer_to_each_operation_without_a_login_is_documented(wsgi_app, api, description, headers):
    undocumented = {}
    for path, operations in description["paths"].items():
        concrete = re.sub(r"\{\w+\}", "1", path)
        for method, operation in operations.items():
            response = api.request(concrete, method=method.upper(), headers=headers, expect_errors=True)
            if str(response.status_int) not in operation["responses"]:
                undocumented[f"{method.upper()} {path}"] = response.status_int
    assert undocumented == {}


def test_meta_is_described_without_login(description):
    meta = description["paths"]["/api/v1/meta/"]["get"]
    assert meta["security"] == [{}, {"Token": []}]
    assert description["components"]["schemas"]["Meta"]["required"] == [
        "version", "registration_open", "stripe_public_key", "stripe_js_url", "password_min_length"]


def test_the_docs_page_is_self_contained_html(api, description):
    page = api.get(DOCS)
    assert page.content_type == "text/html"
    assert page.headers["Content-Security-Policy"] == content_security_policy()
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert "<script" not in page.text and not re.search(r"(src|href)=['\"]?https?:", page.text)
    for path in description["paths"]:
        assert f"<code>{path}</code>" in page.text
    assert "id='schema-User'" in page.text and "Token" in page.text
