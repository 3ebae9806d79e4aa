"""JSON out: compact, non-ASCII unescaped, `application/json`."""

from __future__ import annotations

import json
from typing import Any

from pyramid.response import Response


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def json_response(body: Any, status: int = 200) -> Response:
    return Response(body=dumps(body).encode("utf-8"), status=status, content_type="application/json",
                    charset="utf-8")


def renderer_factory(info: Any) -> Any:
    def render(value: Any, system: dict[str, Any]) -> str:
        request = system.get("request")
        if request is not None:
            response = request.response
            if response.content_type == response.default_content_type:
                response.content_type = "application/json"
        return dumps(value)

    return render
