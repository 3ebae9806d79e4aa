"""Request bodies read like DRF's default parsers: JSON, and forms; anything else is 415.

A form-typed body that holds JSON text is read as JSON: that is what `curl -d '{"a": 1}'` sends
when no Content-Type is given (as the troubleshooting guide's commands do).
"""

from __future__ import annotations

import json
from typing import Any

from pyramid.request import Request

from wiwebb.domain.errors import ValidationFailed

from .errors import ParseError, UnsupportedMediaType

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def request_data(request: Request) -> dict[str, Any]:
    """The body as a dict (empty when there is none)."""
    body = request.body
    if not body:
        return {}
    media_type = (request.content_type or "").lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        return _json(body)
    if media_type in FORM_TYPES:
        if media_type == FORM_TYPES[0] and body.lstrip()[:1] in (b"{", b"["):
            return _json(body)
        return {key: request.POST.getall(key)[-1] for key in request.POST}
    if not media_type:
        return _json(body)
    raise UnsupportedMediaType(request.headers.get("Content-Type", media_type))


def _strict_constant(constant: str) -> Any:
    # DRF's parser refuses NaN and Infinity, which are not JSON.
    raise ValueError(f"Out of range float values are not JSON compliant: {constant!r}")


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body.decode("utf-8"), parse_constant=_strict_constant)
    except ValueError as error:  # not UTF-8, JSONDecodeError, and the constants above
        raise ParseError(str(error)) from None
    if not isinstance(value, dict):
        kind = {list: "list", str: "str", int: "int", float: "float", bool: "bool"}.get(type(value), "NoneType")
        raise ValidationFailed.on("non_field_errors", f"Invalid data. Expected a dictionary, but got {kind}.")
    return value
