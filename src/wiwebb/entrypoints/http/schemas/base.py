"""The one base schema: unknown fields ignored, DRF's error shape."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError

from wiwebb.domain.errors import ValidationFailed

NON_FIELD = "non_field_errors"


class BaseSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # DRF ignores fields it does not know; read-only ones are never applied

    def parse(self, data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
        """Load `data`, raising the domain's `ValidationFailed` in DRF's shape."""
        try:
            return self.load(data, partial=partial)  # type: ignore[return-value]
        except ValidationError as error:
            raise ValidationFailed(drf_errors(error.normalized_messages())) from None


def drf_errors(messages: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    for field, value in messages.items():
        key = NON_FIELD if field == "_schema" else field
        if isinstance(value, dict) and value and all(isinstance(k, int) for k in value):
            # a list of nested objects: one error mapping per item, {} for the good ones (DRF's shape)
            errors[key] = [_item_errors(value[i]) if i in value else {} for i in range(max(value) + 1)]
        elif isinstance(value, dict):
            errors[key] = drf_errors(value)
        else:
            errors[key] = [str(m) for m in value] if isinstance(value, list) else [str(value)]
    return errors


def _item_errors(messages: Any) -> dict[str, Any]:
    """One item's errors: its fields', or (a null item, not an object) the item's own."""
    if isinstance(messages, Mapping):
        return drf_errors(messages)
    return {NON_FIELD: [str(m) for m in messages] if isinstance(messages, list) else [str(messages)]}
