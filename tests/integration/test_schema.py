"""Migrations (`wiwebb.adapters.schema`) on fresh, empty PostgreSQL and SQLite databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from wiwebb.adapters import schema
from wiwebb.adapters.database import create_database_engine
from wiwebb.adapters.orm import Base, UtcDateTime

from ..conftest import new_postgres_database

TABLES = {"tenants", "users", "auth_tokens", "audit_log"}


@pytest.fixture(params=["postgres", "sqlite"])
def empty_engine(request, tmp_path):
    if request.param == "postgres":
        yield from _empty_postgres_engine()
    else:
        engine = create_database_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
        yield engine
        engine.dispose()


def _empty_postgres_engine():
    with new_postgres_database("wiwebb_schema") as url:
        engine = create_database_engine(url.render_as_string(False))
        try:
            yield engine
        finally:
            engine.dispose()


def applied(engine) -> dict[str, bool]:
    return {state.name: state.applied for state in schema.status(engine)}


def tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_migrate_forwards_then_back_to_zero(empty_engine):
    assert applied(empty_engine)["0001_initial"] is False
    assert not schema.is_up_to_date(empty_engine)
    assert not TABLES & tables(empty_engine)

    schema.migrate(empty_engine)
    assert all(applied(empty_engine).values())
    assert schema.is_up_to_date(empty_engine)
    assert tables(empty_engine) >= TABLES

    schema.migrate(empty_engine, "zero")
    assert not any(applied(empty_engine).values())
    assert not schema.is_up_to_date(empty_engine)
    assert not TABLES & tables(empty_engine)


def test_fake_stamps_without_creating_tables(empty_engine):
    schema.fake(empty_engine, "0001")
    assert applied(empty_engine)["0001_initial"] is True
    assert not TABLES & tables(empty_engine)


@pytest.mark.parametrize("given", ["0001", "0001_initial", "0001_in"])
def test_resolve(given):
    assert schema.resolve(given) == "0001"


def test_resolve_zero_and_unknown():
    assert schema.resolve("zero") == "base"
    with pytest.raises(schema.UnknownRevision, match="nope"):
        schema.resolve("nope")


def test_indexes_and_unique_constraints(empty_engine):
    schema.migrate(empty_engine)
    inspector = inspect(empty_engine)
    indexed = {table: indexed_columns(inspector, table) for table in TABLES}
    unique = {table: unique_columns(inspector, table) for table in TABLES}

    # Every foreign key is the leading part of an index (deletes on the parent must not scan the child).
    for table in TABLES:
        for foreign_key in inspector.get_foreign_keys(table):
            columns = tuple(foreign_key["constrained_columns"])
            assert any(index[: len(columns)] == columns for index in indexed[table]), (table, columns)

    for table, column in [("users", "tenant_id"), ("auth_tokens", "user_id"), ("audit_log", "actor_id"),
                          ("audit_log", "target_id"), ("audit_log", "tenant_id"), ("users", "role"),
                          ("users", "is_active"), ("tenants", "is_active")]:
        assert (column,) in indexed[table], (table, column)
    for table, column in [("users", "username"), ("users", "email_lower"), ("tenants", "slug"),
                          ("tenants", "name"), ("auth_tokens", "key_hash")]:
        assert (column,) in unique[table], (table, column)
    assert ("email",) not in unique["users"]  # only the lowercased address is unique


def indexed_columns(inspector, table: str) -> set[tuple[str, ...]]:
    """The column lists of the table's indexes, those behind unique constraints included."""
    return {tuple(index["column_names"]) for index in inspector.get_indexes(table)} | unique_columns(inspector, table)


def unique_columns(inspector, table: str) -> set[tuple[str, ...]]:
    constraints = {tuple(c["column_names"]) for c in inspector.get_unique_constraints(table)}
    return constraints | {tuple(i["column_names"]) for i in inspector.get_indexes(table) if i["unique"]}


def test_orm_metadata_matches_the_migrated_schema(empty_engine):
    schema.migrate(empty_engine)
    with empty_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [d for d in flatten(compare_metadata(context, Base.metadata))
                       if not is_utc_type_change(d) and not is_other_dialects_index(d, empty_engine.dialect.name)]
    assert differences == []


def flatten(differences: list) -> list[tuple]:
    """compare_metadata nests the changes of one column in a list of their own."""
    return [change for d in differences for change in (d if isinstance(d, list) else [d])]


def is_other_dialects_index(change: tuple, dialect: str) -> bool:
    """An index the ORM creates on another dialect only (`Index.ddl_if`), which the migrations skip here
    (compare_metadata hands a copy of the index, without its `ddl_if`: the ORM's own is looked up)."""
    if change[0] != "add_index":
        return False
    ddl_if = next((getattr(index, "_ddl_if", None) for index in Base.metadata.tables[change[1].table.name].indexes
                   if index.name == change[1].name), None)
    return ddl_if is not None and ddl_if.dialect not in (None, dialect)


def is_utc_type_change(change: tuple) -> bool:
    """The migration writes `DateTime(timezone=True)` where the ORM has the `UtcDateTime` decorator."""
    return change[0] == "modify_type" and isinstance(change[-1], UtcDateTime)


def test_0003_keeps_the_names_of_existing_entries(empty_engine):
    schema.migrate(empty_engine, "0002")
    with empty_engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO users (id, username, email, email_lower, password, role, first_name, last_name, is_active, "
            "date_joined, phone_number, bio, url, company, location) VALUES (7, 'alice', 'a@x.test', 'a@x.test', "
            "'!', 'subscriber', '', '', true, '2026-01-01 00:00:00', '', '', '', '', '')"))
        connection.execute(text("INSERT INTO audit_log (action, actor_id, target_id, details, timestamp) "
                                "VALUES ('user_updated', 7, 7, '{}', '2026-01-01 00:00:00')"))
    schema.migrate(empty_engine)
    with empty_engine.connect() as connection:
        row = connection.execute(text("SELECT actor_username, target_username FROM audit_log")).one()
    assert tuple(row) == ("alice", "alice")
    schema.migrate(empty_engine, "0002")  # and back
    assert "actor_username" not in {c["name"] for c in inspect(empty_engine).get_columns("audit_log")}
