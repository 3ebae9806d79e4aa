"""`wiwebb send-mail` (deliver, --failed, --retry) and the interactive `createsuperuser`."""

from __future__ import annotations

import pexpect
import webtest

from wiwebb.app import build_app
from wiwebb.settings import load_settings

from .smtp_server import SmtpServer
from .test_cli_support import CHEAP_ARGON2, WIWEBB, sqlite_cli, users


def queue_a_reset_mail_that_fails(cli, dead_port: int) -> None:
    """Through the WSGI app on the command's database: a reset mail to a server that is down,
    with one attempt allowed, so it is failed (and kept) at once."""
    environ = {**CHEAP_ARGON2, "DATABASE_URL": f"sqlite:///{cli.sqlite_path}", "EMAIL_BACKEND": "smtp",
               "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(dead_port), "MAIL_MAX_ATTEMPTS": "1"}
    app = build_app(load_settings({"environment": "test"}, environ=environ, base_dir=cli.folder))
    try:
        api = webtest.TestApp(app)
        api.post_json("/api/v1/auth/registration/", {"username": "alice", "email": "alice@acme.test",
                                                     "password1": "correct-horse-9", "password2": "correct-horse-9"})
        api.post_json("/api/v1/auth/password/reset/", {"email": "alice@acme.test"})
    finally:
        app.adapters.database.engine.dispose()


def test_send_mail_lists_failed_mail_and_retries_it(tmp_path):
    cli = sqlite_cli(tmp_path)
    cli.ok("migrate")
    smtp = SmtpServer()
    queue_a_reset_mail_that_fails(cli, smtp.port)  # nothing listens there yet
    mail_env = {"EMAIL_BACKEND": "smtp", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp.port)}

    failed = cli.ok("send-mail", "--failed", **mail_env).stdout
    assert "to alice@acme.test" in failed and "Reset your WiWebb password" in failed
    assert "1 failed mail(s)" in failed
    assert "0 mail(s) sent" in cli.ok("send-mail", **mail_env).stdout  # failed mail is not retried by itself

    smtp.start()
    try:
        retried = cli.ok("send-mail", "--retry", **mail_env).stdout
        assert "1 failed mail(s) queued again." in retried and "1 mail(s) sent; 0 waiting" in retried
        assert [m["Subject"] for m in smtp.messages] == ["Reset your WiWebb password"]
        assert "0 failed mail(s)" in cli.ok("send-mail", "--failed", **mail_env).stdout
    finally:
        smtp.stop()


def test_createsuperuser_asks_like_django(tmp_path):
    cli = sqlite_cli(tmp_path)
    cli.ok("migrate")
    child = pexpect.spawn(str(WIWEBB), ["createsuperuser"], cwd=str(tmp_path), env=cli.environ(),
                          encoding="utf-8", timeout=30)
    try:
        child.expect("Username")
        child.sendline("root")
        child.expect("Email address")
        child.sendline("root@acme.test")
        child.expect("Password: ")
        child.sendline("123")
        child.expect("Password \\(again\\): ")
        child.sendline("123")
        child.expect("This password is too short")
        child.expect("Bypass password validation and create user anyway\\? \\[y/N\\]: ")
        child.sendline("N")
        child.expect("Password: ")
        child.sendline("correct-horse-9")
        child.expect("Password \\(again\\): ")
        child.sendline("correct-horse-9")
        child.expect("Superuser created successfully.")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert ("root", "root@acme.test", "superadmin") in users(f"sqlite:///{cli.sqlite_path}")


