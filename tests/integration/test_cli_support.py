"""What the `wiwebb` command tests share (no tests here): running the real console script in a
folder of its own, a fresh PostgreSQL database, free ports, and reading a users table.

Each command runs as a subprocess with a copy of development.ini (and production.ini) in the
test's tmp_path as its working directory, an environment cleaned of every WiWebb setting, of
DATABASE*/POSTGRES*/PG* variables and of PYTHONWARNINGS, cheap Argon2, and by default
DATABASE_URL naming a SQLite file in tmp_path.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import webtest
from sqlalchemy import URL, create_engine, inspect, text

from wiwebb.app import build_app
from wiwebb.settings import NAMES, load_settings

WIWEBB = Path(sys.executable).parent / "wiwebb"
PROJECT = Path(__file__).resolve().parents[2]
TABLES = {"users", "tenants", "auth_tokens", "audit_log", "alembic_version"}
CHEAP_ARGON2 = {"ARGON2_TIME_COST": "1", "ARGON2_MEMORY_COST": "8", "ARGON2_PARALLELISM": "1"}


def _is_ours(name: str) -> bool:
    return (name in NAMES or name.startswith(("DATABASE", "POSTGRES", "PG"))
            or name in ("SECRET_KEY", "PORT", "PYTHONWARNINGS"))


def base_environ(**extra: str) -> dict[str, str]:
    """os.environ without any setting of ours, plus cheap Argon2 and `extra`."""
    environ = {name: value for name, value in os.environ.items() if not _is_ours(name)}
    return {**environ, **CHEAP_ARGON2, **extra}


@dataclass
class Cli:
    """`cli("migrate", "api", "zero", TOKEN_TTL="abc")` runs `wiwebb migrate api zero` in `folder`
    with TOKEN_TTL=abc added to the environment, and returns the CompletedProcess."""

    folder: Path
    env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def in_folder(cls, folder: Path, **env: str) -> Cli:
        for ini in ("development.ini", "production.ini"):
            shutil.copyfile(PROJECT / ini, folder / ini)
        return cls(folder, base_environ(**env))

    @property
    def sqlite_path(self) -> Path:
        return self.folder / "wiwebb.sqlite3"

    def environ(self, **env: str) -> dict[str, str]:
        return {**self.env, **env}

    def __call__(self, *args: str, stdin: str | None = None, timeout: float = 60,
                 **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(WIWEBB), *args], cwd=self.folder, env=self.environ(**env), input=stdin,
                              capture_output=True, text=True, timeout=timeout, check=False)

    def ok(self, *args: str, **kwargs: str) -> subprocess.CompletedProcess[str]:
        """Run the command and insist that it succeeds."""
        result = self(*args, **kwargs)
        assert result.returncode == 0, f"wiwebb {' '.join(args)} failed:\n{result.stdout}{result.stderr}"
        return result


def sqlite_cli(folder: Path) -> Cli:
    return Cli.in_folder(folder, DATABASE_URL=f"sqlite:///{folder / 'wiwebb.sqlite3'}")


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single line the command wrote on stderr (failing when it wrote a traceback or more)."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{result.stderr}"
    return lines[0]


def stop(server: subprocess.Popen, timeout: float = 15) -> None:
    """Terminate a server started by a test, and kill it if it does not stop in time."""
    server.terminate()
    try:
        server.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=timeout)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def table_names(url: str | URL) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def users(url: str | URL) -> list[tuple[str, str, str]]:
    """(username, email, role) of every user, read straight from the table."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(
                text("SELECT username, email, role FROM users ORDER BY id"))]
    finally:
        engine.dispose()


def current_user(database_url: str, folder: Path, username: str, password: str) -> dict:
    """Log in through the WSGI application and return GET /api/v1/auth/user/."""
    settings = load_settings({"environment": "test"}, environ={**CHEAP_ARGON2, "DATABASE_URL": database_url},
                             base_dir=folder)
    app = build_app(settings)
    try:
        api = webtest.TestApp(app)
        key = api.post_json("/api/v1/auth/login/", {"username": username, "password": password}).json["key"]
        return api.get("/api/v1/auth/user/", headers={"Authorization": f"Token {key}"}).json
    finally:
        app.adapters.database.engine.dispose()


def postgres_environ(url: URL) -> dict[str, str]:
    """DATABASE=postgres and POSTGRES_* naming `url` (instead of DATABASE_URL)."""
    environ = {"DATABASE": "postgres", "POSTGRES_HOST": url.host or "localhost",
               "POSTGRES_PORT": str(url.port or 5432), "POSTGRES_DB": url.database or "",
               "POSTGRES_USER": url.username or "postgres"}
    if url.password:
        environ["POSTGRES_PASSWORD"] = url.password
    return environ

