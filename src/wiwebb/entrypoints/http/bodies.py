"""Request bodies read like DRF's default parsers: JSON, and forms; anything else is 415.

A form-typed body that holds JSON text is read as JSON: that is what `curl -d '{"a": 1}'` sends
when no Content-Type is given (as the troubleshooting guide's commands do).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from pyramid.request import Request

from wiwebb.domain.errors import ValidationFailed

from .errors import ParseError, UnsupportedMediaType
from .schemas.fields import json_kind

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def request_data(request: Request) -> dict[str, Any]:
    """The body as a dict (empty when there is none)."""
    body = request.body
    if not body:
        return {}
    media_type = (request.content_type or "").lower()
    if media_type == "application/json":  # only: DRF has no parser for vnd...+json types (415)
        return _json(body)
    if media_type == FORM_TYPES[0]:
        if body.lstrip()[:1] in (b"{", b"["):
            return _json(body)
        return _urlencoded(body, _charset(request.headers.get("Content-Type", "")))
    if media_type == FORM_TYPES[1]:
        return _multipart(request)
    if not media_type:
        return _json(body)
    raise UnsupportedMediaType(request.headers.get("Content-Type", media_type))


def _charset(content_type: str) -> str | None:
    """The `charset` parameter of a Content-Type header, if any."""
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"') or None
    return None


def _urlencoded(body: bytes, charset: str | None) -> dict[str, Any]:
    """A form, decoded in its declared charset (UTF-8 by default) as Django does: bytes that are not
    of it become U+FFFD; an unknown charset, or one whose decoding is no text (a lone surrogate from
    `utf-7` or `unicode_escape`), is a parse error. The last of repeated keys wins."""
    encoding = charset or "utf-8"
    try:
        text = body.decode(encoding, errors="replace")
        form = dict(parse_qsl(text, keep_blank_values=True, encoding=encoding, errors="replace"))
    except LookupError:  # no such codec, or not a text one (base64)
        raise ParseError(f"unknown charset {charset!r}", kind="Form") from None
    except UnicodeError:  # a codec that refuses errors="replace" (idna)
        raise ParseError(f"the body is not {charset!r} text", kind="Form") from None
    _no_lone_surrogate(form, kind="Form")
    return form


def _multipart(request: Request) -> dict[str, Any]:
    try:
        form = {key: request.POST.getall(key)[-1] for key in request.POST}
    except ValueError as error:  # no boundary
        raise ParseError(str(error), kind="Multipart form") from None
    except DeprecationWarning:  # WebOb reads multipart bodies in UTF-8 only
        raise ParseError("only UTF-8 is read in a multipart body", kind="Multipart form") from None
    _no_lone_surrogate({k: v for k, v in form.items() if isinstance(v, str)}, kind="Multipart form")
    return form


def _no_lone_surrogate(value: Any, kind: str = "JSON") -> None:
    """A parse error for half a surrogate pair anywhere in `value`: no character, it could be
    neither stored nor answered."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as error:
        raise ParseError(f"unpaired surrogate \\u{ord(error.object[error.start]):04x} is not a character",
                         kind=kind) from None


def _strict_constant(constant: str) -> Any:
    # DRF's parser refuses NaN and Infinity, which are not JSON.
    raise ValueError(f"Out of range float values are not JSON compliant: {constant!r}")


# A \u escape of half a surrogate pair: JSON allows it, but alone it is no character, and neither
# the database, the password hasher nor the answer could encode it.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body.decode("utf-8"), parse_constant=_strict_constant)
    except ValueError as error:  # not UTF-8, JSONDecodeError, and the constants above
        raise ParseError(str(error)) from None
    except RecursionError:  # nested deeper than the parser goes
        raise ParseError("nested too deeply") from None
    if _SURROGATE_ESCAPE.search(body):
        _no_lone_surrogate(value)
    if not isinstance(value, dict):
        message = f"Invalid data. Expected a dictionary, but got {json_kind(value)}."
        raise ValidationFailed.on("non_field_errors", message)
    return value
