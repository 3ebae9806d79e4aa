"""`/api/v1/auth/tokens/`: the caller's live tokens, and revoking one of them."""

from __future__ import annotations

from typing import Any

from pyramid.request import Request
from pyramid.response import Response

from wiwebb.domain.rbac import Permission

from ..endpoint import current_session, endpoint, object_id
from ..schemas.fields import format_datetime


@endpoint(Permission.OWN_ACCOUNT)
def list_tokens(request: Request) -> list[dict[str, Any]]:
    session = current_session(request)
    # The current token's last use is this request (its row is updated after the commit).
    tokens = [session.token if t.id == session.token.id else t
              for t in request.services.identity.live_tokens(session.user)]
    return [
        {"id": token.id, "created": format_datetime(token.created), "last_used": format_datetime(token.last_used),
         "expires_at": format_datetime(token.expires_at), "user_agent": token.user_agent, "prefix": token.prefix,
         "current": token.id == session.token.id}
        for token in tokens
    ]


@endpoint(Permission.OWN_ACCOUNT, status=204)
def revoke_token(request: Request) -> Response:
    request.services.identity.revoke_token(current_session(request).user, object_id(request, "token_id"))
    return Response(status=204)
