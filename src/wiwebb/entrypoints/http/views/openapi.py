"""`/api/v1/schema/` (the OpenAPI description, JSON) and `/api/v1/docs/` (the same as a page).

No login: a client reads them before it has a token (a bad token is still refused, as everywhere)."""

from __future__ import annotations

from typing import Any

from pyramid.request import Request
from pyramid.response import Response

from ..endpoint import endpoint
from ..openapi import description
from ..openapi_page import content_security_policy, render_page


@endpoint()
def schema(request: Request) -> dict[str, Any]:
    return description(request)


@endpoint()
def docs(request: Request) -> Response:
    response = Response(render_page(description(request)), content_type="text/html", charset="utf-8")
    response.headers["Content-Security-Policy"] = content_security_policy()
    response.headers["X-Frame-Options"] = "DENY"
    return response
