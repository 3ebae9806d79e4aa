"""The plan catalogue: what subscribers can buy. Staff create, change and retire plans and their
pricings; a paid plan's product and prices live in the payment provider too (a Plan on
localstripe, which has no Prices).

Amounts are `Decimal` in the currency's main unit ("200.00"); the provider gets minor units.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from . import rbac
from .billing import BillingOperation
from .errors import DomainError, NotFound, ValidationFailed
from .model import AuditEntry, User
from .operations import Operations
from .payments import PaymentGateway, configured
from .ports import AuditLog, Clock
from .rbac import Permission

INTERVALS = ("day", "week", "month", "year")
PLAN_NAME_TAKEN = "plan with this name already exists."


@dataclass
class Pricing:
    id: int | None
    plan_id: int | None
    amount: Decimal
    currency: str = "usd"
    interval: str = "month"
    trial_period_days: int = 0
    active: bool = True
    stripe_price_id: str | None = None
    created_at: datetime | None = None

    @property
    def minor_units(self) -> int:
        return int((self.amount * 100).to_integral_value())


@dataclass
class Plan:
    id: int | None
    name: str
    description: str = ""
    default: bool = False
    available: bool = True
    requires_payment: bool = True
    auto_renew: bool = True
    daily_time_minutes: int | None = None
    daily_data_mb: int | None = None
    stripe_product_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    pricings: list[Pricing] = field(default_factory=list)


PLAN_FIELDS = ("name", "description", "default", "available", "requires_payment", "auto_renew",
               "daily_time_minutes", "daily_data_mb")


class PlanRepository(Protocol):
    def list(self, *, available_only: bool) -> Sequence[Plan]:
        """Plans with their pricings, by id."""
        ...

    def get(self, plan_id: int) -> Plan | None: ...

    def get_by_name(self, name: str) -> Plan | None: ...

    def get_pricing(self, pricing_id: int) -> Pricing | None: ...

    def get_pricing_by_provider_id(self, provider_id: str) -> Pricing | None:
        """The pricing with this Stripe price (or localstripe plan) id."""
        ...

    def add(self, plan: Plan) -> Plan:
        """Store a plan and its pricings; return them with their ids."""
        ...

    def update(self, plan: Plan) -> None:
        """Store the plan's fields and its pricings (new ones added, others updated)."""
        ...

    def clear_default(self, except_plan: int | None) -> None: ...


# The default catalogue (`wiwebb seed-plans`).
DEFAULT_CATALOGUE: tuple[tuple[dict[str, Any], tuple[dict[str, Any], ...]], ...] = (
    ({"name": "Free", "description": "Free access within daily limits.", "default": True, "requires_payment": False,
      "daily_time_minutes": 180, "daily_data_mb": 300},
     ({"amount": Decimal("0.00"), "currency": "usd", "interval": "month"},)),
    ({"name": "Day Pass", "description": "Unlimited access for one day.", "auto_renew": False},
     ({"amount": Decimal("5.00"), "currency": "usd", "interval": "day"},)),
    ({"name": "Premium", "description": "Unlimited access, renewed every month."},
     ({"amount": Decimal("200.00"), "currency": "usd", "interval": "month"},)),
)


class CatalogueService:
    def __init__(self, *, plans: PlanRepository, audit: AuditLog, clock: Clock,
                 gateway: PaymentGateway | None, operations: Operations | None = None) -> None:
        self._plans = plans
        self._audit = audit
        self._clock = clock
        self._gateway = gateway
        self._operations = operations

    def catalogue(self, actor: User) -> Sequence[Plan]:
        """The plans anyone logged in can buy, with their active pricings."""
        rbac.authorize(actor, Permission.PLANS_READ)
        return [replace(p, pricings=[x for x in p.pricings if x.active])
                for p in self._plans.list(available_only=True)]

    def all_plans(self, actor: User) -> Sequence[Plan]:
        rbac.authorize(actor, Permission.PLANS_MANAGE)
        return self._plans.list(available_only=False)

    def get(self, actor: User, plan_id: int) -> Plan:
        rbac.authorize(actor, Permission.PLANS_MANAGE)
        plan = self._plans.get(plan_id)
        if plan is None:
            raise NotFound()
        return plan

    def create(self, actor: User, data: Mapping[str, Any], pricings: Sequence[Mapping[str, Any]]) -> Plan:
        rbac.authorize(actor, Permission.PLANS_MANAGE)
        if self._plans.get_by_name(data["name"]) is not None:
            raise ValidationFailed.on("name", PLAN_NAME_TAKEN)
        now = self._clock.now()
        plan = Plan(id=None, created_at=now, updated_at=now, **{k: data[k] for k in PLAN_FIELDS if k in data})
        plan.pricings = [self._pricing(plan, p, now) for p in pricings]
        operation = None
        if plan.requires_payment and plan.pricings:
            operation = self._start(actor)
            with self._failing(operation):
                plan.stripe_product_id = self._provider().create_product(
                    plan.name, plan.description or None, idempotency_key=f"{operation.key}-product").id
                for number, pricing in enumerate(plan.pricings):
                    self._publish(plan, pricing, f"{operation.key}-price-{number}")
        if plan.default:
            self._plans.clear_default(except_plan=None)
        plan = self._plans.add(plan)
        self._record(actor, "plan_created", plan, {"name": plan.name})
        self._done(operation, plan)
        return plan

    def update(self, actor: User, plan_id: int, changes: Mapping[str, Any]) -> Plan:
        plan = self.get(actor, plan_id)
        values = {k: v for k, v in changes.items() if k in PLAN_FIELDS and getattr(plan, k) != v}
        if "name" in values and (other := self._plans.get_by_name(values["name"])) and other.id != plan.id:
            raise ValidationFailed.on("name", PLAN_NAME_TAKEN)
        for name, value in values.items():
            setattr(plan, name, value)
        if values:
            plan.updated_at = self._clock.now()
            if values.get("default"):
                self._plans.clear_default(except_plan=plan.id)
            self._plans.update(plan)
            self._record(actor, "plan_updated", plan, {"changes": sorted(values)})
        return plan

    def add_pricing(self, actor: User, plan_id: int, data: Mapping[str, Any]) -> Plan:
        plan = self.get(actor, plan_id)
        pricing = self._pricing(plan, data, self._clock.now())
        operation = None
        if plan.requires_payment:
            operation = self._start(actor)
            with self._failing(operation):
                if plan.stripe_product_id is None:
                    plan.stripe_product_id = self._provider().create_product(
                        plan.name, plan.description or None, idempotency_key=f"{operation.key}-product").id
                self._publish(plan, pricing, f"{operation.key}-price")
        plan.pricings.append(pricing)
        self._plans.update(plan)
        self._record(actor, "plan_updated", plan, {"pricing_added": str(pricing.amount)})
        self._done(operation, plan)
        return self._plans.get(plan.id or 0) or plan

    def retire_pricing(self, actor: User, plan_id: int, pricing_id: int) -> Plan:
        plan = self.get(actor, plan_id)
        pricing = next((p for p in plan.pricings if p.id == pricing_id), None)
        if pricing is None:
            raise NotFound()
        if pricing.active:
            if pricing.stripe_price_id:
                self._provider().deactivate_price(pricing.stripe_price_id)
            pricing.active = False
            self._plans.update(plan)
            self._record(actor, "plan_updated", plan, {"pricing_retired": pricing.id})
        return plan

    def retire(self, actor: User, plan_id: int) -> Plan:
        """No longer on sale: hidden from the catalogue, its prices retired; subscribers keep it."""
        plan = self.get(actor, plan_id)
        for pricing in plan.pricings:
            if pricing.active and pricing.stripe_price_id:
                self._provider().deactivate_price(pricing.stripe_price_id)
            pricing.active = False
        plan.available = False
        plan.updated_at = self._clock.now()
        self._plans.update(plan)
        self._record(actor, "plan_retired", plan, {"name": plan.name})
        return plan

    def seed(self, actor: User) -> list[str]:
        """Create the default catalogue's plans that do not exist yet (by name); return their names."""
        created = []
        for data, pricings in DEFAULT_CATALOGUE:
            if self._plans.get_by_name(data["name"]) is None:
                self.create(actor, data, pricings)
                created.append(data["name"])
        return created

    # -- internals ---------------------------------------------------------------------------

    def _pricing(self, plan: Plan, data: Mapping[str, Any], now: datetime) -> Pricing:
        amount = Decimal(str(data["amount"])).quantize(Decimal("0.01"))
        if amount < 0:
            raise ValidationFailed.on("amount", "Ensure this value is greater than or equal to 0.")
        interval = data.get("interval", "month")
        if interval not in INTERVALS:
            raise ValidationFailed.on("interval", f'"{interval}" is not a valid choice.')
        return Pricing(id=None, plan_id=plan.id, amount=amount, currency=str(data.get("currency", "usd")).lower(),
                       interval=interval, trial_period_days=int(data.get("trial_period_days") or 0),
                       active=bool(data.get("active", True)), created_at=now)

    def _publish(self, plan: Plan, pricing: Pricing, key: str) -> None:
        price = self._provider().create_price(plan.stripe_product_id or "", pricing.minor_units, pricing.currency,
                                              pricing.interval,  # type: ignore[arg-type]
                                              idempotency_key=key)
        pricing.stripe_price_id = price.id

    # Publishing to the provider goes through the operations journal like any creating call: the
    # keys derive from an operation committed before the first call, so a failed request leaves a
    # record of what it may have made (product and price ids are not charges: a retry makes new ones).

    def _start(self, actor: User) -> BillingOperation:
        self._provider()  # no journal entry for a call that cannot be made
        if self._operations is None:
            return BillingOperation(id=None, key=str(uuid.uuid4()), user_id=actor.id or 0, kind="plan", client_key=None)
        return self._operations.start(actor.id or 0, "plan", None)

    @contextmanager
    def _failing(self, operation: BillingOperation) -> Iterator[None]:
        try:
            yield
        except DomainError as error:
            if self._operations is not None:
                self._operations.fail(operation, error)
            raise

    def _done(self, operation: BillingOperation | None, plan: Plan) -> None:
        if operation is not None and self._operations is not None:
            self._operations.answered(operation, 200, {"plan": plan.id, "product": plan.stripe_product_id})

    def _provider(self) -> PaymentGateway:
        return configured(self._gateway)

    def _record(self, actor: User, action: str, plan: Plan, details: dict[str, Any]) -> None:
        self._audit.record(AuditEntry.of(action, actor=actor, details={"plan": plan.id, **details},
                                         timestamp=self._clock.now()))
