"""Sessions join a `transaction` manager with zope.sqlalchemy's semantics through listeners added
once to the Session class (adapters/transaction_join.py), not seven per session; sessions that
did not join are left alone."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import transaction
from sqlalchemy import func, select

from wiwebb.adapters import transaction_join
from wiwebb.adapters.orm import TenantRow


def _tenant(slug: str) -> TenantRow:
    now = datetime.now(UTC)
    return TenantRow(uuid=uuid.uuid4(), name=f"Tenant {slug}", slug=slug, is_active=True, description="", url="",
                     created_at=now, updated_at=now)


def _count(database, slug: str) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(TenantRow).where(TenantRow.slug == slug))


@pytest.mark.parametrize("end", ["commit", "abort"])
def test_a_joined_session_ends_with_its_manager(database, end):
    manager = transaction.TransactionManager(explicit=True)
    manager.begin()
    session = database.session(write=True)
    transaction_join.join(session, manager)
    session.add(_tenant(f"joined-{end}"))
    session.flush()
    getattr(manager, end)()
    assert _count(database, f"joined-{end}") == (1 if end == "commit" else 0)


def test_a_joined_session_cannot_commit_by_itself(database):
    manager = transaction.TransactionManager(explicit=True)
    manager.begin()
    session = database.session(write=True)
    transaction_join.join(session, manager)
    session.add(_tenant("alone"))
    with pytest.raises(AssertionError, match="transaction manager"):
        session.commit()
    manager.abort()


def test_sessions_that_did_not_join_are_left_alone_and_no_session_gets_listeners(database):
    manager = transaction.TransactionManager(explicit=True)
    manager.begin()
    joined = database.session(write=True)
    transaction_join.join(joined, manager)
    joined.execute(select(1))
    assert transaction_join.joined(joined)
    assert not joined.dispatch.after_begin.listeners  # class-level listeners only
    manager.abort()
    with database.session(write=True) as plain, plain.begin():  # commits by itself, as before
        plain.add(_tenant("plain"))
    assert not transaction_join.joined(plain)
    assert _count(database, "plain") == 1
