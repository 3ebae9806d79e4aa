"""Tokens and passwords never reach the log (SMTP backend: only the console backend, development
only, writes whole mails), and throttling state is shared through Redis."""

from __future__ import annotations

import logging
import random

import webtest

from wiwebb.app import build_app

from ..conftest import make_settings
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
