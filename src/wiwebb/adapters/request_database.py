"""The database as one request uses it: one connection, and the ORM session only when needed.

Every authenticated request runs one statement first (its token, user and tenant). For the many
requests that need nothing more (GET auth/user/), building an ORM session around that statement
cost more than the statement itself: the session, its transaction and snapshot, joining it to the
transaction manager and closing it were an eighth of such a request's instructions. So:

- `connection()` gives statements that need no session (authentication) the request's one
  connection, opened on first use. Its transaction commits or rolls back with the transaction
  manager's (a data manager of its own joins the manager when the transaction begins).
- `session()` makes the request's ORM session on that same connection. If a transaction is open
  there already (authentication's), the session takes it over: from then on the session, joined to
  the manager as any request session (`transaction_join`), commits or rolls it back. One
  connection, one transaction, as before, whichever comes first.
- The connection goes back to the pool when the manager's transaction ends (committed or not),
  before the work that runs after it. A request that goes on in a new transaction (the operations
  journal's checkpoint) opens a connection again if it needs one.

Rows read outside the session are `hold`-en here until the session exists, then handed to it
(`session_rows.hold`), so later lookups of them by id still cost no statement.

When the `Database` is bound to a connection (tests run each case inside an outer transaction),
statements outside the session run on that connection, in the outer transaction, and sessions are
made as `Database.session` makes them (in savepoints); nothing here commits or closes anything.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from . import transaction_join
from .database import Database
from .session_rows import hold


class RequestDatabase:
    def __init__(self, database: Database, transaction_manager: Any, *, write: bool) -> None:
        self._database = database
        self._manager = transaction_manager
        self._write = write
        self._connection: Connection | None = None
        self._session: Session | None = None
        self._held: dict[tuple[str, int], dict[str, object]] = {}

    def connection(self) -> Connection:
        """The connection for a statement outside the session, in the request's transaction."""
        if self._session is not None:
            return self._session.connection()
        bound = self._database.bound_connection
        if bound is not None:
            return bound
        connection = self._open()
        if not connection.in_transaction():  # the statement about to run begins one
            self._manager.get().join(_ConnectionTransaction(self, connection, self._manager))
        return connection

    def hold(self, key: tuple[str, int], values: dict[str, object]) -> None:
        """Hold the values of a row read outside the session (`session_rows.hold`)."""
        if self._session is not None:
            hold(self._session, key, values)
        else:
            self._held[key] = values

    def session(self) -> Session:
        """The request's ORM session (made once), joined to the transaction manager."""
        if self._session is None:
            if self._database.bound_connection is not None:
                session = self._database.session(write=self._write)
            else:
                session = self._database.session(write=self._write, bind=self._open(),
                                                 join_transaction_mode="control_fully")
            transaction_join.join(session, self._manager)
            for key, values in self._held.items():
                hold(session, key, values)
            self._held.clear()
            self._session = session
            if self._connection is not None and self._connection.in_transaction():
                session.connection()  # take over the open transaction now: the session ends it
        return self._session

    def close(self) -> None:
        """Give the connection back to the pool (rolling back what was left open, if anything).
        A session made on it goes on, if used again, as any session does: a connection of its own
        from the engine for each transaction."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        if self._session is not None and self._session.bind is connection:
            self._session.bind = self._database.engine_for(write=self._write)
        connection.close()

    def _open(self) -> Connection:
        if self._connection is None:
            self._connection = self._database.connect(write=self._write)
            # Given back as soon as the manager's transaction ends, before the work that runs
            # after it (a token's touch, mail) asks the pool for a connection of its own.
            current = self._manager.get()
            current.addAfterCommitHook(lambda _committed: self.close())
            current.addAfterAbortHook(self.close)
        return self._connection

    def _owns(self, connection: Connection) -> bool:
        """Whether the transaction open on `connection` is still this object's to end (no session
        took it over)."""
        return self._session is None and connection is self._connection


class _ConnectionTransaction:
    """A `transaction` data manager for the connection's transaction, until a session takes it
    over: commits it (as zope.sqlalchemy does, in the vote: one phase) or rolls it back."""

    def __init__(self, owner: RequestDatabase, connection: Connection, transaction_manager: Any) -> None:
        self._owner = owner
        self._connection = connection
        self.transaction_manager = transaction_manager

    def _end(self, commit: bool) -> None:
        if not self._owner._owns(self._connection):
            return
        transaction = self._connection.get_transaction()
        if transaction is not None and transaction.is_active:
            transaction.commit() if commit else transaction.rollback()

    def abort(self, txn: Any) -> None:
        self._end(commit=False)

    def tpc_begin(self, txn: Any) -> None:
        pass

    def commit(self, txn: Any) -> None:
        pass

    def tpc_vote(self, txn: Any) -> None:
        self._end(commit=True)

    def tpc_finish(self, txn: Any) -> None:
        pass

    def tpc_abort(self, txn: Any) -> None:
        self._end(commit=False)

    def sortKey(self) -> str:  # the transaction package's name
        return f"~sqlalchemy~connection:{id(self)}"
