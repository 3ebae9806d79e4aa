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


def drf_errors(messages: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field, value in messages.items():
        key = NON_FIELD if field == "_schema" else field
        errors[key] = [str(m) for m in value] if isinstance(value, list) else [str(value)]
    return errors
