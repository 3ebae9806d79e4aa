"""The list endpoints cost a fixed number of SQL statements, whatever the page size (no N+1).

Through the HTTP API on PostgreSQL, as a superadmin: tenants, users (spread over the tenants, so
each page needs the tenants of its users) and audit entries (with actors and targets, so each page
needs those users) are bulk-inserted with SQLAlchemy core, then every statement the database
receives during one request is counted by a `before_cursor_execute` listener on the engine.
`pytest -s` prints the counts and the statements.

The savepoints of the test harness (`postgres_database` runs each test in an outer transaction and
the application's sessions in savepoints) are counted apart: they are no query of the application.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
import stripe
import webtest
from sqlalchemy import event, insert

from wiwebb.adapters.database import Database
from wiwebb.adapters.mail import InMemoryMailer
from wiwebb.adapters.orm import AuditLogRow, AuthTokenRow, TenantRow, UserRow, WebhookEventRow
from wiwebb.app import build_app
from wiwebb.domain import tokens

from ..conftest import make_settings

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
TENANTS = 120  # more than the largest page (100)
USERS = 150
AUDIT_ENTRIES = 150
SUPER_PASSWORD = "Correct-horse-battery-9"
# What one list request may cost at most: authentication (the token with its user and tenant), the
# page with its count and its users' tenants, a lookup for a page's related rows (2 to 3 today), and
# more to spare. An N+1 would be 100 more.
MAX_STATEMENTS = 6


@dataclass
class StatementLog:
    statements: list[str] = field(default_factory=list)

    @property
    def queries(self) -> list[str]:
        """The statements of the application, without the harness's savepoints."""
        return [s for s in self.statements if not _is_savepoint(s)]


def _is_savepoint(statement: str) -> bool:
    head = statement.lstrip().upper()
    return head.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))


@contextmanager
def counting(engine) -> Iterator[StatementLog]:
    log = StatementLog()

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        log.statements.append(statement)

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)


@dataclass
class World:
    api: webtest.TestApp
    engine: object
    headers: dict[str, str]
    tenant_ids: list[int]
    user_ids: list[int]

    def cost(self, url: str) -> tuple[int, dict]:
        """The statements `GET url` runs, and its body."""
        with counting(self.engine) as log:
            body = self.api.get(url, headers=self.headers).json
        print(f"\nGET {url}: {len(log.queries)} statements (+{len(log.statements) - len(log.queries)} savepoint "
              "statements of the test harness)")
        for statement in log.queries:
            print("    " + " ".join(statement.split())[:160])
        return len(log.queries), body


def _seed(session) -> tuple[list[int], list[int]]:
    """Tenants, users round-robin over them (some without one), audit entries between the users."""
    tenants = [{"uuid": uuid.uuid4(), "name": f"Tenant {i:03}", "slug": f"tenant-{i:03}", "is_active": True,
                "description": "", "url": "", "created_at": NOW, "updated_at": NOW} for i in range(TENANTS)]
    tenant_ids = list(session.scalars(insert(TenantRow.__table__).returning(TenantRow.__table__.c.id), tenants))
    users = []
    for i in range(USERS):
        # Runs of 8 users per tenant, and staff without one: 2 tenants on the first page of 10, 13 on
        # the page of 100, so a lookup per tenant would also cost more on the larger page.
        tenant_id = None if i % 10 == 9 else tenant_ids[i // 8 % 15]
        email = f"user{i:04}@acme.test"
        users.append({"username": f"user{i:04}", "email": email, "email_lower": email,
                      "password": "!seeded", "role": "subscriber" if tenant_id else "admin", "tenant_id": tenant_id,
                      "first_name": "", "last_name": "", "is_active": True, "date_joined": NOW, "phone_number": "",
                      "bio": "", "url": "", "company": "", "location": ""})
    user_ids = list(session.scalars(insert(UserRow.__table__).returning(UserRow.__table__.c.id), users))
    entries = [{"action": "user_updated", "actor_id": user_ids[i % len(user_ids)],
                "target_id": user_ids[(i * 7 + 3) % len(user_ids)], "tenant_id": tenant_ids[i % 5],
                "details": {"n": i}, "timestamp": NOW + timedelta(seconds=i)} for i in range(AUDIT_ENTRIES)]
    session.execute(insert(AuditLogRow.__table__), entries)
    return tenant_ids, user_ids


@pytest.fixture
def world(postgres_database, tmp_path) -> World:
    settings = make_settings(postgres_database.url.render_as_string(False), tmp_path)
    app = build_app(settings, database=postgres_database, mailer=InMemoryMailer(), wait_for_database=False)
    with postgres_database.session(write=True) as session, session.begin():
        tenant_ids, user_ids = _seed(session)
        app.adapters.identity(session).create_superuser(username="root", email="root@acme.test",
                                                        password=SUPER_PASSWORD)
    api = webtest.TestApp(app)
    key = api.post_json("/api/v1/auth/login/", {"username": "root", "password": SUPER_PASSWORD}).json["key"]
    headers = {"Authorization": f"Token {key}"}
    api.get("/api/v1/auth/user/", headers=headers)  # the token's first use is touched: not in the counts
    return World(api, postgres_database.engine, headers, tenant_ids, user_ids)


def test_listing_users_costs_the_same_for_10_and_100(world):
    small, small_body = world.cost("/api/v1/users/?page_size=10")
    large, large_body = world.cost("/api/v1/users/?page_size=100")

    assert (len(small_body["results"]), len(large_body["results"])) == (10, 100)
    tenants_shown = {u["tenant"]["id"] for u in large_body["results"] if u["tenant"]}
    assert len(tenants_shown) == 13  # the tenant of each user is looked up, and shown
    assert len({u["tenant"]["id"] for u in small_body["results"] if u["tenant"]}) == 2
    assert sum(u["tenant"] is None for u in large_body["results"]) >= 10
    assert small == large
    assert large <= MAX_STATEMENTS


def test_listing_tenants_costs_the_same_for_10_and_100(world):
    small, small_body = world.cost("/api/v1/tenants/?page_size=10")
    large, large_body = world.cost("/api/v1/tenants/?page_size=100")

    assert (len(small_body["results"]), len(large_body["results"])) == (10, 100)
    assert small_body["count"] == large_body["count"] == TENANTS
    assert small == large
    assert large <= MAX_STATEMENTS


def test_listing_audit_entries_costs_the_same_for_10_and_100(world):
    small, small_body = world.cost("/api/v1/audit-logs/?page_size=10")
    large, large_body = world.cost("/api/v1/audit-logs/?page_size=100")

    assert (len(small_body["results"]), len(large_body["results"])) == (10, 100)
    people = {e[role]["id"] for e in large_body["results"] for role in ("actor", "target") if e[role]}
    assert len(people) > 50  # actors and targets are many users, each shown by name
    seeded = [e for e in large_body["results"] if e["action"] == "user_updated"]
    assert len(seeded) >= 90 and all(e["actor"]["username"].startswith("user") for e in seeded)
    assert small == large
    assert large <= MAX_STATEMENTS


def test_the_dashboard_counts_with_aggregates_not_rows(world):
    with counting(world.engine) as log:
        stats = world.api.get("/api/v1/dashboard/stats/", headers=world.headers).json
    assert (stats["total_tenants"], stats["total_users"]) == (TENANTS, USERS + 1)
    auth, figures = log.queries[0], log.queries[1:]
    assert "auth_tokens" in auth
    # Users (one or two counts) and billing (live subscriptions, revenue, and the two monthly
    # series): each an aggregate, whatever the number of rows.
    assert 5 <= len(figures) <= 6, figures
    assert all(("count(" in q.lower() or "sum(" in q.lower()) for q in figures), figures


# -- The budgets of the benchmark's scenarios (issue 7) ----------------------------------------------
#
# `make bench` reads these counts from the access log under load; here they are held in the suite.
# The user's tenant is loaded with the user, and a page's tenants and count with the page.


def _token_for(world: World, database, user_id: int) -> dict[str, str]:
    """A token of a seeded user, marked used just now (the once-a-minute touch is not counted)."""
    key = tokens.new_key()
    now = datetime.now(UTC)
    with database.session(write=True) as session, session.begin():
        session.execute(insert(AuthTokenRow.__table__), [{
            "user_id": user_id, "key_hash": tokens.digest(key), "prefix": key[:8], "created": now, "last_used": now,
            "expires_at": now + timedelta(days=1), "user_agent": ""}])
    return {"Authorization": f"Token {key}"}


def test_me_of_a_tenants_user_costs_two_statements(world, postgres_database):
    headers = _token_for(world, postgres_database, world.user_ids[0])
    with counting(world.engine) as log:
        body = world.api.get("/api/v1/auth/user/", headers=headers).json
    assert body["tenant"]["id"] == world.tenant_ids[0]
    assert len(log.queries) == 1, log.queries  # the token joined with its user and the user's tenant


def test_a_filtered_page_of_users_costs_three_statements(world):
    count, body = world.cost(f"/api/v1/users/?tenant={world.tenant_ids[1]}&role=subscriber&page=2&page_size=3")
    assert body["count"] > 6 and len(body["results"]) == 3
    assert {u["tenant"]["id"] for u in body["results"]} == {world.tenant_ids[1]}
    assert count <= 2  # the token with its user; the page with its count and its users' tenants


def test_a_tenant_owners_search_costs_three_statements(world, postgres_database):
    with postgres_database.session(write=True) as session, session.begin():
        session.execute(UserRow.__table__.update().where(UserRow.__table__.c.id == world.user_ids[0])
                        .values(role="tenant_owner"))
    headers = _token_for(world, postgres_database, world.user_ids[0])
    with counting(world.engine) as log:
        body = world.api.get("/api/v1/users/?search=user000", headers=headers).json
    assert body["count"] == 8 and {u["tenant"]["id"] for u in body["results"]} == {world.tenant_ids[0]}
    assert len(log.queries) <= 2, log.queries  # the token with its user; the page


def test_an_empty_page_past_the_end_is_still_refused(world):
    world.api.get("/api/v1/users/?page=99", headers=world.headers, status=404)
    assert world.api.get("/api/v1/users/?search=nobody", headers=world.headers).json["count"] == 0


def test_a_duplicate_webhook_delivery_costs_two_statements(postgres_engine, tmp_path):
    """On a database of its own commits (no harness savepoints): every statement counts, the
    application's own savepoints included."""
    secret = "whsec_counts"
    settings = make_settings(postgres_engine.url.render_as_string(False), tmp_path, STRIPE_WEBHOOK_SECRET=secret)
    app = build_app(settings, database=Database(postgres_engine), mailer=InMemoryMailer(), wait_for_database=False)
    api = webtest.TestApp(app)
    payload = json.dumps({"id": "evt_counts_1", "object": "event", "type": "customer.subscription.updated",
                          "created": 1_700_000_000, "data": {"object": {
                              "id": "sub_unknown", "object": "subscription", "status": "canceled",
                              "customer": "cus_x", "cancel_at_period_end": False, "trial_end": None, "metadata": {},
                              "items": {"data": []}}}})
    headers = {"Stripe-Signature": stripe.WebhookSignature.generate_signature_header(
        payload, secret, timestamp=int(time.time())), "Content-Type": "application/json"}
    try:
        api.post("/api/v1/payments/webhook/", payload, headers=headers)
        with counting(postgres_engine) as log:
            api.post("/api/v1/payments/webhook/", payload, headers=headers)
        assert len(log.statements) <= 2, log.statements  # the claim that finds it, the retry of a failed one
    finally:
        with postgres_engine.begin() as connection:
            connection.execute(WebhookEventRow.__table__.delete())
