"""What the log tests share (no tests here): the service's log output captured as the ini files
format it (JSON lines or text), through a handler of the test's own on the `wiwebb` loggers (or
others) with the request context filter the servers install."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from wiwebb.adapters.logs import JsonFormatter, RequestContextFilter

# The keys of every JSON line (the interface other parts and the docs rely on); `traceback` is added
# when an exception is logged.
JSON_KEYS = {"time", "level", "logger", "message", "request_id", "method", "path", "status", "duration_ms",
             "user_id", "tenant_id", "sql_statements", "sql_ms"}


@dataclass
class Captured:
    stream: io.StringIO

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict]:
        """Every line, parsed as JSON (failing on a line that is not one JSON object)."""
        return [json.loads(line) for line in self.text.splitlines()]

    def access(self) -> list[dict]:
        return [line for line in self.lines() if line["logger"] == "wiwebb.access"]


@contextmanager
def captured_logs(formatter: logging.Formatter | None = None,
                  levels: Mapping[str, int | None] | None = None) -> Iterator[Captured]:
    """Capture what the loggers named in `levels` (default: `wiwebb`) write, formatted by
    `formatter` (default JSON); a logger given a level is set to it for the block."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter or JsonFormatter())
    handler.addFilter(RequestContextFilter())
    targets = {logging.getLogger(name): level for name, level in (levels or {"wiwebb": None}).items()}
    previous = {target: target.level for target in targets}
    for target, level in targets.items():
        target.addHandler(handler)
        if level is not None:
            target.setLevel(level)
    try:
        yield Captured(stream)
    finally:
        for target, level in previous.items():
            target.removeHandler(handler)
            target.setLevel(level)
