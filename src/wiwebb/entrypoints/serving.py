"""How `wiwebb serve` runs waitress: with the options of the ini file's `[server:main]` (threads,
connection limit, proxy headers... as `pserve` would), listening on the HOST and PORT settings.

The listen address is the one thing taken from the settings rather than the section, so that
`PORT=8001 wiwebb serve` (or a container's environment) moves the server without editing the ini.
"""

from __future__ import annotations

import gc
import logging
import signal
import threading
import time
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, MultiSocketServer

SECTION = "server:main"
WAITRESS = ("egg:waitress#main", "egg:waitress")
# Where to listen: replaced by HOST and PORT.
LISTEN_OPTIONS = frozenset({"listen", "host", "port", "unix_socket", "unix_socket_perms", "sockets"})
# Keys PasteDeploy adds to every section.
PASTE_KEYS = frozenset({"use", "here", "__file__"})


class ServerConfigError(Exception):
    """The `[server:main]` section cannot run waitress; the message is one line naming the option."""


def read_server_section(ini_path: str) -> dict[str, str]:
    """The `[server:main]` options of the ini file, `%(here)s` and the like expanded; {} without one."""
    import plaster

    loader = plaster.get_loader(ini_path, protocols=["wsgi"])
    if SECTION not in loader.get_sections():
        return {}
    return {str(key): str(value) for key, value in loader.get_settings(SECTION).items()}


def waitress_options(section: Mapping[str, str], host: str, port: int) -> dict[str, Any]:
    """The keyword arguments of `waitress.create_server` for `section`, listening on host:port.
    Every option is checked here, so a bad one stops the command before the app is built."""
    use = section.get("use", WAITRESS[0]).strip()
    if use not in WAITRESS:
        raise ServerConfigError(f"[{SECTION}] use = {use}: `wiwebb serve` runs waitress (egg:waitress#main); "
                                "serve another server with pserve")
    options: dict[str, Any] = {key: value for key, value in section.items()
                               if key not in PASTE_KEYS | LISTEN_OPTIONS}
    casts = dict(Adjustments._params)
    for key, value in options.items():
        if key not in casts:
            raise ServerConfigError(f"[{SECTION}] {key}: not a waitress option (see waitress's Arguments "
                                    "documentation)")
        try:
            casts[key](value)
        except (ValueError, TypeError):
            raise ServerConfigError(f"[{SECTION}] {key}: invalid value {value!r}") from None
    options.update(host=host, port=port)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # waitress warns of trusted_proxy without trusted_proxy_headers
            Adjustments(**options)
    except (ValueError, Warning) as error:
        reason = str(error).splitlines()[0]
        if "host/port" in reason:
            raise ServerConfigError(f"HOST: cannot listen on {host}:{port} ({reason})") from None
        raise ServerConfigError(f"[{SECTION}]: {reason}") from None
    return options


# -- Graceful shutdown -----------------------------------------------------------------------------
#
# On SIGTERM (`docker stop`, tini passes it on) or SIGINT (Ctrl-C), `wiwebb serve` stops accepting
# connections, lets the requests in flight finish for up to SHUTDOWN_GRACE seconds, then stops the
# background work (the cleanup, the mail worker after a last round) within BACKGROUND_GRACE, and
# exits 0. 20 s + 5 s (+ about 1 s for the threads) fits in `docker stop -t 30` / compose's
# `stop_grace_period: 30s`, which docs/deployment.md asks for: with Docker's default 10 s, a
# drain longer than that is cut by SIGKILL. A second signal stops waiting for the requests.

SHUTDOWN_GRACE = 20.0
BACKGROUND_GRACE = 5.0

log = logging.getLogger("wiwebb.server")


class GracefulServer:
    """Runs a server made by `waitress.create_server` until `stop()`, then drains it.

    waitress has no graceful stop of its own: its `run()` loops until interrupted, then cancels
    the queued tasks and closes every socket, answers half sent included. Its I/O runs in the
    asyncore loop of the thread calling `run()` while the application runs in the dispatcher's
    threads, so the loop has to keep turning during the drain for the answers to be sent. Here
    the listening sockets are closed at once (new connections are refused), idle keep-alive
    connections are closed, and a connection is left open while it has a request queued, running,
    partly received or an answer not yet sent, until `grace` seconds have passed."""

    def __init__(self, server: Any, grace: float = SHUTDOWN_GRACE) -> None:
        self._server = server
        self._map: dict[int, Any] = server.map if isinstance(server, MultiSocketServer) else server._map
        self._listeners = [d for d in self._map.values() if isinstance(d, BaseWSGIServer)]
        self._grace = grace
        self.signal: int | None = None
        self.stopping_since = 0.0  # time.monotonic() when the drain began
        self._hurry = False
        self._closed = False

    def stop(self, signum: int = signal.SIGTERM) -> None:
        """Start the shutdown (a second call stops waiting for the requests). Safe in a signal
        handler: it only sets flags and wakes the loop."""
        if self.signal is not None:
            self._hurry = True
        self.signal = signum
        if not self._closed:  # once closed, its descriptor may belong to something else
            self._listeners[0].pull_trigger()

    @contextmanager
    def signals(self) -> Iterator[None]:
        """SIGTERM and SIGINT call `stop` while in the block (main thread only)."""
        handler = lambda signum, frame: self.stop(signum)  # noqa: E731
        previous = {signum: signal.signal(signum, handler) for signum in (signal.SIGTERM, signal.SIGINT)}
        try:
            yield
        finally:
            for signum, before in previous.items():
                signal.signal(signum, before)

    def serve(self) -> int:
        """Serve until `stop()`, then drain; the number of requests cut by the end of the grace."""
        while self.signal is None and self._map:
            self._poll(self._server.adj.asyncore_loop_timeout)
        self.stopping_since = time.monotonic()
        for listener in self._listeners:
            wasyncore.dispatcher.close(listener)  # not BaseWSGIServer.close: keep its trigger
        log.info("%s received: shutting down; new connections are refused, %d request(s) in flight "
                 "have up to %gs to finish", signal.Signals(self.signal or signal.SIGTERM).name,
                 sum(map(_busy, self._channels())), self._grace)
        deadline = self.stopping_since + self._grace
        while True:
            channels = self._channels()
            busy = [channel for channel in channels if _busy(channel)]
            for channel in channels:
                if channel not in busy:
                    channel.will_close = True  # closed by the next turn of the loop
            remaining = deadline - time.monotonic()
            if not channels or remaining <= 0 or self._hurry:
                break
            self._poll(min(self._server.adj.asyncore_loop_timeout, remaining))
        if busy:
            log.warning("%d request(s) still running after %.1fs of shutdown: closing their connections",
                        len(busy), time.monotonic() - self.stopping_since)
        # The idle worker threads end at once; a request still running is abandoned (daemon thread).
        self._server.task_dispatcher.shutdown(cancel_pending=True, timeout=0.1 if busy else 2)
        self._closed = True
        wasyncore.close_all(self._map)
        return len(busy)

    def _channels(self) -> list[Any]:
        return [d for d in self._map.values() if isinstance(d, HTTPChannel)]

    def _poll(self, timeout: float) -> None:
        adj = self._server.adj
        wasyncore.loop(timeout=timeout, map=self._map, use_poll=adj.asyncore_use_poll, count=1)


def _busy(channel: Any) -> bool:
    """A request queued or running, one partly received, an answer not entirely sent, or a
    connection accepted just before the stop whose request has not arrived yet."""
    return (bool(channel.requests) or channel.request is not None or channel.total_outbufs_len > 0
            or (channel.connected and channel.last_activity == channel.creation_time
                and time.time() - channel.creation_time < 1))


def stop_background_work(app: Any, timeout: float = BACKGROUND_GRACE) -> None:
    """Stop what `build_app(start_mail_worker=True)` started, within `timeout` seconds in all: the
    cleanup (its batch in progress ends first), then the mail worker, then one last mail round
    in a thread of its own so that mail queued by the last requests leaves now rather than at the
    next start (what it has not sent by then stays queued: nothing is lost)."""
    deadline = time.monotonic() + timeout
    cleanup = getattr(app, "cleanup_task", None)
    if cleanup is not None and not cleanup.stop(timeout):
        log.warning("the cleanup did not stop within %gs; its current batch is rolled back", timeout)
    adapters = getattr(app, "adapters", None)
    if adapters is None or not adapters.mail_worker.running:
        return
    adapters.mail_worker.stop(max(0.0, deadline - time.monotonic()))
    last_round = threading.Thread(target=adapters.deliver_mail, name="wiwebb-mail-last", daemon=True)
    last_round.start()
    last_round.join(max(0.0, deadline - time.monotonic()))
    if last_round.is_alive():
        log.warning("mail delivery still running after %gs; what is not sent stays queued for the next "
                    "start", timeout)


def freeze_startup_objects() -> None:
    """Leave what start-up built (the app, its registry and routes, SQLAlchemy's mappers: some
    130,000 objects that live as long as the process) out of the cycle collector's work: a full
    collection walks every tracked object, about 80 ms here, a pause for the requests that run
    meanwhile. Garbage left by start-up is collected first, so none of it is kept."""
    gc.collect()
    gc.freeze()


def serve_until_stopped(server: Any, app: Any, grace: float = SHUTDOWN_GRACE) -> None:
    """`wiwebb serve`'s loop: serve until SIGTERM or SIGINT, drain, stop the background work."""
    freeze_startup_objects()
    graceful = GracefulServer(server, grace)
    with graceful.signals():  # also while the background work stops: a signal then changes nothing
        try:
            graceful.serve()
        except BaseException:
            server.close()
            raise
        stop_background_work(app)
    log.info("shutdown complete in %.1fs", time.monotonic() - graceful.stopping_since)
