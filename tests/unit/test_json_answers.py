"""JSON out (entrypoints/http/json.py): compact, non-ASCII as is, the same text as json.dumps with
those options, written on the view's response when it set one up, else on a new one."""

from __future__ import annotations

import json
from datetime import date

import pytest
from pyramid.request import Request

from wiwebb.entrypoints.http import json as json_out

VALUES = [
    {"status": "ok", "database": "ok", "version": "1.0.0"},
    {"name": "Zoë ✓ \u2028", "nested": [{"a": 1, "b": [1.5, None, True, False]}], "quote": "say \"hi\"\n"},
    [], {}, "plain", 7, -0.25, None,
]


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("c_speedups", [True, False])
def test_dumps_writes_what_json_dumps_writes(value, c_speedups, monkeypatch):
    if not c_speedups:
        monkeypatch.setattr(json_out, "_ITERENCODE", None)
    assert json_out.dumps(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def test_dumps_refuses_what_json_cannot_hold():
    with pytest.raises(TypeError):
        json_out.dumps({"when": date(2026, 1, 1)})


def test_an_answer_without_a_response_set_up_gets_a_new_json_response():
    request = Request.blank("/")
    response = json_out.answer_json(request, {"detail": "ok ✓"})
    assert response.status_int == 200
    assert response.headerlist == [("Content-Type", "application/json"),
                                   ("Content-Length", str(len(response.body)))]
    assert response.body == '{"detail":"ok ✓"}'.encode()


def test_an_answer_keeps_the_status_and_headers_the_view_set():
    request = Request.blank("/")
    request.__dict__["response"] = prepared = json_out.JsonResponse()
    prepared.status = 503
    prepared.headers["Retry-After"] = "5"
    response = json_out.answer_json(request, {"status": "unavailable"})
    assert response is prepared
    assert (response.status_int, response.headers["Retry-After"]) == (503, "5")
    assert response.json == {"status": "unavailable"}
    assert response.content_type == "application/json"


def test_a_response_the_view_built_is_returned_as_it_is():
    built = json_out.json_response({"a": 1}, status=201)
    assert json_out.answer_json(Request.blank("/"), built) is built
