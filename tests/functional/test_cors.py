"""CORS with django-cors-headers' semantics."""

from __future__ import annotations

ALLOWED = "http://localhost:5173"


def test_allowed_origin_is_echoed_with_credentials_and_vary(api):
    response = api.get("/api/v1/health/", headers={"Origin": ALLOWED})
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "Origin" in response.headers["Vary"]
    assert response.headers["Access-Control-Expose-Headers"] == "Retry-After, X-Request-ID"


def test_preflight_answers_without_authentication(api):
    response = api.options("/api/v1/auth/user/", headers={
        "Origin": "http://127.0.0.1:5173", "Access-Control-Request-Method": "PATCH",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert response.status_int == 200
    assert response.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:5173"
    assert response.headers["Access-Control-Allow-Methods"] == "DELETE, GET, OPTIONS, PATCH, POST, PUT"
    assert response.headers["Access-Control-Allow-Headers"] == (
        "accept, authorization, content-type, idempotency-key, user-agent, x-requested-with")
    assert response.headers["Access-Control-Max-Age"] == "86400"


def test_disallowed_origin_and_null_get_no_cors_headers(api):
    for origin in ("https://evil.test", "null"):
        for response in (api.get("/api/v1/health/", headers={"Origin": origin}),
                         api.options("/api/v1/auth/login/", headers={"Origin": origin,
                                                                     "Access-Control-Request-Method": "POST"})):
            assert not [h for h in response.headers if h.lower().startswith("access-control-")]


def test_errors_carry_cors_headers(api, make_api, monkeypatch):
    from wiwebb.domain.identity import IdentityService

    headers = {"Origin": ALLOWED}
    for response in (api.get("/api/v1/auth/user/", headers=headers, status=401),
                     api.get("/api/v1/missing/", headers=headers, status=404)):
        assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    throttled = make_api(THROTTLE_RATES="anon=1/minute")
    throttled.get("/api/v1/meta/", headers=headers)
    assert throttled.get("/api/v1/meta/", headers=headers, status=429).headers["Access-Control-Allow-Origin"] == ALLOWED

    def explode(self, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(IdentityService, "login", explode)
    response = api.post_json("/api/v1/auth/login/", {"username": "a", "password": "b"}, headers=headers, status=500)
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED


def test_configured_origins_and_no_credentials(make_api):
    api = make_api(CORS_ALLOWED_ORIGINS="https://console.example.com", CORS_ALLOW_CREDENTIALS="false")
    response = api.get("/api/v1/health/", headers={"Origin": "https://console.example.com"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://console.example.com"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Access-Control-Allow-Origin" not in api.get("/api/v1/health/", headers={"Origin": ALLOWED}).headers


def test_a_preflight_carries_the_security_headers_and_a_request_id(api):
    response = api.options("/api/v1/auth/login/", headers={"Origin": ALLOWED, "Access-Control-Request-Method": "POST"})
    assert response.headers["X-Content-Type-Options"] == "nosniff" and response.headers["X-Request-ID"]
