"""The HTTP entrypoint: Pyramid routes, thin views, schemas, security, errors and tweens.

`includeme` expects the composition root to provide `request.services` (the domain services of
the request) and pyramid_tm.
"""

from __future__ import annotations

from pyramid.config import Configurator
from pyramid.tweens import INGRESS


def includeme(config: Configurator) -> None:
    from .json import renderer_factory

    config.add_renderer("json", renderer_factory)
    config.include(".security")
    config.include(".errors")
    config.include(".routes")
    # Outermost, above pyramid_tm: errors raised while committing are answered as JSON too.
    config.add_tween("wiwebb.entrypoints.http.tweens.request_id_tween_factory", under=INGRESS)
