"""Bodies of the `auth/` endpoints, and the user shape of API.md."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validates_schema

from wiwebb.domain import accounts
from wiwebb.domain.model import Tenant, User

from .base import BaseSchema
from .fields import Bool, Date, DateTimeZ, Email, Str, Url

MUST_INCLUDE = 'Must include "username" and "password".'
NAME = accounts.USERNAME_MAX_LENGTH


class LoginSchema(BaseSchema):
    username = Str(allow_blank=True, max_length=accounts.EMAIL_MAX_LENGTH)
    email = Str(allow_blank=True, max_length=accounts.EMAIL_MAX_LENGTH)
    password = Str(allow_blank=True)

    @validates_schema
    def _credentials(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not (data.get("username") or data.get("email")) or not data.get("password"):
            raise ValidationError(MUST_INCLUDE)


class RegistrationSchema(BaseSchema):
    username = Str(required=True, max_length=NAME)
    email = Email(required=True)
    password1 = Str(required=True)
    password2 = Str(required=True)
    first_name = Str(allow_blank=True, max_length=NAME, load_default="")
    last_name = Str(allow_blank=True, max_length=NAME, load_default="")


class LogoutSchema(BaseSchema):
    all = Bool(load_default=False)


class PasswordChangeSchema(BaseSchema):
    old_password = Str(required=True)
    new_password1 = Str(required=True)
    new_password2 = Str(required=True)


class ProfileSchema(BaseSchema):
    """What a user may change on their own record; everything else in the body is ignored."""

    username = Str(required=True, max_length=NAME)
    first_name = Str(allow_blank=True, max_length=NAME)
    last_name = Str(allow_blank=True, max_length=NAME)
    phone_number = Str(allow_blank=True, max_length=32)
    bio = Str(allow_blank=True, trim=False)
    url = Url(allow_blank=True)
    company = Str(allow_blank=True, max_length=255)
    location = Str(allow_blank=True, max_length=255)
    birth_date = Date(allow_none=True)


class TenantSummarySchema(Schema):
    id = fields.Integer()
    uuid = fields.UUID()
    name = fields.String()
    slug = fields.String()


class UserSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    email = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    role = fields.Function(lambda out: out.role.value)
    tenant = fields.Nested(TenantSummarySchema, allow_none=True)
    is_active = fields.Boolean()
    is_staff = fields.Boolean()
    is_superuser = fields.Boolean()
    last_login = DateTimeZ()
    date_joined = DateTimeZ()
    password_updated = DateTimeZ()
    phone_number = fields.String()
    bio = fields.String()
    url = fields.String()
    company = fields.String()
    location = fields.String()
    birth_date = fields.Date(allow_none=True)


class _UserOut:
    """A user with its tenant attached, for `UserSchema`."""

    def __init__(self, user: User, tenant: Tenant | None) -> None:
        self._user = user
        self.tenant = tenant

    def __getattr__(self, name: str) -> Any:
        return getattr(self._user, name)


_USER = UserSchema()


def dump_user(user: User, tenant: Tenant | None) -> dict[str, Any]:
    return _USER.dump(_UserOut(user, tenant))  # type: ignore[return-value]


class PasswordResetSchema(BaseSchema):
    email = Email(required=True)


class PasswordResetConfirmSchema(BaseSchema):
    uid = Str(required=True)
    token = Str(required=True)
    new_password1 = Str(required=True)
    new_password2 = Str(required=True)
