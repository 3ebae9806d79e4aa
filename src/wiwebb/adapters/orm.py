"""SQLAlchemy 2 declarative tables. Repositories map these rows to domain objects and back.

The naming convention gives every constraint and index a stable name, so Alembic migrations
(batch mode on SQLite included) can refer to them.
"""

from __future__ import annotations

import uuid as uuid_module
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("superadmin", "admin", "tenant_owner", "subscriber")


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone: naive means UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TenantRow(Base):
    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[uuid_module.UUID] = mapped_column(Uuid, unique=True, default=uuid_module.uuid4)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    slug: Mapped[str] = mapped_column(String(255), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True, index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str | None] = mapped_column(String(254))
    url: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


USER_SEARCH_COLUMNS = ("username", "email", "first_name", "last_name")


class UserRow(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN {ROLES!r}", name="role_known"),
        # A tenant's page by role, in id order, from the index alone (migration 0007).
        Index("ix_users_tenant_id_role_id", "tenant_id", "role", "id"),
        # `?search=` (ILIKE '%term%'): trigrams, PostgreSQL only (migration 0007).
        Index("ix_users_search_trgm", *USER_SEARCH_COLUMNS, postgresql_using="gin",
              postgresql_ops=dict.fromkeys(USER_SEARCH_COLUMNS, "gin_trgm_ops")).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Case-sensitive and unique: `Admin` and `admin` are two users.
    username: Mapped[str] = mapped_column(String(150), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    # The address lowercased in Python (SQLite's lower() only folds ASCII): unique, and the lookup key.
    email_lower: Mapped[str] = mapped_column(String(254), unique=True)
    password: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), index=True)
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id", ondelete="RESTRICT"), index=True)
    first_name: Mapped[str] = mapped_column(String(150), default="")
    last_name: Mapped[str] = mapped_column(String(150), default="")
    is_active: Mapped[bool] = mapped_column(default=True, index=True)
    last_login: Mapped[datetime | None] = mapped_column(UtcDateTime)
    date_joined: Mapped[datetime] = mapped_column(UtcDateTime)
    password_updated: Mapped[datetime | None] = mapped_column(UtcDateTime)
    phone_number: Mapped[str] = mapped_column(String(32), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(200), default="")
    company: Mapped[str] = mapped_column(String(255), default="")
    location: Mapped[str] = mapped_column(String(255), default="")
    birth_date: Mapped[date | None] = mapped_column(Date)


class AuthTokenRow(Base):
    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(8))
    created: Mapped[datetime] = mapped_column(UtcDateTime)
    last_used: Mapped[datetime | None] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    user_agent: Mapped[str] = mapped_column(String(255), default="")


class AuditLogRow(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(50), index=True)
    # History, not references: no foreign keys, so an entry keeps its ids and names after the
    # accounts and tenants it names are deleted.
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_username: Mapped[str | None] = mapped_column(String(150))
    target_id: Mapped[int | None] = mapped_column(Integer, index=True)
    target_username: Mapped[str | None] = mapped_column(String(150))
    tenant_id: Mapped[int | None] = mapped_column(Integer, index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    timestamp: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class MailOutboxRow(Base):
    """Mail waiting to be sent, sent, or failed for good (kept for `wiwebb send-mail --retry`)."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_pending", "sent_at", "failed_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    to_address: Mapped[str] = mapped_column(String(254))
    from_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")


class PlanRow(Base):
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    default: Mapped[bool] = mapped_column(default=False)
    available: Mapped[bool] = mapped_column(default=True, index=True)
    requires_payment: Mapped[bool] = mapped_column(default=True)
    auto_renew: Mapped[bool] = mapped_column(default=True)
    daily_time_minutes: Mapped[int | None] = mapped_column(Integer)
    daily_data_mb: Mapped[int | None] = mapped_column(Integer)
    stripe_product_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PricingRow(Base):
    __tablename__ = "pricings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3), default="usd")
    interval: Mapped[str] = mapped_column(String(10), default="month")
    trial_period_days: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True, index=True)
    stripe_price_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class BillingCustomerRow(Base):
    """The payment provider's customer of a user."""

    __tablename__ = "billing_customers"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SubscriptionRow(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (Index("ix_subscriptions_user_id_status", "user_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="RESTRICT"), index=True)
    pricing_id: Mapped[int | None] = mapped_column(ForeignKey("pricings.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(32), index=True)
    subscription_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    customer_id: Mapped[str | None] = mapped_column(String(255))
    paid: Mapped[bool] = mapped_column(default=True)
    current_period_start: Mapped[datetime | None] = mapped_column(UtcDateTime)
    current_period_end: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancel_at_period_end: Mapped[bool] = mapped_column(default=False)
    trial_end: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    provider_updated: Mapped[int] = mapped_column(BigInteger, default=0)


class BillingOperationRow(Base):
    """A call to the payment provider, recorded before it is made (see `BillingOperation`)."""

    __tablename__ = "billing_operations"
    __table_args__ = (Index("ix_billing_operations_user_id_kind_client_key", "user_id", "kind", "client_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    # No foreign key: the row is written in a transaction of its own while the request's may hold
    # the user's row, and it is history that outlives the account.
    user_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    client_key: Mapped[str | None] = mapped_column(String(255))
    # "user:<id>" while pending, NULL after: the unique index lets one operation per user run.
    lock: Mapped[str | None] = mapped_column(String(64), unique=True)
    locked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(10), index=True)
    request: Mapped[Any] = mapped_column(JSON, nullable=True)
    response_status: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[Any] = mapped_column(JSON, nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class PaymentRow(Base):
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    order_id: Mapped[str] = mapped_column(String(255), default="")
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    capture_method: Mapped[str] = mapped_column(String(16), default="automatic")
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    client_secret: Mapped[str | None] = mapped_column(String(255))
    refunded_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0.00"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    provider_updated: Mapped[int] = mapped_column(BigInteger, default=0)


class PaymentLogRow(Base):
    __tablename__ = "payment_logs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(64))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class WebhookEventRow(Base):
    """Every provider event received: the id makes a second delivery a no-op; failed ones keep
    their raw body for `wiwebb webhooks --failed` and `--replay`."""

    __tablename__ = "webhook_events"

    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    created: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), index=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)  # for the cleanup
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=1)
