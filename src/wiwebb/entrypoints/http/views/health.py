"""`/api/v1/health/`: is the service up and its database reachable. Ignores credentials."""

from __future__ import annotations

from typing import Any

from pyramid.request import Request

from ..endpoint import endpoint


@endpoint(ignore_credentials=True, throttle=None)
def health(request: Request) -> dict[str, Any]:
    services = request.services
    if services.database_healthy():
        return {"status": "ok", "database": "ok", "version": services.version}
    request.response.status = 503
    request.response.headers["Retry-After"] = "5"
    return {"status": "unavailable", "database": "unreachable", "version": services.version}
