"""DRF's PageNumberPagination envelope, with absolute links that keep the other parameters."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode

from pyramid.request import Request

from wiwebb.domain.listing import Page, PageRequest

T = TypeVar("T")


def query(request: Request) -> dict[str, str]:
    """The query's parameters (the last value of a repeated one), split on `&` only, as Django and
    browsers do: WebOb's `request.GET` also splits on `;`, so `?since=;x` would read as an empty
    filter and list everything instead of refusing the value. Bytes that are not UTF-8 raise
    UnicodeDecodeError, answered 400 as a malformed request."""
    raw = str(request.environ.get("QUERY_STRING", "")).encode("latin-1", "replace").decode("utf-8")
    return dict(parse_qsl(raw, keep_blank_values=True, separator="&", errors="strict"))


def page_request(request: Request) -> PageRequest:
    params = query(request)
    return PageRequest.of(params.get("page"), params.get("page_size"))


def _link(request: Request, number: int) -> str:
    params = [(k, v) for k, v in parse_qsl(request.query_string, keep_blank_values=True) if k != "page"]
    params.insert(0, ("page", str(number)))
    return f"{request.host_url}{request.path}?{urlencode(params)}"


def paginated(request: Request, page: Page[T], dump: Callable[[T], Any]) -> dict[str, Any]:
    return {
        "count": page.count,
        "next": _link(request, page.request.number + 1) if page.has_next else None,
        "previous": _link(request, page.request.number - 1) if page.has_previous else None,
        "results": [dump(item) for item in page.items],
    }


def query_params(request: Request, names: Iterable[str]) -> dict[str, str]:
    """The given query parameters that are present and not empty (an empty filter is no filter)."""
    params = query(request)
    return {name: params[name] for name in names if params.get(name, "") != ""}
