"""`/api/v1/auth/password/reset/` and `.../reset/confirm/`: recover an account by e-mail."""

from __future__ import annotations

from pyramid.request import Request

from ..bodies import request_data
from ..endpoint import endpoint, frontend_url
from ..schemas.auth import PasswordResetConfirmSchema, PasswordResetSchema


@endpoint(ignore_credentials=True, throttle="login")
def request_reset(request: Request) -> dict[str, str]:
    """Always the same answer, whether or not the address exists."""
    data = PasswordResetSchema().parse(request_data(request))
    request.services.identity.request_password_reset(data["email"], frontend_url(request))
    return {"detail": "Password reset e-mail has been sent."}


@endpoint(ignore_credentials=True, throttle="login")
def confirm_reset(request: Request) -> dict[str, str]:
    data = PasswordResetConfirmSchema().parse(request_data(request))
    request.services.identity.confirm_password_reset(**data)
    return {"detail": "Password has been reset with the new password."}
