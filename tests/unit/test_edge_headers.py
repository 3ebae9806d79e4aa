"""The edge's headers and the JSON answer of a view, at the unit level (the functional tests see
them on every kind of answer)."""

from __future__ import annotations

import json
from types import SimpleNamespace

from pyramid.response import Response

from wiwebb.entrypoints.http.json import JsonResponse, answer_json
from wiwebb.entrypoints.http.tweens import stamp_headers


def _values(response: Response, name: str) -> list[str]:
    return [value for key, value in response.headerlist if key.lower() == name.lower()]


def test_the_request_id_replaces_any_the_answer_had_and_security_headers_are_added_once():
    response = Response(headerlist=[("x-request-id", "theirs"), ("Cache-Control", "max-age=60")])
    stamp_headers(response, "ours", no_store=False)
    assert _values(response, "X-Request-ID") == ["ours"]
    assert _values(response, "X-Content-Type-Options") == ["nosniff"]
    assert _values(response, "Referrer-Policy") == ["same-origin"]
    assert _values(response, "Cache-Control") == ["max-age=60"]  # only auth answers are made no-store


def test_an_answer_s_own_security_header_is_kept_and_auth_answers_are_not_stored():
    response = Response(headerlist=[("Referrer-Policy", "no-referrer"), ("cache-control", "max-age=60"),
                                    ("Content-Type", "application/json")])
    stamp_headers(response, "id-1", no_store=True)
    assert _values(response, "Referrer-Policy") == ["no-referrer"]
    assert _values(response, "Cache-Control") == ["no-store"]
    assert _values(response, "Content-Type") == ["application/json"]
    assert response.headers["X-Request-ID"] == "id-1"  # WebOb's view of the list sees the same headers


def test_a_view_s_value_is_json_on_the_response_it_shaped():
    request = SimpleNamespace(response=JsonResponse())
    request.response.status = 503
    request.response.headers["Retry-After"] = "5"
    answer = answer_json(request, {"detail": "Zürich ✓"})
    assert answer is request.response
    assert answer.status == "503 Service Unavailable" and answer.headers["Retry-After"] == "5"
    assert answer.headers["Content-Type"] == "application/json"  # UTF-8 by definition: no charset
    assert answer.body == '{"detail":"Zürich ✓"}'.encode()
    assert json.loads(answer.body) == {"detail": "Zürich ✓"}
    assert answer.content_length == len(answer.body)


def test_a_response_the_view_built_itself_is_returned_as_it_is():
    built = Response(status=204)
    assert answer_json(SimpleNamespace(response=JsonResponse()), built) is built
