"""`wiwebb migrate` and `wiwebb showmigrations`, run for real on SQLite and PostgreSQL, and what
the command says when the database cannot be reached."""

from __future__ import annotations

from pathlib import Path

import pytest

import wiwebb

from ..conftest import new_postgres_database
from .test_cli_support import (
    TABLES,
    Cli,
    free_port,
    one_line,
    postgres_environ,
    sqlite_cli,
    table_names,
)

# 0001_initial, 0002_..., as shipped in the package, oldest first.
MIGRATIONS = sorted(path.stem for path in (Path(wiwebb.__file__).parent / "migrations" / "versions").glob("0*_*.py"))
FIRST, LAST = MIGRATIONS[0], MIGRATIONS[-1]


def listing(applied: int) -> str:
    """What showmigrations prints when the first `applied` migrations are applied."""
    rows = [f" [{'X' if number < applied else ' '}] {name}\n" for number, name in enumerate(MIGRATIONS)]
    return "api\n" + "".join(rows)


UNAPPLIED, APPLIED = listing(0), listing(len(MIGRATIONS))


@pytest.fixture
def cli(tmp_path) -> Cli:
    return sqlite_cli(tmp_path)


def check_migrate_round_trip(cli: Cli, database_url) -> None:
    """migrate; --fake back to zero, to 0001 and to the last; really back to 0001, to zero, and up."""
    assert cli.ok("showmigrations").stdout == UNAPPLIED

    assert LAST in cli.ok("migrate").stdout
    assert cli.ok("showmigrations", "api").stdout == APPLIED
    tables = table_names(database_url)
    assert tables >= TABLES

    cli.ok("migrate", "--fake", "api", "zero")
    assert cli.ok("showmigrations").stdout == UNAPPLIED
    assert table_names(database_url) == tables, "--fake must not touch the tables"

    cli.ok("migrate", "--fake", "api", "0001")
    shown = cli.ok("showmigrations").stdout
    assert shown.startswith("api\n [X] 0001_initial\n") and shown == listing(1)
    cli.ok("migrate", "--fake", "api", LAST.split("_")[0])
    assert cli.ok("showmigrations").stdout == APPLIED
    assert table_names(database_url) == tables

    cli.ok("migrate", "api", FIRST)  # back to 0001 for real (nothing to do with one migration)
    assert cli.ok("showmigrations").stdout == listing(1)
    assert TABLES <= table_names(database_url)

    assert "zero" in cli.ok("migrate", "api", "zero").stdout
    assert cli.ok("showmigrations").stdout == UNAPPLIED
    assert table_names(database_url) == {"alembic_version"}

    cli.ok("migrate")
    assert table_names(database_url) == tables


@pytest.mark.sqlite
def test_migrate_fake_and_back_to_zero_on_sqlite(cli):
    check_migrate_round_trip(cli, f"sqlite:///{cli.sqlite_path}")


@pytest.mark.postgres
def test_migrate_fake_and_back_to_zero_on_postgres_configured_by_postgres_variables(tmp_path):
    with new_postgres_database() as url:
        cli = Cli.in_folder(tmp_path, **postgres_environ(url))
        assert "DATABASE_URL" not in cli.env
        check_migrate_round_trip(cli, url)


@pytest.mark.sqlite
def test_migrate_twice_is_harmless(cli):
    cli.ok("migrate")
    again = cli.ok("migrate")
    assert "up to date" in again.stdout
    assert cli.ok("showmigrations").stdout == APPLIED


@pytest.mark.sqlite
def test_unknown_migration_name_is_one_line_and_exit_1(cli):
    cli.ok("migrate")
    result = cli("migrate", "api", "0099")
    assert result.returncode == 1
    line = one_line(result)
    assert line.startswith("wiwebb: ") and "'0099'" in line
    assert cli.ok("showmigrations").stdout == APPLIED, "a failed migrate must leave the database alone"

    result = cli("migrate", "--fake", "api", "0099")
    assert result.returncode == 1
    assert "'0099'" in one_line(result)


@pytest.mark.sqlite
def test_unknown_migration_message_keeps_its_closing_quote(cli):
    result = cli("migrate", "api", "0099")
    assert result.stderr == "wiwebb: cannot find a migration matching '0099' in app 'api'\n"


@pytest.mark.sqlite
def test_fake_without_a_name_and_two_names_are_usage_errors(cli):
    fake = cli("migrate", "--fake")
    assert fake.returncode == 2 and "--fake needs a migration name" in one_line(fake)
    two = cli("migrate", "api", "0001", "zero")
    assert two.returncode == 2 and "at most one migration name" in one_line(two)
    assert cli.ok("showmigrations").stdout == UNAPPLIED


def test_unreachable_database_is_waited_for_then_reported_in_one_last_line(cli):
    port = free_port()
    address = f"127.0.0.1:{port}"
    result = cli("migrate", DATABASE_URL=f"postgresql+psycopg2://postgres:hunter2-secret@{address}/x",
                 DATABASE_WAIT_TIMEOUT="2")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert f"waiting for database at {address}" in result.stderr
    last = result.stderr.splitlines()[-1]
    assert last.startswith("wiwebb: ") and address in last and "unreachable" in last
    assert "hunter2-secret" not in result.stderr + result.stdout
