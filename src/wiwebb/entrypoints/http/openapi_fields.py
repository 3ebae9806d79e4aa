"""How WiWebb's own marshmallow fields (DRF's rules) read in JSON Schema, for apispec.

Each says what the field accepts, so that the fuzzer's "valid" values are accepted and its
"invalid" ones refused: a required string is not blank (it is trimmed first), lengths, choices,
e-mail and URL forms, 3-letter currencies, decimal amounts written as strings or numbers.
"""

from __future__ import annotations

from typing import Any

from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import fields

from .schemas.fields import Amount, Choice, DateTimeIn, DateTimeZ, Email, Int, Str, Url
from .schemas.payments import Currency, Metadata

NOT_BLANK = r"\S"  # at least one character that trimming keeps (JSON Schema patterns search)
URL = r"^$|^([hH][tT][tT][pP][sS]?|[fF][tT][pP])://[^\s/$.?#]\S*$"
DECIMAL = r"^\s*\d{1,10}(\.\d{1,2})?\s*$"


def map_field_types(plugin: MarshmallowPlugin) -> None:
    plugin.map_to_openapi_type(Str, "string", None)
    plugin.map_to_openapi_type(DateTimeZ, "string", "date-time")
    plugin.map_to_openapi_type(DateTimeIn, "string", "date-time")
    plugin.map_to_openapi_type(Metadata, "object", None)
    plugin.converter.add_attribute_function(describe_field)  # type: ignore[union-attr]


def describe_field(self: Any, field: fields.Field, ret: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """An apispec attribute function: completes (in place) what the generic converter wrote."""
    if isinstance(field, Str):
        _string(field, ret)
    elif isinstance(field, Int):
        ret.setdefault("minimum", -field.maximum)
        ret.setdefault("maximum", field.maximum)
    elif isinstance(field, Amount):
        low = str(field.minimum)
        ret.pop("type", None)
        ret.pop("minimum", None)
        choices: list[dict[str, Any]] = [
            {"type": "string", "pattern": DECIMAL, "examples": ["200.00"]},
            {"type": "number", "minimum": float(low), "maximum": 9_999_999_999.99}]
        if field.allow_none:
            choices.append({"type": "null"})
        ret["anyOf"] = choices
        ret["description"] = f"A decimal amount of at most 2 places, at least {low}."
    elif isinstance(field, Metadata):
        ret.update({"maxProperties": 40, "propertyNames": {"minLength": 1, "maxLength": 40},
                    "additionalProperties": {"type": ["string", "number"], "maxLength": 500}})
    return {}


def _string(field: Str, ret: dict[str, Any]) -> None:
    if field.max_length is not None:
        ret["maxLength"] = field.max_length
    if not field.allow_blank:
        ret["pattern"] = NOT_BLANK
    if isinstance(field, Choice):
        ret["enum"] = list(field.choices)
        ret.pop("pattern", None)
    if isinstance(field, Email):
        if field.allow_blank:  # a blank address is stored as null
            ret["anyOf"] = [{"format": "email"}, {"maxLength": 0}]
        else:
            ret["format"] = "email"
    if isinstance(field, Url):
        ret["pattern"] = URL if field.allow_blank else URL.removeprefix("^$|")
    if isinstance(field, Currency):
        ret["pattern"] = "^[A-Za-z]{3}$"
    if field.allow_none:
        ret["type"] = ["string", "null"]
