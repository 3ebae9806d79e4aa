"""`wiwebb createsuperuser` and `wiwebb ensure-superuser`: the user they create is a real
superadmin (read back from the table, and logged in through the WSGI application)."""

from __future__ import annotations

import re
import sqlite3

import pytest

from .test_cli_support import Cli, current_user, one_line, sqlite_cli, users

pytestmark = pytest.mark.sqlite

BOSS = {"WIWEBB_SUPERUSER_USERNAME": "boss", "WIWEBB_SUPERUSER_EMAIL": "boss@acme.test",
        "WIWEBB_SUPERUSER_PASSWORD": "correct-horse-battery-9"}


@pytest.fixture
def cli(tmp_path) -> Cli:
    cli = sqlite_cli(tmp_path)
    cli.ok("migrate")
    return cli


@pytest.fixture
def database_url(cli) -> str:
    return cli.env["DATABASE_URL"]


def test_createsuperuser_noinput_takes_the_superuser_variables(cli, database_url):
    result = cli.ok("createsuperuser", "--noinput", **BOSS)
    assert result.stdout == "Superuser created successfully.\n"
    assert users(database_url) == [("boss", "boss@acme.test", "superadmin")]

    me = current_user(database_url, cli.folder, "boss", BOSS["WIWEBB_SUPERUSER_PASSWORD"])
    assert me["username"] == "boss" and me["role"] == "superadmin"
    assert me["is_staff"] is True and me["is_superuser"] is True


def test_createsuperuser_options_win_over_the_variables(cli, database_url):
    cli.ok("createsuperuser", "--noinput", "--username", "chief", "--email", "chief@acme.test", **BOSS)
    assert users(database_url) == [("chief", "chief@acme.test", "superadmin")]


def test_createsuperuser_noinput_without_a_password_says_so_in_one_line(cli, database_url):
    result = cli("createsuperuser", "--noinput", "--username", "boss", stdin="")
    assert result.returncode == 1
    assert "WIWEBB_SUPERUSER_PASSWORD" in one_line(result)
    assert users(database_url) == []


def test_createsuperuser_refuses_a_weak_password_with_djangos_messages_on_one_line(cli, database_url):
    result = cli("createsuperuser", "--noinput", **{**BOSS, "WIWEBB_SUPERUSER_PASSWORD": "123"})
    assert result.returncode == 1
    line = one_line(result)
    assert line.startswith("wiwebb: password: ")
    for message in ("This password is too short. It must contain at least 8 characters.",
                    "This password is too common.", "This password is entirely numeric."):
        assert message in line
    assert users(database_url) == []


def test_createsuperuser_twice_reports_the_taken_username(cli, database_url):
    cli.ok("createsuperuser", "--noinput", **BOSS)
    result = cli("createsuperuser", "--noinput", **{**BOSS, "WIWEBB_SUPERUSER_EMAIL": "other@acme.test"})
    assert result.returncode == 1
    assert one_line(result).startswith("wiwebb: username: ")
    assert users(database_url) == [("boss", "boss@acme.test", "superadmin")]


def test_ensure_superuser_prints_a_generated_password_once(cli, database_url):
    first = cli.ok("ensure-superuser")
    found = re.search(r"Created superadmin 'admin' with password: (\S+)\n", first.stdout)
    assert found, first.stdout
    password = found.group(1)
    assert "shown only once" in first.stdout
    assert users(database_url) == [("admin", "admin@example.com", "superadmin")]

    me = current_user(database_url, cli.folder, "admin", password)
    assert me["is_staff"] is True and me["is_superuser"] is True

    second = cli.ok("ensure-superuser")
    assert second.stdout == "A superadmin exists.\n"
    assert password not in second.stdout + second.stderr
    assert len(users(database_url)) == 1


def test_ensure_superuser_with_a_password_does_not_print_it(cli, database_url):
    result = cli.ok("ensure-superuser", **BOSS)
    assert result.stdout == "Created superadmin 'boss' from WIWEBB_SUPERUSER_*.\n"
    assert BOSS["WIWEBB_SUPERUSER_PASSWORD"] not in result.stdout + result.stderr
    assert current_user(database_url, cli.folder, "boss", BOSS["WIWEBB_SUPERUSER_PASSWORD"])["is_superuser"]


def test_superuser_commands_before_migrate_say_so_in_one_line(tmp_path):
    cli = sqlite_cli(tmp_path)
    for args in (("ensure-superuser",), ("createsuperuser", "--noinput")):
        result = cli(*args, **BOSS)
        assert result.returncode == 1
        assert "migrate" in one_line(result)


def test_ensure_superuser_in_production_mails_a_link_instead_of_printing_a_password(cli, database_url):
    """Under production.ini what the command prints ends in the container's log: no password there."""
    from .smtp_server import SmtpServer

    smtp = SmtpServer()
    smtp.start()
    try:
        result = cli.ok("-c", "production.ini", "ensure-superuser", SECRET_KEY="s" * 40,
                        FRONTEND_URL="https://console.acme.test", EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp.port),
                        WIWEBB_SUPERUSER_USERNAME="boss", WIWEBB_SUPERUSER_EMAIL="boss@acme.test")
    finally:
        smtp.stop()
    assert result.stdout == ("Created superadmin 'boss' without a password; a link to choose one is mailed to "
                             "boss@acme.test (retried until delivered; or set WIWEBB_SUPERUSER_PASSWORD before the "
                             "first start).\n")
    assert "password:" not in result.stdout + result.stderr
    assert users(database_url) == [("boss", "boss@acme.test", "superadmin")]
    [mail] = smtp.messages
    assert mail["To"] == "boss@acme.test"
    assert re.search(r"https://console\.acme\.test/reset-password/[^/\s]+/[^/\s]+/",
                     mail.get_body(("plain",)).get_content())


def test_ensure_superuser_in_production_refuses_to_invite_the_example_address(cli, database_url):
    result = cli("-c", "production.ini", "ensure-superuser", SECRET_KEY="s" * 40,
                 FRONTEND_URL="https://console.acme.test", EMAIL_HOST="127.0.0.1", EMAIL_PORT="1")
    assert result.returncode == 1
    assert one_line(result) == ("wiwebb: email: admin@example.com cannot receive the link to choose a password: "
                                "give a real address, or a password.")
    assert users(database_url) == []


def test_ensure_superuser_when_one_exists_sends_no_mail_and_does_not_wait_on_smtp(cli, database_url):
    """The container runs it at every start: with nothing queued by it, the outbox is left to the server."""
    cli.ok("ensure-superuser", **BOSS)
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:  # mail due, SMTP unreachable
        connection.execute(
            "INSERT INTO mail_outbox (message_id, to_address, from_address, subject, text_body, html_body, "
            "last_error, created_at, next_attempt_at, attempts) VALUES ('<m@x>', 'a@acme.test', 'w@acme.test', "
            "'Hi', 'Hi', '', '', '2020-01-01 00:00:00', '2020-01-01 00:00:00', 0)")
    result = cli.ok("ensure-superuser", EMAIL_BACKEND="smtp", EMAIL_HOST="127.0.0.1", EMAIL_PORT="1")
    assert result.stdout == "A superadmin exists.\n" and "mail" not in result.stderr
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
        assert connection.execute("SELECT attempts, sent_at FROM mail_outbox").fetchall() == [(0, None)]
