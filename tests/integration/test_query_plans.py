"""The user list's queries use indexes on a large table: no sequential scan of `users`.

A PostgreSQL database of this module's own (migrated, then 100,000 users over 20 tenants seeded
with set-based SQL and analyzed, once for the module). The statements `SqlUserRepository.list`
sends are captured, with their parameters, by a `before_cursor_execute` listener while the
repository runs, and `EXPLAIN (FORMAT JSON)` of each (the page and the count) is walked for a
`Seq Scan` on `users`. `pytest -s` prints the plans.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from wiwebb.adapters.repositories import SqlUserRepository
from wiwebb.domain.listing import PageRequest
from wiwebb.domain.model import Role
from wiwebb.domain.queries import UserQuery

from ..conftest import migrated_postgres_engine

pytestmark = pytest.mark.postgres

USERS = 100_000
TENANTS = 20


@pytest.fixture(scope="module")
def big_engine():
    """A database of this module's own with 100,000 users, dropped at the end."""
    with migrated_postgres_engine("wiwebb_plans") as engine:
        _seed(engine)
        yield engine


def _seed(engine) -> None:
    """20 tenants; users round-robin over them, and in each tenant 1 in 50 a tenant owner (the rest
    subscribers) and 1 in 10 inactive; then ANALYZE."""
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO tenants (uuid, name, slug, is_active, description, url, created_at, updated_at) "
            "SELECT gen_random_uuid(), 'Tenant ' || g, 'tenant-' || g, true, '', '', now(), now() "
            "FROM generate_series(1, :tenants) AS g"), {"tenants": TENANTS})
        connection.execute(text(
            "INSERT INTO users (username, email, email_lower, password, role, tenant_id, first_name, last_name, "
            "is_active, date_joined, phone_number, bio, url, company, location) "
            "SELECT 'user' || g, 'user' || g || '@acme.test', 'user' || g || '@acme.test', '!seeded', "
            "CASE WHEN g / :tenants % 50 = 0 THEN 'tenant_owner' ELSE 'subscriber' END, "
            "(SELECT min(id) FROM tenants) + g % :tenants, 'First' || g, 'Last' || g, g / :tenants % 10 <> 3, "
            "now() - g * interval '1 minute', '', '', '', '', '' "
            "FROM generate_series(1, :users) AS g"), {"tenants": TENANTS, "users": USERS})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))  # as autovacuum leaves a table mostly read


@pytest.fixture(scope="module")
def a_tenant(big_engine) -> int:
    with big_engine.connect() as connection:
        return connection.scalar(text("SELECT id FROM tenants ORDER BY id OFFSET 7 LIMIT 1"))


@contextmanager
def captured(engine) -> Iterator[list[tuple[str, object]]]:
    statements: list[tuple[str, object]] = []

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)


def plans_of_list(engine, query: UserQuery) -> dict[str, dict]:
    """The plans of what `SqlUserRepository.list(query)` sends: {"page": plan}, the page carrying
    its count (`count(*) OVER ()`) and its users' tenants in one statement."""
    with Session(engine) as session, captured(engine) as statements:
        page = SqlUserRepository(session).list(query)
    assert len(page.items) == query.page.size  # a real, full page of the big table
    selects = [(s, p) for s, p in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert len(selects) == 1 and "count(*) OVER ()" in selects[0][0], statements
    plans = {}
    with engine.connect() as connection:
        for statement, parameters in selects:
            kind = "count" if statement.lstrip().upper().startswith("SELECT COUNT(") else "page"
            explained = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).scalar()
            plan = (json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"]
            print(f"\n{kind}: {' '.join(statement.split())}\n  {parameters}\n{render(plan)}")
            plans[kind] = plan
    assert set(plans) == {"page"}
    return plans


def nodes(plan: dict) -> Iterator[dict]:
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def seq_scans_of_users(plan: dict) -> list[dict]:
    return [n for n in nodes(plan) if n["Node Type"] == "Seq Scan" and n.get("Relation Name") == "users"]


def render(plan: dict, depth: int = 1) -> str:
    node = plan["Node Type"] + (f" using {plan['Index Name']}" if "Index Name" in plan else "") + (
        f" on {plan['Relation Name']}" if "Relation Name" in plan else "")
    details = [f"{key}: {plan[key]}" for key in ("Index Cond", "Recheck Cond", "Filter", "Sort Key") if key in plan]
    line = "  " * depth + f"-> {node}  (rows={plan['Plan Rows']} cost={plan['Total Cost']}) " + "; ".join(details)
    return "\n".join([line, *(render(child, depth + 1) for child in plan.get("Plans", []))])


def assert_no_seq_scan_of_users(plans: dict[str, dict]) -> None:
    for kind, plan in plans.items():
        assert not seq_scans_of_users(plan), f"the {kind} query scans all of users:\n{render(plan)}"


def test_the_seed_is_there(big_engine, a_tenant):
    with big_engine.connect() as connection:
        total, in_tenant = connection.execute(text(
            "SELECT count(*), count(*) FILTER (WHERE tenant_id = :t) FROM users"), {"t": a_tenant}).one()
    assert (total, in_tenant) == (USERS, USERS // TENANTS)


def test_listing_a_tenants_subscribers_uses_an_index(big_engine, a_tenant):
    plans = plans_of_list(big_engine, UserQuery(tenant=a_tenant, role=Role.SUBSCRIBER, page=PageRequest(40, 20)))
    assert_no_seq_scan_of_users(plans)


def test_listing_a_tenant_uses_an_index(big_engine, a_tenant):
    plans = plans_of_list(big_engine, UserQuery(tenant=a_tenant, page=PageRequest(40, 20)))
    assert_no_seq_scan_of_users(plans)


@pytest.mark.parametrize(("is_active", "page"), [(True, PageRequest(40, 20)), (False, PageRequest(5, 20))])
def test_listing_a_tenants_active_or_inactive_users_uses_an_index(big_engine, a_tenant, is_active, page):
    plans = plans_of_list(big_engine, UserQuery(tenant=a_tenant, is_active=is_active, page=page))
    assert_no_seq_scan_of_users(plans)


def index_names(plan: dict) -> set[str]:
    return {n["Index Name"] for n in nodes(plan) if "Index Name" in n}


def test_a_tenants_page_by_role_comes_in_order_from_the_tenant_role_id_index(big_engine, a_tenant):
    """Not a walk of the primary key through every user, filtering (migration 0007)."""
    plans = plans_of_list(big_engine, UserQuery(tenant=a_tenant, role=Role.SUBSCRIBER, page=PageRequest(40, 20)))
    assert "ix_users_tenant_id_role_id" in index_names(plans["page"]), render(plans["page"])


def test_searching_a_tenants_users_uses_the_trigram_index(big_engine, a_tenant):
    """ILIKE '%r12%' over the four searched columns (user12, user120..., user12000...): migration 0007."""
    query = UserQuery(within_tenant=a_tenant, search="r12", page=PageRequest(1, 20))
    plans = plans_of_list(big_engine, query)
    assert "ix_users_search_trgm" in index_names(plans["page"]), render(plans["page"])


def test_searching_every_users_uses_the_trigram_index_not_a_walk_of_the_primary_key(big_engine):
    """Across all tenants (an admin's search) the planner, seeing the LIMIT, would walk the primary
    key testing every user, though the count needs them all: the matches are found first (a
    materialised CTE) through the trigram index."""
    plans = plans_of_list(big_engine, UserQuery(search="r12", page=PageRequest(2, 20)))
    assert "ix_users_search_trgm" in index_names(plans["page"]), render(plans["page"])
    assert "pk_users" not in {n.get("Index Name") for n in nodes(plans["page"])
                              if n["Node Type"] in ("Index Scan", "Index Only Scan") and "Index Cond" not in n}
    assert_no_seq_scan_of_users(plans)
