"""`dump_user` (the user shape of API.md, written out for speed) answers what `UserSchema` dumps."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from wiwebb.domain.model import Role, Tenant, User
from wiwebb.entrypoints.http.schemas.auth import UserSchema, dump_user, schema_dump_user

NOW = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
TENANT = Tenant(id=7, uuid=uuid.UUID("12345678-1234-5678-1234-567812345678"), name="Acme Ünïcode", slug="acme",
                is_active=True, created_at=NOW, updated_at=NOW)


def _user(role: Role, **changes: object) -> User:
    values: dict[str, object] = {
        "id": 42, "username": "ann", "email": "ann@acme.test", "password_hash": "x", "role": role,
        "tenant_id": 7, "first_name": "Ann", "last_name": "Lee", "is_active": True, "date_joined": NOW}
    return User(**{**values, **changes})  # type: ignore[arg-type]


USERS = [
    _user(Role.SUBSCRIBER),
    _user(Role.SUPERADMIN, tenant_id=None, is_active=False),
    _user(Role.ADMIN, tenant_id=None, last_login=NOW + timedelta(hours=1),
          password_updated=NOW.astimezone(timezone(timedelta(hours=-5))), birth_date=date(1990, 1, 31),
          phone_number="+33 1 23", bio="line\nnext", url="https://acme.test", company="Acme", location="Paris"),
    *[_user(role) for role in Role],
]


@pytest.mark.parametrize("user", USERS, ids=lambda u: f"{u.role.value}-{u.tenant_id}-{u.is_active}")
def test_the_written_out_user_shape_is_the_schemas(user):
    tenant = TENANT if user.tenant_id else None
    found = dump_user(user, tenant)
    assert found == schema_dump_user(user, tenant)
    assert list(found) == list(UserSchema().fields)  # same keys, in the same order (same JSON bytes)
