"""The access log: one line per request on `wiwebb.access` (method, path, status, duration, the
user and tenant when the request authenticated, the SQL statements it ran and their time), and,
in development with DEBUG on, a warning on `wiwebb.sql` for a request over SQL_WARN_STATEMENTS.

The composition root hands the tween a `RequestLogPolicy` (registry setting `wiwebb.request_log`):
how to trace a request (the SQL counting lives with the database adapter) and the warning's
threshold. The path only is logged: no query string, no headers, no body (tokens and passwords
stay out).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from pyramid.request import Request
from pyramid.response import Response

access_log = logging.getLogger("wiwebb.access")
sql_log = logging.getLogger("wiwebb.sql")


class Trace(Protocol):
    """What the tracing of one request tells at its end."""

    @property
    def sql_statements(self) -> int: ...

    @property
    def sql_ms(self) -> float: ...


@dataclass(frozen=True)
class UnknownSql:
    """No tracing configured: the SQL figures are unknown (null in the log)."""

    sql_statements: None = None
    sql_ms: None = None


@contextmanager
def no_tracing(request_id: str, method: str, path: str) -> Iterator[Any]:
    yield UnknownSql()


@dataclass(frozen=True)
class RequestLogPolicy:
    """`trace(request_id, method, path)`: a context manager current while the request is handled.
    `warn_over`: with DEBUG on, the SQL_WARN_STATEMENTS threshold; None for no warning."""

    trace: Callable[[str, str, str], AbstractContextManager[Trace]] = no_tracing
    warn_over: int | None = None


def authenticated_ids(request: Request) -> tuple[int | None, int | None]:
    """(user id, tenant id) when the request authenticated. Never authenticates to find out:
    `session_of_token` is reified, so a request that used its token has it in its __dict__."""
    session = request.__dict__.get("session_of_token")
    if session is None:
        return None, None
    return session.user.id, session.user.tenant_id


def printable(path: str) -> str:
    """The path with control characters escaped: a crafted path cannot forge a log line."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in path)


def route_name(request: Request) -> str:
    route = getattr(request, "matched_route", None)
    return route.name if route is not None else "-"


def log_request(request: Request, response: Response, path: str, duration_ms: float, trace: Trace,
                policy: RequestLogPolicy) -> None:
    statements, sql_ms = trace.sql_statements, trace.sql_ms
    if policy.warn_over is not None and statements is not None and statements > policy.warn_over:
        sql_log.warning("%s %s (route %s) ran %d SQL statements (over SQL_WARN_STATEMENTS=%d)", request.method,
                        printable(path), route_name(request), statements, policy.warn_over)
    if not access_log.isEnabledFor(logging.INFO):
        return  # LOG_LEVEL above INFO (production under load): nothing to build
    user_id, tenant_id = authenticated_ids(request)
    line = f"{request.method} {printable(path)} {response.status_int} {duration_ms:.1f}ms"
    line += f" sql={statements}/{sql_ms:.1f}ms" if statements is not None else " sql=-"
    if user_id is not None:
        line += f" user={user_id} tenant={tenant_id if tenant_id is not None else '-'}"
    access_log.info("%s", line, extra={
        "request_id": request.request_id, "method": request.method, "path": path,
        "status": response.status_int, "duration_ms": round(duration_ms, 1), "user_id": user_id,
        "tenant_id": tenant_id, "sql_statements": statements,
        "sql_ms": round(sql_ms, 1) if sql_ms is not None else None})
