"""User administration bodies and filters (the user shape is `auth.UserSchema`)."""

from __future__ import annotations

from wiwebb.domain import accounts
from wiwebb.domain.model import Role

from .auth import ProfileSchema
from .base import BaseSchema
from .fields import Bool, Choice, DateTimeIn, Email, Int, Str

ROLES = tuple(role.value for role in Role)
NAME = accounts.USERNAME_MAX_LENGTH


class UserWriteSchema(ProfileSchema):
    """The profile, plus what staff and owners set: e-mail, role, tenant. The rest of the user
    shape (id, is_active, is_staff, ...) is read-only, ignored."""

    email = Email(required=True)
    role = Choice(ROLES)
    tenant = Int(allow_none=True)


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


