"""Writing domain objects back: only what changed, and unique-constraint races in the contract's
words."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wiwebb.domain.accounts import EMAIL_TAKEN, USERNAME_TAKEN
from wiwebb.domain.catalogue import PLAN_NAME_TAKEN
from wiwebb.domain.errors import ValidationFailed
from wiwebb.domain.tenancy import NAME_TAKEN, SLUG_TAKEN

# Domain objects are plain copies. Writing every field of a copy back would undo what another
# request committed meanwhile (an admin's deactivation undone by a login that was hashing): each
# load remembers the values it handed out, in the session, and an update writes only the fields
# that differ from them.

_SNAPSHOTS = "wiwebb.snapshots"


def remember(session: Session, key: tuple[str, int], values: dict[str, object]) -> None:
    session.info.setdefault(_SNAPSHOTS, {})[key] = dict(values)


def snapshot(session: Session, key: tuple[str, int]) -> dict[str, object] | None:
    """The values last handed out or written for `key` in this session (not to be modified)."""
    return session.info.get(_SNAPSHOTS, {}).get(key)  # type: ignore[no-any-return]


def _changed(session: Session, key: tuple[str, int], values: dict[str, object]) -> dict[str, object]:
    loaded = session.info.get(_SNAPSHOTS, {}).get(key)
    return dict(values) if loaded is None else {k: v for k, v in values.items() if loaded.get(k) != v}


def write_changes(session: Session, model: Any, key: tuple[str, int], values: dict[str, object]) -> None:
    changed = _changed(session, key, values)
    if changed:
        try:
            result = session.execute(update(model).where(model.id == key[1]).values(**changed))
        except IntegrityError as error:
            raise _unique_violation(error) from None
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise LookupError(f"{key[0]} {key[1]} does not exist")
    remember(session, key, values)


# A race between two requests that both checked a name was free ends in the unique constraint:
# answered like the check would have, not with a 500.
_UNIQUE = (
    (("uq_users_username", "users.username"), "username", USERNAME_TAKEN),
    (("uq_users_email_lower", "users.email_lower"), "email", EMAIL_TAKEN),
    (("uq_tenants_slug", "tenants.slug"), "slug", SLUG_TAKEN),
    (("uq_tenants_name", "tenants.name"), "name", NAME_TAKEN),
    (("uq_plans_name", "plans.name"), "name", PLAN_NAME_TAKEN),
)


def _unique_violation(error: IntegrityError) -> Exception:
    text = str(error.orig)
    for names, field, message in _UNIQUE:
        if any(name in text for name in names):
            return ValidationFailed.on(field, message)
    return error


def flush(session: Session) -> None:
    try:
        session.flush()
    except IntegrityError as error:
        raise _unique_violation(error) from None
