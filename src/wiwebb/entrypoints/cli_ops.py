"""The `wiwebb` command's housekeeping verb: `cleanup` (expired tokens, delivered mail and processed
webhook events older than an age)."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import timedelta
from typing import Any, Protocol, TextIO

from wiwebb.domain.durations import InvalidDuration, parse_duration
from wiwebb.domain.housekeeping import CleanupRefused, Housekeeping, check_cleanup


class OpsTools(Protocol):
    settings: Any

    def housekeeping(self) -> Housekeeping: ...


class BadOption(ValueError):
    """An option's value that cannot be used; the message names the option."""


def duration(option: str, text: str) -> timedelta:
    """`30d`, `12h`, `90m`, `3600` (seconds): the format of the duration settings."""
    try:
        return parse_duration(text, like="30d, 12h, 90m or 3600 (seconds)")
    except InvalidDuration as error:
        raise BadOption(f"{option}: {error}") from None


def positive_int(option: str, text: str) -> int:
    if not re.fullmatch(r"\s*[0-9]{1,18}\s*", text) or int(text) < 1:
        raise BadOption(f"{option}: expected a whole number of at least 1, got {text!r}")
    return int(text)


def add_parsers(commands: Any, common: argparse.ArgumentParser) -> None:
    cleanup = commands.add_parser(
        "cleanup", parents=[common],
        help="delete expired tokens, delivered mail and processed webhook events older than an age")
    # Checked by the command, not argparse, so that a bad value is one line (not usage and an error).
    cleanup.add_argument("--age", metavar="DURATION",
                         help="how old what is deleted must be, e.g. 30d or 72h (default: CLEANUP_AGE; at least 3d)")
    cleanup.add_argument("--batch-size", metavar="N",
                         help="rows deleted per transaction (default: CLEANUP_BATCH_SIZE)")


def cleanup(box: OpsTools, args: argparse.Namespace, out: TextIO) -> int:
    try:
        age = box.settings.cleanup_age if args.age is None else duration("--age", args.age)
        batch_size = (box.settings.cleanup_batch_size if args.batch_size is None
                      else positive_int("--batch-size", args.batch_size))
        check_cleanup(age, batch_size)
    except BadOption as error:
        print(f"wiwebb: {error}", file=sys.stderr)
        return 2
    except CleanupRefused as error:
        given = args.age if error.field == "age" else args.batch_size
        source = f"--{error.field.replace('_', '-')}" if given is not None else f"CLEANUP_{error.field.upper()}"
        print(f"wiwebb: {source}: {error}", file=sys.stderr)
        return 2
    report = box.housekeeping().cleanup(age, batch_size)
    print(report.summary(), file=out)
    return 0


COMMANDS = {"cleanup": cleanup}
