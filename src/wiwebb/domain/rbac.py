"""The permission matrix of API.md as data, and the one function that decides every access question.

Every row of the contract's table is a `Permission`; every cell is a `Scope`. `decide` answers
"may this actor do this to that target" with ALLOW, FORBID (403: the role may never do it, or may
see the target but not change it) or HIDE (404: the target is outside the actor's reach, so its
existence must not leak).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from .errors import NotFound, PermissionDenied
from .model import Role, Tenant, User


class Permission(enum.StrEnum):
    OWN_ACCOUNT = "account:own"  # own profile, own subscriptions and payments, own tokens
    TENANTS_LIST = "tenants:list"
    TENANTS_CREATE = "tenants:create"
    TENANTS_DELETE = "tenants:delete"
    TENANT_READ = "tenant:read"
    TENANT_UPDATE = "tenant:update"
    TENANT_ME = "tenant:me"  # GET/PATCH tenants/me/
    USERS_READ = "users:read"
    USERS_CREATE = "users:create"
    USER_UPDATE = "user:update"
    USER_DELETE = "user:delete"
    USER_ACTIVATE = "user:activate"
    USER_SET_PASSWORD = "user:set-password"
    USER_ASSIGN_ROLE = "user:assign-role"
    AUDIT_READ = "audit:read"
    DASHBOARD_READ = "dashboard:read"
    PLANS_READ = "plans:read"
    PLANS_MANAGE = "plans:manage"
    BILLING_READ_OTHERS = "billing:read-others"  # other users' subscriptions and payments
    BILLING_MANAGE_OTHERS = "billing:manage-others"  # cancel anyone's, capture, refund


class Scope(enum.Enum):
    DENIED = "denied"  # 403 whatever the target
    HIDDEN = "hidden"  # 404 for any target but the actor's own objects
    ALL = "all"
    OWN_TENANT = "own tenant"  # targets of the actor's tenant; others 404
    ALL_BUT_SUPERADMINS = "all but superadmins"  # superadmin targets 403
    OWN_TENANT_SUBSCRIBERS = "subscribers of own tenant"  # other tenants 404, non-subscribers 403
    # Everyone's but superadmins', which are hidden (404): "admins cannot see a superadmin's private
    # data beyond the user record, and cannot touch superadmins at all" (billing, for admins).
    ALL_BUT_SUPERADMINS_HIDDEN = "all but superadmins (hidden)"


class Decision(enum.Enum):
    ALLOW = "allow"
    FORBID = "forbid"
    HIDE = "hide"


_S, _A, _O, _U = Role.SUPERADMIN, Role.ADMIN, Role.TENANT_OWNER, Role.SUBSCRIBER
_D, _H, _ALL, _OT = Scope.DENIED, Scope.HIDDEN, Scope.ALL, Scope.OWN_TENANT
_MANAGE_USERS = {_S: _ALL, _A: Scope.ALL_BUT_SUPERADMINS, _O: Scope.OWN_TENANT_SUBSCRIBERS, _U: _D}

MATRIX: dict[Permission, dict[Role, Scope]] = {
    Permission.OWN_ACCOUNT: {_S: _ALL, _A: _ALL, _O: _ALL, _U: _ALL},
    Permission.TENANTS_LIST: {_S: _ALL, _A: _ALL, _O: _D, _U: _D},
    Permission.TENANTS_CREATE: {_S: _ALL, _A: _ALL, _O: _D, _U: _D},
    Permission.TENANTS_DELETE: {_S: _ALL, _A: _ALL, _O: _D, _U: _D},
    Permission.TENANT_READ: {_S: _ALL, _A: _ALL, _O: _OT, _U: _D},
    Permission.TENANT_UPDATE: {_S: _ALL, _A: _ALL, _O: _OT, _U: _D},
    Permission.TENANT_ME: {_S: _D, _A: _D, _O: _OT, _U: _D},
    Permission.USERS_READ: {_S: _ALL, _A: _ALL, _O: _OT, _U: _D},
    Permission.USERS_CREATE: {_S: _ALL, _A: _ALL, _O: _OT, _U: _D},
    Permission.USER_UPDATE: dict(_MANAGE_USERS),
    Permission.USER_DELETE: dict(_MANAGE_USERS),
    Permission.USER_ACTIVATE: dict(_MANAGE_USERS),
    Permission.USER_SET_PASSWORD: dict(_MANAGE_USERS),
    Permission.USER_ASSIGN_ROLE: dict(_MANAGE_USERS),
    Permission.AUDIT_READ: {_S: _ALL, _A: _ALL, _O: _OT, _U: _D},
    Permission.DASHBOARD_READ: {_S: _ALL, _A: _ALL, _O: _OT, _U: _D},
    Permission.PLANS_READ: {_S: _ALL, _A: _ALL, _O: _ALL, _U: _ALL},
    Permission.PLANS_MANAGE: {_S: _ALL, _A: _ALL, _O: _D, _U: _D},
    Permission.BILLING_READ_OTHERS: {_S: _ALL, _A: Scope.ALL_BUT_SUPERADMINS_HIDDEN, _O: _OT, _U: _H},
    Permission.BILLING_MANAGE_OTHERS: {_S: _ALL, _A: Scope.ALL_BUT_SUPERADMINS_HIDDEN, _O: _H, _U: _H},
}

# Nobody changes their own role, deactivates or deletes themselves.
NOT_ON_ONESELF = frozenset({Permission.USER_DELETE, Permission.USER_ACTIVATE, Permission.USER_ASSIGN_ROLE})

# Which roles each role may grant (create a user with, or assign), and the message when it may not.
_GRANTABLE: dict[Role, tuple[frozenset[Role], str]] = {
    _S: (frozenset(Role), ""),
    _A: (frozenset({_A, _O, _U}), "Platform Admin cannot assign SuperAdmin role."),
    _O: (frozenset({_U}), "TenantOwner can only assign the Subscriber role."),
    _U: (frozenset(), "Subscriber cannot assign roles."),
}


class Actor(Protocol):
    """Who is asking: any object with these attributes (a domain `User` is one)."""

    @property
    def id(self) -> int | None: ...
    @property
    def role(self) -> Role: ...
    @property
    def tenant_id(self) -> int | None: ...


@dataclass(frozen=True)
class Target:
    """What the action is on: an object's tenant, and for a user target its role and id."""

    tenant_id: int | None
    role: Role | None = None
    user_id: int | None = None

    @classmethod
    def user(cls, user: User) -> Target:
        return cls(tenant_id=user.tenant_id, role=user.role, user_id=user.id)

    @classmethod
    def owned_by(cls, owner: User | None, user_id: int) -> Target:
        """An object of a user's (a subscription, a payment): its owner's tenant and role."""
        return cls(tenant_id=owner.tenant_id if owner else None, role=owner.role if owner else None,
                   user_id=user_id)

    @classmethod
    def tenant(cls, tenant: Tenant) -> Target:
        return cls(tenant_id=tenant.id)


def scope(actor: Actor, permission: Permission) -> Scope:
    """The cell of the matrix for the actor's role."""
    return MATRIX[permission][actor.role]


def platform_wide(actor: Actor, permission: Permission) -> bool:
    """Whether the role's cell reaches every tenant (staff), superadmins' objects aside or not."""
    return scope(actor, permission) in (Scope.ALL, Scope.ALL_BUT_SUPERADMINS, Scope.ALL_BUT_SUPERADMINS_HIDDEN)


def may(actor: Actor, permission: Permission) -> bool:
    """Whether the role may take this action at all (on something: its own objects at least)."""
    return scope(actor, permission) is not Scope.DENIED


def decide(actor: Actor, permission: Permission, target: Target | None = None) -> Decision:
    """The one access decision. Without a target it answers for the action as such."""
    cell = scope(actor, permission)
    if cell is Scope.DENIED:
        return Decision.FORBID
    if target is None:
        return Decision.ALLOW
    own_object = target.user_id is not None and target.user_id == actor.id
    if own_object and permission in NOT_ON_ONESELF:
        return Decision.FORBID
    if cell is Scope.ALL:
        return Decision.ALLOW
    if cell is Scope.HIDDEN:
        return Decision.ALLOW if own_object else Decision.HIDE
    if cell is Scope.ALL_BUT_SUPERADMINS:
        return Decision.FORBID if target.role is Role.SUPERADMIN else Decision.ALLOW
    if cell is Scope.ALL_BUT_SUPERADMINS_HIDDEN:
        return Decision.HIDE if target.role is Role.SUPERADMIN else Decision.ALLOW
    in_own_tenant = actor.tenant_id is not None and target.tenant_id == actor.tenant_id
    if not in_own_tenant:
        return Decision.HIDE
    if cell is Scope.OWN_TENANT_SUBSCRIBERS and target.role is not Role.SUBSCRIBER:
        return Decision.FORBID
    return Decision.ALLOW


def authorize(actor: Actor, permission: Permission, target: Target | None = None) -> None:
    """`decide`, raising `PermissionDenied` (403) or `NotFound` (404) unless allowed."""
    decision = decide(actor, permission, target)
    if decision is Decision.FORBID:
        raise PermissionDenied()
    if decision is Decision.HIDE:
        raise NotFound()


def grant_refusal(actor: Actor, role: Role) -> str | None:
    """Why the actor may not give `role` to a user (None when it may)."""
    grantable, message = _GRANTABLE[actor.role]
    return None if role in grantable else message
