"""Bodies of the `auth/` endpoints, and the user shape of API.md."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validates_schema

from wiwebb.domain import accounts
from wiwebb.domain.model import Tenant, User

from .base import BaseSchema
from .fields import Bool, Date, DateTimeZ, Email, Str, Url, format_datetime

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


def schema_dump_user(user: User, tenant: Tenant | None) -> dict[str, Any]:
    """`UserSchema`'s dump: the reference `dump_user` is held to (tests/unit/test_user_shape.py)."""
    return _USER.dump(_UserOut(user, tenant))  # type: ignore[return-value]


def dump_user(user: User, tenant: Tenant | None) -> dict[str, Any]:
    """The user shape of API.md: `UserSchema`'s dump, written out. The shape is in most answers (the
    current user, each row of a users page), and marshmallow's per-field machinery cost several
    times what building the dict does."""
    role = user.role
    return {
        "id": user.id, "username": _text(user.username), "email": _text(user.email),
        "first_name": _text(user.first_name), "last_name": _text(user.last_name), "role": role.value,
        "tenant": None if tenant is None else {"id": tenant.id, "uuid": _text(tenant.uuid), "name": _text(tenant.name),
                                               "slug": _text(tenant.slug)},
        "is_active": user.is_active, "is_staff": role.is_staff, "is_superuser": role.is_superuser,
        "last_login": format_datetime(user.last_login), "date_joined": format_datetime(user.date_joined),
        "password_updated": format_datetime(user.password_updated),
        "phone_number": _text(user.phone_number), "bio": _text(user.bio), "url": _text(user.url),
        "company": _text(user.company), "location": _text(user.location),
        "birth_date": None if user.birth_date is None else user.birth_date.isoformat(),
    }


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


class PasswordResetSchema(BaseSchema):
    email = Email(required=True)


class PasswordResetConfirmSchema(BaseSchema):
    uid = Str(required=True)
    token = Str(required=True)
    new_password1 = Str(required=True)
    new_password2 = Str(required=True)
