"""The route table: every path of the API, the view for each method, and the 405 for the rest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pyramid.config import Configurator
from pyramid.request import Request
from pyramid.security import NO_PERMISSION_REQUIRED

from wiwebb.domain import rbac
from wiwebb.domain.errors import PermissionDenied
from wiwebb.domain.rbac import Permission

from .errors import MethodNotAllowed, SlashRedirect, _not_found
from .json import answer_json
from .security import PUBLIC
from .throttling import DEFAULT
from .views import (
    audit,
    auth,
    dashboard,
    health,
    meta,
    openapi,
    password_reset,
    payments,
    plans,
    subscriptions,
    tenants,
    tokens,
    users,
    webhooks,
)

API = "/api/v1"


def add_resource(config: Configurator, name: str, pattern: str, *,
                 before_405: Callable[[Request], Any] | None = None, **views: Callable[[Request], Any]) -> None:
    """Route `pattern` to one view per method; any other method answers 405 with `Allow`, after
    authentication and the route's permission (DRF's order: 401/403 before 405). `before_405`: the
    route's own permission check, where the domain makes it (it raises what the views would)."""
    config.add_route(name, pattern)
    for method, view in views.items():
        config.add_view(_answering_with_status(view), route_name=name, request_method=method,
                        permission=view.permission, throttle=view.throttle)  # type: ignore[attr-defined]
    allowed = tuple(sorted({*views, *(("HEAD",) if "GET" in views else ()), "OPTIONS"}))
    permissions: set[str] = {view.permission for view in views.values()}  # type: ignore[attr-defined]
    scopes = {view.throttle for view in views.values()}  # type: ignore[attr-defined]
    config.add_view(_other_method(allowed, permissions, before_405), route_name=name,
                    permission=_common_permission(set(permissions)),
                    throttle=scopes.pop() if len(scopes) == 1 else DEFAULT)


def _common_permission(permissions: set[str]) -> str:
    """What the 405 of a route asks first: its views' permission, or a login when they all need one."""
    if len(permissions) == 1:
        return next(iter(permissions))
    if not permissions & {PUBLIC, NO_PERMISSION_REQUIRED}:
        return Permission.OWN_ACCOUNT.value
    return PUBLIC


def _answering_with_status(view: Callable[[Request], Any]) -> Callable[[Request], Any]:
    """`view` answering with its success status (unless it sets another) and its value as JSON."""
    status = view.status  # type: ignore[attr-defined]

    def answer(request: Request) -> Any:
        if status != 200:  # a new response is 200 OK already
            request.response.status = status
        return answer_json(request, view(request))

    answer.__name__ = answer.__qualname__ = view.__name__
    answer.__module__ = view.__module__
    answer.__doc__ = view.__doc__
    answer.__wrapped__ = view  # type: ignore[attr-defined]  # the OpenAPI description reads its marks
    return answer


def _other_method(allowed: tuple[str, ...], permissions: set[str],
                  before_405: Callable[[Request], Any] | None = None) -> Callable[[Request], Any]:
    """405 with `Allow`, after authentication, and after permission: a role that may take none of
    the route's actions gets the 403 it would get for any of them (DRF's order)."""
    needed = [Permission(p) for p in permissions if p in Permission._value2member_map_]
    everyone_may_something = len(needed) < len(permissions)
    # login, registration, password reset, health: the Authorization header is not read at all,
    # so a stale token gets the 405, as it gets the view's answer.
    ignores_credentials = permissions == {NO_PERMISSION_REQUIRED}

    def view(request: Request) -> Any:
        session = None if ignores_credentials else request.session_of_token
        if session is not None and not everyone_may_something and not any(rbac.may(session.user, p) for p in needed):
            raise PermissionDenied()
        if before_405 is not None and request.method != "OPTIONS":
            before_405(request)
        if request.method == "OPTIONS":
            request.response.headers["Allow"] = ", ".join(allowed)
            return answer_json(request, {
                "renders": ["application/json"],
                "parses": ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"]})
        raise MethodNotAllowed(request.method, allowed)

    return view


def includeme(config: Configurator) -> None:
    # Pyramid tries the routes in this order (no two patterns overlap): health/, which load
    # balancers and containers poll most, first; then auth/user/, which every client calls.
    add_resource(config, "health", f"{API}/health/", GET=health.health)
    add_resource(config, "auth.user", f"{API}/auth/user/", GET=auth.get_user, PUT=auth.put_user,
                 PATCH=auth.patch_user)
    add_resource(config, "auth.login", f"{API}/auth/login/", POST=auth.login)
    add_resource(config, "auth.logout", f"{API}/auth/logout/", POST=auth.logout)
    add_resource(config, "auth.registration", f"{API}/auth/registration/", POST=auth.register)
    add_resource(config, "auth.password_change", f"{API}/auth/password/change/", POST=auth.change_password)
    add_resource(config, "auth.password_reset", f"{API}/auth/password/reset/", POST=password_reset.request_reset)
    add_resource(config, "auth.password_reset_confirm", f"{API}/auth/password/reset/confirm/",
                 POST=password_reset.confirm_reset)
    add_resource(config, "auth.tokens", f"{API}/auth/tokens/", GET=tokens.list_tokens)
    add_resource(config, "auth.token", f"{API}/auth/tokens/{{token_id:\\d+}}/", DELETE=tokens.revoke_token)
    add_resource(config, "meta", f"{API}/meta/", GET=meta.meta)
    add_resource(config, "openapi", f"{API}/schema/", GET=openapi.schema)
    add_resource(config, "openapi.docs", f"{API}/docs/", GET=openapi.docs)
    add_resource(config, "tenants", f"{API}/tenants/", GET=tenants.list_tenants, POST=tenants.create_tenant)
    add_resource(config, "tenants.me", f"{API}/tenants/me/", GET=tenants.get_my_tenant, PATCH=tenants.patch_my_tenant,
                 before_405=tenants.require_own_tenant)
    add_resource(config, "tenant", f"{API}/tenants/{{tenant_id:\\d+}}/", GET=tenants.get_tenant,
                 PUT=tenants.put_tenant, PATCH=tenants.patch_tenant, DELETE=tenants.delete_tenant)
    add_resource(config, "users", f"{API}/users/", GET=users.list_users, POST=users.create_user)
    add_resource(config, "user", f"{API}/users/{{user_id:\\d+}}/", GET=users.get_user, PUT=users.put_user,
                 PATCH=users.patch_user, DELETE=users.delete_user)
    add_resource(config, "user.activate", f"{API}/users/{{user_id:\\d+}}/activate/", POST=users.activate)
    add_resource(config, "user.assign_role", f"{API}/users/{{user_id:\\d+}}/assign-role/", POST=users.assign_role)
    add_resource(config, "user.set_password", f"{API}/users/{{user_id:\\d+}}/set-password/",
                 POST=users.set_password)
    add_resource(config, "audit", f"{API}/audit-logs/", GET=audit.list_audit)
    add_resource(config, "dashboard", f"{API}/dashboard/stats/", GET=dashboard.stats)
    add_resource(config, "catalogue", f"{API}/subscriptions/plans/", GET=plans.catalogue)
    add_resource(config, "plans", f"{API}/plans/", GET=plans.list_plans, POST=plans.create_plan)
    add_resource(config, "plan", f"{API}/plans/{{plan_id:\\d+}}/", GET=plans.get_plan, PATCH=plans.patch_plan,
                 DELETE=plans.retire_plan)
    add_resource(config, "plan.pricings", f"{API}/plans/{{plan_id:\\d+}}/pricings/", POST=plans.add_pricing)
    add_resource(config, "plan.pricing", f"{API}/plans/{{plan_id:\\d+}}/pricings/{{pricing_id:\\d+}}/",
                 DELETE=plans.retire_pricing)
    subscription_routes = {"subscribe": subscriptions.subscribe, "cancel": subscriptions.cancel,
                           "change": subscriptions.change, "resume": subscriptions.resume,
                           "payment-method": subscriptions.payment_method,
                           "setup-intent": subscriptions.setup_intent}
    for action, view in subscription_routes.items():
        add_resource(config, f"subscriptions.{action}", f"{API}/subscriptions/{action}/", POST=view)
    add_resource(config, "subscriptions", f"{API}/subscriptions/", GET=subscriptions.list_subscriptions)
    add_resource(config, "subscriptions.status", f"{API}/subscriptions/status/", GET=subscriptions.status)
    add_resource(config, "subscriptions.limits", f"{API}/subscriptions/me/limits/", GET=subscriptions.limits)
    add_resource(config, "subscriptions.invoices", f"{API}/subscriptions/invoices/", GET=subscriptions.invoices)
    add_resource(config, "webhooks.stripe", f"{API}/payments/webhook/", POST=webhooks.stripe_webhook)
    add_resource(config, "webhooks.stripe.alias", f"{API}/webhooks/stripe/", POST=webhooks.stripe_webhook)
    add_resource(config, "payments", f"{API}/payments/", GET=payments.list_payments, POST=payments.create_payment)
    add_resource(config, "payment", f"{API}/payments/{{payment_id:\\d+}}/", GET=payments.get_payment)
    add_resource(config, "payment.capture", f"{API}/payments/{{payment_id:\\d+}}/capture/", POST=payments.capture)
    add_resource(config, "payment.refund", f"{API}/payments/{{payment_id:\\d+}}/refund/", POST=payments.refund)
    add_resource(config, "payment.logs", f"{API}/payments/{{payment_id:\\d+}}/logs/", GET=payments.logs)
    # A path without its trailing slash answers 308 to the slashed one (method and body kept).
    config.add_notfound_view(_not_found, append_slash=SlashRedirect)
