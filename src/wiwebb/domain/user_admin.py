"""User administration: staff and tenant owners create, change, (de)activate and delete users.

Every call goes through `rbac`: a user out of the caller's reach is not found (404); one the
caller can see but not change is refused (403); a role the caller may not grant, or a tenant
outside an owner's own, is a 400 on that field.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from . import accounts, rbac
from .billing import Subscription
from .errors import InvalidOperation, NotFound, ValidationFailed
from .identity import IdentityService
from .listing import Page
from .model import PROFILE_FIELDS, UNUSABLE_PASSWORD_PREFIX, AuditEntry, Role, Tenant, User
from .password_policy import Applicant, password_problems
from .ports import AuditLog, Clock, PasswordHasher, TenantRepository, UserRepository
from .queries import UserQuery
from .rbac import Permission, Target
from .tenancy import jsonable

OWN_TENANT_ONLY = "TenantOwner can only manage users in their own tenant."
HAS_SUBSCRIPTION = "Cannot delete user with an active subscription."
REQUIRED = "This field is required."
ADMIN_FIELDS = ("username", "email", "first_name", "last_name", *PROFILE_FIELDS[3:])


def invalid_pk(value: object) -> str:
    return f'Invalid pk "{value}" - object does not exist.'


class LiveSubscriptions(Protocol):
    """What deleting a user needs to know of billing (a `SubscriptionRepository` is one)."""

    def live_for_user(self, user_id: int) -> list[Subscription]:
        """The user's live subscriptions, newest first."""
        ...


@dataclass(frozen=True)
class UserView:
    user: User
    tenant: Tenant | None


class UserAdminService:
    def __init__(self, *, users: UserRepository, tenants: TenantRepository, audit: AuditLog,
                 hasher: PasswordHasher, clock: Clock, identity: IdentityService,
                 subscriptions: LiveSubscriptions) -> None:
        self._users = users
        self._subscriptions = subscriptions
        self._tenants = tenants
        self._audit = audit
        self._hasher = hasher
        self._clock = clock
        self._identity = identity

    # -- reading -----------------------------------------------------------------------------

    def find(self, actor: User, query: UserQuery) -> Page[UserView]:
        rbac.authorize(actor, Permission.USERS_READ)
        if rbac.scope(actor, Permission.USERS_READ) is rbac.Scope.OWN_TENANT:
            query = _within(query, actor.tenant_id)
        page = self._users.list(query)
        tenants = self._tenants.get_many({u.tenant_id for u in page.items if u.tenant_id is not None})
        views = [UserView(u, tenants.get(u.tenant_id) if u.tenant_id else None) for u in page.items]
        return Page(views, page.count, page.request)

    def get(self, actor: User, user_id: int) -> UserView:
        return self._view(self._reachable(actor, Permission.USERS_READ, user_id))

    def find_by_username(self, actor: User, username: str) -> User:
        user = self._users.get_by_username(username)
        if user is None:
            raise NotFound(f"no user named {username!r}")
        return self._reachable(actor, Permission.USERS_READ, user.id or 0)

    # -- changing ----------------------------------------------------------------------------

    def create(self, actor: User, data: Mapping[str, Any], frontend_url: str) -> UserView:
        rbac.authorize(actor, Permission.USERS_CREATE)
        role = Role(data.get("role") or Role.SUBSCRIBER)
        tenant_id = self._tenant_for(actor, role, data.get("tenant", actor.tenant_id if _is_owner(actor) else None))
        email = accounts.normalize_email(data["email"])
        errors = self._account_problems(data["username"], email, None)
        password = data.get("password") or None
        if password is not None and (problems := password_problems(
                password, Applicant(data["username"], data.get("first_name", ""), data.get("last_name", ""), email))):
            errors["password"] = problems
        if errors:
            raise ValidationFailed(errors)
        now = self._clock.now()
        profile = {k: data[k] for k in ADMIN_FIELDS if k in data and k not in ("username", "email")}
        user = self._users.add(User(
            id=None, username=data["username"], email=email, role=role, tenant_id=tenant_id, date_joined=now,
            password_hash=self._hasher.hash(password) if password else UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(20),
            password_updated=now if password else None, **profile))
        self._record("user_created", actor, user, {"role": role.value, "invited": password is None})
        if password is None:
            self._identity.invite(user, frontend_url)
        return self._view(user)

    def update(self, actor: User, user_id: int, changes: Mapping[str, Any]) -> UserView:
        user = self._reachable(actor, Permission.USER_UPDATE, user_id)
        values = {k: v for k, v in changes.items() if k in ADMIN_FIELDS}
        if "email" in values:
            values["email"] = accounts.normalize_email(values["email"])
        errors = self._account_problems(values.get("username", user.username), values.get("email", user.email), user)
        if errors:
            raise ValidationFailed(errors)
        changed = {k: v for k, v in values.items() if getattr(user, k) != v}
        before = {k: getattr(user, k) for k in changed}
        for name, value in changed.items():
            setattr(user, name, value)
        moved = False
        if "role" in changes and Role(changes["role"]) is not user.role:
            rbac.authorize(actor, Permission.USER_ASSIGN_ROLE, Target.user(user))  # never one's own role
            self._change_role(actor, user, Role(changes["role"]), changes.get("tenant", user.tenant_id))
            moved = True
        elif "tenant" in changes and changes["tenant"] != user.tenant_id:
            before["tenant"] = user.tenant_id
            user.tenant_id = self._tenant_for(actor, user.role, changes["tenant"])
            changed["tenant"] = user.tenant_id
        if changed or moved:
            self._users.update(user)
        if changed:
            self._record("user_updated", actor, user, {"changes": {
                k: {"from": before.get(k), "to": v} for k, v in changed.items()}})
        return self._view(user)

    def delete(self, actor: User, user_id: int) -> None:
        """Delete a user and, with them, their tokens and billing records. A user whose paid
        subscription is live is refused (400): the provider would go on charging a customer
        nobody can see any more. Cancel it first (at once, or wait for the period's end)."""
        user = self._reachable(actor, Permission.USER_DELETE, user_id)
        if any(subscription.paid for subscription in self._subscriptions.live_for_user(user.id or 0)):
            raise InvalidOperation(HAS_SUBSCRIPTION)
        self._record("user_deleted", actor, user, {"username": user.username, "email": user.email,
                                                   "role": user.role.value})
        self._users.delete(user.id or 0)

    def set_active(self, actor: User, user_id: int, is_active: bool) -> UserView:
        """(De)activate; deactivation revokes every token of the user at once."""
        user = self._reachable(actor, Permission.USER_ACTIVATE, user_id)
        if user.is_active != is_active:
            user.is_active = is_active
            self._users.update(user)
            self._record("activation_changed", actor, user, {"from": not is_active, "to": is_active})
        if not is_active:
            self._identity.revoke_all_tokens(user)
        return self._view(user)

    def assign_role(self, actor: User, user_id: int, role: Role) -> UserView:
        user = self._reachable(actor, Permission.USER_ASSIGN_ROLE, user_id)
        if role is not user.role:
            self._change_role(actor, user, role, user.tenant_id)
            self._users.update(user)
        return self._view(user)

    def set_password(self, actor: User, user_id: int, new_password1: str, new_password2: str) -> None:
        """Set another user's password; that user's tokens are revoked."""
        user = self._reachable(actor, Permission.USER_SET_PASSWORD, user_id)
        self._identity.set_password(user, new_password1, new_password2, actor=actor)

    # -- internals ---------------------------------------------------------------------------

    def _reachable(self, actor: User, permission: Permission, user_id: int) -> User:
        rbac.authorize(actor, permission)  # 403 for a role that may never, before any lookup
        user = self._users.get(user_id)
        if user is None:
            raise NotFound()
        # What the caller cannot even read is not found, whatever the action.
        rbac.authorize(actor, Permission.USERS_READ, Target.user(user))
        rbac.authorize(actor, permission, Target.user(user))
        return user

    def _change_role(self, actor: User, user: User, role: Role, tenant: int | None) -> None:
        if (refusal := rbac.grant_refusal(actor, role)) is not None:
            raise ValidationFailed.on("role", refusal)
        before, before_tenant = user.role, user.tenant_id
        user.tenant_id = self._tenant_for(actor, role, tenant)
        user.role = role
        details: dict[str, Any] = {"from": before.value, "to": role.value}
        if user.tenant_id != before_tenant:  # staff leave their tenant: say which one
            details["tenant"] = {"from": before_tenant, "to": user.tenant_id}
        self._record("role_changed", actor, user, details)

    def _tenant_for(self, actor: User, role: Role, tenant: int | None) -> int | None:
        """The tenant a user of `role` gets: none for staff, a required one for owners, and only
        the caller's own when the caller is a tenant owner."""
        if (refusal := rbac.grant_refusal(actor, role)) is not None:
            raise ValidationFailed.on("role", refusal)
        if role.is_staff:
            return None
        if _is_owner(actor) and tenant != actor.tenant_id:  # no tenant is not their own either
            raise ValidationFailed.on("tenant", OWN_TENANT_ONLY)
        if tenant is None:
            if role is Role.TENANT_OWNER:
                raise ValidationFailed.on("tenant", REQUIRED)
            return None
        if self._tenants.get(tenant) is None:
            raise ValidationFailed.on("tenant", invalid_pk(tenant))
        return tenant

    def _account_problems(self, username: str, email: str, current: User | None) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        if current is None or username != current.username:
            problems = accounts.username_problems(username)
            if not problems and self._users.get_by_username(username) is not None:
                problems = [accounts.USERNAME_TAKEN]
            if problems:
                errors["username"] = problems
        if current is None or email.lower() != current.email.lower():
            if not accounts.is_valid_email(email):
                errors["email"] = [accounts.INVALID_EMAIL]
            elif self._users.get_by_email(email) is not None:
                errors["email"] = [accounts.EMAIL_TAKEN]
        return errors

    def _view(self, user: User) -> UserView:
        return UserView(user, self._tenants.get(user.tenant_id) if user.tenant_id is not None else None)

    def _record(self, action: str, actor: User, user: User, details: dict[str, Any]) -> None:
        self._audit.record(AuditEntry.of(action, actor=actor, target=user, tenant_id=user.tenant_id,
                                      details=jsonable(details), timestamp=self._clock.now()))


def _is_owner(actor: User) -> bool:
    return actor.role is Role.TENANT_OWNER


def _within(query: UserQuery, tenant_id: int | None) -> UserQuery:
    from dataclasses import replace

    return replace(query, within_tenant=tenant_id if tenant_id is not None else -1)
