"""Tokens, passwords and card data never reach the log (SMTP backend: only the console backend,
development only, writes whole mails), in the records and in the JSON lines production writes,
even at DEBUG with SQLAlchemy's statement logging on; and throttling state is shared
through Redis."""

from __future__ import annotations

import json
import logging
import random
import re
import time

import stripe
import webtest

from wiwebb.adapters.mail import InMemoryMailer
from wiwebb.app import build_app

from ..conftest import make_settings
from .log_capture import captured_logs
from .smtp_server import SmtpServer
from .test_ratelimit import redis_url  # noqa: F401 - the fixture


def test_login_failed_login_password_change_and_reset_log_no_secret(sqlite_database, tmp_path, caplog):
    smtp = SmtpServer()
    smtp.start()
    try:
        settings = make_settings(sqlite_database.url.render_as_string(False), tmp_path, EMAIL_BACKEND="smtp",
                                 EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp.port), LOG_LEVEL="DEBUG")
        api = webtest.TestApp(build_app(settings, database=sqlite_database, wait_for_database=False))
        with caplog.at_level(logging.DEBUG):
            key = api.post_json("/api/v1/auth/registration/", {
                "username": "alice", "email": "alice@acme.test", "password1": "First-secret-41",
                "password2": "First-secret-41"}).json["key"]
            api.post_json("/api/v1/auth/login/", {"username": "alice", "password": "Wrong-secret-42"}, status=400)
            login_key = api.post_json("/api/v1/auth/login/", {"username": "alice",
                                                              "password": "First-secret-41"}).json["key"]
            api.post_json("/api/v1/auth/password/change/", {
                "old_password": "First-secret-41", "new_password1": "Second-secret-43",
                "new_password2": "Second-secret-43"}, headers={"Authorization": f"Token {key}"})
            api.post_json("/api/v1/auth/password/reset/", {"email": "alice@acme.test"})
            api.get("/api/v1/auth/user/", headers={"Authorization": f"Token {login_key}"}, status=401)
        # everything the service logged (not what the test's SMTP server, logger mail.log, logs)
        ours = [r for r in caplog.records if not r.name.startswith("mail.log")]
        text = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in ours)
        assert any(r.name.startswith("wiwebb") for r in ours)  # something was logged, or this proves nothing
        for secret in ("First-secret-41", "Wrong-secret-42", "Second-secret-43", key, login_key, key[8:]):
            assert secret not in text
        reset_mail = smtp.messages[-1].get_body(("plain",)).get_content()
        token = reset_mail.split("/reset-password/")[1].split("/")[1]
        assert token not in text
    finally:
        smtp.stop()


def test_throttle_state_is_shared_between_processes_through_redis(sqlite_database, tmp_path, redis_url):  # noqa: F811
    settings = make_settings(sqlite_database.url.render_as_string(False), tmp_path, REDIS_URL=redis_url,
                             THROTTLE_RATES="login=2/minute")
    first, second = (webtest.TestApp(build_app(settings, database=sqlite_database, wait_for_database=False))
                     for _ in range(2))
    client = {"REMOTE_ADDR": f"192.0.2.{random.randint(1, 250)}"}
    body = {"username": f"nobody{random.random()}", "password": "x"}
    first.post_json("/api/v1/auth/login/", body, extra_environ=client, status=400)
    second.post_json("/api/v1/auth/login/", body, extra_environ=client, status=400)
    first.post_json("/api/v1/auth/login/", body, extra_environ=client, status=429)
    second.post_json("/api/v1/auth/login/", body, extra_environ=client, status=429)


CARD_NUMBER, CARD_CVC, CARD_EXPIRY = "4242424242424242", "987", "2031-07"
WEBHOOK_SECRET = "whsec_log_hygiene"


def _signed_post(api: webtest.TestApp, event: dict, status: int) -> None:
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(payload, WEBHOOK_SECRET, timestamp=int(time.time()))
    api.post("/api/v1/payments/webhook/", payload, status=status,
             headers={"Stripe-Signature": header, "Content-Type": "application/json"})


def test_the_json_log_at_debug_with_statement_logging_carries_no_secret_and_no_card(sqlite_database, tmp_path):
    mailer = InMemoryMailer()
    settings = make_settings(sqlite_database.url.render_as_string(False), tmp_path, LOG_LEVEL="DEBUG",
                             STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    api = webtest.TestApp(build_app(settings, database=sqlite_database, mailer=mailer, wait_for_database=False))
    card = {"number": CARD_NUMBER, "cvc": CARD_CVC, "exp": CARD_EXPIRY, "brand": "visa", "last4": "4242"}
    # sqlalchemy.engine at INFO logs every statement (as development.ini's comment suggests). Not at
    # DEBUG: that level logs the rows fetched, table contents (a queued reset mail's link) included.
    with captured_logs(levels={"wiwebb": logging.DEBUG, "sqlalchemy.engine": logging.INFO}) as logs:
        key = api.post_json("/api/v1/auth/registration/", {
            "username": "bob", "email": "bob@acme.test", "password1": "Reg-secret-51",
            "password2": "Reg-secret-51"}).json["key"]
        api.post_json("/api/v1/auth/login/", {"username": "bob", "password": "Bad-secret-52"}, status=400)
        login_key = api.post_json("/api/v1/auth/login/", {"username": "bob", "password": "Reg-secret-51"}).json["key"]
        auth = {"Authorization": f"Token {login_key}"}
        api.post_json("/api/v1/auth/password/change/", {
            "old_password": "Reg-secret-51", "new_password1": "Changed-secret-53",
            "new_password2": "Changed-secret-53"}, headers=auth)
        api.post_json("/api/v1/auth/password/reset/", {"email": "bob@acme.test"})
        uid, reset_token = re.search(r"/reset-password/([^/\s]+)/([^/\s]+)/", mailer.sent[-1].text).groups()
        api.post_json("/api/v1/auth/password/reset/confirm/", {
            "uid": uid, "token": reset_token, "new_password1": "Reset-secret-54", "new_password2": "Reset-secret-54"})
        api.get("/api/v1/auth/user/", headers={"Authorization": f"Token {key}"}, status=401)
        _signed_post(api, {"id": "evt_card_1", "object": "event", "type": "charge.succeeded", "created": 1,
                           "data": {"object": {"object": "charge", "id": "ch_1", "payment_method_details": {
                               "card": card}}}}, status=200)
        # a payment_intent without its required fields: refused as malformed, and the reason logged
        _signed_post(api, {"id": "evt_card_2", "object": "event", "type": "payment_intent.succeeded", "created": 1,
                           "data": {"object": {"object": "payment_intent", "card": card}}}, status=400)
    lines = logs.lines()  # every line one JSON object
    loggers = {line["logger"] for line in lines}
    assert "wiwebb.access" in loggers and any(name.startswith("sqlalchemy.engine") for name in loggers), loggers
    assert any("Stripe webhook evt_card_1" in line["message"] for line in lines)
    assert any("Stripe webhook refused" in line["message"] for line in lines)
    for secret in ("Reg-secret-51", "Bad-secret-52", "Changed-secret-53", "Reset-secret-54", key, login_key,
                   key[8:], login_key[8:], reset_token, CARD_NUMBER, CARD_EXPIRY, f'"{CARD_CVC}"'):
        assert secret not in logs.text, secret
