"""Durations as settings and options write them: `3600` (seconds), `90m`, `12h`, `30d`."""

from __future__ import annotations

import re
from datetime import timedelta

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_DURATION = timedelta(days=36500)  # 100 years: beyond any use, and before the calendar's end


class InvalidDuration(ValueError):
    """Not a duration: no ASCII number above 0, or an unknown unit."""


class DurationTooLong(InvalidDuration):
    """A duration past MAX_DURATION."""


def parse_duration(text: str, like: str = "3600, 30m, 12h or 7d") -> timedelta:
    """The duration `text` says; InvalidDuration (its message: what was expected, with `like` as
    the examples, and what came) when it says none."""
    match = re.fullmatch(r"\s*([0-9]{1,11})\s*([smhd]?)\s*", text.lower())
    if not match or int(match.group(1)) == 0:
        raise InvalidDuration(f"expected a duration like {like}, got {text!r}")
    seconds = int(match.group(1)) * UNITS[match.group(2) or "s"]
    if seconds > MAX_DURATION.total_seconds():  # compared first: a timedelta cannot even hold some
        raise DurationTooLong(f"expected a duration of at most 36500d (100 years), got {text!r}")
    return timedelta(seconds=seconds)


def format_age(age: timedelta) -> str:
    """`30d`, `12h`, `90m` or `45s`: the largest unit that divides the age (parse_duration reads it)."""
    seconds = int(age.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
