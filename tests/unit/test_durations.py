"""Durations as settings and the command line write them, and back."""

from __future__ import annotations

from datetime import timedelta

import pytest

from wiwebb.domain.durations import DurationTooLong, InvalidDuration, format_age, parse_duration


@pytest.mark.parametrize(("text", "expected"), [
    ("3600", timedelta(hours=1)), ("90m", timedelta(minutes=90)), (" 12H ", timedelta(hours=12)),
    ("30d", timedelta(days=30)), ("36500d", timedelta(days=36500)),
])
def test_durations_read(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "0", "0d", "soon", "1w", "-5m", "1.5h", "\u0661\u0662h", "\u00b2", "9" * 12])
def test_what_is_no_duration(text):
    with pytest.raises(InvalidDuration) as refused:
        parse_duration(text)
    assert not isinstance(refused.value, DurationTooLong)


@pytest.mark.parametrize("text", ["36501d", "99999999999d", "876001h"])
def test_durations_past_a_century_are_too_long(text):
    with pytest.raises(DurationTooLong):
        parse_duration(text)


@pytest.mark.parametrize("age", [timedelta(days=3), timedelta(hours=36), timedelta(minutes=90), timedelta(seconds=61)])
def test_an_age_is_written_in_its_largest_unit_and_reads_back(age):
    assert parse_duration(format_age(age)) == age
