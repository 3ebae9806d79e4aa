"""STRIPE_JS_URL: where the web console loads Stripe.js from (given by `GET /api/v1/meta/`)."""

from __future__ import annotations

import pytest

from wiwebb.settings import SettingsError, load_settings


def load(tmp_path, environment="development", **environ):
    return load_settings({"environment": environment}, environ=environ, base_dir=tmp_path)


def test_stripes_own_by_default(tmp_path):
    assert load(tmp_path).stripe_js_url == "https://js.stripe.com/v3/"
    assert load(tmp_path, USE_LOCALSTRIPE="false", STRIPE_JS_URL="").stripe_js_url == "https://js.stripe.com/v3/"


def test_localstripes_stand_in_when_localstripe_is_on(tmp_path):
    assert load(tmp_path, USE_LOCALSTRIPE="true").stripe_js_url == "http://127.0.0.1:8420/js.stripe.com/v3/"
    settings = load(tmp_path, USE_LOCALSTRIPE="on", LOCALSTRIPE_URL="http://localstripe:8420/")
    assert settings.stripe_js_url == "http://localstripe:8420/js.stripe.com/v3/"


def test_a_configured_url_wins_and_is_kept_as_written(tmp_path):
    settings = load(tmp_path, USE_LOCALSTRIPE="true", STRIPE_JS_URL=" http://localhost:8420/js.stripe.com/v3/ ")
    assert settings.stripe_js_url == "http://localhost:8420/js.stripe.com/v3/"
    (tmp_path / ".env.local").write_text("STRIPE_JS_URL=https://stripe.example.test/v3/\n")
    assert load(tmp_path, "production", SECRET_KEY="k" * 50, FRONTEND_URL="https://app.example.test",
                EMAIL_BACKEND="smtp").stripe_js_url == "https://stripe.example.test/v3/"


def test_a_bad_url_is_named(tmp_path):
    with pytest.raises(SettingsError, match=r"^STRIPE_JS_URL: expected an http"):
        load(tmp_path, STRIPE_JS_URL="js.stripe.com/v3/")
