"""Which requests pyramid_tm wraps in a transaction (its `tm.activate_hook`).

All of them but the health probe's: `GET` (or `HEAD`) of health/ pings through an engine of its
own and never opens the request's session, so a transaction there (a manager, its begin, its
commit) would only cost time on the path that load balancers and containers poll most.
"""

from __future__ import annotations

from pyramid.request import Request

HEALTH_PATH = "/api/v1/health/"
READS = frozenset({"GET", "HEAD"})


def needs_transaction(request: Request) -> bool:
    return not (request.environ.get("PATH_INFO") == HEALTH_PATH and request.method in READS)
