"""User administration bodies and filters (the user shape is `auth.UserSchema`)."""

from __future__ import annotations

from wiwebb.domain import accounts
from wiwebb.domain.model import Role

from .base import BaseSchema
from .fields import Bool, Choice, Date, DateTimeIn, Email, Int, Str, Url

ROLES = tuple(role.value for role in Role)
NAME = accounts.USERNAME_MAX_LENGTH


class UserWriteSchema(BaseSchema):
    """Writable: the rest of the user shape (id, is_active, is_staff, ... ) is read-only, ignored."""

    username = Str(required=True, max_length=NAME)
    email = Email(required=True)
    first_name = Str(allow_blank=True, max_length=NAME)
    last_name = Str(allow_blank=True, max_length=NAME)
    role = Choice(ROLES)
    tenant = Int(allow_none=True)
    phone_number = Str(allow_blank=True, max_length=32)
    bio = Str(allow_blank=True, trim=False)
    url = Url(allow_blank=True)
    company = Str(allow_blank=True, max_length=255)
    location = Str(allow_blank=True, max_length=255)
    birth_date = Date(allow_none=True)


class UserCreateSchema(UserWriteSchema):
    password = Str(allow_blank=True, load_only=True)


class UserFilterSchema(BaseSchema):
    tenant = Int()
    role = Choice(ROLES)
    is_active = Bool()
    search = Str(allow_blank=True)
    ordering = Str(allow_blank=True)


class ActivateSchema(BaseSchema):
    is_active = Bool(required=True)


class AssignRoleSchema(BaseSchema):
    role = Choice(ROLES, required=True)


class SetPasswordSchema(BaseSchema):
    new_password1 = Str(required=True)
    new_password2 = Str(required=True)


class AuditFilterSchema(BaseSchema):
    action = Str(allow_blank=True)
    actor = Int()
    target = Int()
    tenant = Int()
    since = DateTimeIn()
    until = DateTimeIn()


