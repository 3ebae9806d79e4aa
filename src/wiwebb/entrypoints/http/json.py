"""JSON out: compact, non-ASCII unescaped, `application/json` (UTF-8 by definition, RFC 8259: no
charset parameter).

A view answers with a dict or list: `answer_json` writes it on `request.response`, which is a
`JsonResponse` (the status and headers the view set on it are kept). This replaces Pyramid's
renderer machinery for the API's views: that path (the BeforeRender event, re-typing a text/html
response, encoding through `Response.text`) cost a fifth of a `GET /api/v1/health/`.
"""

from __future__ import annotations

import json
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

from pyramid.request import Request
from pyramid.response import Response


class JsonResponse(Response):
    """`request.response` of the service: JSON unless a view says otherwise."""

    default_content_type = "application/json"
    default_charset = None


def response_factory(request: Request) -> Response:
    return JsonResponse()


# One encoder for every answer: json.dumps with options builds a new one each call, half the cost
# of encoding a small body.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# And its C encoder, made once too: JSONEncoder.encode makes one on every call, most of the rest
# of that cost. Made without the circular-reference markers, which it would share between threads
# (an answer is data built for it: it holds no cycle).
_ITERENCODE = (None if c_make_encoder is None else
               c_make_encoder(None, _ENCODER.default, encode_basestring, None, ":", ",", False, False, True))


def dumps(value: Any) -> str:
    if _ITERENCODE is None:  # a Python without json's C speedups
        return _ENCODER.encode(value)
    return "".join(_ITERENCODE(value, 0))


def json_response(body: Any, status: int = 200) -> Response:
    return JsonResponse(body=dumps(body).encode("utf-8"), status=status)


def answer_json(request: Request, value: Any) -> Response:
    """`value` as the body of `request.response` (made now, with its body, if the view did not set
    a status or a header on it); a Response a view built itself is returned as is."""
    if isinstance(value, Response):
        return value
    body = dumps(value).encode("utf-8")
    response = request.__dict__.get("response")  # reified: there only if the view used it
    if response is None:
        return JsonResponse(body=body)
    response.body = body
    return response
