"""Settings: read once from the ini file, then `.env`, `.env.local` and the environment, each
overriding the one before, and parsed into a typed, frozen `Settings`.

Every setting is declared in `DEFINITIONS` (name, default, help); `.env.example` documents the
same names, and a test keeps the two equal. A bad value raises `SettingsError` with one line
naming the setting and what is wrong.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

ENV_FILES = (".env", ".env.local")  # later files override earlier ones


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line naming it."""


@dataclass(frozen=True)
class Definition:
    name: str
    default: str | None
    help: str


DEFINITIONS = (
    Definition("PORT", "8000", "Port the API listens on."),
    Definition("HOST", "0.0.0.0", "Address the API listens on."),
    Definition("DATABASE_URL", None, "Full SQLAlchemy URL; when set, DATABASE and POSTGRES_* are ignored."),
    Definition("DATABASE", "sqlite", "sqlite (a file under var/) or postgres (from POSTGRES_*)."),
    Definition("POSTGRES_HOST", "localhost", "PostgreSQL host (DATABASE=postgres)."),
    Definition("POSTGRES_PORT", "5432", "PostgreSQL port."),
    Definition("POSTGRES_DB", "wiwebb", "PostgreSQL database name."),
    Definition("POSTGRES_USER", "postgres", "PostgreSQL user."),
    Definition("POSTGRES_PASSWORD", "", "PostgreSQL password."),
    Definition("DATABASE_WAIT_TIMEOUT", "30", "Seconds to wait for the database at start before giving up."),
    Definition("SQLITE_BUSY_TIMEOUT", "30", "Seconds a SQLite writer waits for the write lock."),
    Definition("SECRET_KEY", None, "Signs reset links; required in production (development keeps one in var/)."),
    Definition("TOKEN_TTL", "7d", "Lifetime of a login token: seconds, or a number with s, m, h or d."),
    Definition("REGISTRATION_OPEN", "true", "Whether anyone may register (POST auth/registration/)."),
    Definition("STRIPE_PUBLIC_KEY", "", "Stripe publishable key, given to clients by GET /api/v1/meta/."),
    Definition("LOG_LEVEL", "INFO", "DEBUG, INFO, WARNING or ERROR."),
    Definition("ARGON2_TIME_COST", "3", "Argon2id passes (time cost)."),
    Definition("ARGON2_MEMORY_COST", "65536", "Argon2id memory in KiB."),
    Definition("ARGON2_PARALLELISM", "4", "Argon2id lanes."),
    Definition("WIWEBB_SUPERUSER_USERNAME", "admin", "Username of the superadmin created at first start."),
    Definition("WIWEBB_SUPERUSER_EMAIL", "admin@example.com", "E-mail address of that superadmin."),
    Definition("WIWEBB_SUPERUSER_PASSWORD", None, "Its password; generated and printed once when unset."),
)
NAMES = frozenset(d.name for d in DEFINITIONS)


@dataclass(frozen=True)
class Settings:
    environment: str
    base_dir: Path
    var_dir: Path
    host: str
    port: int
    database_url: str
    database_wait_timeout: float
    sqlite_busy_timeout: float
    secret_key: str
    token_ttl: timedelta
    registration_open: bool
    stripe_public_key: str
    log_level: str
    argon2_time_cost: int
    argon2_memory_cost: int
    argon2_parallelism: int
    superuser_username: str
    superuser_email: str
    superuser_password: str | None

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def __repr__(self) -> str:  # never print secrets
        return f"Settings(environment={self.environment!r}, database={_redact(self.database_url)!r})"


def read_env_file(path: Path) -> dict[str, str]:
    """`KEY=value` lines; `#` comments, `export ` prefixes and single or double quotes allowed."""
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key.strip()):
            raise SettingsError(f"{path.name} line {number}: expected KEY=value")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key.strip()] = value
    return values


def gather(ini: Mapping[str, Any], environ: Mapping[str, str], base_dir: Path) -> dict[str, str]:
    """The raw values in order of precedence: ini < .env < .env.local < the environment."""
    raw = {name.upper(): str(value) for name, value in ini.items() if name.upper() in NAMES}
    for filename in ENV_FILES:
        path = base_dir / filename
        if path.is_file():
            raw.update({k: v for k, v in read_env_file(path).items() if k in NAMES})
    raw.update({k: v for k, v in environ.items() if k in NAMES})
    return raw


def load_settings(ini: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None,
                  base_dir: Path | str | None = None) -> Settings:
    """Parse the settings of one process. `environ` defaults to `os.environ`."""
    ini = ini or {}
    base = Path(base_dir or ini.get("here") or Path.cwd()).resolve()
    environment = str(ini.get("environment", "development"))
    if environment not in ("development", "production", "test"):
        raise SettingsError(f"environment: expected development, production or test, got {environment!r}")
    raw = gather(ini, os.environ if environ is None else environ, base)

    def value(name: str) -> str | None:
        definition = next(d for d in DEFINITIONS if d.name == name)
        found = raw.get(name)
        return found if found not in (None, "") else definition.default

    def parsed(name: str, parse: Callable[[str, str], Any]) -> Any:
        text = value(name)
        return None if text is None else parse(name, text)

    var_dir = base / "var"
    return Settings(
        environment=environment,
        base_dir=base,
        var_dir=var_dir,
        host=value("HOST") or "0.0.0.0",
        port=parsed("PORT", _port),
        database_url=_database_url(value, base, var_dir),
        database_wait_timeout=parsed("DATABASE_WAIT_TIMEOUT", _seconds),
        sqlite_busy_timeout=parsed("SQLITE_BUSY_TIMEOUT", _seconds),
        secret_key=_secret_key(value("SECRET_KEY"), environment, var_dir),
        token_ttl=parsed("TOKEN_TTL", _duration),
        registration_open=parsed("REGISTRATION_OPEN", _boolean),
        stripe_public_key=value("STRIPE_PUBLIC_KEY") or "",
        log_level=parsed("LOG_LEVEL", _log_level),
        argon2_time_cost=parsed("ARGON2_TIME_COST", _positive_int),
        argon2_memory_cost=parsed("ARGON2_MEMORY_COST", _positive_int),
        argon2_parallelism=parsed("ARGON2_PARALLELISM", _positive_int),
        superuser_username=value("WIWEBB_SUPERUSER_USERNAME") or "admin",
        superuser_email=value("WIWEBB_SUPERUSER_EMAIL") or "admin@example.com",
        superuser_password=value("WIWEBB_SUPERUSER_PASSWORD"),
    )


# -- parsers: each takes the setting's name (for the message) and its text -----------------------

def _positive_int(name: str, text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise SettingsError(f"{name}: expected a whole number, got {text!r}") from None
    if number <= 0:
        raise SettingsError(f"{name}: expected a number above 0, got {text!r}")
    return number


def _port(name: str, text: str) -> int:
    number = _positive_int(name, text)
    if number > 65535:
        raise SettingsError(f"{name}: expected a port from 1 to 65535, got {text!r}")
    return number


def _seconds(name: str, text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise SettingsError(f"{name}: expected a number of seconds, got {text!r}") from None
    if number < 0:
        raise SettingsError(f"{name}: expected a number of seconds, not negative, got {text!r}")
    return number


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _duration(name: str, text: str) -> timedelta:
    match = re.fullmatch(r"\s*(\d+)\s*([smhd]?)\s*", text.lower())
    if not match or int(match.group(1)) == 0:
        raise SettingsError(f"{name}: expected a duration like 3600, 30m, 12h or 7d, got {text!r}")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2) or "s"])


def _boolean(name: str, text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}: expected true or false, got {text!r}")


def _log_level(name: str, text: str) -> str:
    level = text.strip().upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise SettingsError(f"{name}: expected DEBUG, INFO, WARNING or ERROR, got {text!r}")
    return level


def _database_url(value: Callable[[str], str | None], base: Path, var_dir: Path) -> str:
    url = value("DATABASE_URL")
    if url:
        if "://" not in url:
            raise SettingsError("DATABASE_URL: expected a URL like postgresql://user:password@host:5432/name")
        if url.startswith("postgres://"):  # the spelling of many hosting platforms
            url = "postgresql://" + url.removeprefix("postgres://")
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////") and url != "sqlite:///:memory:":
            url = f"sqlite:///{base / url.removeprefix('sqlite:///')}"
        return url
    kind = (value("DATABASE") or "sqlite").strip().lower()
    if kind in ("sqlite", "sqlite3"):
        return f"sqlite:///{var_dir / 'wiwebb.sqlite3'}"
    if kind in ("postgres", "postgresql"):
        port = _port("POSTGRES_PORT", value("POSTGRES_PORT") or "5432")
        user = quote(value("POSTGRES_USER") or "postgres", safe="")
        password = value("POSTGRES_PASSWORD") or ""
        credentials = f"{user}:{quote(password, safe='')}" if password else user
        name = quote(value("POSTGRES_DB") or "wiwebb", safe="")
        return f"postgresql+psycopg2://{credentials}@{value('POSTGRES_HOST') or 'localhost'}:{port}/{name}"
    raise SettingsError(f"DATABASE: expected postgres or sqlite, got {kind!r}")


def _secret_key(given: str | None, environment: str, var_dir: Path) -> str:
    if given:
        if environment == "production" and len(given) < 32:
            raise SettingsError("SECRET_KEY: too short for production; use at least 32 random characters")
        return given
    if environment == "production":
        raise SettingsError("SECRET_KEY: required under production.ini; set it in the environment")
    # Development: one key generated once and kept, so reset links survive restarts.
    path = var_dir / "secret_key"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(key, encoding="utf-8")
    return key


def _redact(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)
