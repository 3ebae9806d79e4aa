"""`/api/v1/dashboard/stats/`: JSON numbers for the console's and the mobile app's charts."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pyramid.request import Request

from wiwebb.domain.rbac import Permission

from ..endpoint import actor, endpoint


@endpoint(Permission.DASHBOARD_READ)
def stats(request: Request) -> dict[str, Any]:
    return asdict(request.services.dashboard.stats(actor(request), request.services.now()))
