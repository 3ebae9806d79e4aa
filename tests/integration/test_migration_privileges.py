"""Migration 0007 on a database whose user may not install extensions: the schema still comes up
to date, without the trigram search index, and a warning says how to add it."""

from __future__ import annotations

import logging
import uuid

import pytest
from sqlalchemy import create_engine, text

from wiwebb.adapters import schema
from wiwebb.adapters.database import create_database_engine

from ..conftest import POSTGRES_ADMIN_URL, new_postgres_database

pytestmark = pytest.mark.postgres


def test_a_user_who_may_not_install_pg_trgm_still_migrates_without_the_search_index(caplog):
    role = f"wiwebb_limited_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with new_postgres_database("wiwebb_privileges") as url:
            owner = create_engine(url, isolation_level="AUTOCOMMIT")
            try:
                with admin.connect() as connection:
                    connection.execute(text(f'CREATE ROLE "{role}" LOGIN'))
                with owner.connect() as connection:  # may create tables in public, not extensions
                    connection.execute(text("DROP EXTENSION IF EXISTS pg_trgm"))
                    connection.execute(text(f'GRANT USAGE, CREATE ON SCHEMA public TO "{role}"'))
            finally:
                owner.dispose()
            limited = create_database_engine(url.set(username=role).render_as_string(False))
            try:
                with caplog.at_level(logging.WARNING, logger="wiwebb.migrations"):
                    schema.migrate(limited)
                assert schema.is_up_to_date(limited)
                with limited.connect() as connection:
                    indexes = set(connection.execute(text(
                        "SELECT indexname FROM pg_indexes WHERE tablename = 'users'")).scalars())
                assert "ix_users_tenant_id_role_id" in indexes and "ix_users_search_trgm" not in indexes
                assert any("CREATE EXTENSION pg_trgm" in r.getMessage() for r in caplog.records)
                schema.migrate(limited, "0006")  # and back down, without the index to drop
            finally:
                limited.dispose()
    finally:
        with admin.connect() as connection:  # its objects went with the database
            connection.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()
