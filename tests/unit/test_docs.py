"""The documentation site builds strictly, and its pages agree with the code: every setting is on
the configuration page (and nothing there is a setting the code does not read), the permission
table is `MATRIX`, every `wiwebb` command is listed, and the migration the pages tell operators to
fake up to is the newest."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from wiwebb.domain.model import Role
from wiwebb.domain.rbac import MATRIX, Permission, Scope
from wiwebb.entrypoints.cli import _parser
from wiwebb.settings import DEFINITIONS, NAMES

PROJECT = Path(__file__).resolve().parents[2]
DOCS = PROJECT / "docs"
MKDOCS = Path(sys.executable).parent / "mkdocs"
# Pages written by other parts of the project, not checked for setting names here.
NOT_OURS = {"deployment.md"}
# Upper-case names with an underscore that the pages mention and that are not WiWebb settings.
NOT_SETTINGS = {
    "VITE_API_URL",  # the web console's build setting (troubleshooting.md)
    "REMOTE_ADDR",  # the WSGI variable holding the client's address (security.md)
    "WIWEBB_TEST_POSTGRES_URL",  # read by the test suite, not by WiWebb (testing.md)
    "ERR_CONNECTION_REFUSED",  # a browser's error (troubleshooting.md)
}
SETTING_LIKE = re.compile(r"`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?:=[^`]*)?`")


def read(page: str) -> str:
    return (DOCS / page).read_text(encoding="utf-8")


def tables(markdown: str, first_header: str) -> list[list[list[str]]]:
    """The rows (cells stripped) of every table whose first header cell is `first_header`."""
    found: list[list[list[str]]] = []
    current: list[list[str]] | None = None
    in_table = False
    for line in markdown.splitlines():
        if not line.startswith("|"):
            in_table, current = False, None
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if not in_table:  # the header row
            in_table = True
            if cells[0] == first_header:
                current = []
                found.append(current)
        elif current is not None and not set("".join(cells)) <= set("-: "):
            current.append(cells)
    return found


def test_the_site_builds_strictly(tmp_path):
    result = subprocess.run([str(MKDOCS), "build", "--strict", "--config-file", str(PROJECT / "mkdocs.yml"),
                             "--site-dir", str(tmp_path / "site")], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "site" / "troubleshooting" / "index.html").is_file()


def test_every_page_is_in_the_nav_and_the_nav_has_the_issues_pages():
    config = yaml.safe_load((PROJECT / "mkdocs.yml").read_text(encoding="utf-8"))
    in_nav = {page for entry in config["nav"] for page in entry.values()}
    assert in_nav == {p.name for p in DOCS.glob("*.md")} | {"deployment.md"}
    assert {"index.md", "installation.md", "configuration.md", "api.md", "roles.md", "billing.md",
            "deployment.md", "operations.md", "troubleshooting.md"} <= in_nav
    assert config["theme"]["name"] == "material"


def test_the_configuration_page_documents_every_setting_and_no_other():
    rows = [row for table in tables(read("configuration.md"), "setting") for row in table]
    documented = [re.fullmatch(r"`([A-Z0-9_]+)`", row[0]) for row in rows]
    assert all(documented), [row[0] for row, match in zip(rows, documented, strict=True) if not match]
    names = [match.group(1) for match in documented if match]
    assert sorted(names) == sorted(set(names)), "a setting is documented twice"
    assert set(names) == NAMES, (f"missing: {sorted(NAMES - set(names))}; "
                                 f"not settings: {sorted(set(names) - NAMES)}")
    assert all(len(row) == 3 and row[1] and row[2] for row in rows), "every setting has a default and a meaning"


def test_the_configuration_page_gives_the_codes_defaults():
    rows = {row[0].strip("`"): row[1] for table in tables(read("configuration.md"), "setting") for row in table}
    wrong = {d.name: (rows[d.name], d.default) for d in DEFINITIONS
             if d.default and f"`{d.default}`" not in rows[d.name]}
    assert not wrong, f"documented default vs the code's: {wrong}"


def test_setting_names_on_our_pages_are_settings_the_code_reads():
    unknown = {}
    for page in sorted(DOCS.glob("*.md")):
        if page.name in NOT_OURS:
            continue
        found = set(SETTING_LIKE.findall(page.read_text(encoding="utf-8"))) - NAMES - NOT_SETTINGS
        if found:
            unknown[page.name] = sorted(found)
    assert not unknown, f"names written like settings that the code does not read: {unknown}"


def test_the_setting_check_catches_an_unknown_name():
    assert SETTING_LIKE.findall("set `THROTTLE_LOGINS=5/minute` and `DEBUG`, `POSTGRES_*`") == ["THROTTLE_LOGINS"]


def test_the_roles_page_holds_the_code_matrix_cell_for_cell():
    rows = tables(read("roles.md"), "permission")
    assert len(rows) == 1, "roles.md has one table headed `permission`"
    roles = list(Role)
    page = {Permission(row[0].strip("`")): {role: Scope(cell) for role, cell in zip(roles, row[1:], strict=True)}
            for row in rows[0]}
    assert page == MATRIX


def test_every_wiwebb_command_is_listed_on_the_home_page():
    parser = _parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices  # argparse's subparsers
    listed = {row[0].strip("`").split()[1] for table in tables(read("index.md"), "command") for row in table}
    assert listed == set(commands)


def test_the_pages_fake_migrations_up_to_the_newest():
    versions = sorted(p.name[:4] for p in (PROJECT / "src" / "wiwebb" / "migrations" / "versions").glob("0*.py"))
    for page in ("troubleshooting.md", "operations.md"):
        faked = set(re.findall(r"migrate --fake api (\d{4})", read(page)))
        assert faked == {versions[-1]}, f"{page} fakes up to {faked}, the newest migration is {versions[-1]}"
