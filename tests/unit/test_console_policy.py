"""The web console's Content-Security-Policy follows STRIPE_JS_URL."""

from __future__ import annotations

from wiwebb.entrypoints.http.console_policy import console_policy


def directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split("; "))}


def test_stripes_own_stripe_js_gets_the_sources_stripe_documents():
    policy = directives(console_policy("https://js.stripe.com/v3/"))

    assert policy["script-src"] == ["'self'", "https://js.stripe.com", "https://*.js.stripe.com"]
    assert policy["frame-src"] == ["https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"]
    assert policy["connect-src"] == ["'self'", "https://api.stripe.com"]


def test_stripes_url_written_otherwise_is_still_stripes():
    for url in ("https://js.stripe.com:443/v3/", "HTTPS://JS.Stripe.com/v3/"):
        assert directives(console_policy(url))["connect-src"] == ["'self'", "https://api.stripe.com"]


def test_a_stand_ins_credentials_never_reach_the_header():
    policy = directives(console_policy("https://user:pw@stripe.example.test:8443/v3/"))
    assert policy["script-src"] == ["'self'", "https://stripe.example.test:8443"]


def test_localstripes_stand_in_is_allowed_its_own_origin_only():
    policy = directives(console_policy("http://127.0.0.1:8420/js.stripe.com/v3/"))

    # Its script calls back the server it came from; its path holds "js.stripe.com" but is no Stripe.
    assert policy["script-src"] == ["'self'", "http://127.0.0.1:8420"]
    assert policy["connect-src"] == ["'self'", "http://127.0.0.1:8420"]
    assert policy["frame-src"] == ["http://127.0.0.1:8420"]


def test_the_page_runs_no_inline_script_and_nobody_frames_it():
    policy = directives(console_policy("https://js.stripe.com/v3/"))

    assert policy["default-src"] == ["'self'"] and "'unsafe-inline'" not in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]
