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
from dataclasses import dataclass, field
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
    Definition("PASSWORD_RESET_TIMEOUT", "259200",
               "How long a reset link works: seconds (as Django's setting), or 3d, 12h..."),
    Definition("FRONTEND_URL", "",
               "Where reset links point ({FRONTEND_URL}/reset-password/...); empty: the API's own address."),
    Definition("EMAIL_BACKEND", None, "smtp or console (console writes mails to the log; development only). "
               "Default: console in development, smtp in production."),
    Definition("EMAIL_HOST", "localhost", "SMTP server."),
    Definition("EMAIL_PORT", "25", "SMTP port."),
    Definition("EMAIL_HOST_USER", "", "SMTP user name (empty: no login)."),
    Definition("EMAIL_HOST_PASSWORD", "", "SMTP password."),
    Definition("EMAIL_USE_TLS", "false", "STARTTLS on a plain connection (usually port 587)."),
    Definition("EMAIL_USE_SSL", "false", "Implicit TLS (usually port 465); exclusive with EMAIL_USE_TLS."),
    Definition("EMAIL_TIMEOUT", "10", "Seconds to wait for the SMTP server."),
    Definition("DEFAULT_FROM_EMAIL", "WiWebb <noreply@localhost>", "Sender of WiWebb's mail."),
    Definition("MAIL_MAX_ATTEMPTS", "8",
               "Delivery attempts before a mail is marked failed (kept for send-mail --retry)."),
    Definition("THROTTLE_RATES", "",
               "Rates by scope, e.g. login=5/minute,anon=100/hour,user=1000/hour,failed_login=20/hour; "
               "a scope set to off is not throttled."),
    Definition("THROTTLE_LOGIN", None, "Login, registration and password reset, per client IP (default 5/minute)."),
    Definition("THROTTLE_ANON", None, "Requests without a login, per client IP (default 100/hour)."),
    Definition("THROTTLE_USER", None, "Requests with a login, per user (default 1000/hour)."),
    Definition("THROTTLE_FAILED_LOGIN", None, "Failed logins per username as typed (default 20/hour)."),
    Definition("REDIS_URL", "", "Redis for throttling state shared by every process and host; empty: in-process."),
    Definition("TRUSTED_PROXIES", "", "Addresses or networks of proxies whose X-Forwarded-For is believed."),
    Definition("CORS_ALLOWED_ORIGINS", "http://localhost:5173,http://127.0.0.1:5173",
               "Origins that browsers may call the API from (comma-separated)."),
    Definition("CORS_ALLOW_CREDENTIALS", "true", "Send Access-Control-Allow-Credentials: true to allowed origins."),
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
class SmtpConfig:
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    use_tls: bool
    use_ssl: bool
    timeout: float


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
    password_reset_timeout: timedelta
    frontend_url: str
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
        password_reset_timeout=parsed("PASSWORD_RESET_TIMEOUT", _duration),
        frontend_url=_url("FRONTEND_URL", value("FRONTEND_URL") or ""),
        email_backend=_email_backend(value("EMAIL_BACKEND"), environment),
        email=_smtp(value),
        default_from_email=value("DEFAULT_FROM_EMAIL") or "",
        mail_max_attempts=parsed("MAIL_MAX_ATTEMPTS", _positive_int),
        throttle_rates=_throttle_rates(value),
        redis_url=_redis_url(value("REDIS_URL") or ""),
        trusted_proxies=_networks("TRUSTED_PROXIES", value("TRUSTED_PROXIES") or ""),
        cors_allowed_origins=tuple(_url("CORS_ALLOWED_ORIGINS", o) for o in _items(value("CORS_ALLOWED_ORIGINS"))),
        cors_allow_credentials=parsed("CORS_ALLOW_CREDENTIALS", _boolean),
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


def _items(text: str | None) -> list[str]:
    return [item.strip() for item in (text or "").split(",") if item.strip()]


def _url(name: str, text: str) -> str:
    text = text.strip().rstrip("/")
    if text and not re.fullmatch(r"https?://[^\s/]+(/[^\s]*)?", text):
        raise SettingsError(f"{name}: expected an http(s) URL like https://app.example.com, got {text!r}")
    return text


def _email_backend(text: str | None, environment: str) -> str:
    backend = (text or ("smtp" if environment == "production" else "console")).strip().lower()
    if backend not in ("smtp", "console"):
        raise SettingsError(f"EMAIL_BACKEND: expected smtp or console, got {text!r}")
    if backend == "console" and environment == "production":
        raise SettingsError("EMAIL_BACKEND: console writes whole mails (reset links) to the log; "
                            "not allowed in production, use smtp")
    return backend


def _smtp(value: Callable[[str], str | None]) -> SmtpConfig:
    config = SmtpConfig(
        host=value("EMAIL_HOST") or "localhost",
        port=_port("EMAIL_PORT", value("EMAIL_PORT") or "25"),
        user=value("EMAIL_HOST_USER") or "",
        password=value("EMAIL_HOST_PASSWORD") or "",
        use_tls=_boolean("EMAIL_USE_TLS", value("EMAIL_USE_TLS") or "false"),
        use_ssl=_boolean("EMAIL_USE_SSL", value("EMAIL_USE_SSL") or "false"),
        timeout=_seconds("EMAIL_TIMEOUT", value("EMAIL_TIMEOUT") or "10"),
    )
    if config.use_tls and config.use_ssl:
        raise SettingsError("EMAIL_USE_TLS: cannot be true together with EMAIL_USE_SSL; choose one")
    return config


_SCOPES = ("login", "anon", "user", "failed_login")


def _throttle_rates(value: Callable[[str], str | None]) -> dict[str, str | None]:
    """Defaults, then THROTTLE_RATES, then one setting per scope; each value checked here."""
    from wiwebb.domain.throttling import DEFAULT_RATES, InvalidRate, Rate

    rates = dict(DEFAULT_RATES)
    for item in _items(value("THROTTLE_RATES")):
        scope, sep, rate = item.partition("=")
        if not sep or scope.strip() not in _SCOPES:
            raise SettingsError(f"THROTTLE_RATES: expected scope=rate with a scope among {', '.join(_SCOPES)}, "
                                f"got {item!r}")
        rates[scope.strip()] = rate.strip()
    for scope in _SCOPES:
        own = value(f"THROTTLE_{scope.upper()}")
        if own is not None:
            rates[scope] = own
    for scope, rate in rates.items():
        if rate is not None and rate.strip().lower() not in ("", "off", "none", "0"):
            try:
                Rate.parse(rate)
            except InvalidRate as error:
                raise SettingsError(f"THROTTLE_{scope.upper()}: {error}") from None
    return rates


def _redis_url(text: str) -> str:
    if text and not text.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError(f"REDIS_URL: expected a URL like redis://localhost:6379/0, got {text!r}")
    return text


def _networks(name: str, text: str) -> tuple[str, ...]:
    import ipaddress

    networks = []
    for item in _items(text):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise SettingsError(f"{name}: expected IP addresses or networks like 10.0.0.0/8, got {item!r}") from None
    return tuple(networks)


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
