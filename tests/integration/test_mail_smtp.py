"""Mail through a real SMTP server: the reset mail arrives with its link; a server that is down
loses nothing, and the mail arrives once, exactly once, when it is back."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
import webtest

from wiwebb.app import build_app

from ..conftest import make_settings
from .smtp_server import SmtpServer


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def make_app(sqlite_database, tmp_path, smtp):
    def make(**overrides):
        settings = make_settings(sqlite_database.url.render_as_string(False), tmp_path, EMAIL_BACKEND="smtp",
                                 EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp.port), EMAIL_TIMEOUT="5",
                                 DEFAULT_FROM_EMAIL="WiWebb <accounts@wiwebb.test>", **overrides)
        app = build_app(settings, database=sqlite_database, wait_for_database=False)
        return webtest.TestApp(app), app.adapters

    return make


def register_and_ask_reset(api):
    api.post_json("/api/v1/auth/registration/", {"username": "alice", "email": "alice@acme.test",
                                                 "password1": "correct-horse-9", "password2": "correct-horse-9"})
    api.post_json("/api/v1/auth/password/reset/", {"email": "alice@acme.test"})


def later(adapters, seconds):
    """Move the application's clock forward (retries are scheduled in its time)."""
    clock = adapters.clock
    now = clock.now
    clock.now = lambda: now() + timedelta(seconds=seconds)


def test_reset_mail_arrives_with_its_link_in_text_and_html(make_app, smtp):
    api, _ = make_app(FRONTEND_URL="https://console.acme.test")
    register_and_ask_reset(api)
    [message] = smtp.messages
    assert message["To"] == "alice@acme.test" and message["From"] == "WiWebb <accounts@wiwebb.test>"
    assert message["Subject"] == "Reset your WiWebb password" and message["Message-ID"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    link = re.search(r"https://console\.acme\.test/reset-password/[^/\s]+/[^/\s]+/", text).group(0)
    assert f'href="{link}"' in html
    uid, token = link.rstrip("/").split("/")[-2:]
    api.post_json("/api/v1/auth/password/reset/confirm/", {
        "uid": uid, "token": token, "new_password1": "brand-new-pass-1", "new_password2": "brand-new-pass-1"})
    api.post_json("/api/v1/auth/login/", {"username": "alice", "password": "brand-new-pass-1"})


def test_a_server_down_delays_the_mail_and_it_arrives_once(make_app, smtp, caplog):
    api, adapters = make_app()
    smtp.stop()
    with caplog.at_level(logging.WARNING, logger="wiwebb.mail"):
        register_and_ask_reset(api)  # the request succeeds all the same
    assert any("not delivered" in r.getMessage() for r in caplog.records)
    [pending] = adapters.mail_queue.pending()
    assert pending.attempts == 1 and pending.last_error
    smtp.start()
    assert adapters.deliver_mail() == 0  # not due yet: backoff
    later(adapters, 31)
    assert adapters.deliver_mail() == 1
    assert adapters.deliver_mail() == 0
    [message] = smtp.messages
    assert message["Message-ID"] == pending.mail.message_id
    assert adapters.mail_queue.pending() == []


def test_after_the_last_attempt_the_mail_is_failed_but_kept_and_can_be_retried(make_app, smtp, caplog):
    api, adapters = make_app(MAIL_MAX_ATTEMPTS="2")
    smtp.stop()
    register_and_ask_reset(api)
    later(adapters, 40)
    with caplog.at_level(logging.ERROR, logger="wiwebb.mail"):
        adapters.deliver_mail()
    assert any("failed for good" in r.getMessage() for r in caplog.records)
    [failed] = adapters.mail_delivery.failed()
    assert failed.attempts == 2 and failed.failed_at is not None
    assert adapters.mail_queue.pending() == []
    smtp.start()
    assert adapters.mail_delivery.retry_failed() == 1
    assert adapters.deliver_mail() == 1
    assert len(smtp.messages) == 1 and adapters.mail_delivery.failed() == []


def test_sent_mail_is_kept_30_days_then_purged_but_pending_and_failed_mail_never(make_app, smtp):
    from sqlalchemy import text

    api, adapters = make_app()
    register_and_ask_reset(api)  # sent at once
    smtp.stop()
    api.post_json("/api/v1/auth/password/reset/", {"email": "alice@acme.test"})  # waits for a retry

    def rows():
        with adapters.database.engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM mail_outbox")).scalar()

    assert rows() == 2
    later(adapters, 29 * 86400)
    adapters.deliver_mail()
    assert rows() == 2
    later(adapters, 2 * 86400)
    adapters.deliver_mail()
    assert rows() == 1 and len(adapters.mail_queue.pending()) == 1
