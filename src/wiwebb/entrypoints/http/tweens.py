"""The edge of the service: one outermost tween that gives every request an id, answers CORS
preflights, refuses bodies over 1 MiB with a JSON 413, puts the CORS and security headers on every
answer (errors included), turns anything that escaped every exception view into the JSON 500 (no
HTML error page ever leaves the service), and writes the access log line (request_log.py),
tracing the request meanwhile."""

from __future__ import annotations

import re
import secrets
import time
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


# Added where the answer has none of its own.
_SECURITY_HEADERS = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"))
_SECURITY = tuple((header, header[0].lower()) for header in _SECURITY_HEADERS)
# Replaced whatever the answer had.
_REPLACED = frozenset({"x-request-id"})
_REPLACED_NO_STORE = frozenset({"x-request-id", "cache-control"})


def stamp_headers(response: Response, request_id: str, *, no_store: bool) -> None:
    """The edge's headers on an answer: its request id (and `Cache-Control: no-store` when
    `no_store`) in place of any it had, the security headers where it has none. One pass over the
    header list (WebOb's dict-like writes scan it, lower-casing every name, once per write)."""
    replaced = _REPLACED_NO_STORE if no_store else _REPLACED
    headers = response.headerlist
    kept = []
    present = set()
    for name, value in headers:
        lower = name.lower()
        if lower not in replaced:
            kept.append((name, value))
            present.add(lower)
    kept.append(("X-Request-ID", request_id))
    for header, lower in _SECURITY:
        if lower not in present:
            kept.append(header)
    if no_store:
        kept.append(("Cache-Control", "no-store"))
    headers[:] = kept


def edge_tween_factory(handler: Handler, registry: Any) -> Handler:
    policy: CorsPolicy = registry.settings["wiwebb.cors"]
    request_log: RequestLogPolicy = registry.settings.get("wiwebb.request_log") or RequestLogPolicy()

    def tween(request: Request) -> Response:
        incoming = request.environ.get("HTTP_X_REQUEST_ID", "")
        request.request_id = incoming if _REQUEST_ID.match(incoming) else secrets.token_hex(16)
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
            stamp_headers(response, request.request_id, no_store=path.startswith("/api/v1/auth/"))
            log_request(request, response, path, (time.perf_counter() - started) * 1000, trace, request_log)
        return response

    return tween
