"""Fields that speak DRF's messages and rules, so every endpoint answers in the contract's words."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from marshmallow import ValidationError, fields

from wiwebb.domain import accounts

_COMMON = {"required": "This field is required.", "null": "This field may not be null."}


def format_datetime(value: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC ending in `Z`, as DRF writes it (the mobile app rejects `+00:00`)."""
    if value is None:
        return None
    text = value.astimezone(dt.UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


class Str(fields.Field):
    """DRF's CharField: numbers become text, whitespace is trimmed, blank refused unless allowed."""

    default_error_messages = {**_COMMON, "invalid": "Not a valid string.", "blank": "This field may not be blank.",
                              "null_characters": "Null characters are not allowed."}

    def __init__(self, *, max_length: int | None = None, allow_blank: bool = False, trim: bool = True,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_length = max_length
        self.allow_blank = allow_blank
        self.trim = trim

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.make_error("invalid")
        text = str(value)
        if "\x00" in text:
            raise self.make_error("null_characters")
        if self.trim:
            text = text.strip()
        if not text and not self.allow_blank:
            raise self.make_error("blank")
        if self.max_length is not None and len(text) > self.max_length:
            raise ValidationError(accounts.too_long(self.max_length))
        return text

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else str(value)


class Email(Str):
    default_error_messages = {**Str.default_error_messages, "email": accounts.INVALID_EMAIL}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=accounts.EMAIL_MAX_LENGTH, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if text and not accounts.is_valid_email(text):
            raise self.make_error("email")
        return text


class Bool(fields.Boolean):
    default_error_messages = {**_COMMON, "invalid": "Must be a valid boolean."}


MAX_INTEGER = 2**63 - 1  # what a database integer column holds


class Int(fields.Integer):
    default_error_messages = {**_COMMON, "invalid": "A valid integer is required.",
                              "max_value": f"Ensure this value is less than or equal to {MAX_INTEGER}."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        number = super()._deserialize(value, attr, data, **kwargs)
        if abs(number) > MAX_INTEGER:
            raise self.make_error("max_value")
        return number


class Date(fields.Date):
    default_error_messages = {
        **_COMMON,
        "invalid": "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
        "format": "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
    }


class DateTimeZ(fields.Field):
    """Output only: a datetime in DRF's `...Z` form."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return format_datetime(value)


class Choice(Str):
    """DRF's ChoiceField: `"x" is not a valid choice.`"""

    def __init__(self, choices: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.choices = choices

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if text not in self.choices:
            raise ValidationError(f'"{text}" is not a valid choice.')
        return text


class Url(Str):
    default_error_messages = {**Str.default_error_messages, "url": "Enter a valid URL."}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=200, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if text and not _URL.match(text):
            raise self.make_error("url")
        return text


class OptionalEmail(Email):
    """An address or null; a blank one is stored as null (never `""`)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_blank=True, allow_none=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str | None:  # type: ignore[override]
        text = super()._deserialize(value, attr, data, **kwargs)
        return text or None


class DateTimeIn(fields.Field):
    """An ISO 8601 date-time in a query (`Z` or an offset; naive means UTC)."""

    default_error_messages = {**_COMMON, "invalid": "Enter a valid date/time."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.datetime:
        try:
            moment = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00").replace(" ", "+"))
        except ValueError:
            raise self.make_error("invalid") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


_URL = re.compile(r"^(https?|ftp)://[^\s/$.?#][^\s]*$", re.IGNORECASE)
