"""Fixtures shared by the integration and functional suites: real PostgreSQL and SQLite databases.

PostgreSQL: one database per test session, migrated once; each test runs inside an outer
transaction that is rolled back, and the application's sessions use savepoints, so pyramid_tm
still commits and aborts for real inside the test. SQLite: one migrated file per session, copied
for each test (copying a small file is fast and exact).

Without a reachable PostgreSQL the PostgreSQL tests skip, saying how to enable them; under CI
(`CI=true`) they fail instead.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import OperationalError

from wiwebb.adapters import schema
from wiwebb.adapters.database import Database, create_database_engine
from wiwebb.settings import load_settings

POSTGRES_ADMIN_URL = os.environ.get("WIWEBB_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# Cheap Argon2 for tests; the production parameters have a test of their own.
TEST_ENVIRON = {
    "ARGON2_TIME_COST": "1",
    "ARGON2_MEMORY_COST": "8",
    "ARGON2_PARALLELISM": "1",
    "SECRET_KEY": "test-secret-key-that-is-long-enough-for-any-check",
    "LOG_LEVEL": "INFO",
    # Throttling is off unless a test is about it (each app has its own in-process store anyway).
    "THROTTLE_RATES": "login=off,anon=off,user=off,failed_login=off",
}


def make_settings(database_url: str, base_dir: Path, **overrides: str):
    environ = {**TEST_ENVIRON, "DATABASE_URL": database_url, **overrides}
    return load_settings({"environment": "test"}, environ=environ, base_dir=base_dir)


def require_postgres() -> None:
    """Skip (or, under CI, fail) with a message saying how to enable the test when PostgreSQL is
    unreachable."""
    admin = create_engine(POSTGRES_ADMIN_URL)
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        message = (f"PostgreSQL unreachable at {make_url(POSTGRES_ADMIN_URL).render_as_string()} "
                   f"({str(error.orig).strip().splitlines()[0]}); start it or set WIWEBB_TEST_POSTGRES_URL "
                   "to run the PostgreSQL tests")
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    finally:
        admin.dispose()


@contextmanager
def new_postgres_database(prefix: str = "wiwebb_test") -> Iterator[URL]:
    """A new, empty PostgreSQL database of the caller's own, dropped afterwards."""
    require_postgres()
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(POSTGRES_ADMIN_URL).set(database=name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def migrated_postgres_engine(prefix: str = "wiwebb_test") -> Iterator[Engine]:
    """An engine on a new PostgreSQL database of the caller's own, migrated; dropped afterwards."""
    with new_postgres_database(prefix) as url:
        engine = create_database_engine(url.render_as_string(False))
        try:
            schema.migrate(engine)
            yield engine
        finally:
            engine.dispose()


@pytest.fixture(scope="session")
def postgres_engine():
    with migrated_postgres_engine() as engine:
        yield engine


@pytest.fixture
def postgres_database(postgres_engine):
    """A clean PostgreSQL database for one test: everything it does is rolled back at the end."""
    connection = postgres_engine.connect()
    outer = connection.begin()
    try:
        yield Database(postgres_engine, bind=connection)
    finally:
        outer.rollback()
        connection.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    engine = create_database_engine(f"sqlite:///{path}")
    schema.migrate(engine)
    with engine.connect() as connection:  # fold the WAL into the file so a plain copy is complete
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def sqlite_database(sqlite_template, tmp_path):
    path = tmp_path / "wiwebb.sqlite3"
    shutil.copyfile(sqlite_template, path)
    engine = create_database_engine(f"sqlite:///{path}")
    yield Database(engine)
    engine.dispose()


@pytest.fixture(params=["postgres", "sqlite"])
def database(request):
    """Each test that takes `database` runs on PostgreSQL and on SQLite."""
    return request.getfixturevalue(f"{request.param}_database")
