"""The HTTP entrypoint: Pyramid routes, thin views, schemas, security, errors and tweens.

`includeme` expects the composition root to provide `request.services` (the domain services of
the request), pyramid_tm, and the settings `wiwebb.cors` (a `CorsPolicy`) and
`wiwebb.trusted_proxies`.
"""

from __future__ import annotations

from pyramid.config import Configurator
from pyramid.tweens import INGRESS


def includeme(config: Configurator) -> None:
    from .json import renderer_factory

    config.add_renderer("json", renderer_factory)
    config.include(".security")
    config.include(".client_ip")
    config.include(".throttling")
    config.include(".errors")
    config.include(".routes")
    # Outermost: CORS headers on every answer, errors included; then the request id and the last
    # line of defence, above pyramid_tm, so errors raised while committing are answered as JSON.
    config.add_tween("wiwebb.entrypoints.http.cors.cors_tween_factory", under=INGRESS)
    config.add_tween("wiwebb.entrypoints.http.tweens.request_id_tween_factory",
                     under="wiwebb.entrypoints.http.cors.cors_tween_factory")
