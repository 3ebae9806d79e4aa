"""The dashboard's numbers: the platform for staff, their own tenant for a tenant owner.

Counted with a few aggregate queries, never by loading rows. Subscription and revenue figures
come from billing; without it they are 0 and the series is all zeros."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from . import rbac
from .model import User
from .ports import TenantRepository, UserRepository
from .rbac import Permission

MONTHS = 12


@dataclass(frozen=True)
class MonthFigures:
    month: str  # YYYY-MM
    new_subscriptions: int = 0
    revenue: float = 0.0


@dataclass(frozen=True)
class DashboardStats:
    total_tenants: int
    total_users: int
    active_users: int
    active_subscriptions: int
    monthly_revenue: float
    series: list[MonthFigures]


class BillingFigures(Protocol):
    """What billing adds to the dashboard (tenant None: the platform)."""

    def active_subscriptions(self, tenant_id: int | None) -> int: ...

    def monthly_revenue(self, tenant_id: int | None) -> float: ...

    def series(self, tenant_id: int | None, months: list[str]) -> dict[str, MonthFigures]: ...


def last_months(now: datetime, count: int = MONTHS) -> list[str]:
    year, month = now.year, now.month
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


class DashboardService:
    def __init__(self, *, users: UserRepository, tenants: TenantRepository, billing: BillingFigures | None = None
                 ) -> None:
        self._users = users
        self._tenants = tenants
        self._billing = billing

    def stats(self, actor: User, now: datetime) -> DashboardStats:
        rbac.authorize(actor, Permission.DASHBOARD_READ)
        scoped = rbac.scope(actor, Permission.DASHBOARD_READ) is rbac.Scope.OWN_TENANT
        tenant_id = (actor.tenant_id if actor.tenant_id is not None else -1) if scoped else None
        total_users, active_users = self._users.counts(tenant_id)
        total_tenants = (1 if actor.tenant_id is not None else 0) if scoped else self._tenants.count()
        months = last_months(now)
        if self._billing is None:
            return DashboardStats(total_tenants, total_users, active_users, 0, 0.0, [MonthFigures(m) for m in months])
        figures = self._billing.series(tenant_id, months)
        return DashboardStats(total_tenants, total_users, active_users,
                              self._billing.active_subscriptions(tenant_id), self._billing.monthly_revenue(tenant_id),
                              [figures.get(m, MonthFigures(m)) for m in months])
