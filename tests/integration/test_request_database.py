"""A request's database (adapters/request_database.py): one connection, opened on first use; the
statements outside the ORM session (authentication) commit or roll back with the transaction
manager; a session made later takes over the same connection and its open transaction; the
connection goes back to the pool when the request ends. On PostgreSQL and SQLite, through real
engines (not the tests' outer transaction)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import transaction
from sqlalchemy import func, insert, select

from wiwebb.adapters.database import Database, create_database_engine
from wiwebb.adapters.orm import TenantRow
from wiwebb.adapters.request_database import RequestDatabase
from wiwebb.adapters.session_rows import held

from ..conftest import migrated_postgres_engine

TENANTS = TenantRow.__table__


@pytest.fixture(scope="module")
def postgres_engine_of_module():
    with migrated_postgres_engine("wiwebb_request_db") as engine:
        yield engine


@pytest.fixture(params=["postgres", "sqlite"])
def engine_database(request):
    """A Database on an engine (as the server has it), each test's rows removed afterwards."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_database")
        return
    database = Database(request.getfixturevalue("postgres_engine_of_module"))
    yield database
    with database.engine.begin() as connection:
        connection.execute(TENANTS.delete())


def _values(slug: str) -> dict:
    now = datetime.now(UTC)
    return {"uuid": uuid.uuid4(), "name": f"Tenant {slug}", "slug": slug, "is_active": True, "description": "",
            "url": "", "created_at": now, "updated_at": now}


def _tenant(slug: str) -> TenantRow:
    return TenantRow(**_values(slug))


def _count(database: Database, slug: str) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(TenantRow).where(TenantRow.slug == slug))


def _request_database(database: Database, *, write: bool = True):
    manager = transaction.TransactionManager(explicit=True)
    return RequestDatabase(database, manager, write=write), manager


@pytest.mark.parametrize("end", ["commit", "abort"])
def test_statements_outside_the_session_end_with_the_manager(engine_database, end):
    request_db, manager = _request_database(engine_database)
    manager.begin()
    request_db.connection().execute(insert(TENANTS).values(_values(f"alone-{end}")))
    getattr(manager, end)()
    assert _count(engine_database, f"alone-{end}") == (1 if end == "commit" else 0)


@pytest.mark.parametrize("end", ["commit", "abort"])
def test_a_session_made_later_takes_over_the_connection_and_its_transaction(engine_database, end):
    request_db, manager = _request_database(engine_database)
    manager.begin()
    connection = request_db.connection()
    connection.execute(insert(TENANTS).values(_values(f"before-{end}")))
    session = request_db.session()
    assert session.connection() is connection  # one connection, one transaction
    session.add(_tenant(f"after-{end}"))
    session.flush()
    assert engine_database.engine.pool.checkedout() == 1
    getattr(manager, end)()
    expected = 1 if end == "commit" else 0
    assert (_count(engine_database, f"before-{end}"), _count(engine_database, f"after-{end}")) == (expected, expected)


def test_the_session_goes_on_across_checkpoints(engine_database):
    request_db, manager = _request_database(engine_database)
    manager.begin()
    request_db.connection().execute(select(1))
    session = request_db.session()
    session.add(_tenant("first"))
    manager.commit()  # a checkpoint, as the operations journal makes
    assert engine_database.engine.pool.checkedout() == 0
    manager.begin()
    session.add(_tenant("second"))
    session.flush()
    assert request_db.connection() is session.connection()
    manager.abort()
    manager.begin()
    session.add(_tenant("third"))
    manager.commit()
    assert engine_database.engine.pool.checkedout() == 0
    assert [_count(engine_database, slug) for slug in ("first", "second", "third")] == [1, 0, 1]


def test_rows_held_before_the_session_exists_are_handed_to_it(engine_database):
    request_db, manager = _request_database(engine_database, write=False)
    manager.begin()
    request_db.connection()
    request_db.hold(("tenant", 7), {"name": "Held"})
    session = request_db.session()
    assert held(session, ("tenant", 7)) == {"name": "Held"}
    request_db.hold(("tenant", 8), {"name": "Later"})
    assert held(session, ("tenant", 8)) == {"name": "Later"}
    manager.abort()


@pytest.mark.parametrize("end", ["commit", "abort"])
def test_the_connection_goes_back_to_the_pool_before_the_work_after_the_transaction(engine_database, end):
    """With a pool of one, work that runs after the transaction (a token's touch) still gets one."""
    engine = create_database_engine(engine_database.url.render_as_string(False), pool_size=1, max_overflow=0,
                                    pool_timeout=1)
    database = Database(engine)
    try:
        request_db, manager = _request_database(database, write=False)
        manager.begin()
        request_db.connection().execute(select(1))
        request_db.session().execute(select(1))
        assert engine.pool.checkedout() == 1
        after: list[int] = []
        current = manager.get()
        current.addAfterCommitHook(lambda _ok: database.run_in_own_transaction(lambda s: after.append(1)))
        current.addAfterAbortHook(lambda: database.run_in_own_transaction(lambda s: after.append(1)))
        getattr(manager, end)()
        assert after == [1] and engine.pool.checkedout() == 0
        request_db.close()  # twice is harmless
        assert engine.pool.checkedout() == 0
    finally:
        engine.dispose()


def test_nothing_is_opened_until_a_statement_or_the_session_needs_it(engine_database):
    pool = engine_database.engine.pool
    request_db, manager = _request_database(engine_database)
    manager.begin()
    request_db.hold(("user", 1), {"username": "held"})
    assert pool.checkedout() == 0
    request_db.session()
    assert pool.checkedout() == 1
    manager.commit()
    assert pool.checkedout() == 0


def test_bound_to_a_connection_nothing_is_committed_or_closed(postgres_database):
    """The tests' outer transaction: statements outside the session run in it, sessions in savepoints."""
    request_db, manager = _request_database(postgres_database)
    manager.begin()
    assert request_db.connection() is postgres_database.bound_connection
    request_db.connection().execute(insert(TENANTS).values(_values("bound-outside")))
    session = request_db.session()
    session.add(_tenant("bound-session"))
    session.flush()
    manager.abort()  # rolls back the session's savepoint only
    assert not postgres_database.bound_connection.closed
    outer = postgres_database.bound_connection
    slugs = set(outer.execute(select(TENANTS.c.slug)).scalars())
    assert "bound-outside" in slugs and "bound-session" not in slugs
