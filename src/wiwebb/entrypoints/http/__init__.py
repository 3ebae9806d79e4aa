"""The HTTP entrypoint: Pyramid routes, thin views, schemas, security, errors and tweens.

`includeme` expects the composition root to provide `request.services` (the domain services of
the request), pyramid_tm, and the settings `wiwebb.cors` (a `CorsPolicy`) and
`wiwebb.trusted_proxies`; optionally `wiwebb.request_log` (a `RequestLogPolicy`: how requests are
traced for the access log, and the DEBUG SQL warning's threshold).
"""

from __future__ import annotations

from pyramid.config import Configurator
from pyramid.tweens import INGRESS


def includeme(config: Configurator) -> None:
    from .json import response_factory

    config.set_response_factory(response_factory)  # request.response is JSON (json.py)
    config.include(".security")
    config.include(".client_ip")
    config.include(".throttling")
    config.include(".errors")
    config.include(".routes")
    config.include(".request_class")  # last: takes every request property added (by anyone)
    # Outermost, above pyramid_tm: errors raised while committing are answered as JSON too, and
    # every answer carries the request id, the CORS and the security headers.
    config.add_tween("wiwebb.entrypoints.http.tweens.edge_tween_factory", under=INGRESS)
