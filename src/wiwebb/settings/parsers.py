"""Parsers of setting values: each takes the setting's name (for the message) and its text, and
raises `SettingsError` with one line naming the setting and what is wrong."""

from __future__ import annotations

import ipaddress
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.engine import make_url

from wiwebb.domain.durations import InvalidDuration, parse_duration
from wiwebb.domain.throttling import DEFAULT_RATES, InvalidRate, Rate


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line naming it."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    use_tls: bool
    use_ssl: bool
    timeout: float


def _whole_number(name: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise SettingsError(f"{name}: expected a whole number, got {text!r}") from None


def positive_int(name: str, text: str) -> int:
    number = _whole_number(name, text)
    if number <= 0:
        raise SettingsError(f"{name}: expected a number above 0, got {text!r}")
    return number


def non_negative_int(name: str, text: str) -> int:
    number = _whole_number(name, text)
    if number < 0:
        raise SettingsError(f"{name}: expected a number of 0 or more, got {text!r}")
    return number


def port(name: str, text: str) -> int:
    number = positive_int(name, text)
    if number > 65535:
        raise SettingsError(f"{name}: expected a port from 1 to 65535, got {text!r}")
    return number


def seconds(name: str, text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise SettingsError(f"{name}: expected a number of seconds, got {text!r}") from None
    if number < 0:
        raise SettingsError(f"{name}: expected a number of seconds, not negative, got {text!r}")
    return number


def duration(name: str, text: str) -> timedelta:
    try:
        return parse_duration(text)
    except InvalidDuration as error:
        raise SettingsError(f"{name}: {error}") from None


def optional_duration(name: str, text: str) -> timedelta | None:
    """A duration, or 0 (also `off`) for none."""
    if text.strip().lower() in ("0", "off", "none"):
        return None
    return duration(name, text)


def boolean(name: str, text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}: expected true or false, got {text!r}")


def off_in_production(name: str, text: str, environment: str, why: str) -> bool:
    """A boolean that development may turn on and production must not."""
    on = boolean(name, text)
    if on and environment == "production":
        raise SettingsError(f"{name}: must be off under production.ini ({why}); set {name}=false")
    return on


def log_level(name: str, text: str) -> str:
    level = text.strip().upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise SettingsError(f"{name}: expected DEBUG, INFO, WARNING or ERROR, got {text!r}")
    return level


def items(text: str | None) -> list[str]:
    return [item.strip() for item in (text or "").split(",") if item.strip()]


def url(name: str, text: str) -> str:
    text = text.strip().rstrip("/")
    if text and not re.fullmatch(r"https?://[^\s/]+(/[^\s]*)?", text):
        raise SettingsError(f"{name}: expected an http(s) URL like https://app.example.com, got {text!r}")
    return text


def frontend_url(text: str | None, environment: str, listening_port: int) -> str:
    """Where links in mail point. Never taken from a request's Host header (anyone can send one
    and have a reset link pointed at their own site): configured, or in development the address
    `make run` serves, http://localhost:PORT."""
    if text:
        return url("FRONTEND_URL", text)
    if environment == "production":
        raise SettingsError("FRONTEND_URL: required in production: the public address of the console "
                            "that reset and invitation links open, e.g. https://app.example.com")
    return f"http://localhost:{listening_port}"


def console_dir(text: str, base: Path) -> Path | None:
    """The folder of the built web console (relative to the ini file's folder), or None for `off`."""
    text = text.strip()
    if text.lower() == "off":
        return None
    return (base / text).resolve()


STRIPE_JS = "https://js.stripe.com/v3/"


def stripe_js_url(text: str | None, use_localstripe: bool, localstripe_url: str) -> str:
    """Where the web console loads Stripe.js from: as configured; else, with localstripe on, its
    stand-in of Stripe.js, which it serves at /js.stripe.com/v3/ (the path it reads its own address
    from, so the trailing slash stays); else Stripe's."""
    if text:
        url("STRIPE_JS_URL", text)  # checked, but kept as written: the trailing slash matters
        return text.strip()
    if use_localstripe and localstripe_url:
        return f"{localstripe_url}/js.stripe.com/v3/"
    return STRIPE_JS


def email_backend(text: str | None, environment: str) -> str:
    backend = (text or ("smtp" if environment == "production" else "console")).strip().lower()
    if backend not in ("smtp", "console"):
        raise SettingsError(f"EMAIL_BACKEND: expected smtp or console, got {text!r}")
    if backend == "console" and environment == "production":
        raise SettingsError("EMAIL_BACKEND: console writes whole mails (reset links) to the log; "
                            "not allowed in production, use smtp")
    return backend


def smtp(value: Callable[[str], str | None]) -> SmtpConfig:
    config = SmtpConfig(
        host=value("EMAIL_HOST") or "localhost",
        port=port("EMAIL_PORT", value("EMAIL_PORT") or "25"),
        user=value("EMAIL_HOST_USER") or "",
        password=value("EMAIL_HOST_PASSWORD") or "",
        use_tls=boolean("EMAIL_USE_TLS", value("EMAIL_USE_TLS") or "false"),
        use_ssl=boolean("EMAIL_USE_SSL", value("EMAIL_USE_SSL") or "false"),
        timeout=seconds("EMAIL_TIMEOUT", value("EMAIL_TIMEOUT") or "10"),
    )
    if config.use_tls and config.use_ssl:
        raise SettingsError("EMAIL_USE_TLS: cannot be true together with EMAIL_USE_SSL; choose one")
    return config


_SCOPES = ("login", "anon", "user", "failed_login")


def throttle_rates(value: Callable[[str], str | None]) -> dict[str, str | None]:
    """Defaults, then THROTTLE_RATES, then one setting per scope; each value checked here."""
    rates = dict(DEFAULT_RATES)
    for item in items(value("THROTTLE_RATES")):
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


def redis_url(text: str) -> str:
    if text and not text.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError(f"REDIS_URL: expected a URL like redis://localhost:6379/0, got {text!r}")
    return text


def networks(name: str, text: str) -> tuple[str, ...]:
    networks = []
    for item in items(text):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise SettingsError(f"{name}: expected IP addresses or networks like 10.0.0.0/8, got {item!r}") from None
    return tuple(networks)


DATABASE_SCHEMES = ("postgresql+psycopg2", "sqlite", "sqlite+pysqlite")


def database_url(value: Callable[[str], str | None], base: Path, var_dir: Path) -> str:
    url = value("DATABASE_URL")
    if url:
        if "://" not in url:
            raise SettingsError("DATABASE_URL: expected a URL like postgresql://user:password@host:5432/name")
        # postgres:// is the spelling of many hosting platforms. A URL without a driver means
        # psycopg2, the one installed: SQLAlchemy 2.1 reads postgresql:// as psycopg (3).
        for scheme in ("postgres://", "postgresql://"):
            if url.startswith(scheme):
                url = "postgresql+psycopg2://" + url.removeprefix(scheme)
        scheme, rest = url.split("://", 1)
        scheme = scheme.lower()
        if scheme not in DATABASE_SCHEMES:
            raise SettingsError(f"DATABASE_URL: expected a postgresql:// or sqlite:/// URL (the drivers installed), "
                                f"got one of scheme {scheme!r}")
        url = f"{scheme}://{rest}"
        try:
            port_number = make_url(url).port  # the port is read when the engine is made: check it now
        except ValueError:  # its message could hold the password: not repeated
            raise SettingsError("DATABASE_URL: not a database URL: expected a form like "
                                "postgresql://user:password@host:5432/name") from None
        if port_number is not None and not 0 < port_number < 65536:
            raise SettingsError(f"DATABASE_URL: expected a port from 1 to 65535, got {port_number}")
        if scheme.startswith("sqlite") and rest.startswith("/") and not rest.startswith("//") and rest != "/:memory:":
            url = f"{scheme}:///{base / rest.removeprefix('/')}"  # relative to the ini file's folder
        return url
    kind = (value("DATABASE") or "sqlite").strip().lower()
    if kind in ("sqlite", "sqlite3"):
        return f"sqlite:///{var_dir / 'wiwebb.sqlite3'}"
    if kind in ("postgres", "postgresql"):
        number = port("POSTGRES_PORT", value("POSTGRES_PORT") or "5432")
        user = quote(value("POSTGRES_USER") or "postgres", safe="")
        password = value("POSTGRES_PASSWORD") or ""
        credentials = f"{user}:{quote(password, safe='')}" if password else user
        name = quote(value("POSTGRES_DB") or "wiwebb", safe="")
        return f"postgresql+psycopg2://{credentials}@{value('POSTGRES_HOST') or 'localhost'}:{number}/{name}"
    raise SettingsError(f"DATABASE: expected postgres or sqlite, got {kind!r}")


# SECRET_KEY values that are examples, not secrets: those shipped in .env.example,
# docker-compose.yml and the docs, and the usual ones people paste. Refused in production.
PLACEHOLDER_SECRET_KEYS = frozenset({
    "change-me-in-production", "development-only-secret-key-do-not-use-in-production",
    "change-me", "changeme", "change_me", "secret", "secret-key", "secret_key", "secretkey", "your-secret-key",
    "your-secret-key-here", "insecure", "development", "dev", "test", "password", "replace-me",
})
# Parts that only an example key contains (a random key of 32+ characters does not).
PLACEHOLDER_SECRET_KEY_PARTS = ("django-insecure-", "change-me", "changeme", "change_me", "do-not-use",
                                "replace-me", "placeholder")


def is_placeholder_secret_key(key: str) -> bool:
    lowered = key.strip().lower()
    return lowered in PLACEHOLDER_SECRET_KEYS or any(part in lowered for part in PLACEHOLDER_SECRET_KEY_PARTS)


def secret_key(given: str | None, environment: str, var_dir: Path) -> str:
    if given:
        if environment == "production" and is_placeholder_secret_key(given):
            raise SettingsError("SECRET_KEY: an example value, not a secret; set a random one, e.g. the output of "
                                "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'")
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


def redact(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)
