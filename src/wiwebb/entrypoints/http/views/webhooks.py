"""`/api/v1/payments/webhook/` (also `/api/v1/webhooks/stripe/`): Stripe's signed events.

No authentication: the signature is the proof. The answer is 2xx only once the event's effect is
committed (pyramid_tm commits before the response leaves), so anything that failed is delivered
again by Stripe."""

from __future__ import annotations

from typing import Any

from pyramid.request import Request

from ..endpoint import endpoint


@endpoint(ignore_credentials=True, throttle=None)
def stripe_webhook(request: Request) -> dict[str, Any]:
    outcome = request.services.webhooks.receive(request.body, request.headers.get("Stripe-Signature"))
    return {"received": True, "outcome": outcome}
