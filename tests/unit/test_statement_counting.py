"""`count_sql_statements`: what a request's trace counts (the access log's `sql_statements`),
against SQLite in memory. The request-level tests (tests/integration/test_request_logs.py) check
the count against an independent listener on PostgreSQL and SQLite."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from wiwebb.adapters.logs import count_sql_statements, trace_request


@pytest.fixture
def engine():
    engine = create_engine("sqlite://", pool_pre_ping=True)
    count_sql_statements(engine)
    yield engine
    engine.dispose()


def test_statements_run_while_a_request_is_traced_are_counted_with_their_time(engine):
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))  # outside any request: not counted, no error
        with trace_request("id", "GET", "/") as trace:
            connection.execute(text("SELECT 1"))
            connection.execute(text("SELECT :a"), {"a": 2})
            connection.exec_driver_sql("SELECT 3")  # no parameters
            connection.execute(text("CREATE TEMP TABLE t (a INTEGER)"))
            connection.execute(text("INSERT INTO t VALUES (:a)"), [{"a": 1}, {"a": 2}])  # executemany: one
        assert trace.sql_statements == 5
        assert trace.sql_seconds > 0


def test_a_failed_statement_counts_and_the_next_ones_too(engine):
    with engine.connect() as connection, trace_request("id", "GET", "/") as trace:
        with pytest.raises(OperationalError):
            connection.execute(text("SELECT * FROM no_such_table"))
        connection.execute(text("SELECT 1"))
    assert trace.sql_statements == 2


def test_counting_twice_counts_each_statement_once_and_pings_are_not_counted(engine):
    count_sql_statements(engine)
    with trace_request("id", "GET", "/") as trace:
        for _ in range(3):  # each checkout after the first pings the pooled connection
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
    assert trace.sql_statements == 3


def test_counting_puts_no_listener_on_the_engine_s_statement_events(engine):
    # A listener on any of these sends every statement through SQLAlchemy's event machinery (a
    # tenth of the instructions of GET auth/user/, make bench-instructions).
    dispatch = engine.dispatch
    assert not dispatch.before_cursor_execute and not dispatch.after_cursor_execute
