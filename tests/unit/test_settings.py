import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from wiwebb.settings import DEFINITIONS, NAMES, SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def load(tmp_path, ini=None, **environ):
    return load_settings({"environment": "development", **(ini or {})}, environ=environ, base_dir=tmp_path)


def test_env_example_documents_exactly_the_settings():
    text = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s?([A-Z][A-Z0-9_]+)=", text, re.MULTILINE))
    assert documented == set(NAMES)


def test_defaults(tmp_path):
    settings = load(tmp_path)
    assert settings.port == 8000 and settings.host == "0.0.0.0"
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'var' / 'wiwebb.sqlite3'}"
    assert settings.token_ttl == timedelta(days=7) and settings.registration_open is True


def test_precedence_ini_then_env_files_then_environment(tmp_path):
    (tmp_path / ".env").write_text("PORT=8001\nTOKEN_TTL=1h\nLOG_LEVEL=debug\n")
    (tmp_path / ".env.local").write_text("export PORT='8002'  \n# a comment\nREGISTRATION_OPEN=no\n")
    settings = load(tmp_path, {"port": "7000", "token_ttl": "2h", "log_level": "ERROR"}, LOG_LEVEL="WARNING")
    assert settings.port == 8002
    assert settings.token_ttl == timedelta(hours=1)
    assert settings.registration_open is False
    assert settings.log_level == "WARNING"


def test_postgres_from_parts(tmp_path):
    settings = load(tmp_path, DATABASE="postgres", POSTGRES_HOST="db", POSTGRES_PORT="5433", POSTGRES_DB="w",
                    POSTGRES_USER="u", POSTGRES_PASSWORD="p@ss word")
    assert settings.database_url == "postgresql+psycopg2://u:p%40ss%20word@db:5433/w"
    assert "p@ss" not in repr(settings)


def test_database_url_wins_and_postgres_scheme_is_accepted(tmp_path):
    settings = load(tmp_path, DATABASE="sqlite", DATABASE_URL="postgres://u@h/d")
    assert settings.database_url == "postgresql+psycopg2://u@h/d"


@pytest.mark.parametrize(("url", "expected"), [
    ("sqlite:///data/w.db", "sqlite:///{base}/data/w.db"),
    ("sqlite+pysqlite:///data/w.db", "sqlite+pysqlite:///{base}/data/w.db"),
    ("SQLite:///data/w.db", "sqlite:///{base}/data/w.db"),
    ("sqlite:////srv/w.db", "sqlite:////srv/w.db"),
    ("sqlite:///:memory:", "sqlite:///:memory:"),
])
def test_a_relative_sqlite_path_is_the_ini_files_folders(tmp_path, url, expected):
    assert load(tmp_path, DATABASE_URL=url).database_url == expected.format(base=tmp_path)


@pytest.mark.parametrize("url", ["postgresql://u@h/d", "postgres://u@h/d", "postgresql+psycopg2://u@h/d"])
def test_a_postgres_url_without_a_driver_means_psycopg2(tmp_path, url):
    # SQLAlchemy 2.1 reads postgresql:// as psycopg (3), which is not installed.
    settings = load(tmp_path, DATABASE_URL=url)
    assert make_url(settings.database_url).get_dialect().driver == "psycopg2"


@pytest.mark.parametrize(
    ("name", "value"),
    [("PORT", "eighty"), ("PORT", "70000"), ("TOKEN_TTL", "abc"), ("TOKEN_TTL", "0"), ("REGISTRATION_OPEN", "maybe"),
     ("DATABASE", "mysql"), ("LOG_LEVEL", "loud"), ("DATABASE_URL", "nonsense"), ("ARGON2_TIME_COST", "-1"),
     ("DATABASE_WAIT_TIMEOUT", "soon")],
)
def test_a_bad_value_names_the_setting(tmp_path, name, value):
    with pytest.raises(SettingsError) as caught:
        load(tmp_path, **{name: value})
    message = str(caught.value)
    assert message.startswith(f"{name}: ") and "\n" not in message


def test_production_requires_a_secret_key(tmp_path):
    with pytest.raises(SettingsError, match=r"^SECRET_KEY: required"):
        load(tmp_path, {"environment": "production"})
    with pytest.raises(SettingsError, match=r"^SECRET_KEY: too short"):
        load(tmp_path, {"environment": "production"}, SECRET_KEY="short")
    with pytest.raises(SettingsError, match=r"^FRONTEND_URL: required in production"):
        load(tmp_path, {"environment": "production"}, SECRET_KEY="x" * 40)
    production = load(tmp_path, {"environment": "production"}, SECRET_KEY="x" * 40,
                      FRONTEND_URL="https://app.example.com/")
    assert (production.secret_key, production.frontend_url) == ("x" * 40, "https://app.example.com")
    assert load(tmp_path, PORT="8001").frontend_url == "http://localhost:8001"


def test_development_keeps_a_generated_key(tmp_path):
    first = load(tmp_path).secret_key
    assert len(first) >= 40 and load(tmp_path).secret_key == first
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o077 == 0


def test_every_definition_has_help():
    assert all(d.help for d in DEFINITIONS)


def test_a_malformed_env_file_line_is_named(tmp_path):
    (tmp_path / ".env").write_text("PORT 8000\n")
    with pytest.raises(SettingsError, match=r"^\.env line 1"):
        load(tmp_path)


def test_operations_settings_defaults_and_off_values(tmp_path):
    settings = load(tmp_path)
    assert settings.debug is False and settings.sql_warn_statements == 20
    assert (settings.database_pool_size, settings.database_max_overflow, settings.database_pool_timeout) == (10, 10, 30)
    assert settings.database_statement_timeout == timedelta(seconds=30)
    assert settings.cleanup_interval == timedelta(hours=1) and settings.cleanup_age == timedelta(days=30)
    off = load(tmp_path, DATABASE_STATEMENT_TIMEOUT="0", CLEANUP_INTERVAL="off", DATABASE_MAX_OVERFLOW="0",
               DEBUG="true", CLEANUP_BATCH_SIZE="50")
    assert off.database_statement_timeout is None and off.cleanup_interval is None
    assert off.database_max_overflow == 0 and off.debug is True and off.cleanup_batch_size == 50


@pytest.mark.parametrize(("name", "value", "message"), [
    ("DATABASE_MAX_OVERFLOW", "-1", "DATABASE_MAX_OVERFLOW: expected a number of 0 or more, got '-1'"),
    ("DATABASE_STATEMENT_TIMEOUT", "soon", "DATABASE_STATEMENT_TIMEOUT: expected a duration"),
    ("CLEANUP_AGE", "0", "CLEANUP_AGE: expected a duration"),
    ("DEBUG", "maybe", "DEBUG: expected true or false, got 'maybe'"),
])
def test_operations_settings_refuse_bad_values(tmp_path, name, value, message):
    with pytest.raises(SettingsError, match=re.escape(message)):
        load(tmp_path, **{name: value})


PRODUCTION = {"environment": "production"}
PRODUCTION_ENVIRON = {"SECRET_KEY": "a-production-secret-key-of-more-than-32-characters",
                      "FRONTEND_URL": "https://app.example.com"}


@pytest.mark.parametrize("key", [
    "change-me-in-production", "development-only-secret-key-do-not-use-in-production", "CHANGEME", "secret",
    "django-insecure-0123456789abcdefghijklmnopqrstuvwxyz", "please-change-me-before-going-live-thanks",
])
def test_production_refuses_an_example_secret_key_without_repeating_it(tmp_path, key):
    with pytest.raises(SettingsError) as caught:
        load(tmp_path, PRODUCTION, **{**PRODUCTION_ENVIRON, "SECRET_KEY": key})
    message = str(caught.value)
    assert message.startswith("SECRET_KEY: an example value") and "\n" not in message
    assert repr(key) not in message and (len(key) < 10 or key not in message)
    assert load(tmp_path, **{**PRODUCTION_ENVIRON, "SECRET_KEY": key}).secret_key == key  # development allows it


@pytest.mark.parametrize(("name", "message"), [
    ("DEBUG", "DEBUG: must be off under production.ini"),
    ("USE_LOCALSTRIPE", "USE_LOCALSTRIPE: must be off under production.ini"),
])
def test_production_refuses_development_switches(tmp_path, name, message):
    with pytest.raises(SettingsError) as caught:
        load(tmp_path, PRODUCTION, **PRODUCTION_ENVIRON, **{name: "true"})
    assert str(caught.value).startswith(message) and str(caught.value).endswith(f"set {name}=false")
    # Named in .env.local too, and wrong values are still named as before.
    (tmp_path / ".env.local").write_text(f"{name}=on\n")
    with pytest.raises(SettingsError, match=f"^{name}: must be off"):
        load(tmp_path, PRODUCTION, **PRODUCTION_ENVIRON)
    with pytest.raises(SettingsError, match=f"^{name}: expected true or false"):
        load(tmp_path, PRODUCTION, **PRODUCTION_ENVIRON, **{name: "maybe"})


def test_development_and_test_allow_what_production_refuses(tmp_path):
    insecure = {"SECRET_KEY": "change-me-in-production", "DEBUG": "true", "USE_LOCALSTRIPE": "true"}
    for environment in ("development", "test"):
        settings = load(tmp_path, {"environment": environment}, **insecure)
        assert (settings.debug, settings.use_localstripe) == (True, True)
    production = load(tmp_path, PRODUCTION, **PRODUCTION_ENVIRON, DEBUG="false", USE_LOCALSTRIPE="off")
    assert (production.debug, production.use_localstripe) == (False, False)
