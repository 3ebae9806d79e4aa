"""Domain errors. They say what went wrong in business terms; the HTTP layer maps them to answers."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

NOT_ALLOWED = "You do not have permission to perform this action."


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""


class NotFound(DomainError):
    """The object does not exist, or exists outside the caller's reach (the two look the same)."""

    detail = "Not found."


class PermissionDenied(DomainError):
    """The caller is known but may not do this."""

    def __init__(self, detail: str = NOT_ALLOWED) -> None:
        super().__init__(detail)
        self.detail = detail


class NotAuthenticated(DomainError):
    """No credentials were presented where they are needed."""

    detail = "Authentication credentials were not provided."


class AuthenticationFailed(DomainError):
    """Credentials were presented and are not good (bad token, inactive user, ...)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ValidationFailed(DomainError):
    """Input that breaks a rule; `errors` maps a field (or `non_field_errors`) to its messages (or,
    for a list of nested objects, to one such mapping per item, as DRF nests them)."""

    def __init__(self, errors: Mapping[str, Sequence[str] | Any]) -> None:
        self.errors: dict[str, Any] = {
            field: list(messages) if isinstance(messages, list | tuple) else messages
            for field, messages in errors.items()}
        super().__init__(self.errors)

    @classmethod
    def on(cls, field: str, *messages: str) -> ValidationFailed:
        return cls({field: list(messages)})


class InvalidOperation(DomainError):
    """A well-formed request that the current state does not allow (one `detail` message)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Throttled(DomainError):
    """Too many requests; the client may try again after `wait` seconds (rounded up)."""

    def __init__(self, wait: float) -> None:
        self.wait = max(1, math.ceil(wait))
        unit = "second" if self.wait == 1 else "seconds"
        self.detail = f"Request was throttled. Expected available in {self.wait} {unit}."
        super().__init__(self.detail)
