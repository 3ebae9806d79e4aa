"""`wiwebb serve` stops gracefully on SIGTERM (docker stop) and SIGINT (Ctrl-C): new connections
are refused at once, requests in flight finish and get their whole answer within the grace
period, idle keep-alive connections are closed, the background work stops, and the process
exits 0, saying so in two log lines.

The first test runs the real command on a SQLite database, with a registration made slow by a
costly Argon2 hash as the request in flight; the others drive `serving.GracefulServer` in this
process around a toy WSGI application whose requests wait for the test.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import pytest
import waitress

from wiwebb.adapters.mail import MailWorker
from wiwebb.entrypoints import serving

from .test_cli_serve import get_json
from .test_cli_support import WIWEBB, Cli, free_port, sqlite_cli

pytestmark = pytest.mark.sqlite

# About 2 s of hashing at 64 MiB on a laptop: long enough to be in flight when SIGTERM arrives.
SLOW_ARGON2 = {"ARGON2_TIME_COST": "40", "ARGON2_MEMORY_COST": "65536", "ARGON2_PARALLELISM": "1"}


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def post_json(port: int, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any], float]:
    """(status, JSON body, time.monotonic() when the answer was read) of POST `path`."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, json.loads(response.read()), time.monotonic()
    finally:
        connection.close()


@pytest.fixture
def cli(tmp_path) -> Cli:
    cli = sqlite_cli(tmp_path)
    cli.ok("migrate")
    return cli


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_request_in_flight_gets_its_answer_and_new_connections_are_refused(cli, tmp_path, signum):
    port = free_port()
    log_path = tmp_path / "serve.log"
    answers: list[tuple[int, dict[str, Any], float]] = []
    body = {"username": "late", "email": "late@example.com", "password1": "Slow-Hash-42", "password2": "Slow-Hash-42"}
    with open(log_path, "w") as log:
        server = subprocess.Popen([str(WIWEBB), "-c", "development.ini", "serve"], cwd=cli.folder, stdout=log,
                                  stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  env=cli.environ(PORT=str(port), HOST="127.0.0.1", **SLOW_ARGON2))
        try:
            assert get_json(f"http://127.0.0.1:{port}/api/v1/health/", server, log_path)[0] == 200
            client = threading.Thread(target=lambda: answers.append(
                post_json(port, "/api/v1/auth/registration/", body)))
            client.start()
            time.sleep(0.4)  # the request has arrived; its password is being hashed
            signalled = time.monotonic()
            server.send_signal(signum)
            deadline = signalled + 5
            while "received: shutting down" not in log_path.read_text() and time.monotonic() < deadline:
                time.sleep(0.02)
            refused_while_draining = refused(port) and server.poll() is None and client.is_alive()
            exit_code = server.wait(timeout=serving.SHUTDOWN_GRACE)
            stopped = time.monotonic()
            client.join(timeout=10)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait(timeout=15)
    output = log_path.read_text()
    assert exit_code == 0, output
    assert refused_while_draining, output
    [(status, answer, answered)] = answers
    assert (status, answer["user"]["username"]) == (201, "late"), answer
    assert signalled < answered <= stopped and stopped - signalled < serving.SHUTDOWN_GRACE
    name = signal.Signals(signum).name
    assert f"[wiwebb.server] {name} received: shutting down; new connections are refused, 1 request(s) in flight " \
           f"have up to {serving.SHUTDOWN_GRACE:g}s to finish" in output, output
    assert output.index(f"{name} received") < output.index("POST /api/v1/auth/registration/ 201") \
        < output.index("[wiwebb.server] shutdown complete in "), output
    assert "Traceback" not in output and "WARN" not in output, output


# -- In this process ---------------------------------------------------------------------------------

class SlowApp:
    """A WSGI app: /slow waits until `release` is set (or 30 s), anything else answers at once."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        if environ["PATH_INFO"] == "/slow":
            self.entered.set()
            self.release.wait(30)
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]


@contextmanager
def graceful_server(grace: float) -> Iterator[tuple[serving.GracefulServer, SlowApp, int]]:
    app = SlowApp()
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=2)
    try:
        yield serving.GracefulServer(server, grace), app, server.effective_port
    finally:
        app.release.set()
        server.close()


def slow_request(port: int, outcome: list[object]) -> threading.Thread:
    def run() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("GET", "/slow")
            outcome.append(connection.getresponse().read())
        except (ConnectionError, http.client.HTTPException) as error:
            outcome.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_request_longer_than_the_grace_is_cut_and_the_server_returns(caplog):
    caplog.set_level(logging.INFO, logger="wiwebb.server")
    outcome: list[object] = []
    with graceful_server(grace=0.5) as (graceful, app, port):
        client = slow_request(port, outcome)
        threading.Thread(target=lambda: app.entered.wait(10) and graceful.stop(), daemon=True).start()
        started = time.monotonic()
        cut = graceful.serve()
        took = time.monotonic() - started
        client.join(timeout=10)
    assert cut == 1 and took < 5, took
    assert len(outcome) == 1 and isinstance(outcome[0], (ConnectionError, http.client.HTTPException)), outcome
    assert "1 request(s) still running after" in caplog.text


def test_a_second_signal_stops_waiting_for_the_requests():
    before = signal.getsignal(signal.SIGINT)
    outcome: list[object] = []
    with graceful_server(grace=60) as (graceful, app, port):
        client = slow_request(port, outcome)

        def signal_twice() -> None:
            app.entered.wait(10)
            graceful.stop(signal.SIGINT)
            time.sleep(0.3)
            graceful.stop(signal.SIGINT)

        threading.Thread(target=signal_twice, daemon=True).start()
        started = time.monotonic()
        with graceful.signals():  # handlers installed and restored
            cut = graceful.serve()
        took = time.monotonic() - started
        client.join(timeout=10)
    assert cut == 1 and took < 10, took
    assert signal.getsignal(signal.SIGINT) is before


def test_sigterm_waits_for_the_request_in_flight_and_closes_idle_keep_alive_connections(caplog):
    caplog.set_level(logging.INFO, logger="wiwebb.server")
    outcome: list[object] = []
    with graceful_server(grace=20) as (graceful, app, port):
        idle = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        done = threading.Event()

        def drive() -> None:
            idle.request("GET", "/quick")  # HTTP/1.1: the connection stays open
            idle.getresponse().read()
            slow_request(port, outcome)
            app.entered.wait(10)
            os_kill_self(signal.SIGTERM)
            deadline = time.monotonic() + 10  # the loop notices the signal, then the request ends
            while "received: shutting down" not in caplog.text and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(0.3)
            done.set()
            app.release.set()

        threading.Thread(target=drive, daemon=True).start()
        with graceful.signals():
            cut = graceful.serve()
        assert done.is_set()  # the server waited for the slow request
        idle_closed = idle.sock is None or closed_by_the_server(idle.sock)
        idle.close()
    assert cut == 0 and outcome == [b"ok"]
    assert idle_closed
    assert "SIGTERM received: shutting down; new connections are refused, 1 request(s) in flight" in caplog.text


def os_kill_self(signum: int) -> None:
    os.kill(os.getpid(), signum)


def closed_by_the_server(sock: socket.socket) -> bool:
    sock.settimeout(2)
    try:
        return sock.recv(1) == b""
    except TimeoutError:
        return False


class _Cleanup:
    def __init__(self) -> None:
        self.stopped_with: float | None = None

    def stop(self, timeout: float = 5.0) -> bool:
        self.stopped_with = timeout
        return True


def test_the_background_work_stops_after_a_last_mail_round():
    rounds: list[str] = []
    worker = MailWorker(lambda: rounds.append("worker") or 0, interval=60)
    adapters = SimpleNamespace(mail_worker=worker, deliver_mail=lambda: rounds.append("last") or 0)
    app = SimpleNamespace(adapters=adapters, cleanup_task=_Cleanup())
    worker.start()
    serving.stop_background_work(app, timeout=5)
    assert not worker.running and app.cleanup_task.stopped_with == 5
    assert rounds == ["last"]  # the worker slept (60 s interval); the last round delivered
