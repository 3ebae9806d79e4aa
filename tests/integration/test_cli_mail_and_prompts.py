"""`wiwebb send-mail` (deliver, --failed, --retry) and the interactive `createsuperuser`."""

from __future__ import annotations

import pexpect
import webtest

from wiwebb.app import build_app
from wiwebb.settings import load_settings

from .smtp_server import SmtpServer
from .test_cli_support import CHEAP_ARGON2, WIWEBB, one_line, sqlite_cli, users


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




def test_seed_plans_creates_the_default_catalogue_once_in_localstripe(tmp_path, localstripe):
    import json
    import urllib.request

    from sqlalchemy import create_engine, text

    cli = sqlite_cli(tmp_path)
    cli.ok("migrate")
    stripe_env = {"USE_LOCALSTRIPE": "true", "STRIPE_SECRET_KEY": "sk_test_local", "LOCALSTRIPE_URL": localstripe.url}
    assert cli.ok("seed-plans", **stripe_env).stdout == "Created plans: Free, Day Pass, Premium.\n"
    assert cli.ok("seed-plans", **stripe_env).stdout == "The default plans exist already.\n"
    engine = create_engine(f"sqlite:///{cli.sqlite_path}")
    try:
        with engine.connect() as connection:
            plans = connection.execute(text(
                "SELECT p.name, p.\"default\", p.requires_payment, p.auto_renew, p.daily_time_minutes, "
                "p.daily_data_mb, p.stripe_product_id, r.amount, r.interval, r.stripe_price_id "
                "FROM plans p JOIN pricings r ON r.plan_id = p.id ORDER BY p.id")).all()
    finally:
        engine.dispose()
    assert [(p[0], bool(p[1]), bool(p[2]), bool(p[3]), p[4], p[5]) for p in plans] == [
        ("Free", True, False, True, 180, 300), ("Day Pass", False, True, False, None, None),
        ("Premium", False, True, True, None, None)]
    assert plans[0][6] is None and plans[0][9] is None  # Free lives only in WiWebb
    request = urllib.request.Request(f"{localstripe.url}/v1/plans/{plans[2][9]}",
                                     headers={"Authorization": "Bearer sk_test_local"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        stripe_plan = json.load(answer)
    assert (stripe_plan["amount"], stripe_plan["interval"], stripe_plan["product"]) == (20000, "month", plans[2][6])


def test_seed_plans_without_a_payment_provider_says_so_in_one_line(tmp_path):
    cli = sqlite_cli(tmp_path)
    cli.ok("migrate")
    result = cli("seed-plans")
    assert result.returncode == 1 and "STRIPE_SECRET_KEY" in one_line(result)
