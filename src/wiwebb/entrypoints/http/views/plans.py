"""The plan catalogue (`subscriptions/plans/`, anyone logged in) and its management (`plans/`, staff)."""

from __future__ import annotations

from typing import Any

from pyramid.request import Request

from wiwebb.domain.listing import Page
from wiwebb.domain.rbac import Permission

from ..bodies import request_data
from ..endpoint import actor, endpoint, object_id
from ..schemas.listing import page_request, paginated
from ..schemas.plans import PlanWriteSchema, PricingWriteSchema, dump_plan


@endpoint(Permission.PLANS_READ)
def catalogue(request: Request) -> list[dict[str, Any]]:
    """A plain array, not paginated (a short list the apps show whole)."""
    return [dump_plan(plan) for plan in request.services.catalogue.catalogue(actor(request))]


@endpoint(Permission.PLANS_MANAGE)
def list_plans(request: Request) -> dict[str, Any]:
    """Paginated, as every list but the three the contract names (the catalogue is
    `subscriptions/plans/`)."""
    plans = request.services.catalogue.all_plans(actor(request))
    return paginated(request, Page.of_all(plans, page_request(request)), dump_plan)


@endpoint(Permission.PLANS_MANAGE, status=201)
def create_plan(request: Request) -> dict[str, Any]:
    data = PlanWriteSchema().parse(request_data(request))
    pricings = data.pop("pricings")
    return dump_plan(request.services.catalogue.create(actor(request), data, pricings))


@endpoint(Permission.PLANS_MANAGE)
def get_plan(request: Request) -> dict[str, Any]:
    return dump_plan(request.services.catalogue.get(actor(request), object_id(request, "plan_id")))


@endpoint(Permission.PLANS_MANAGE)
def patch_plan(request: Request) -> dict[str, Any]:
    changes = PlanWriteSchema().parse(request_data(request), partial=True)
    changes.pop("pricings", None)  # pricings are added and retired on their own paths
    return dump_plan(request.services.catalogue.update(actor(request), object_id(request, "plan_id"), changes))


@endpoint(Permission.PLANS_MANAGE)
def retire_plan(request: Request) -> dict[str, Any]:
    return dump_plan(request.services.catalogue.retire(actor(request), object_id(request, "plan_id")))


@endpoint(Permission.PLANS_MANAGE, status=201)
def add_pricing(request: Request) -> dict[str, Any]:
    data = PricingWriteSchema().parse(request_data(request))
    return dump_plan(request.services.catalogue.add_pricing(actor(request), object_id(request, "plan_id"), data))


@endpoint(Permission.PLANS_MANAGE)
def retire_pricing(request: Request) -> dict[str, Any]:
    plan = request.services.catalogue.retire_pricing(actor(request), object_id(request, "plan_id"),
                                                     object_id(request, "pricing_id"))
    return dump_plan(plan)


