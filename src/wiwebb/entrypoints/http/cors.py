"""CORS with django-cors-headers' semantics (no maintained CORS package for Pyramid); the edge
tween (tweens.py) applies it to every answer.

For an allowed origin every answer, errors included (401, 404, 429, 500), carries
`Access-Control-Allow-Origin: <origin>` and `Vary: Origin`, so a browser shows the real error
instead of a CORS failure. A preflight (`OPTIONS` with `Access-Control-Request-Method`) answers
200 at once, without authentication. A disallowed origin, or `null`, gets no CORS headers.
"""

from __future__ import annotations

from collections.abc import Iterable

from pyramid.request import Request
from pyramid.response import Response

ALLOW_METHODS = "DELETE, GET, OPTIONS, PATCH, POST, PUT"
ALLOW_HEADERS = "accept, authorization, content-type, idempotency-key, user-agent, x-requested-with"
EXPOSE_HEADERS = "Retry-After, X-Request-ID"
MAX_AGE = "86400"


class CorsPolicy:
    def __init__(self, allowed_origins: Iterable[str], allow_credentials: bool = True) -> None:
        self.allowed_origins = frozenset(o.rstrip("/") for o in allowed_origins)
        self.allow_credentials = allow_credentials

    def allows(self, origin: str) -> bool:
        return origin != "null" and origin.rstrip("/") in self.allowed_origins


def _vary_on_origin(response: Response) -> None:
    vary = [v.strip() for v in (response.headers.get("Vary") or "").split(",") if v.strip()]
    if "origin" not in (v.lower() for v in vary):
        response.headers["Vary"] = ", ".join([*vary, "Origin"])


def preflight(request: Request, policy: CorsPolicy) -> Response | None:
    """The answer to a CORS preflight (200 at once, without authentication), or None."""
    origin = request.environ.get("HTTP_ORIGIN")  # the environ: request.headers costs four calls a read
    if origin is None or request.method != "OPTIONS" or "HTTP_ACCESS_CONTROL_REQUEST_METHOD" not in request.environ:
        return None
    if not request.environ.get("PATH_INFO", "").startswith("/api/"):
        return None
    response = Response(status=200, content_type="text/plain", body=b"")
    if policy.allows(origin):
        response.headers["Access-Control-Allow-Methods"] = ALLOW_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
        response.headers["Access-Control-Max-Age"] = MAX_AGE
    return response


def add_cors_headers(request: Request, response: Response, policy: CorsPolicy) -> None:
    origin = request.environ.get("HTTP_ORIGIN")
    if origin is None:
        return
    _vary_on_origin(response)
    if policy.allows(origin):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
        if policy.allow_credentials:
            response.headers["Access-Control-Allow-Credentials"] = "true"
