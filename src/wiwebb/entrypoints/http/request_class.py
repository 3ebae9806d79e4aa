"""The request properties (`add_request_method(..., reify=True)`) on one request class, made once.

Pyramid gives a request those properties (`dbsession`, `services`, `session_of_token`,
`client_ip`, pyramid_tm's `tm`) by creating a new subclass of the request class for every request
(`apply_request_extensions`), whose interfaces Pyramid's view lookup then works out afresh: some
20 µs a request, a third of what health/ cost in the app.
Here, once every other configuration action has run, the same descriptors are set on one subclass
of the request factory, which becomes the factory, and Pyramid's per-request step has nothing
left to add. The descriptors are the same objects (reified on first use), so requests behave the
same.

A request must therefore come from the registered factory: `app.request_factory(environ)` or
`app.request_factory.blank(path)`, as the router's own are. A plain `pyramid.request.Request`
handed to `invoke_subrequest` or `pyramid.scripting.prepare` would lack `tm`, `dbsession` and the
others (a test holds the factory's subrequests working).
"""

from __future__ import annotations

from pyramid.config import Configurator
from pyramid.interfaces import IRequestExtensions, IRequestFactory
from pyramid.request import Request

from .errors import MAX_BODY_BYTES

# Configuration actions run in `order` (default 0, the phase of add_request_method): after all.
AFTER_EVERY_ACTION = 1000


def includeme(config: Configurator) -> None:
    registry = config.registry

    def make_request_class() -> None:
        extensions = registry.queryUtility(IRequestExtensions)
        base = registry.queryUtility(IRequestFactory, default=Request)
        if extensions is None or not extensions.descriptors or not isinstance(base, type):
            return
        request_class = type(base.__name__, (base,), {
            "__module__": base.__module__, **extensions.descriptors,
            # A body is read into memory, not a temporary file that nothing closes: it is at most
            # MAX_BODY_BYTES (a larger one is refused before it is read).
            "request_body_tempfile_limit": MAX_BODY_BYTES})
        extensions.descriptors = {}
        registry.registerUtility(request_class, IRequestFactory)

    config.action("wiwebb.request_class", make_request_class, order=AFTER_EVERY_ACTION)
