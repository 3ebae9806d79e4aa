"""Every row of API.md's permission matrix, written out from the contract (not from MATRIX)."""

from dataclasses import dataclass

import pytest

from wiwebb.domain.errors import NotFound, PermissionDenied
from wiwebb.domain.model import Role
from wiwebb.domain.rbac import MATRIX, Decision, Permission, Target, authorize, decide, grant_refusal

P = Permission
ALLOW, FORBID, HIDE = Decision.ALLOW, Decision.FORBID, Decision.HIDE
ACME, GLOBEX = 10, 20


@dataclass(frozen=True)
class Who:
    id: int
    role: Role
    tenant_id: int | None


ROOT = Who(1, Role.SUPERADMIN, None)
STAFF = Who(2, Role.ADMIN, None)
OWNER = Who(3, Role.TENANT_OWNER, ACME)
CO_OWNER = Who(4, Role.TENANT_OWNER, ACME)
SUB = Who(5, Role.SUBSCRIBER, ACME)
OTHER_SUB = Who(6, Role.SUBSCRIBER, GLOBEX)
OTHER_OWNER = Who(7, Role.TENANT_OWNER, GLOBEX)
ORPHAN_OWNER = Who(8, Role.TENANT_OWNER, None)
SELF_SUB = Who(9, Role.SUBSCRIBER, None)  # registered on their own: no tenant


def user(who: Who) -> Target:
    return Target(tenant_id=who.tenant_id, role=who.role, user_id=who.id)


def tenant(tenant_id: int) -> Target:
    return Target(tenant_id=tenant_id)


CASES = [
    # list/create/delete tenants: staff yes, others 403
    *[(who, perm, None, d) for perm in (P.TENANTS_LIST, P.TENANTS_CREATE, P.TENANTS_DELETE)
      for who, d in ((ROOT, ALLOW), (STAFF, ALLOW), (OWNER, FORBID), (SUB, FORBID))],
    # read/update a tenant: staff all, owner own (other 404), subscriber 403
    *[(who, perm, tenant(t), d) for perm in (P.TENANT_READ, P.TENANT_UPDATE)
      for who, t, d in ((ROOT, GLOBEX, ALLOW), (STAFF, ACME, ALLOW), (OWNER, ACME, ALLOW),
                        (OWNER, GLOBEX, HIDE), (ORPHAN_OWNER, ACME, HIDE), (SUB, ACME, FORBID))],
    # tenants/me: owners only
    (ROOT, P.TENANT_ME, None, FORBID), (STAFF, P.TENANT_ME, None, FORBID),
    (OWNER, P.TENANT_ME, tenant(ACME), ALLOW), (SUB, P.TENANT_ME, None, FORBID),
    # list/read users: staff all, owner own tenant, subscriber 403 (their own record too)
    (ROOT, P.USERS_READ, user(STAFF), ALLOW), (STAFF, P.USERS_READ, user(ROOT), ALLOW),
    (OWNER, P.USERS_READ, user(SUB), ALLOW), (OWNER, P.USERS_READ, user(CO_OWNER), ALLOW),
    (OWNER, P.USERS_READ, user(OWNER), ALLOW), (OWNER, P.USERS_READ, user(OTHER_SUB), HIDE),
    (OWNER, P.USERS_READ, user(SELF_SUB), HIDE), (SUB, P.USERS_READ, user(SUB), FORBID),
    (SUB, P.USERS_READ, None, FORBID),
    # create a user: staff and owners may (the role they may give is grant_refusal's), subscribers 403
    (ROOT, P.USERS_CREATE, None, ALLOW), (STAFF, P.USERS_CREATE, None, ALLOW),
    (OWNER, P.USERS_CREATE, tenant(ACME), ALLOW), (OWNER, P.USERS_CREATE, tenant(GLOBEX), HIDE),
    (SUB, P.USERS_CREATE, None, FORBID),
    # audit log and dashboard: staff all, owner own tenant, subscriber 403
    *[(who, perm, t, d) for perm in (P.AUDIT_READ, P.DASHBOARD_READ)
      for who, t, d in ((ROOT, tenant(GLOBEX), ALLOW), (STAFF, None, ALLOW), (OWNER, tenant(ACME), ALLOW),
                        (OWNER, tenant(GLOBEX), HIDE), (SUB, None, FORBID))],
    # plans: everyone reads the catalogue; staff manage it
    *[(who, P.PLANS_READ, None, ALLOW) for who in (ROOT, STAFF, OWNER, SUB)],
    (ROOT, P.PLANS_MANAGE, None, ALLOW), (STAFF, P.PLANS_MANAGE, None, ALLOW),
    (OWNER, P.PLANS_MANAGE, None, FORBID), (SUB, P.PLANS_MANAGE, None, FORBID),
    # own profile, subscriptions, payments: everyone
    *[(who, P.OWN_ACCOUNT, None, ALLOW) for who in (ROOT, STAFF, OWNER, SUB)],
    # other users' subscriptions and payments: staff all, owner own tenant's (read), subscriber 404
    (ROOT, P.BILLING_READ_OTHERS, user(OTHER_SUB), ALLOW), (STAFF, P.BILLING_READ_OTHERS, user(SUB), ALLOW),
    (OWNER, P.BILLING_READ_OTHERS, user(SUB), ALLOW), (OWNER, P.BILLING_READ_OTHERS, user(OTHER_SUB), HIDE),
    (SUB, P.BILLING_READ_OTHERS, user(OTHER_SUB), HIDE), (SUB, P.BILLING_READ_OTHERS, user(SUB), ALLOW),
    (ROOT, P.BILLING_MANAGE_OTHERS, user(SUB), ALLOW), (STAFF, P.BILLING_MANAGE_OTHERS, user(SUB), ALLOW),
    # "admins cannot see a superadmin's private data beyond the user record, nor touch superadmins"
    (STAFF, P.BILLING_READ_OTHERS, user(ROOT), HIDE), (STAFF, P.BILLING_MANAGE_OTHERS, user(ROOT), HIDE),
    (ROOT, P.BILLING_READ_OTHERS, user(Who(9, Role.SUPERADMIN, None)), ALLOW),
    (OWNER, P.BILLING_MANAGE_OTHERS, user(SUB), HIDE),
    (SUB, P.BILLING_MANAGE_OTHERS, user(OTHER_SUB), HIDE),
]

MANAGE = (P.USER_UPDATE, P.USER_DELETE, P.USER_ACTIVATE, P.USER_SET_PASSWORD, P.USER_ASSIGN_ROLE)
# update, delete, activate, set-password, assign-role: superadmin all; admin all but superadmins;
# owner subscribers of own tenant (another tenant's user 404, a co-owner 403); subscriber 403
CASES += [
    (who, perm, user(target), d)
    for perm in MANAGE
    for who, target, d in (
        (ROOT, STAFF, ALLOW), (ROOT, OTHER_SUB, ALLOW), (STAFF, SUB, ALLOW), (STAFF, OWNER, ALLOW),
        (STAFF, ROOT, FORBID), (OWNER, SUB, ALLOW), (OWNER, CO_OWNER, FORBID), (OWNER, OTHER_SUB, HIDE),
        (OWNER, OTHER_OWNER, HIDE), (OWNER, SELF_SUB, HIDE), (SUB, OTHER_SUB, FORBID), (SUB, SUB, FORBID),
    )
]


@pytest.mark.parametrize(("who", "permission", "target", "expected"), CASES)
def test_matrix_cell(who, permission, target, expected):
    assert decide(who, permission, target) is expected


def test_every_permission_and_role_is_covered_by_the_cases():
    covered = {(who.role, perm) for who, perm, _, _ in CASES}
    missing = {(role, perm) for perm in MATRIX for role in Role} - covered
    assert not missing


@pytest.mark.parametrize("permission", [P.USER_DELETE, P.USER_ACTIVATE, P.USER_ASSIGN_ROLE])
@pytest.mark.parametrize("who", [ROOT, STAFF, OWNER])
def test_nobody_deletes_deactivates_or_re_roles_themselves(who, permission):
    assert decide(who, permission, user(who)) is FORBID


def test_a_superadmin_may_update_their_own_record_and_password():
    assert decide(ROOT, P.USER_UPDATE, user(ROOT)) is ALLOW
    assert decide(ROOT, P.USER_SET_PASSWORD, user(ROOT)) is ALLOW


def test_authorize_raises_403_or_404():
    with pytest.raises(PermissionDenied):
        authorize(STAFF, P.USER_DELETE, user(ROOT))
    with pytest.raises(NotFound):
        authorize(OWNER, P.USER_DELETE, user(OTHER_SUB))
    authorize(OWNER, P.USER_DELETE, user(SUB))


@pytest.mark.parametrize(
    ("who", "role", "refusal"),
    [
        (ROOT, Role.SUPERADMIN, None),
        (ROOT, Role.SUBSCRIBER, None),
        (STAFF, Role.ADMIN, None),
        (STAFF, Role.TENANT_OWNER, None),
        (STAFF, Role.SUPERADMIN, "Platform Admin cannot assign SuperAdmin role."),
        (OWNER, Role.SUBSCRIBER, None),
        (OWNER, Role.TENANT_OWNER, "TenantOwner can only assign the Subscriber role."),
        (OWNER, Role.ADMIN, "TenantOwner can only assign the Subscriber role."),
    ],
)
def test_which_roles_each_role_may_grant(who, role, refusal):
    assert grant_refusal(who, role) == refusal


def test_staff_flags_derive_from_the_role():
    assert (Role.SUPERADMIN.is_staff, Role.SUPERADMIN.is_superuser) == (True, True)
    assert (Role.ADMIN.is_staff, Role.ADMIN.is_superuser) == (True, False)
    assert (Role.TENANT_OWNER.is_staff, Role.SUBSCRIBER.is_staff) == (False, False)
