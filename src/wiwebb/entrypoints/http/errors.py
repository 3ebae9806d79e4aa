"""Every error answer in one place, with the exact bodies of API.md's table.

Domain errors and HTTP-level problems (bad JSON, wrong media type, wrong method) are mapped here;
nothing else in the HTTP layer builds an error body.
"""

from __future__ import annotations

import logging
from typing import Any

from pyramid.exceptions import URLDecodeError
from pyramid.httpexceptions import HTTPException, HTTPForbidden, HTTPPermanentRedirect
from pyramid.request import Request
from pyramid.response import Response

from wiwebb.domain.billing import OperationInProgress
from wiwebb.domain.errors import (
    AuthenticationFailed,
    InvalidOperation,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    Throttled,
    ValidationFailed,
)
from wiwebb.domain.payments import PaymentProviderUnavailable, PaymentRefused
from wiwebb.domain.webhooks import InvalidEvent

from .json import dumps, json_response

log = logging.getLogger("wiwebb.errors")

RETRY_AFTER_UNAVAILABLE = 5  # seconds


class ParseError(Exception):
    """A body that cannot be read: DRF's "<kind> parse error - <reason>"."""

    def __init__(self, reason: str, kind: str = "JSON") -> None:
        super().__init__(reason)
        self.detail = f"{kind} parse error - {reason}"


class UnsupportedMediaType(Exception):
    def __init__(self, content_type: str) -> None:
        super().__init__(content_type)
        self.detail = f'Unsupported media type "{content_type}" in request.'


class MethodNotAllowed(Exception):
    def __init__(self, method: str, allowed: tuple[str, ...]) -> None:
        super().__init__(method)
        self.detail = f'Method "{method}" not allowed.'
        self.allowed = allowed


class SlashRedirect(HTTPPermanentRedirect):
    """The 308 from a path without its trailing slash to the slashed one, with a JSON body."""

    def __init__(self, location: str = "", **kwargs: Any) -> None:
        super().__init__(location=location, **kwargs)
        self.content_type = "application/json"
        self.body = dumps({"detail": f"Moved to {location}"}).encode("utf-8")


def error(status: int, body: dict[str, Any], **headers: str) -> Response:
    response = json_response(body, status=status)
    response.headers.update(headers)
    return response


# The API takes small JSON bodies (a Stripe event is a few KiB): a larger one is refused before it
# is read. production.ini's waitress max_request_body_size is a higher backstop (waitress's own 413
# is plain text).
MAX_BODY_BYTES = 1024 * 1024


def body_too_large(request: Request) -> Response | None:
    """The 413 for a request announcing a body over MAX_BODY_BYTES, else None."""
    if (request.content_length or 0) <= MAX_BODY_BYTES:
        return None
    return error(413, {"detail": f"Request body too large: at most {MAX_BODY_BYTES} bytes."})


def unauthorized(detail: str) -> Response:
    return error(401, {"detail": detail}, **{"WWW-Authenticate": "Token"})


def _validation(exc: ValidationFailed, request: Request) -> Response:
    return error(400, exc.errors)


def _invalid_operation(exc: InvalidOperation, request: Request) -> Response:
    return error(400, {"detail": exc.detail})


def _parse_error(exc: ParseError | UnsupportedMediaType, request: Request) -> Response:
    return error(415 if isinstance(exc, UnsupportedMediaType) else 400, {"detail": exc.detail})


def _authentication_failed(exc: AuthenticationFailed | NotAuthenticated, request: Request) -> Response:
    return unauthorized(exc.detail)


def _permission_denied(exc: PermissionDenied, request: Request) -> Response:
    return error(403, {"detail": exc.detail})


def _forbidden(exc: HTTPForbidden, request: Request) -> Response:
    """Pyramid refused a view's permission: 401 when nobody is logged in, else 403."""
    if request.authenticated_userid is None:
        return unauthorized(NotAuthenticated.detail)
    return error(403, {"detail": PermissionDenied().detail})


def _throttled(exc: Throttled, request: Request) -> Response:
    return error(429, {"detail": exc.detail}, **{"Retry-After": str(exc.wait)})


def _not_found(exc: Exception, request: Request) -> Response:
    return error(404, {"detail": exc.detail if isinstance(exc, NotFound) else NotFound.detail})


def _method_not_allowed(exc: MethodNotAllowed, request: Request) -> Response:
    return error(405, {"detail": exc.detail}, Allow=", ".join(exc.allowed))


def _http_exception(exc: HTTPException, request: Request) -> Response:
    """Any other Pyramid HTTP exception, as JSON."""
    return error(exc.status_code, {"detail": exc.explanation or exc.title})


def service_unavailable(exc: Exception, request: Request) -> Response:
    """The database (or another backing service) cannot be reached right now."""
    log.error("service unavailable [request_id=%s]: %s", getattr(request, "request_id", "-"),
              str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    return error(503, {"detail": "Service temporarily unavailable."}, **{"Retry-After": str(RETRY_AFTER_UNAVAILABLE)})


def _provider_unavailable(exc: PaymentProviderUnavailable, request: Request) -> Response:
    log.error("payment provider unavailable [request_id=%s]: %s", getattr(request, "request_id", "-"), exc)
    return error(503, {"detail": PaymentProviderUnavailable.detail}, **{"Retry-After": str(RETRY_AFTER_UNAVAILABLE)})


def _payment_refused(exc: PaymentRefused, request: Request) -> Response:
    return error(400, {"detail": exc.detail})


def _invalid_event(exc: InvalidEvent, request: Request) -> Response:
    return error(400, {"detail": exc.detail})


def _operation_in_progress(exc: OperationInProgress, request: Request) -> Response:
    return error(409, {"detail": OperationInProgress.detail}, **{"Retry-After": "2"})


def _not_utf8(exc: UnicodeDecodeError, request: Request) -> Response:
    """A path that is not UTF-8 names no resource; a query or form that is not is malformed."""
    if isinstance(exc, URLDecodeError):
        return error(404, {"detail": NotFound.detail})
    return error(400, {"detail": "Malformed request: the query string or body is not valid UTF-8."})


def server_error(exc: Exception, request: Request) -> Response:
    request_id = getattr(request, "request_id", "-")
    log.error("unhandled error [request_id=%s] %s %s", request_id, request.method,
              request.environ.get("PATH_INFO", ""), exc_info=(type(exc), exc, exc.__traceback__))
    return error(500, {"detail": "A server error occurred.", "request_id": request_id})


def includeme(config: Any) -> None:
    config.add_exception_view(_validation, context=ValidationFailed)
    config.add_exception_view(_invalid_operation, context=InvalidOperation)
    config.add_exception_view(_parse_error, context=ParseError)
    config.add_exception_view(_parse_error, context=UnsupportedMediaType)
    config.add_exception_view(_authentication_failed, context=AuthenticationFailed)
    config.add_exception_view(_authentication_failed, context=NotAuthenticated)
    config.add_exception_view(_permission_denied, context=PermissionDenied)
    config.add_exception_view(_not_found, context=NotFound)
    config.add_exception_view(_throttled, context=Throttled)
    config.add_exception_view(_method_not_allowed, context=MethodNotAllowed)
    config.add_exception_view(_http_exception, context=HTTPException)
    config.add_forbidden_view(_forbidden)
    config.add_exception_view(_provider_unavailable, context=PaymentProviderUnavailable)
    config.add_exception_view(_payment_refused, context=PaymentRefused)
    config.add_exception_view(_operation_in_progress, context=OperationInProgress)
    config.add_exception_view(_invalid_event, context=InvalidEvent)
    config.add_exception_view(_not_utf8, context=UnicodeDecodeError)
    config.add_exception_view(server_error, context=Exception)
