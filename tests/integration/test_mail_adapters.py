"""The console mailer, the worker thread, and delivery by a serving app's worker."""

from __future__ import annotations

import logging
import threading

import webtest

from wiwebb.adapters.mail import ConsoleMailer, InMemoryMailer, MailWorker
from wiwebb.app import build_app
from wiwebb.domain.model import OutgoingMail

from ..conftest import make_settings

LINK = "http://localhost:8000/reset-password/MQ/diropd-e08e686c91735fb2d7712050890c5d08/"


def test_console_mailer_logs_the_text_with_its_link_whole(caplog):
    with caplog.at_level(logging.INFO, logger="wiwebb.mail"):
        ConsoleMailer().send(OutgoingMail(to="a@b.test", subject="Hi", text=f"Open {LINK}\n", html="<p>x</p>"))
    assert LINK in caplog.text and "To: a@b.test" in caplog.text


def test_worker_delivers_when_woken_and_survives_errors():
    rounds = []
    done = threading.Event()

    def deliver():
        rounds.append(1)
        if len(rounds) == 1:
            raise RuntimeError("database away")
        done.set()
        return 0

    worker = MailWorker(deliver, interval=3600)
    worker.start()
    try:
        worker.wake()
        while len(rounds) < 1:
            threading.Event().wait(0.01)
        worker.wake()
        assert done.wait(10)
        assert worker.running
    finally:
        worker.stop()
    assert not worker.running


def test_a_serving_app_delivers_from_its_worker(sqlite_database, tmp_path):
    mailer = InMemoryMailer()
    settings = make_settings(sqlite_database.url.render_as_string(False), tmp_path)
    app = build_app(settings, database=sqlite_database, mailer=mailer, wait_for_database=False,
                    start_mail_worker=True)
    try:
        api = webtest.TestApp(app)
        api.post_json("/api/v1/auth/registration/", {"username": "alice", "email": "alice@acme.test",
                                                     "password1": "correct-horse-9", "password2": "correct-horse-9"})
        api.post_json("/api/v1/auth/password/reset/", {"email": "alice@acme.test"})
        for _ in range(500):
            if mailer.sent:
                break
            threading.Event().wait(0.01)
        assert [m.subject for m in mailer.sent] == ["Reset your WiWebb password"]
    finally:
        app.adapters.mail_worker.stop()
        app.cleanup_task.stop()
