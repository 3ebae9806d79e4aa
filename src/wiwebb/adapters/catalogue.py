"""The plan catalogue in SQL: plans with their pricings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from wiwebb.domain.catalogue import Plan, Pricing

from .orm import PlanRow, PricingRow
from .sql_writes import flush

_PLAN_COLUMNS = [f.name for f in fields(Plan) if f.name not in ("id", "pricings")]
_PRICING_COLUMNS = [f.name for f in fields(Pricing) if f.name != "id"]


def _pricing(row: PricingRow) -> Pricing:
    return Pricing(id=row.id, **{name: getattr(row, name) for name in _PRICING_COLUMNS})


class SqlPlanRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _plans(self, statement: Select[Any]) -> list[Plan]:
        rows = list(self._session.scalars(statement.order_by(PlanRow.id)))
        by_plan: dict[int, list[Pricing]] = {row.id: [] for row in rows}
        if rows:
            pricings = self._session.scalars(select(PricingRow).where(PricingRow.plan_id.in_(by_plan))
                                             .order_by(PricingRow.id))
            for pricing in pricings:
                by_plan[pricing.plan_id].append(_pricing(pricing))
        return [Plan(id=row.id, pricings=by_plan[row.id], **{n: getattr(row, n) for n in _PLAN_COLUMNS})
                for row in rows]

    def list(self, *, available_only: bool) -> Sequence[Plan]:
        statement = select(PlanRow)
        return self._plans(statement.where(PlanRow.available.is_(True)) if available_only else statement)

    def get(self, plan_id: int) -> Plan | None:
        found = self._plans(select(PlanRow).where(PlanRow.id == plan_id))
        return found[0] if found else None

    def get_by_name(self, name: str) -> Plan | None:
        found = self._plans(select(PlanRow).where(PlanRow.name == name))
        return found[0] if found else None

    def get_pricing(self, pricing_id: int) -> Pricing | None:
        row = self._session.get(PricingRow, pricing_id)
        return None if row is None else _pricing(row)

    def get_pricing_by_provider_id(self, provider_id: str) -> Pricing | None:
        row = self._session.scalar(select(PricingRow).where(PricingRow.stripe_price_id == provider_id).limit(1))
        return None if row is None else _pricing(row)

    def add(self, plan: Plan) -> Plan:
        row = PlanRow(**{n: getattr(plan, n) for n in _PLAN_COLUMNS})
        self._session.add(row)
        flush(self._session)
        for pricing in plan.pricings:
            self._session.add(PricingRow(**{**{n: getattr(pricing, n) for n in _PRICING_COLUMNS}, "plan_id": row.id}))
        flush(self._session)
        return self.get(row.id) or plan

    def update(self, plan: Plan) -> None:
        self._session.execute(update(PlanRow).where(PlanRow.id == plan.id)
                              .values(**{n: getattr(plan, n) for n in _PLAN_COLUMNS}))
        for pricing in plan.pricings:
            values = {**{n: getattr(pricing, n) for n in _PRICING_COLUMNS}, "plan_id": plan.id}
            if pricing.id is None:
                self._session.add(PricingRow(**values))
            else:
                self._session.execute(update(PricingRow).where(PricingRow.id == pricing.id).values(**values))
        flush(self._session)

    def clear_default(self, except_plan: int | None) -> None:
        statement = update(PlanRow).where(PlanRow.default.is_(True))
        if except_plan is not None:
            statement = statement.where(PlanRow.id != except_plan)
        self._session.execute(statement.values(default=False))
