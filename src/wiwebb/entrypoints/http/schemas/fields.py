"""Fields that speak DRF's messages and rules, so every endpoint answers in the contract's words."""

from __future__ import annotations

import datetime as dt
import decimal
import re
from typing import Any

from marshmallow import ValidationError, fields

from wiwebb.domain import accounts

NULL = "This field may not be null."
_COMMON = {"required": "This field is required.", "null": NULL}


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
MAX_INT32 = 2**31 - 1  # what an INTEGER column holds (PostgreSQL's int4): a stored count, not an id


class Int(fields.Integer):
    """DRF's IntegerField; `maximum` is the column's largest value, as a model serializer gives it."""

    default_error_messages = {**_COMMON, "invalid": "A valid integer is required.",
                              "max_value": "Ensure this value is less than or equal to {maximum}.",
                              "min_value": "Ensure this value is greater than or equal to {minimum}."}

    def __init__(self, *, maximum: int = MAX_INTEGER, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.maximum = maximum

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, float) and not value.is_integer():  # 1.9 is no id (1.0 is, as DRF reads it)
            raise self.make_error("invalid")
        number = super()._deserialize(value, attr, data, **kwargs)
        if number > self.maximum:
            raise self.make_error("max_value", maximum=self.maximum)
        if number < -self.maximum - 1:
            self._validate(number)  # the field's own minimum (at least 0, at least 1) says it in its words
            raise self.make_error("min_value", minimum=-self.maximum - 1)
        return number


MAX_DIGITS, DECIMAL_PLACES = 12, 2  # the money columns' NUMERIC(12, 2)


class Amount(fields.Field):
    """DRF's DecimalField(max_digits=12, decimal_places=2, min_value=minimum), with its messages."""

    default_error_messages = {**_COMMON, "invalid": "A valid number is required."}

    def __init__(self, *, minimum: decimal.Decimal = decimal.Decimal("0.01"), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.minimum = minimum

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> decimal.Decimal:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.make_error("invalid")
        try:
            number = decimal.Decimal(str(value).strip())
        except decimal.InvalidOperation:
            raise self.make_error("invalid") from None
        _sign, digits, exponent = number.as_tuple()
        if not isinstance(exponent, int):  # NaN, Infinity
            raise self.make_error("invalid")
        if exponent >= 0:  # DRF's count: 1200 has 4 digits, 12.00 too, 0.05 has 2
            whole, places = (0 if digits == (0,) else len(digits) + exponent), 0
        elif len(digits) > -exponent:
            whole, places = len(digits) + exponent, -exponent
        else:
            whole, places = 0, -exponent
        if whole + places > MAX_DIGITS:
            raise ValidationError(f"Ensure that there are no more than {MAX_DIGITS} digits in total.")
        if places > DECIMAL_PLACES:
            raise ValidationError(f"Ensure that there are no more than {DECIMAL_PLACES} decimal places.")
        if whole > MAX_DIGITS - DECIMAL_PLACES:
            raise ValidationError(f"Ensure that there are no more than {MAX_DIGITS - DECIMAL_PLACES} digits "
                                  "before the decimal point.")
        if number < self.minimum:
            raise ValidationError(f"Ensure this value is greater than or equal to {self.minimum}.")
        return number.quantize(decimal.Decimal("0.01"))


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


def json_kind(value: Any) -> str:
    """The Python type name DRF's messages give for a JSON value ("list", "int", "NoneType" ...)."""
    return {dict: "dict", list: "list", str: "str", int: "int", float: "float", bool: "bool"}.get(
        type(value), "NoneType")


class ObjectList(fields.List):
    """A list of objects (DRF's `many=True` serializer), with DRF's texts for a value that is not a
    list and for items that are not objects."""

    def __init__(self, schema: type[Any], **kwargs: Any) -> None:
        super().__init__(fields.Nested(schema, error_messages={"null": NULL}), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        if not isinstance(value, list):
            raise ValidationError(f'Expected a list of items but got type "{json_kind(value)}".')
        not_objects = {index: {"_schema": [f"Invalid data. Expected a dictionary, but got {json_kind(item)}."]}
                       for index, item in enumerate(value) if item is not None and not isinstance(item, dict)}
        if not_objects:
            raise ValidationError(not_objects)  # type: ignore[arg-type]
        return super()._deserialize(value, attr, data, **kwargs)
