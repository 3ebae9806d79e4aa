"""Logs: what a request is (its id, method and path, the SQL statements it ran), carried in a
context variable so every line logged while it is handled says which request it belongs to; the
two formats (one JSON object a line for production, readable text for development); and the
process's logging setup.

The SQL statements of a request are counted on the engine's dialect (`count_sql_statements`):
every statement SQLAlchemy hands to a cursor while the request's trace is current, in the thread
handling it (waitress runs each request in one thread, and each thread has its own context).
That includes BEGIN on SQLite and the savepoints billing takes, and not the connection pool's
liveness pings (the dialect's ping runs its own cursor). Work the request leaves to Pyramid's
finished callbacks runs after its trace has ended and is not counted.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

# The fields of a JSON line besides time, level, logger and message: null when unknown.
FIELDS = ("request_id", "method", "path", "status", "duration_ms", "user_id", "tenant_id", "sql_statements",
          "sql_ms")
CONTEXT_FIELDS = ("request_id", "method", "path")
TEXT_FORMAT = "%(asctime)s %(levelname)-5.5s [%(name)s] %(message)s"


@dataclass
class RequestTrace:
    """The request being handled in this context, and the SQL it has run so far."""

    request_id: str
    method: str
    path: str
    sql_statements: int = 0
    sql_seconds: float = 0.0

    @property
    def sql_ms(self) -> float:
        return self.sql_seconds * 1000


_current: ContextVar[RequestTrace | None] = ContextVar("wiwebb_request_trace", default=None)


class trace_request:
    """`with trace_request(request_id, method, path) as trace:` makes a request current in this
    context until the block ends. (A class, not a @contextmanager generator: it runs for every
    request, and the generator's machinery cost more than the rest of it.)"""

    __slots__ = ("_token", "_trace")

    def __init__(self, request_id: str, method: str, path: str) -> None:
        self._trace = RequestTrace(request_id, method, path)

    def __enter__(self) -> RequestTrace:
        self._token = _current.set(self._trace)
        return self._trace

    def __exit__(self, *exc_info: object) -> None:
        _current.reset(self._token)


def current_trace() -> RequestTrace | None:
    return _current.get()


# -- SQL statements per request ------------------------------------------------------------------

_COUNTED = "wiwebb_counts_statements"
_EXECUTES = ("do_execute", "do_executemany", "do_execute_no_params")


def _counted(execute: Callable[..., Any]) -> Callable[..., Any]:
    def counted(cursor: Any, statement: str, *args: Any) -> Any:
        trace = _current.get()
        if trace is None:
            return execute(cursor, statement, *args)
        trace.sql_statements += 1
        started = time.perf_counter()
        try:
            return execute(cursor, statement, *args)
        finally:  # a failed statement counts too, with the time it took to fail
            trace.sql_seconds += time.perf_counter() - started

    counted.__wrapped__ = execute  # type: ignore[attr-defined]
    return counted


def count_sql_statements(engine: Engine) -> None:
    """Count the statements (and their time) each request runs on `engine`; idempotent.

    The dialect's three calls that hand a statement to a cursor are wrapped on the engine's own
    dialect object: SQLAlchemy makes every statement it executes go through one of them, right
    where its `before_cursor_execute` event fires. Listeners for that event would count the same,
    but an engine with such listeners runs every statement through its event machinery: that cost
    a tenth of the instructions of `GET /api/v1/auth/user/`.
    """
    dialect = engine.dialect
    if getattr(dialect, _COUNTED, False):
        return
    for name in _EXECUTES:
        setattr(dialect, name, _counted(getattr(dialect, name)))
    setattr(dialect, _COUNTED, True)


# -- Formats -------------------------------------------------------------------------------------

class RequestContextFilter(logging.Filter):
    """Puts the current request's id, method and path on every record (None outside a request),
    unless the record carries its own (the access line passes them explicitly)."""

    def filter(self, record: logging.LogRecord) -> bool:
        stamp(record)
        return True


def stamp(record: logging.LogRecord) -> None:
    trace = _current.get()
    for name in CONTEXT_FIELDS:
        if not hasattr(record, name):
            setattr(record, name, getattr(trace, name) if trace is not None else None)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, the request's fields (null when
    unknown) and, when an exception is logged, its `traceback`."""

    def format(self, record: logging.LogRecord) -> str:
        stamp(record)
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
                            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({name: getattr(record, name, None) for name in FIELDS})
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["traceback"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Readable lines; a line logged while a request is handled ends with `request_id=...` (unless
    its message names the id already)."""

    def __init__(self, fmt: str | None = None, datefmt: str | None = None, style: Any = "%", *args: Any,
                 **kwargs: Any) -> None:
        super().__init__(fmt or TEXT_FORMAT, datefmt, style, *args, **kwargs)

    def formatMessage(self, record: logging.LogRecord) -> str:
        stamp(record)
        line = super().formatMessage(record)
        request_id = getattr(record, "request_id", None)
        if request_id and request_id not in record.message:
            line += f" request_id={request_id}"
        return line


# -- Setup ---------------------------------------------------------------------------------------

def configure_logging(level: str) -> None:
    """Complete the process's logging setup: a readable handler on stderr when nothing (no ini
    file's logging sections) configured one, the request context on every record the root's
    handlers write, and `level` (LOG_LEVEL) on the `wiwebb` loggers, over the ini file's."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(TextFormatter())
        root.addHandler(handler)
    for handler in root.handlers:
        if not any(isinstance(f, RequestContextFilter) for f in handler.filters):
            handler.addFilter(RequestContextFilter())
    logging.getLogger("wiwebb").setLevel(level)
