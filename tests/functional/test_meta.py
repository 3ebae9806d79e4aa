"""`GET /api/v1/meta/`: what a client needs before login, Stripe.js's address included."""

from __future__ import annotations


def test_meta_gives_stripes_own_stripe_js_by_default(make_api):
    meta = make_api(STRIPE_PUBLIC_KEY="pk_test_123").get("/api/v1/meta/").json
    assert meta["stripe_public_key"] == "pk_test_123"
    assert meta["stripe_js_url"] == "https://js.stripe.com/v3/"


def test_meta_gives_localstripes_stand_in_when_localstripe_is_on(make_api):
    api = make_api(USE_LOCALSTRIPE="true", LOCALSTRIPE_URL="http://127.0.0.1:8420/")
    assert api.get("/api/v1/meta/").json["stripe_js_url"] == "http://127.0.0.1:8420/js.stripe.com/v3/"


def test_meta_gives_the_configured_stripe_js_url(make_api):
    api = make_api(USE_LOCALSTRIPE="true", STRIPE_JS_URL="http://localhost:8420/js.stripe.com/v3/")
    assert api.get("/api/v1/meta/").json["stripe_js_url"] == "http://localhost:8420/js.stripe.com/v3/"
