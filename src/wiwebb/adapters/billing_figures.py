"""The dashboard's billing figures in SQL: live paid subscriptions, monthly revenue, and the
monthly series (see `wiwebb.domain.dashboard.BillingFigures`)."""

from __future__ import annotations

import builtins
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from wiwebb.domain.billing import LIVE_STATUSES
from wiwebb.domain.dashboard import MonthFigures

from .orm import PaymentRow, PlanRow, PricingRow, SubscriptionRow
from .sql_lists import owned_by

# Monthly equivalents of a renewing price; a price that does not renew (Day Pass) counts once.
_PER_MONTH = {"day": Decimal(30), "week": Decimal(52) / 12, "month": Decimal(1), "year": Decimal(1) / 12}


class SqlBillingFigures:
    """The dashboard's billing numbers (`tenant_id` None: the platform), in the main currency,
    each from one aggregate statement."""

    def __init__(self, session: Session, currency: str = "usd") -> None:
        self._session = session
        self._currency = currency

    def _live_paid(self, tenant_id: int | None) -> Select[Any]:
        statement = select(SubscriptionRow.id).where(SubscriptionRow.paid.is_(True),
                                                     SubscriptionRow.status.in_(LIVE_STATUSES))
        return self._scoped(statement, tenant_id)

    @staticmethod
    def _scoped(statement: Select[Any], tenant_id: int | None, owner: Any = SubscriptionRow.user_id) -> Select[Any]:
        return owned_by(statement, owner, tenant_id=tenant_id)

    def active_subscriptions(self, tenant_id: int | None) -> int:
        counted = self._live_paid(tenant_id).with_only_columns(func.count(SubscriptionRow.id))
        return int(self._session.scalar(counted) or 0)

    def monthly_revenue(self, tenant_id: int | None) -> float:
        statement = self._scoped(
            select(PricingRow.amount, PricingRow.interval, PlanRow.auto_renew, func.count(SubscriptionRow.id))
            .join(PricingRow, PricingRow.id == SubscriptionRow.pricing_id)
            .join(PlanRow, PlanRow.id == PricingRow.plan_id)
            .where(SubscriptionRow.paid.is_(True), SubscriptionRow.status.in_(LIVE_STATUSES),
                   PricingRow.currency == self._currency)
            .group_by(PricingRow.amount, PricingRow.interval, PlanRow.auto_renew), tenant_id)
        total = sum((amount * (_PER_MONTH.get(interval, Decimal(1)) if renews else 1) * count
                     for amount, interval, renews, count in self._session.execute(statement)), Decimal(0))
        return float(round(total, 2))

    def _month(self, column: Any) -> Any:
        """`YYYY-MM` of a UTC timestamp column, in SQL (grouped there, never by loading rows)."""
        if self._session.get_bind().dialect.name == "sqlite":
            return func.strftime("%Y-%m", column)
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")

    def series(self, tenant_id: int | None, months: builtins.list[str]) -> dict[str, MonthFigures]:
        """New paid subscriptions a month, and the money they and one-off payments brought in
        (a subscription's first price, a payment's amount less refunds)."""
        since = datetime(int(months[0][:4]), int(months[0][5:]), 1, tzinfo=UTC)
        counts: dict[str, int] = {}
        revenue: dict[str, Decimal] = {}
        month = self._month(SubscriptionRow.created_at).label("month")
        first_price = case((PricingRow.currency == self._currency, PricingRow.amount), else_=0)
        subscriptions = self._scoped(
            select(month, func.count(SubscriptionRow.id), func.coalesce(func.sum(first_price), 0))
            .outerjoin(PricingRow, PricingRow.id == SubscriptionRow.pricing_id)
            .where(SubscriptionRow.paid.is_(True), SubscriptionRow.created_at >= since).group_by(month), tenant_id)
        for name, count, amount in self._session.execute(subscriptions):
            counts[name] = int(count)
            revenue[name] = Decimal(amount)
        paid_month = self._month(PaymentRow.created_at).label("month")
        payments = self._scoped(
            select(paid_month, func.sum(PaymentRow.amount - PaymentRow.refunded_amount))
            .where(PaymentRow.status.in_(("confirmed", "refunded")), PaymentRow.currency == self._currency,
                   PaymentRow.created_at >= since).group_by(paid_month), tenant_id, owner=PaymentRow.user_id)
        for name, kept in self._session.execute(payments):
            revenue[name] = revenue.get(name, Decimal(0)) + Decimal(kept or 0)
        return {m: MonthFigures(m, counts.get(m, 0), float(round(revenue.get(m, Decimal(0)), 2))) for m in months}
