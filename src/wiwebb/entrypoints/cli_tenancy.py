"""The `wiwebb` command's tenancy verbs: `createtenant` and `createuser` (bootstrapping without the
API, checked as the API checks, acting as OPERATOR)."""

from __future__ import annotations

import argparse
from contextlib import AbstractContextManager
from typing import Any, Protocol, TextIO

from wiwebb.domain.errors import ValidationFailed
from wiwebb.domain.model import Role, User
from wiwebb.domain.tenancy import TenantService
from wiwebb.domain.user_admin import UserAdminService

# Who operators act as: a superadmin that is no account (the audit log shows no actor).
OPERATOR = User(id=None, username="(wiwebb command)", email="", password_hash="!", role=Role.SUPERADMIN)


class TenancyTools(Protocol):
    def administration(self) -> AbstractContextManager[tuple[TenantService, UserAdminService]]: ...
    def frontend_url(self) -> str: ...


def add_parsers(commands: Any, common: argparse.ArgumentParser) -> None:
    tenant = commands.add_parser("createtenant", parents=[common], help="create a tenant")
    tenant.add_argument("name")
    tenant.add_argument("--slug", help="default: made from the name")
    tenant.add_argument("--owner", metavar="USERNAME", help="an existing user who becomes its tenant owner")

    user = commands.add_parser("createuser", parents=[common],
                               help="create a user; they get an invitation mail to choose a password")
    user.add_argument("username")
    user.add_argument("--email", required=True)
    user.add_argument("--role", required=True, choices=[r.value for r in Role])
    user.add_argument("--tenant", metavar="SLUG", help="the tenant (required for tenant_owner)")


def _createtenant(box: TenancyTools, args: argparse.Namespace, out: TextIO) -> int:
    with box.administration() as (tenants, users):
        data = {"name": args.name, **({"slug": args.slug} if args.slug else {})}
        view = tenants.create(OPERATOR, data)
        if args.owner:
            owner = users.find_by_username(OPERATOR, args.owner)
            if owner.role.is_staff:  # a slip, surely; and the last superadmin would leave no one in charge
                raise ValidationFailed.on("owner", f"{args.owner} is {owner.role.value}: an owner is a tenant owner or "
                                          "a subscriber (change their role first if that is meant)")
            users.update(OPERATOR, owner.id or 0, {"role": Role.TENANT_OWNER.value, "tenant": view.tenant.id})
    owned = f", owned by {args.owner}" if args.owner else ""
    print(f"Created tenant {view.tenant.name!r} (id {view.tenant.id}, slug {view.tenant.slug}){owned}.", file=out)
    return 0


def _createuser(box: TenancyTools, args: argparse.Namespace, out: TextIO) -> int:
    with box.administration() as (tenants, users):
        data: dict[str, object] = {"username": args.username, "email": args.email, "role": args.role}
        if args.tenant:
            data["tenant"] = tenants.find_by_slug(OPERATOR, args.tenant).tenant.id
        view = users.create(OPERATOR, data, box.frontend_url())
    print(f"Created {view.user.role.value} {view.user.username!r} (id {view.user.id}); an invitation to choose "
          f"a password was mailed to {view.user.email}.", file=out)
    return 0


COMMANDS = {"createtenant": _createtenant, "createuser": _createuser}
