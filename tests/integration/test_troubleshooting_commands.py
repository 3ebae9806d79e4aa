"""docs/troubleshooting.md's commands do what the page says they do.

Every fenced shell block of the page is read command by command (continuation lines joined). A
command is either run here, or skipped by the reviewed list below; any other command fails the
test, so the page cannot gain a command nobody checked:

- `wiwebb ...` (also written `docker compose exec api wiwebb ...`) runs as a subprocess on the
  test's PostgreSQL database, the one the live server uses;
- `curl ...` runs against a live `wiwebb serve` started by the test on a free port
  (`http://localhost:8000` and `https://api.example.com` are rewritten to it), with placeholders
  (`{your-token}`, `{id}`, ...) replaced by real tokens and ids the test creates.

A runnable command must be followed by a line `# -> ...` saying what it answers: for `curl`, the
status and then a JSON body the answer must contain (`...` stands for the rest) or a text its
output must contain; for `wiwebb`, a text its output must contain (a `wiwebb: ...` text is an
error, so the command must fail). The page is run top to bottom, as a reader would.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import new_postgres_database

from .test_cli_support import PROJECT, WIWEBB, Cli, free_port, stop

PAGE = PROJECT / "docs" / "troubleshooting.md"
SHELL_LANGUAGES = {"bash", "sh", "shell", "powershell"}
BASE_URLS = ("http://localhost:8000", "https://api.example.com")
EXEC_API = re.compile(r"^docker compose exec (?:-T )?api (?=wiwebb )")
PASSWORD = "Troubleshoot-2026!"  # replaces the page's `yourpassword`

# Commands that cannot run here, by prefix, each with the reason. Reviewed: add to it only what
# truly cannot run in a test (and say why).
SKIPPED = {
    "docker ": "needs a Docker engine (none here); the compose file has tests of its own",
    "sudo ": "changes the host: services, groups, firewall, file ownership",
    "open -a Docker": "starts Docker Desktop on macOS",
    "newgrp ": "opens a new login shell",
    "wsl ": "Windows only",
    "lsof ": "inspects the host's ports",
    "netstat ": "inspects the host's ports",
    "kill ": "stops a process the reader picks",
    "grep -E '^(DATABASE|POSTGRES)' .env.local": "reads the reader's own .env.local",
    "PORT=8001 make run": "serves until stopped (wiwebb serve's port message has its own test)",
    ".venv/bin/pserve ": "serves until stopped",
}
# `wiwebb` commands that are interactive, so not run (after `docker compose exec api` is dropped).
INTERACTIVE = ("wiwebb dbshell",)


@dataclass
class Command:
    text: str  # as on the page, continuation lines joined
    line: int
    expect: str | None = None

    @property
    def kind(self) -> str:
        """"wiwebb", "curl", "skip" or "unknown"."""
        command = EXEC_API.sub("", self.text)
        if command.startswith(INTERACTIVE):
            return "skip"
        if command.startswith("wiwebb "):
            return "wiwebb"
        if command.startswith("curl "):
            return "curl"
        if self.text.startswith(tuple(SKIPPED)):
            return "skip"
        return "unknown"


def shell_blocks(markdown: str) -> list[tuple[int, list[str]]]:
    """(line number, lines) of every fenced block in a shell language, indentation removed
    (blocks inside admonitions and tabs are indented)."""
    blocks: list[tuple[int, list[str]]] = []
    lines = markdown.splitlines()
    index = 0
    while index < len(lines):
        opening = re.match(r"^(\s*)```(\w*)\s*$", lines[index])
        index += 1
        if not opening:
            continue
        indent, language = opening.groups()
        start, body = index + 1, []
        while index < len(lines) and lines[index].strip() != "```":
            body.append(lines[index].removeprefix(indent))
            index += 1
        index += 1
        if language in SHELL_LANGUAGES:
            blocks.append((start, body))
    return blocks


def page_commands(markdown: str) -> list[Command]:
    commands: list[Command] = []
    for start, body in shell_blocks(markdown):
        previous: Command | None = None
        pending = ""
        for offset, raw in enumerate(body):
            line = raw.strip()
            if pending:
                line, pending = pending + " " + line, ""
            if line.endswith("\\"):
                pending = line[:-1].strip()
                continue
            if not line:
                previous = None
            elif line.startswith("# -> "):
                assert previous is not None and previous.expect is None, \
                    f"troubleshooting.md line {start + offset}: `# ->` must follow a command directly"
                previous.expect = line.removeprefix("# -> ").strip()
            elif line.startswith("#"):
                previous = None
            else:
                previous = Command(line, start + offset)
                commands.append(previous)
        assert not pending, f"troubleshooting.md: a block starting at line {start} ends with a `\\`"
    return commands


def test_every_command_of_the_page_is_either_run_or_knowingly_skipped():
    commands = page_commands(PAGE.read_text(encoding="utf-8"))
    unknown = [f"line {c.line}: {c.text}" for c in commands if c.kind == "unknown"]
    assert not unknown, "commands neither run by this test nor in its SKIPPED list:\n" + "\n".join(unknown)
    silent = [f"line {c.line}: {c.text}" for c in commands if c.kind in ("wiwebb", "curl") and not c.expect]
    assert not silent, "runnable commands without a `# -> ...` line saying what they answer:\n" + "\n".join(silent)
    kinds = {c.kind for c in commands}
    assert {"wiwebb", "curl", "skip"} <= kinds


def test_the_parser_reads_indented_blocks_continuations_and_expectations():
    markdown = ('??? warning "x"\n    ```bash\n    # a comment\n    curl -X POST http://localhost:8000/a/ \\\n'
                '      -d \'{}\'\n    # -> 400 {"detail": "x"}\n\n    docker compose ps\n    ```\n'
                '```json\n{"not": "a command"}\n```\n')
    commands = page_commands(markdown)
    assert [(c.text, c.expect, c.kind) for c in commands] == [
        ("curl -X POST http://localhost:8000/a/ -d '{}'", '400 {"detail": "x"}', "curl"),
        ("docker compose ps", None, "skip"),
    ]


# ---- running them


OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def call(base: str, method: str, path: str, body: dict | None = None, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    with OPENER.open(request, timeout=10) as response:
        return json.load(response)


def wait_until_serving(base: str, server: subprocess.Popen, log: Path) -> None:
    for _ in range(300):
        assert server.poll() is None, f"wiwebb serve exited:\n{log.read_text()}"
        try:
            with OPENER.open(base + "/api/v1/health/", timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise AssertionError(f"wiwebb serve did not answer:\n{log.read_text()}")


@pytest.fixture
def live(tmp_path, localstripe):
    """A migrated PostgreSQL database, a superadmin, a tenant with its owner and two subscribers
    (one deactivated), localstripe as the payment provider with a webhook secret (so the page's
    webhook and sync commands meet real signature checks and a real provider), and `wiwebb serve`
    on a free port; yields (cli, base URL, placeholders)."""
    with new_postgres_database("wiwebb_troubleshooting") as url:
        # Login, registration and reset share a 5/minute bucket per address; the page and this
        # fixture log in more often than that within a minute.
        cli = Cli.in_folder(tmp_path, DATABASE_URL=url.render_as_string(hide_password=False),
                            THROTTLE_LOGIN="100/minute", USE_LOCALSTRIPE="true", LOCALSTRIPE_URL=localstripe.url,
                            STRIPE_SECRET_KEY="sk_test_troubleshooting", STRIPE_WEBHOOK_SECRET="whsec_troubleshooting")
        cli.ok("migrate")
        cli.ok("createsuperuser", "--noinput", "--username", "admin", "--email", "admin@example.com",
               WIWEBB_SUPERUSER_PASSWORD=PASSWORD)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = tmp_path / "serve.log"
        with open(log, "w") as out:
            server = subprocess.Popen([str(WIWEBB), "serve"], cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, env=cli.environ(PORT=str(port), HOST="127.0.0.1"))
            try:
                wait_until_serving(base, server, log)
                yield cli, base, _people(base), log
            finally:
                stop(server)


def _people(base: str) -> dict[str, str]:
    admin = call(base, "POST", "/api/v1/auth/login/", {"username": "admin", "password": PASSWORD})["key"]
    tenant = call(base, "POST", "/api/v1/tenants/", {"name": "Acme"}, admin)
    ids = {}
    for username, role in (("owner", "tenant_owner"), ("sub", "subscriber"), ("gone", "subscriber")):
        ids[username] = call(base, "POST", "/api/v1/users/", {
            "username": username, "email": f"{username}@acme.test", "role": role, "tenant": tenant["id"],
            "password": PASSWORD}, admin)["id"]
    tokens = {name: call(base, "POST", "/api/v1/auth/login/", {"username": name, "password": PASSWORD})["key"]
              for name in ("owner", "sub")}
    call(base, "POST", f"/api/v1/users/{ids['gone']}/activate/", {"is_active": False}, admin)
    return {"{admin-token}": admin, "{your-token}": tokens["owner"], "{subscriber-token}": tokens["sub"],
            "{id}": str(ids["gone"]), "{tenant-id}": str(tenant["id"]), "yourpassword": PASSWORD}


def substitute(text: str, values: dict[str, str], base: str | None = None) -> str:
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    for url in BASE_URLS if base else ():
        text = text.replace(url, base)
    return text


def contains(actual: Any, expected: Any) -> bool:
    """Whether `actual` holds `expected`: dicts key by key (others may be there too), the string
    "..." matches anything."""
    if expected == "...":
        return True
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and contains(actual[k], v) for k, v in expected.items())
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(actual) == len(expected)
                and all(contains(a, e) for a, e in zip(actual, expected, strict=True)))
    return actual == expected


def expected_json(text: str) -> Any:
    try:
        return json.loads(re.sub(r",\s*\.\.\.\s*([}\]])", r"\1", text))
    except json.JSONDecodeError:
        return None


def run_curl(command: Command, base: str, values: dict[str, str], cli: Cli) -> str | None:
    argv = shlex.split(substitute(command.text, values, base))
    result = subprocess.run([*argv, "-sS", "--noproxy", "*", "-w", "\n%{http_code}"], capture_output=True,
                            text=True, timeout=30, env=cli.env, check=False)
    if result.returncode != 0:
        return f"curl failed: {result.stderr}"
    output, _, status = result.stdout.rpartition("\n")
    expected_status, _, rest = (command.expect or "").partition(" ")
    if status != expected_status:
        return f"answered {status}, the page says {expected_status}: {output[:500]}"
    rest = substitute(rest.strip(), values)
    wanted = expected_json(rest) if rest.startswith(("{", "[")) else None
    if wanted is not None:
        if not contains(json.loads(output), wanted):
            return f"answered {output[:500]}, the page says {rest}"
    elif rest not in output:
        return f"answered {output[:500]}, which lacks {rest!r}"
    return None


def run_wiwebb(command: Command, values: dict[str, str], cli: Cli) -> str | None:
    argv = shlex.split(substitute(EXEC_API.sub("", command.text), values))
    expected = substitute(command.expect or "", values)
    # The page shows that answer for a stack without STRIPE_SECRET_KEY: run it on one.
    no_provider = {"STRIPE_SECRET_KEY": "", "STRIPE_API_KEY": ""} if "no payment provider" in expected else {}
    result = cli(*argv[1:], **no_provider)
    output = result.stdout + result.stderr
    if expected not in output:
        return f"printed {output!r}, which lacks {expected!r}"
    fails = expected.startswith("wiwebb: ")
    if (result.returncode != 0) != fails:
        return f"exited {result.returncode} (the page implies {'failure' if fails else 'success'}): {output}"
    return None


@pytest.mark.postgres
def test_the_pages_commands_do_what_it_says(live):
    cli, base, values, log = live
    problems = []
    ran = 0
    for command in page_commands(PAGE.read_text(encoding="utf-8")):
        if command.kind not in ("curl", "wiwebb"):
            continue
        leftover = re.findall(r"\{[a-z-]+\}", substitute(command.text, values))
        assert not leftover, f"line {command.line}: unknown placeholders {leftover}"
        run = run_curl(command, base, values, cli) if command.kind == "curl" else run_wiwebb(command, values, cli)
        ran += 1
        if run is not None:
            problems.append(f"line {command.line}: {command.text}\n    {run}")
    assert not problems, "\n".join(problems) + f"\n--- server log:\n{log.read_text()[-3000:]}"
    assert ran >= 20
