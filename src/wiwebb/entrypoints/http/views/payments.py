"""`/api/v1/payments/`: one-off payments, their capture and refunds (staff), and their logs."""

from __future__ import annotations

from typing import Any

from pyramid.request import Request

from wiwebb.domain.payment_service import NewPayment
from wiwebb.domain.rbac import Permission

from ..bodies import request_data
from ..endpoint import actor, endpoint, object_id
from ..schemas.listing import page_request, paginated, query_params
from ..schemas.payments import (
    PaymentCreateSchema,
    PaymentFilterSchema,
    RefundSchema,
    dump_payment,
    dump_payment_log,
)

IDEMPOTENCY_HEADER = "Idempotency-Key"


def _id(request: Request) -> int:
    return object_id(request, "payment_id")


def _client_key(request: Request) -> str | None:
    """The client's `Idempotency-Key` (at most 255 characters are kept)."""
    return (request.headers.get(IDEMPOTENCY_HEADER) or "").strip()[:255] or None


@endpoint(Permission.OWN_ACCOUNT, status=201)
def create_payment(request: Request) -> Any:
    """A key already used answers its first answer again, and nothing is done twice."""
    data = PaymentCreateSchema().parse(request_data(request))
    service, key = request.services.payments, _client_key(request)
    replay = service.replay(actor(request), key)
    if replay is not None:
        request.response.status = replay.status
        request.response.headers["Idempotent-Replayed"] = "true"
        return replay.response
    outcome = service.create(actor(request), NewPayment(**data), client_key=key)
    body = dump_payment(outcome.payment)
    service.answered(outcome, 201, body)
    return body


@endpoint(Permission.OWN_ACCOUNT)
def list_payments(request: Request) -> dict[str, Any]:
    filters = PaymentFilterSchema().parse(query_params(request, ("user", "status")))
    page = request.services.payments.list(actor(request), page_request(request), user_id=filters.get("user"),
                                          status=filters.get("status"))
    return paginated(request, page, dump_payment)


@endpoint(Permission.OWN_ACCOUNT)
def get_payment(request: Request) -> dict[str, Any]:
    return dump_payment(request.services.payments.get(actor(request), _id(request)))


@endpoint(Permission.BILLING_MANAGE_OTHERS)
def capture(request: Request) -> dict[str, Any]:
    return dump_payment(request.services.payments.capture(actor(request), _id(request)))


@endpoint(Permission.BILLING_MANAGE_OTHERS)
def refund(request: Request) -> dict[str, Any]:
    data = RefundSchema().parse(request_data(request))
    return dump_payment(request.services.payments.refund(actor(request), _id(request), data.get("amount")))


@endpoint(Permission.OWN_ACCOUNT)
def logs(request: Request) -> list[dict[str, Any]]:
    """A plain array, oldest first (a short list, not paginated)."""
    return [dump_payment_log(entry) for entry in request.services.payments.logs(actor(request), _id(request))]
