"""The PostgreSQL pool's reset when a connection is given back (adapters/pg_pool.py), without a
server: a rollback only when psycopg2 says a transaction is open."""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg2.extensions
import pytest
from sqlalchemy.engine import make_url

from wiwebb.adapters import pg_pool


@dataclass
class FakeConnection:
    status: int
    rollbacks: list[str] = field(default_factory=list)

    def rollback(self) -> None:
        self.rollbacks.append("rollback")


@dataclass
class ResetState:
    transaction_was_reset: bool = False
    terminate_only: bool = False


@pytest.mark.parametrize(("status", "was_reset", "rolled_back"), [
    (psycopg2.extensions.STATUS_READY, False, False),  # the session rolled back already
    (psycopg2.extensions.STATUS_BEGIN, False, True),  # given back inside a transaction
    (psycopg2.extensions.STATUS_PREPARED, False, True),
    (psycopg2.extensions.STATUS_BEGIN, True, False),  # SQLAlchemy says it reset the transaction
])
def test_the_reset_rolls_back_only_an_open_transaction(status, was_reset, rolled_back):
    connection = FakeConnection(status)
    pg_pool.reset_unless_idle(connection, None, ResetState(transaction_was_reset=was_reset))
    assert connection.rollbacks == (["rollback"] if rolled_back else [])


def test_a_connection_whose_state_is_unknown_is_rolled_back():
    class NoStatus:
        rolled_back = False

        def rollback(self) -> None:
            self.rolled_back = True

    connection = NoStatus()
    pg_pool.reset_unless_idle(connection, None, ResetState())
    assert connection.rolled_back


@pytest.mark.parametrize(("url", "applies"), [
    ("postgresql+psycopg2://db/app", True),
    ("postgresql+pg8000://db/app", False),  # its own ping and reset stay
    ("sqlite:///app.sqlite3", False),
])
def test_only_psycopg2_engines_get_the_lean_checkout(url, applies):
    assert pg_pool.applies_to(make_url(url)) is applies
