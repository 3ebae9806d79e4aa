"""Tweens: the request id, headers every answer carries, and the last line of defence (no HTML
error page ever leaves the service)."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from pyramid.request import Request
from pyramid.response import Response

from .errors import server_error

access_log = logging.getLogger("wiwebb.access")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

Handler = Callable[[Request], Response]


def request_id_tween_factory(handler: Handler, registry: Any) -> Handler:
    """Give every request an id (the client's `X-Request-ID` when it is sane), echo it back, and
    add the headers every answer carries."""

    def tween(request: Request) -> Response:
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        started = time.perf_counter()
        try:
            response = handler(request)
        except Exception as exc:  # noqa: BLE001 - anything that escaped every exception view
            response = server_error(exc, request)
        response.headers["X-Request-ID"] = request.request_id
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.path.startswith("/api/v1/auth/"):
            response.headers["Cache-Control"] = "no-store"
        # The path only: no query string, no headers, no body (tokens and passwords stay out).
        access_log.info("%s %s %s %.1fms request_id=%s", request.method, request.path, response.status_int,
                        (time.perf_counter() - started) * 1000, request.request_id)
        return response

    return tween
