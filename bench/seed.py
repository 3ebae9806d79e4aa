"""A fresh benchmark database: created, migrated, and seeded with set-based SQL (COPY), not the API.

20 tenants, 100,000 users spread over them (user 0 an admin without a tenant, then one owner per
tenant, then subscribers), one Argon2 hash computed once and shared by every user, a token for a
sample of the subscribers (stored as SHA-256 digests, as WiWebb stores them), plans with prices,
and active subscriptions for the webhook scenario. Every fiftieth user is called "Abcde", so the
`search=abc` scenario finds about 2% of a tenant.
"""

from __future__ import annotations

import io
import os
import secrets
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import psycopg2
from sqlalchemy.engine import URL, make_url

from wiwebb.domain import tokens

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
PASSWORD = "Bench-password-2026"  # every seeded user's
SEARCH_NAME = "Abcde"
SEARCH_EVERY = 50
TOKEN_TTL = timedelta(days=7)


@dataclass
class Seeded:
    """What the scenarios need from the seed."""

    tenant_ids: list[int]
    admin_token: str
    owner_tokens: dict[int, str]  # by tenant id
    user_tokens: list[str]  # subscribers' keys, for `me`
    login_usernames: list[str]
    subscriptions: list[tuple[str, str, str]] = field(default_factory=list)  # (id, customer, price)
    subscribers_per_tenant: int = 0
    password: str = PASSWORD


def sqlalchemy_url(url: str) -> URL:
    """`url` (postgresql:// or postgresql+psycopg2://) as SQLAlchemy's psycopg2 URL."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"BENCH_DATABASE_URL: a PostgreSQL URL is needed, got {parsed.render_as_string()}")
    return parsed.set(drivername="postgresql+psycopg2")


def libpq_dsn(url: str) -> str:
    """The same database as a libpq URL, for psycopg2.connect."""
    return sqlalchemy_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def create_database(server_url: str = DEFAULT_SERVER, name: str | None = None) -> str:
    """A new, empty database on the server of `server_url`; returns its URL."""
    name = name or f"wiwebb_bench_{time.strftime('%Y%m%d_%H%M%S')}_{os.getpid()}"
    connection = psycopg2.connect(libpq_dsn(server_url))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()
    return sqlalchemy_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    parsed = sqlalchemy_url(url)
    connection = psycopg2.connect(libpq_dsn(parsed.set(database="postgres").render_as_string(False)))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
    finally:
        connection.close()


def migrate(url: str) -> None:
    from wiwebb.adapters import schema
    from wiwebb.adapters.database import create_database_engine

    engine = create_database_engine(sqlalchemy_url(url).render_as_string(False))
    try:
        schema.migrate(engine)
    finally:
        engine.dispose()


def password_hash() -> str:
    """One Argon2id hash with the production parameters (the server's defaults), for every user."""
    from wiwebb.adapters.passwords import Argon2PasswordHasher

    return Argon2PasswordHasher().hash(PASSWORD)


def role_and_tenant(index: int, tenant_ids: Sequence[int]) -> tuple[str, int | None]:
    """User `index`'s role and tenant: 0 the admin, then an owner per tenant, then subscribers."""
    if index == 0:
        return "admin", None
    if index <= len(tenant_ids):
        return "tenant_owner", tenant_ids[index - 1]
    return "subscriber", tenant_ids[index % len(tenant_ids)]


def user_rows(count: int, tenant_ids: Sequence[int], hashed: str, now: datetime) -> Iterator[tuple]:
    """The users' columns, in `USER_COLUMNS` order."""
    for i in range(count):
        role, tenant_id = role_and_tenant(i, tenant_ids)
        username = f"user{i:06d}"
        first = SEARCH_NAME if i // len(tenant_ids) % SEARCH_EVERY == 7 else "Bench"  # in every tenant
        email = f"{username}@bench.test"
        yield (username, email, email, hashed, role, tenant_id, first, f"User {i}", True, None,
               now - timedelta(minutes=i), None, "", "", "", "", "", None)


USER_COLUMNS = ("username", "email", "email_lower", "password", "role", "tenant_id", "first_name", "last_name",
                "is_active", "last_login", "date_joined", "password_updated", "phone_number", "bio", "url",
                "company", "location", "birth_date")


def copy_text(rows: Iterable[Sequence[object]]) -> io.StringIO:
    """Rows in COPY's text format (tab-separated, \\N for NULL)."""
    def cell(value: object) -> str:
        if value is None:
            return r"\N"
        if isinstance(value, datetime):
            return value.isoformat()
        text = str(value)
        if any(c in text for c in "\t\n\r\\"):
            raise ValueError(f"cannot COPY {text!r}: tab, newline or backslash")
        return text

    return io.StringIO("".join("\t".join(cell(v) for v in row) + "\n" for row in rows))


def _copy(cursor, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", copy_text(rows))


def seed(url: str, *, tenants: int = 20, users: int = 100_000, sampled_tokens: int = 2_000,
         subscriptions: int = 1_000, hashed: str | None = None) -> Seeded:
    """Seed the migrated, empty database at `url`; returns what the scenarios need."""
    if users < tenants + 2:
        raise ValueError(f"users: at least tenants + 2 ({tenants + 2}) are needed, got {users}")
    now = datetime.now(UTC)
    hashed = hashed or password_hash()
    connection = psycopg2.connect(libpq_dsn(url))
    try:
        with connection, connection.cursor() as cursor:
            _copy(cursor, "tenants", ("uuid", "name", "slug", "is_active", "description", "url", "created_at",
                                      "updated_at"),
                  ((str(_uuid()), f"Tenant {i:02d}", f"tenant-{i:02d}", True, "", "", now, now)
                   for i in range(tenants)))
            cursor.execute("SELECT id FROM tenants ORDER BY id")
            tenant_ids = [row[0] for row in cursor.fetchall()]
            _copy(cursor, "users", USER_COLUMNS, user_rows(users, tenant_ids, hashed, now))
            cursor.execute("SELECT id, role, tenant_id FROM users ORDER BY id")
            people = cursor.fetchall()
            subscribers = [row[0] for row in people if row[1] == "subscriber"]
            step = max(1, len(subscribers) // max(1, sampled_tokens))
            sample = subscribers[::step][:sampled_tokens]
            owners = {row[2]: row[0] for row in people if row[1] == "tenant_owner"}
            admin = next(row[0] for row in people if row[1] == "admin")
            keys = {user_id: tokens.new_key() for user_id in [admin, *owners.values(), *sample]}
            _copy(cursor, "auth_tokens", ("user_id", "key_hash", "prefix", "created", "last_used", "expires_at",
                                          "user_agent"),
                  ((user_id, tokens.digest(key), key[:8], now, now, now + TOKEN_TTL, "bench")
                   for user_id, key in keys.items()))
            sold = _seed_billing(cursor, subscribers[:subscriptions], now)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    finally:
        connection.close()
    by_id = {row[0]: i for i, row in enumerate(people)}
    return Seeded(tenant_ids=tenant_ids, admin_token=keys[admin],
                  owner_tokens={tenant: keys[user] for tenant, user in owners.items()},
                  user_tokens=[keys[user] for user in sample],
                  login_usernames=[f"user{by_id[user]:06d}" for user in sample[:50]], subscriptions=sold,
                  subscribers_per_tenant=len(subscribers) // tenants)


def _seed_billing(cursor, subscribers: Sequence[int], now: datetime) -> list[tuple[str, str, str]]:
    """Two paid plans with a monthly price each, and an active subscription per subscriber given."""
    prices = []
    for number, (name, amount) in enumerate((("Bench Basic", "9.00"), ("Bench Premium", "29.00"))):
        cursor.execute("INSERT INTO plans (name, description, \"default\", available, requires_payment, auto_renew, "
                       "stripe_product_id, created_at, updated_at) VALUES (%s, '', false, true, true, true, %s, "
                       "%s, %s) RETURNING id", (name, f"prod_bench_{number}", now, now))
        plan_id = cursor.fetchone()[0]
        price = f"price_bench_{number}"
        cursor.execute("INSERT INTO pricings (plan_id, amount, currency, interval, trial_period_days, active, "
                       "stripe_price_id, created_at) VALUES (%s, %s, 'usd', 'month', 0, true, %s, %s) RETURNING id",
                       (plan_id, amount, price, now))
        prices.append((plan_id, cursor.fetchone()[0], price))
    sold = []
    customers, rows = [], []
    for n, user_id in enumerate(subscribers):
        plan_id, pricing_id, price = prices[n % len(prices)]
        subscription, customer = f"sub_bench_{n:06d}", f"cus_bench_{n:06d}"
        customers.append((user_id, customer, now))
        rows.append((user_id, plan_id, pricing_id, "active", subscription, customer, True, now,
                     now + timedelta(days=30), False, None, now, now, None, 0))
        sold.append((subscription, customer, price))
    _copy(cursor, "billing_customers", ("user_id", "customer_id", "created_at"), customers)
    _copy(cursor, "subscriptions", ("user_id", "plan_id", "pricing_id", "status", "subscription_id", "customer_id",
                                    "paid", "current_period_start", "current_period_end", "cancel_at_period_end",
                                    "trial_end", "created_at", "updated_at", "ended_at", "provider_updated"), rows)
    return sold


def refresh_tokens(url: str) -> None:
    """Mark every token used just now: tokens in active use are touched at most once a minute, and a
    scenario shorter than that measures them in that steady state (not their first use)."""
    connection = psycopg2.connect(libpq_dsn(url))
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute("UPDATE auth_tokens SET last_used = now()")
    finally:
        connection.close()


def _uuid() -> str:
    return secrets.token_hex(16)
