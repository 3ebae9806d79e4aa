"""Rules on the fields of an account: usernames and e-mail addresses, as Django checks them."""

from __future__ import annotations

import re

USERNAME_MAX_LENGTH = 150
EMAIL_MAX_LENGTH = 254

_USERNAME = re.compile(r"^[\w.@+-]+\Z")
# The shape Django's EmailValidator accepts (its domain allow-list is `localhost`), without its
# IP-literal corner.
_EMAIL = re.compile(
    r"^(?!\.)[-!#$%&'*+/=?^_`{|}~\w]+(\.[-!#$%&'*+/=?^_`{|}~\w]+)*"
    r"@(localhost|((?!-)[\w-]{1,63}(?<!-)\.)+([^\W\d_](?:[^\W\d_]|-){0,61}[^\W\d_]|xn--[a-z0-9]{1,59}))\Z",
    re.IGNORECASE,
)

INVALID_USERNAME = (
    "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."
)
INVALID_EMAIL = "Enter a valid email address."
USERNAME_TAKEN = "A user with that username already exists."
EMAIL_TAKEN = "A user with that email already exists."


def too_long(limit: int) -> str:
    return f"Ensure this field has no more than {limit} characters."


def username_problems(username: str) -> list[str]:
    if len(username) > USERNAME_MAX_LENGTH:
        return [too_long(USERNAME_MAX_LENGTH)]
    return [] if _USERNAME.match(username) else [INVALID_USERNAME]


def is_valid_email(email: str) -> bool:
    return len(email) <= EMAIL_MAX_LENGTH and _EMAIL.match(email) is not None


# Domains reserved for examples (RFC 2606, RFC 6761): no mail sent there reaches anyone.
_EXAMPLE_DOMAINS = ("example.com", "example.net", "example.org")
_EXAMPLE_TLDS = (".example", ".invalid", ".localhost")


def is_reserved_example_address(email: str) -> bool:
    """Whether `email` is at a domain reserved for examples (such as the default admin@example.com)."""
    domain = email.strip().rpartition("@")[2].lower().rstrip(".")
    return (domain in _EXAMPLE_DOMAINS or domain.endswith(tuple("." + d for d in _EXAMPLE_DOMAINS))
            or domain.endswith(_EXAMPLE_TLDS) or domain in ("localhost", "invalid", "example"))


def normalize_email(email: str) -> str:
    """Django's normalisation: the domain part is case-insensitive, so it is lowercased."""
    local, at, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if at else email.strip()
