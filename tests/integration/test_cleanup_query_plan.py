"""`wiwebb cleanup`'s delete of old webhook events uses the index on processed_at (migration 0006),
not a scan of the whole table: 100,000 events over ~70 days, 1 in 50 failed, the oldest 1% old
enough. The statement the store sends is captured and explained (`pytest -s` prints the plan)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from wiwebb.adapters.database import Database
from wiwebb.adapters.housekeeping_sql import SqlHousekeepingStore

from ..conftest import migrated_postgres_engine
from .test_query_plans import captured, nodes, render

pytestmark = pytest.mark.postgres

EVENTS = 100_000


@pytest.fixture(scope="module")
def events_engine():
    with migrated_postgres_engine("wiwebb_cleanup_plan") as engine:
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO webhook_events (event_id, type, created, payload, status, received_at, "
                "processed_at, error, attempts) "
                "SELECT 'evt_' || g, 'invoice.paid', 0, '{}', "
                "CASE WHEN g % 50 = 0 THEN 'failed' ELSE 'processed' END, now() - g * interval '1 minute', "
                "CASE WHEN g % 50 = 0 THEN NULL ELSE now() - g * interval '1 minute' END, '', 1 "
                "FROM generate_series(1, :events) AS g"), {"events": EVENTS})
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE webhook_events"))
        yield engine


def test_deleting_old_webhook_events_uses_the_processed_at_index(events_engine):
    old_enough = datetime.now(UTC) - timedelta(minutes=EVENTS * 99 // 100)
    with events_engine.connect() as connection:
        outer = connection.begin()
        try:
            store = SqlHousekeepingStore(Database(events_engine, bind=connection))
            with captured(events_engine) as statements:
                deleted = store.delete_processed_webhook_events(old_enough, 500)
            assert deleted == 500
            [(statement, parameters)] = [(s, p) for s, p in statements if s.lstrip().upper().startswith("DELETE")]
            explained = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).scalar()
        finally:
            outer.rollback()
    plan = (json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"]
    print(f"\n{' '.join(statement.split())}\n{render(plan)}")
    # The batch's rows are picked (and locked) through the index. (How the DELETE then finds those
    # few ids is the planner's choice: on a small table a hash join over a scan of it is cheapest.)
    [picking] = [n for n in nodes(plan) if n["Node Type"] == "LockRows"]
    scans = [n for n in nodes(picking) if n.get("Relation Name") == "webhook_events"]
    assert not [n for n in scans if n["Node Type"] == "Seq Scan"], render(plan)
    assert any(n.get("Index Name") == "ix_webhook_events_processed_at" for n in scans), render(plan)
