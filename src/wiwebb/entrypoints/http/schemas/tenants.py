"""Tenant bodies, filters and the tenant shape of API.md."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from wiwebb.domain.tenancy import TenantView

from .base import BaseSchema
from .fields import Bool, DateTimeZ, OptionalEmail, Str, Url


class TenantWriteSchema(BaseSchema):
    """`id, uuid, user_count, created_at, updated_at` are read-only: ignored when sent."""

    name = Str(required=True, max_length=255)
    slug = Str(allow_blank=True, max_length=255)
    is_active = Bool()
    description = Str(allow_blank=True, trim=False)
    email = OptionalEmail()
    url = Url(allow_blank=True)


class TenantFilterSchema(BaseSchema):
    is_active = Bool()
    search = Str(allow_blank=True)
    ordering = Str(allow_blank=True)


class TenantSchema(Schema):
    id = fields.Integer()
    uuid = fields.UUID()
    name = fields.String()
    slug = fields.String()
    is_active = fields.Boolean()
    description = fields.String()
    email = fields.String(allow_none=True)
    url = fields.String()
    user_count = fields.Integer()
    created_at = DateTimeZ()
    updated_at = DateTimeZ()


class _Out:
    def __init__(self, view: TenantView) -> None:
        self._tenant = view.tenant
        self.user_count = view.user_count

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tenant, name)


_TENANT = TenantSchema()


def dump_tenant(view: TenantView) -> dict[str, Any]:
    return _TENANT.dump(_Out(view))  # type: ignore[return-value]
