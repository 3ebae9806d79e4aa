"""Settings as the `wiwebb` command reads them (ini, .env, .env.local, environment): a bad or
missing one stops the command with one line naming it, never a traceback."""

from __future__ import annotations

import pytest

from .test_cli_support import Cli, one_line, sqlite_cli

pytestmark = pytest.mark.sqlite

LONG_SECRET = "a-production-secret-key-of-more-than-32-characters"


@pytest.fixture
def cli(tmp_path) -> Cli:
    return sqlite_cli(tmp_path)


@pytest.mark.parametrize(("name", "value"), [
    ("TOKEN_TTL", "abc"),
    ("PORT", "99999"),
    ("DATABASE_WAIT_TIMEOUT", "-1"),
    ("REGISTRATION_OPEN", "maybe"),
    ("LOG_LEVEL", "LOUD"),
    ("ARGON2_MEMORY_COST", "0"),
    ("DATABASE_URL", "not-a-url"),  # named, but its value is not repeated (URLs carry passwords)
    ("DATABASE_URL", "mysql://user:secret@db/wiwebb"),  # a driver that is not installed
    ("DATABASE_URL", "postgresql://user:secret@db:notaport/wiwebb"),
    ("DATABASE_URL", "postgresql://user:secret@db:99999/wiwebb"),
    ("CLEANUP_AGE", "99999999999d"),  # past the calendar's end
])
def test_a_bad_setting_stops_with_one_line_naming_it(cli, name, value):
    result = cli("showmigrations", **{name: value})
    assert result.returncode != 0
    line = one_line(result)
    assert line.startswith(f"wiwebb: {name}: ")
    assert (value in line) == (name != "DATABASE_URL")
    assert result.stdout == ""


@pytest.mark.parametrize("content", ["[app:main]\nuse = egg:wiwebb\n[broken\n", "no sections here\n",
                                     "[server:main]\nport = 1\n", "\udcff\udcfe[app:main]\n",
                                     "[app:main]\nuse = egg:not-installed-anywhere\n"])
def test_an_ini_file_that_cannot_be_read_is_named_in_one_line(cli, content):
    (cli.folder / "broken.ini").write_bytes(content.encode("utf-8", "surrogateescape"))
    result = cli("-c", "broken.ini", "showmigrations")
    assert result.returncode != 0 and result.stdout == ""
    assert one_line(result).startswith("wiwebb: cannot read broken.ini as an ini file with an [app:main] section: ")


def test_a_file_not_named_ini_is_refused_in_one_line(cli):
    (cli.folder / "settings.txt").write_text("[app:main]\nuse = egg:wiwebb\n")
    result = cli("-c", "settings.txt", "showmigrations")
    assert result.returncode != 0
    assert one_line(result).startswith("wiwebb: cannot read settings.txt as an ini file")


def test_a_database_url_scheme_in_capitals_is_read_as_written_in_lower_case(cli):
    assert "0001" in cli.ok("showmigrations", DATABASE_URL=f"SQLite:///{cli.sqlite_path}").stdout


def test_an_unknown_database_kind_names_database(cli):
    result = cli("showmigrations", DATABASE_URL="", DATABASE="mysql")
    assert result.returncode != 0
    assert one_line(result).startswith("wiwebb: DATABASE: ")


def test_env_files_next_to_the_ini_are_read_in_order_then_the_environment(cli):
    (cli.folder / ".env").write_text("# local settings\nTOKEN_TTL=abc\n")
    result = cli("showmigrations")
    assert result.returncode != 0 and "TOKEN_TTL" in one_line(result)

    (cli.folder / ".env.local").write_text("TOKEN_TTL=12h\n")
    cli.ok("showmigrations")

    (cli.folder / ".env.local").write_text("export TOKEN_TTL='xyz'\n")
    cli.ok("showmigrations", TOKEN_TTL="1h")


def test_a_malformed_env_file_line_is_named(cli):
    (cli.folder / ".env").write_text("PORT=8001\nthis is not a setting\n")
    result = cli("showmigrations")
    assert result.returncode != 0
    assert one_line(result) == "wiwebb: .env line 2: expected KEY=value"


def test_production_ini_requires_a_long_enough_secret_key(cli):
    missing = cli("-c", "production.ini", "showmigrations")
    assert missing.returncode != 0
    assert one_line(missing).startswith("wiwebb: SECRET_KEY: ")

    short = cli("-c", "production.ini", "showmigrations", SECRET_KEY="tiny-key-7")
    assert short.returncode != 0
    line = one_line(short)
    assert line.startswith("wiwebb: SECRET_KEY: ") and "tiny-key-7" not in line

    assert cli.ok("-c", "production.ini", "showmigrations", SECRET_KEY=LONG_SECRET,
                  FRONTEND_URL="https://app.example.com").stdout.startswith("api\n")


def test_a_missing_ini_file_is_named(cli):
    result = cli("-c", "nowhere.ini", "showmigrations")
    assert result.returncode != 0
    assert one_line(result) == "wiwebb: no such ini file: nowhere.ini"


def test_a_successful_command_writes_nothing_on_stderr(cli):
    """Not even a third-party warning (Pyramid 2.1's pkg_resources import warns under setuptools >= 81)."""
    result = cli.ok("showmigrations")
    assert result.stderr == ""
    assert cli.ok("migrate").stderr == ""


def test_wiwebb_ini_names_the_ini_file_when_c_is_not_given(cli):
    (cli.folder / "other.ini").write_text((cli.folder / "development.ini").read_text()
                                          .replace("[app:main]", "[app:main]\ntoken_ttl = abc", 1))
    assert cli("showmigrations").returncode == 0  # development.ini by default
    result = cli("showmigrations", WIWEBB_INI="other.ini")
    assert result.returncode != 0 and one_line(result).startswith("wiwebb: TOKEN_TTL: ")
    assert cli("-c", "development.ini", "showmigrations", WIWEBB_INI="other.ini").returncode == 0
