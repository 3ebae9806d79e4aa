"""`wiwebb dbshell`: sqlite3 or psql on the configured database, fed on stdin."""

from __future__ import annotations

import shutil

import pytest

from ..conftest import new_postgres_database
from .test_cli_support import TABLES, Cli, one_line, postgres_environ, sqlite_cli


@pytest.mark.sqlite
@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="the sqlite3 shell is not installed")
def test_dbshell_opens_sqlite3_on_the_database_file(tmp_path):
    cli = sqlite_cli(tmp_path)
    cli.ok("migrate")
    result = cli.ok("dbshell", stdin=".tables\n")
    assert TABLES <= set(result.stdout.split())


@pytest.mark.sqlite
def test_dbshell_without_the_shell_installed_says_what_to_install(tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    cli = sqlite_cli(tmp_path)
    result = cli("dbshell", stdin=".tables\n", PATH=str(empty))
    assert result.returncode == 1
    line = one_line(result)
    assert "sqlite3 is not installed" in line and "apt install sqlite3" in line


@pytest.mark.postgres
@pytest.mark.skipif(shutil.which("psql") is None, reason="psql is not installed")
def test_dbshell_opens_psql_on_the_postgres_database(tmp_path):
    with new_postgres_database() as url:
        cli = Cli.in_folder(tmp_path, **postgres_environ(url))
        cli.ok("migrate")
        listing = cli.ok("dbshell", stdin="\\dt\n")
        assert TABLES <= {cell.strip() for line in listing.stdout.splitlines() for cell in line.split("|")}

        counted = cli.ok("dbshell", stdin="select count(*) as how_many from users;\n")
        lines = [line.strip() for line in counted.stdout.splitlines()]
        assert lines[0] == "how_many" and lines[2:4] == ["0", "(1 row)"], counted.stdout
