"""Checks of the container stack's files, run by test_container_files.py (no tests here).

No Docker engine runs the tests, so the Dockerfile and docker-compose.yml are checked by parsing:
a small reader of Dockerfile instructions (comments, line continuations, exec and shell forms) and
PyYAML for the compose file. Each check raises AssertionError with what is wrong; the tests run
each on the real files and on a broken copy, so that none of them can pass whatever the files say.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from wiwebb.settings import read_env_file

PROJECT = Path(__file__).resolve().parents[2]
DEV_SECRET_KEY = "development-only-secret-key-do-not-use-in-production"
WEBHOOK_PATH = "/api/v1/payments/webhook/"
HEALTH_PATH = "/api/v1/health/"
OPTIONAL_ENV_FILE = ".env.local"


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str
    line: int

    def exec_form(self) -> list[str]:
        """The arguments as a list: JSON (exec form) or split like a shell would (shell form)."""
        text = self.arguments
        return json.loads(text) if text.startswith("[") else shlex.split(text)


def parse_dockerfile(text: str) -> list[Instruction]:
    """The instructions, with continuation lines joined and comment lines dropped (as Docker does,
    also inside a continuation)."""
    instructions: list[Instruction] = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("#") or (not line and not pending):
            continue
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1].rstrip() + " "
            continue
        pending += line
        keyword, _, arguments = pending.strip().partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip(), start))
        pending = ""
    if pending:
        raise ValueError(f"line {start}: a continuation runs past the end of the file")
    return instructions


def stages(instructions: list[Instruction]) -> list[list[Instruction]]:
    """The build stages: each begins with its FROM (ARGs before the first FROM are dropped)."""
    found: list[list[Instruction]] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            found.append([])
        if found:
            found[-1].append(instruction)
    return found


def base_image(instructions: list[Instruction], stage: list[Instruction]) -> str:
    """The FROM image of `stage`, with the global ARG defaults substituted."""
    args = {}
    for instruction in instructions:
        if instruction.keyword == "FROM":
            break
        if instruction.keyword == "ARG" and "=" in instruction.arguments:
            name, _, default = instruction.arguments.partition("=")
            args[name.strip()] = default.strip()
    image = stage[0].arguments.split()[0]
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args.get(m[1] or m[2], m[0]), image)


def env_of(stage: list[Instruction]) -> dict[str, str]:
    values: dict[str, str] = {}
    for instruction in stage:
        if instruction.keyword != "ENV":
            continue
        tokens = shlex.split(instruction.arguments)
        if tokens and "=" not in tokens[0]:  # the legacy `ENV NAME value` form
            values[tokens[0]] = " ".join(tokens[1:])
        else:
            values.update(token.split("=", 1) for token in tokens)
    return values


def copied_files(stage: list[Instruction]) -> dict[str, str]:
    """Container path -> source in the build context, for COPY of files into this stage."""
    files: dict[str, str] = {}
    workdir = "/"
    for instruction in stage:
        if instruction.keyword == "WORKDIR":
            workdir = str(Path(workdir, instruction.arguments))
        if instruction.keyword != "COPY" or "--from=" in instruction.arguments:
            continue
        *sources, target = [t for t in instruction.exec_form() if not t.startswith("--")]
        target_dir = str(Path(workdir, target))
        for source in sources:
            into_dir = target.endswith("/") or len(sources) > 1
            files[str(Path(target_dir, Path(source).name)) if into_dir else target_dir] = source
    return files


def dockerignore_keeps(patterns: list[str], path: str) -> bool:
    """Whether the build context includes `path` (the last matching pattern decides)."""
    kept = True
    for pattern in patterns:
        negated = pattern.startswith("!")
        pattern = pattern.removeprefix("!").strip("/")
        candidates = [path] + [str(parent) for parent in Path(path).parents if str(parent) != "."]
        if any(fnmatch.fnmatch(c, pattern) or fnmatch.fnmatch(c, f"**/{pattern}") for c in candidates):
            kept = negated
    return kept


def read_dockerignore(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


# --- the entrypoint script

def shell_commands(script: str) -> list[str]:
    """The script's commands, one a line, without comments and blank lines."""
    return [line.strip() for line in script.splitlines() if line.strip() and not line.strip().startswith("#")]


def check_entrypoint_script(script: str) -> None:
    commands = shell_commands(script)
    assert commands and script.startswith("#!/bin/sh"), "the entrypoint must be a /bin/sh script"
    assert any(re.fullmatch(r"set -e\w*", c) for c in commands), "without `set -e` a failed migrate would not stop it"

    def index(pattern: str) -> int:
        found = [i for i, command in enumerate(commands) if re.search(pattern, command)]
        assert found, f"the entrypoint has no command matching {pattern!r}"
        return found[0]

    migrate, superuser = index(r"^wiwebb migrate\b"), index(r"^wiwebb ensure-superuser\b")
    serve, run = index(r"\bwiwebb serve\b"), index(r"^exec ")
    assert migrate < superuser < serve <= run, "expected migrate, then ensure-superuser, then exec serve"
    assert run == len(commands) - 1, "nothing may follow the exec that starts the server"


# --- docker-compose.yml

def env_files(service: dict) -> list[tuple[str, bool]]:
    """(path, required) of each env_file, in the order compose reads them."""
    entries = service.get("env_file", [])
    entries = [entries] if isinstance(entries, str | dict) else entries
    return [(e, True) if isinstance(e, str) else (e["path"], e.get("required", True)) for e in entries]


def environment(service: dict) -> dict[str, str]:
    """What the service's container gets from the project's env files and `environment:` (not from
    the optional .env.local, which is each developer's own)."""
    values: dict[str, str] = {}
    for path, _required in env_files(service):
        if path != OPTIONAL_ENV_FILE:
            values.update(read_env_file(PROJECT / path))
    given = service.get("environment", {})
    if isinstance(given, list):
        given = dict(item.split("=", 1) for item in given)
    values.update({name: "" if value is None else str(value) for name, value in given.items()})
    return values


def memory_limit(service: dict) -> int:
    text = str(service.get("mem_limit") or service.get("deploy", {}).get("resources", {})
               .get("limits", {}).get("memory") or "")
    match = re.fullmatch(r"(\d+)\s*([bkmg]?)b?", text.lower())
    assert match, f"no memory limit (mem_limit) or not a size: {text!r}"
    return int(match[1]) * 1024 ** "bkmg".index(match[2] or "b")


def named_volumes(service: dict) -> dict[str, str]:
    """Named volume -> mount point (bind mounts, which start with . or /, left out)."""
    mounts = {}
    for volume in service.get("volumes", []):
        source, target = (volume.split(":")[:2] if isinstance(volume, str)
                          else (volume.get("source", ""), volume["target"]))
        if source and not source.startswith((".", "/", "~")):
            mounts[source] = target
    return mounts


def url_host_port(url: str) -> tuple[str | None, int | None]:
    parts = urlsplit(url)
    return parts.hostname, parts.port
