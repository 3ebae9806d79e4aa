"""Settings: read once from the ini file, then `.env`, `.env.local` and the environment, each
overriding the one before, and parsed into a typed, frozen `Settings`.

Every setting is declared in `DEFINITIONS` (name, default, help); `.env.example` documents the
same names, and a test keeps the two equal. A bad value raises `SettingsError` with one line
naming the setting and what is wrong.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from .definitions import DEFINITIONS, NAMES, Definition
from .parsers import (
    SettingsError,
    SmtpConfig,
    boolean,
    console_dir,
    database_url,
    duration,
    email_backend,
    frontend_url,
    items,
    log_level,
    networks,
    non_negative_int,
    off_in_production,
    optional_duration,
    port,
    positive_int,
    redact,
    redis_url,
    seconds,
    secret_key,
    smtp,
    stripe_js_url,
    throttle_rates,
    url,
)

__all__ = ["DEFINITIONS", "NAMES", "Definition", "Settings", "SettingsError", "SmtpConfig", "load_settings",
           "read_env_file"]

ENV_FILES = (".env", ".env.local")  # later files override earlier ones


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
    database_pool_size: int
    database_max_overflow: int
    database_pool_timeout: float
    database_statement_timeout: timedelta | None
    secret_key: str
    token_ttl: timedelta
    registration_open: bool
    password_reset_timeout: timedelta
    frontend_url: str
    console_dir: Path | None
    email_backend: str
    email: SmtpConfig
    default_from_email: str
    mail_max_attempts: int
    throttle_rates: dict[str, str | None]
    redis_url: str
    trusted_proxies: tuple[str, ...]
    cors_allowed_origins: tuple[str, ...]
    cors_allow_credentials: bool
    stripe_public_key: str
    stripe_secret_key: str
    stripe_webhook_secret: str
    use_localstripe: bool
    localstripe_url: str
    stripe_js_url: str
    log_level: str
    debug: bool
    sql_warn_statements: int
    cleanup_interval: timedelta | None
    cleanup_age: timedelta
    cleanup_batch_size: int
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
        return f"Settings(environment={self.environment!r}, database={redact(self.database_url)!r})"


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
    use_localstripe = off_in_production("USE_LOCALSTRIPE", value("USE_LOCALSTRIPE") or "false", environment,
                                        "localstripe is a fake Stripe: no payment would be real")
    localstripe_url = url("LOCALSTRIPE_URL", value("LOCALSTRIPE_URL") or "")
    return Settings(
        environment=environment,
        base_dir=base,
        var_dir=var_dir,
        host=value("HOST") or "0.0.0.0",
        port=parsed("PORT", port),
        database_url=database_url(value, base, var_dir),
        database_wait_timeout=parsed("DATABASE_WAIT_TIMEOUT", seconds),
        sqlite_busy_timeout=parsed("SQLITE_BUSY_TIMEOUT", seconds),
        database_pool_size=parsed("DATABASE_POOL_SIZE", positive_int),
        database_max_overflow=parsed("DATABASE_MAX_OVERFLOW", non_negative_int),
        database_pool_timeout=parsed("DATABASE_POOL_TIMEOUT", seconds),
        database_statement_timeout=parsed("DATABASE_STATEMENT_TIMEOUT", optional_duration),
        secret_key=secret_key(value("SECRET_KEY"), environment, var_dir),
        token_ttl=parsed("TOKEN_TTL", duration),
        registration_open=parsed("REGISTRATION_OPEN", boolean),
        password_reset_timeout=parsed("PASSWORD_RESET_TIMEOUT", duration),
        frontend_url=frontend_url(value("FRONTEND_URL"), environment, port(
            "PORT", value("PORT") or "8000")),
        console_dir=console_dir(value("CONSOLE_DIR") or "", base),
        email_backend=email_backend(value("EMAIL_BACKEND"), environment),
        email=smtp(value),
        default_from_email=value("DEFAULT_FROM_EMAIL") or "",
        mail_max_attempts=parsed("MAIL_MAX_ATTEMPTS", positive_int),
        throttle_rates=throttle_rates(value),
        redis_url=redis_url(value("REDIS_URL") or ""),
        trusted_proxies=networks("TRUSTED_PROXIES", value("TRUSTED_PROXIES") or ""),
        cors_allowed_origins=tuple(url("CORS_ALLOWED_ORIGINS", o) for o in items(value("CORS_ALLOWED_ORIGINS"))),
        cors_allow_credentials=parsed("CORS_ALLOW_CREDENTIALS", boolean),
        stripe_public_key=value("STRIPE_PUBLIC_KEY") or "",
        stripe_secret_key=value("STRIPE_SECRET_KEY") or value("STRIPE_API_KEY") or "",
        stripe_webhook_secret=value("STRIPE_WEBHOOK_SECRET") or "",
        use_localstripe=use_localstripe,
        localstripe_url=localstripe_url,
        stripe_js_url=stripe_js_url(value("STRIPE_JS_URL"), use_localstripe, localstripe_url),
        log_level=parsed("LOG_LEVEL", log_level),
        debug=off_in_production("DEBUG", value("DEBUG") or "false", environment,
                                "it is a development aid that logs every request's SQL statement count"),
        sql_warn_statements=parsed("SQL_WARN_STATEMENTS", positive_int),
        cleanup_interval=parsed("CLEANUP_INTERVAL", optional_duration),
        cleanup_age=parsed("CLEANUP_AGE", duration),
        cleanup_batch_size=parsed("CLEANUP_BATCH_SIZE", positive_int),
        argon2_time_cost=parsed("ARGON2_TIME_COST", positive_int),
        argon2_memory_cost=parsed("ARGON2_MEMORY_COST", positive_int),
        argon2_parallelism=parsed("ARGON2_PARALLELISM", positive_int),
        superuser_username=value("WIWEBB_SUPERUSER_USERNAME") or "admin",
        superuser_email=value("WIWEBB_SUPERUSER_EMAIL") or "admin@example.com",
        superuser_password=value("WIWEBB_SUPERUSER_PASSWORD"),
    )


