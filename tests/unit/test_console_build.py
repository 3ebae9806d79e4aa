"""`make run` builds the web console when Node.js 20.19+ is here, only when a source changed, and
otherwise says so in one line and goes on; CONSOLE_DIR says where the build is; the files are
served with the content type a browser needs whatever the system's MIME table knows.

The Makefile is run for real, on a copy in a folder of the test's own with a fake `node` and `npm`
on PATH (nothing is installed or built), so the checks are make's own decisions."""

from __future__ import annotations

import mimetypes
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from wiwebb.entrypoints.http.console import content_type
from wiwebb.settings import load_settings

PROJECT = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make")
MESSAGE = "console: Node.js 20.19+ with npm not found: the web console is not built, make run serves the API alone"
FAKE_NPM = """#!/bin/sh
echo "$*" >> "$NPM_LOG"
if [ "$1" = ci ]; then mkdir -p node_modules; fi
if [ "$1 $2" = "run build" ]; then mkdir -p dist && echo built > dist/index.html; fi
"""
needs_make = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def load(tmp_path, **environ):
    return load_settings({"environment": "development"}, environ=environ, base_dir=tmp_path)


def test_console_dir_defaults_to_the_build_next_to_the_ini_file(tmp_path):
    assert load(tmp_path).console_dir == tmp_path.resolve() / "frontend" / "dist"
    assert load(tmp_path, CONSOLE_DIR="web/build/").console_dir == tmp_path.resolve() / "web" / "build"
    assert load(tmp_path, CONSOLE_DIR="/srv/console").console_dir == Path("/srv/console")
    assert load(tmp_path, CONSOLE_DIR="off").console_dir is None
    assert load(tmp_path, CONSOLE_DIR=" OFF ").console_dir is None


def test_content_types_do_not_depend_on_the_systems_mime_table(monkeypatch):
    monkeypatch.setattr(mimetypes, "guess_type", lambda *args, **kwargs: (None, None))
    expected = {"index.html": "text/html", "a.js": "text/javascript", "a.mjs": "text/javascript",
                "a.css": "text/css", "a.js.map": "application/json", "a.svg": "image/svg+xml",
                "a.woff2": "font/woff2", "favicon.ico": "image/x-icon", "a.bin": "application/octet-stream"}
    assert {name: content_type(Path(name)) for name in expected} == expected


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the Makefile over a console's sources (and the Python package's files it names)."""
    root = tmp_path / "project"
    (root / "frontend" / "src" / "pages").mkdir(parents=True)
    shutil.copy(PROJECT / "Makefile", root / "Makefile")
    for name in ("setup.cfg", "pyproject.toml"):
        (root / name).write_text("")
    for name in ("package.json", "package-lock.json", "index.html", "vite.config.ts", "tsconfig.json"):
        (root / "frontend" / name).write_text("{}")
    (root / "frontend" / "src" / "main.tsx").write_text("")
    (root / "frontend" / "src" / "pages" / "Page.tsx").write_text("")
    return root


def fake_bin(tmp_path: Path, node: str | None) -> Path:
    """A PATH of the test's own: `touch` and `mkdir`, a fake `npm`, and a fake `node` that exits
    with `node` (its version check's answer), or no node at all."""
    folder = tmp_path / f"bin-{node}"
    folder.mkdir()
    for tool in ("touch", "mkdir"):
        (folder / tool).symlink_to(shutil.which(tool) or f"/usr/bin/{tool}")
    scripts = {"npm": FAKE_NPM, **({"node": f"#!/bin/sh\nexit {node}\n"} if node is not None else {})}
    for name, text in scripts.items():
        (folder / name).write_text(text)
        (folder / name).chmod(0o755)
    return folder


def make(project: Path, path: Path, *targets: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": str(path), "NPM_LOG": str(project / "npm.log"), "HOME": str(project)}
    return subprocess.run([str(MAKE), "-s", "--no-print-directory", *targets], cwd=project, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def npm_calls(project: Path) -> list[str]:
    log = project / "npm.log"
    return log.read_text().splitlines() if log.exists() else []


def changed(project: Path, path: Path) -> None:
    """Make `path` the only file (or folder) changed since the last build: everything else is dated
    a minute back."""
    past = time.time() - 60
    for item in (project / "frontend").rglob("*"):
        os.utime(item, (past, past), follow_symlinks=False)
    os.utime(path)


@needs_make
@pytest.mark.parametrize("node", [None, "1"], ids=["no node", "node older than 20.19"])
def test_without_a_usable_node_one_line_says_so_and_make_goes_on(project, tmp_path, node):
    result = make(project, fake_bin(tmp_path, node), "console")
    assert result.returncode == 0, result.stderr
    assert result.stdout == MESSAGE + "\n" and result.stderr == ""
    assert npm_calls(project) == [] and not (project / "frontend" / "dist").exists()


@needs_make
def test_with_node_the_console_is_installed_and_built_only_when_its_sources_change(project, tmp_path):
    path = fake_bin(tmp_path, "0")
    assert make(project, path, "console").returncode == 0
    assert npm_calls(project) == ["ci --no-audit --no-fund", "run build"]
    assert (project / "frontend" / "dist" / "index.html").is_file()

    result = make(project, path, "console")
    assert result.returncode == 0 and result.stdout == "" and len(npm_calls(project)) == 2  # up to date

    for source, calls in (("src/pages/Page.tsx", ["run build"]), ("index.html", ["run build"]),
                          ("package-lock.json", ["ci --no-audit --no-fund", "run build"])):
        before = len(npm_calls(project))
        changed(project, project / "frontend" / source)
        assert make(project, path, "console").returncode == 0
        assert npm_calls(project)[before:] == calls, source
    changed(project, project / "frontend" / "dist" / "index.html")  # built after every change
    before = len(npm_calls(project))
    make(project, path, "console")
    assert npm_calls(project)[before:] == []
    (project / "frontend" / "src" / "pages" / "Page.tsx").unlink()  # a deletion changes only its folder
    make(project, path, "console")
    assert npm_calls(project)[before:] == ["run build"]


@needs_make
def test_make_run_builds_the_console_before_it_serves(project, tmp_path):
    # -n prints what `run` would do; the console step runs anyway (it calls $(MAKE)), here without node.
    result = make(project, fake_bin(tmp_path, None), "-n", "run")
    lines = result.stdout.splitlines()
    assert lines.count(MESSAGE) == 1, result.stdout
    serve = next(i for i, line in enumerate(lines) if line.endswith(" serve"))
    assert lines.index(MESSAGE) < serve
