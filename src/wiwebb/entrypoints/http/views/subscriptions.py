"""`/api/v1/subscriptions/`: buy, cancel, resume, change, and read subscriptions."""

from __future__ import annotations

from typing import Any

from pyramid.request import Request

from wiwebb.domain.rbac import Permission
from wiwebb.domain.subscriptions import Outcome

from ..bodies import request_data
from ..endpoint import actor, endpoint
from ..schemas.listing import page_request, paginated, query_params
from ..schemas.subscriptions import (
    CancelSchema,
    ChangeSchema,
    PaymentMethodSchema,
    SubscribeSchema,
    SubscriptionFilterSchema,
    dump_invoice,
    dump_limits,
    dump_subscription,
)

IDEMPOTENCY_HEADER = "Idempotency-Key"


def client_key(request: Request) -> str | None:
    """The client's `Idempotency-Key` (at most 255 characters are kept)."""
    return (request.headers.get(IDEMPOTENCY_HEADER) or "").strip()[:255] or None


def _idempotent(request: Request, kind: str, status: int, run: Any) -> Any:
    """Answer a key already used with its first answer; else run, and store the answer."""
    service = request.services.subscriptions
    key = client_key(request)
    replay = service.replay(actor(request), kind, key)
    if replay is not None:
        request.response.status = replay.status
        request.response.headers["Idempotent-Replayed"] = "true"
        return replay.response
    outcome: Outcome = run(key)
    body = dump_subscription(outcome.subscription)
    if outcome.client_secret:
        body["client_secret"] = outcome.client_secret
    service.answered(outcome, status, body)
    return body


@endpoint(Permission.OWN_ACCOUNT, status=201)
def subscribe(request: Request) -> Any:
    data = SubscribeSchema().parse(request_data(request))
    return _idempotent(request, "subscribe", 201, lambda key: request.services.subscriptions.subscribe(
        actor(request), pricing_id=data.get("pricing_id"), plan_id=data.get("plan_id"),
        payment_method=data.get("payment_method") or None, client_key=key))


@endpoint(Permission.OWN_ACCOUNT)
def change(request: Request) -> Any:
    data = ChangeSchema().parse(request_data(request))
    return _idempotent(request, "change", 200, lambda key: request.services.subscriptions.change(
        actor(request), data["pricing_id"], client_key=key))


@endpoint(Permission.OWN_ACCOUNT)
def cancel(request: Request) -> dict[str, Any]:
    data = CancelSchema().parse(request_data(request))
    return dump_subscription(request.services.subscriptions.cancel(
        actor(request), data.get("subscription_id"), at_once=data["at_once"]))


@endpoint(Permission.OWN_ACCOUNT)
def resume(request: Request) -> dict[str, Any]:
    return dump_subscription(request.services.subscriptions.resume(actor(request)))


@endpoint(Permission.OWN_ACCOUNT)
def status(request: Request) -> dict[str, Any] | None:
    current = request.services.subscriptions.current(actor(request))
    return None if current is None else dump_subscription(current)


@endpoint(Permission.OWN_ACCOUNT)
def list_subscriptions(request: Request) -> dict[str, Any]:
    filters = SubscriptionFilterSchema().parse(query_params(request, ("user",)))
    page = request.services.subscriptions.list(actor(request), page_request(request), filters.get("user"))
    return paginated(request, page, dump_subscription)


@endpoint(Permission.OWN_ACCOUNT)
def limits(request: Request) -> dict[str, Any]:
    return dump_limits(request.services.subscriptions.limits(actor(request)))


@endpoint(Permission.OWN_ACCOUNT)
def payment_method(request: Request) -> dict[str, Any]:
    data = PaymentMethodSchema().parse(request_data(request))
    return {"payment_method": request.services.subscriptions.set_payment_method(actor(request), data["payment_method"])}


@endpoint(Permission.OWN_ACCOUNT)
def setup_intent(request: Request) -> dict[str, str]:
    intent = request.services.subscriptions.start_card_setup(actor(request))
    request.response.headers["Cache-Control"] = "no-store"  # the secret is for this browser only
    return {"client_secret": intent.client_secret, "id": intent.id}


@endpoint(Permission.OWN_ACCOUNT)
def invoices(request: Request) -> list[dict[str, Any]]:
    return [dump_invoice(invoice) for invoice in request.services.subscriptions.invoices(actor(request))]
