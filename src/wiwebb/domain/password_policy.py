"""Django's four default password validators, with Django's messages, so clients see the same texts.

`validate_password` collects every failing rule, like `django.contrib.auth.password_validation`.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from importlib import resources
from typing import Protocol

MIN_LENGTH = 8
MAX_SIMILARITY = 0.7

# Attribute of the user, and the verbose name Django's User model gives it.
_SIMILARITY_ATTRIBUTES = (
    ("username", "username"),
    ("first_name", "first name"),
    ("last_name", "last name"),
    ("email", "email address"),
)


class PasswordOwner(Protocol):
    @property
    def username(self) -> str: ...
    @property
    def first_name(self) -> str: ...
    @property
    def last_name(self) -> str: ...
    @property
    def email(self) -> str: ...


@dataclass(frozen=True)
class Applicant:
    """The attributes of a user who does not exist yet (registration)."""

    username: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""


@cache
def common_passwords() -> frozenset[str]:
    """Django's list of 20,000 common passwords (lowercased), shipped with the package."""
    data = resources.files("wiwebb.domain").joinpath("data/common-passwords.txt.gz").read_bytes()
    return frozenset(line.strip() for line in gzip.decompress(data).decode("utf-8").splitlines())


def _exceeds_maximum_length_ratio(password: str, value: str) -> bool:
    # Django's shortcut: a value much shorter than the password can never be similar enough.
    return len(password) >= 10 * len(value) and len(value) < MAX_SIMILARITY / 2 * len(password)


def _too_similar(password: str, user: PasswordOwner) -> str | None:
    password = password.lower()
    for attribute, verbose_name in _SIMILARITY_ATTRIBUTES:
        value = getattr(user, attribute, None)
        if not value or not isinstance(value, str):
            continue
        value = value.lower()
        for part in [*re.split(r"\W+", value), value]:
            if _exceeds_maximum_length_ratio(password, part):
                continue
            if SequenceMatcher(a=password, b=part).quick_ratio() >= MAX_SIMILARITY:
                return f"The password is too similar to the {verbose_name}."
    return None


def password_problems(password: str, user: PasswordOwner | None = None) -> list[str]:
    """Every message of the rules `password` breaks, in Django's order; empty when it is good."""
    problems = []
    if user is not None and (similar := _too_similar(password, user)):
        problems.append(similar)
    if len(password) < MIN_LENGTH:
        noun = "character" if MIN_LENGTH == 1 else "characters"
        problems.append(f"This password is too short. It must contain at least {MIN_LENGTH} {noun}.")
    if password.lower().strip() in common_passwords():
        problems.append("This password is too common.")
    if password.isdigit():
        problems.append("This password is entirely numeric.")
    return problems
