"""The edge of the service: one outermost tween that gives every request an id, answers CORS
preflights, refuses bodies over 1 MiB with a JSON 413, puts the CORS and security headers on every
answer (errors included), turns anything that escaped every exception view into the JSON 500 (no
HTML error page ever leaves the service), and writes the access log line (request_log.py),
tracing the request meanwhile."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from pyramid.request import Request
from pyramid.response import Response

from .cors import CorsPolicy, add_cors_headers, preflight
from .errors import body_too_large, server_error
from .request_log import RequestLogPolicy, log_request

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

Handler = Callable[[Request], Response]


def raw_path(request: Request) -> str:
    """The path as it came (WSGI's latin-1 text), safe even when it is not valid UTF-8."""
    return str(request.environ.get("PATH_INFO", ""))


def edge_tween_factory(handler: Handler, registry: Any) -> Handler:
    policy: CorsPolicy = registry.settings["wiwebb.cors"]
    request_log: RequestLogPolicy = registry.settings.get("wiwebb.request_log") or RequestLogPolicy()

    def tween(request: Request) -> Response:
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        path = raw_path(request)
        started = time.perf_counter()
        # Every line logged while the request is handled carries its id; its SQL is counted.
        with request_log.trace(request.request_id, request.method, path) as trace:
            response = preflight(request, policy) or body_too_large(request)
            if response is None:
                try:
                    response = handler(request)
                except Exception as exc:  # noqa: BLE001 - anything that escaped every exception view
                    response = server_error(exc, request)
            add_cors_headers(request, response, policy)
            response.headers["X-Request-ID"] = request.request_id
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            response.headers.setdefault("Referrer-Policy", "same-origin")
            if path.startswith("/api/v1/auth/"):
                response.headers["Cache-Control"] = "no-store"
            log_request(request, response, path, (time.perf_counter() - started) * 1000, trace, request_log)
        return response

    return tween
