"""`/api/v1/meta/`: what a client needs before login. No authentication needed."""

from __future__ import annotations

from typing import Any

from pyramid.request import Request

from wiwebb.domain.password_policy import MIN_LENGTH

from ..endpoint import endpoint


@endpoint()
def meta(request: Request) -> dict[str, Any]:
    services = request.services
    return {
        "version": services.version,
        "registration_open": services.registration_open,
        "stripe_public_key": services.stripe_public_key,
        "stripe_js_url": services.stripe_js_url,
        "password_min_length": MIN_LENGTH,
    }
