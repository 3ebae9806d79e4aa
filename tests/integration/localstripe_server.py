"""A real localstripe server, run as a subprocess on a free port, that tests can start and stop.

localstripe keeps its whole state in memory and, after every change, pickles it to the fixed path
`/tmp/localstripe.pickle` (TMPDIR does not move it). Started with `--from-scratch` it never reads
that file back, so each server starts empty and parallel runs share no state; they only overwrite
each other's copy of a file nobody reads. We still point TMPDIR at the test's own directory, in
case a later version honours it.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .smtp_server import free_port

SECRET_KEY = "sk_test_wiwebb_localstripe"  # localstripe accepts any key that starts with sk_
STATE_FILE = Path("/tmp/localstripe.pickle")  # hard-coded in localstripe.resources.Store
STARTUP_TIMEOUT = 20.0  # seconds
STOP_TIMEOUT = 5.0


class LocalStripeError(RuntimeError):
    pass


class LocalStripe:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._log_path = workdir / "localstripe.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, attempts: int = 3) -> None:
        if STATE_FILE.exists() and not os.access(STATE_FILE, os.W_OK):
            raise LocalStripeError(f"{STATE_FILE} is not writable by this user; localstripe would fail "
                                   "every change with a 500. Remove it (it holds no state we need).")
        for _ in range(attempts):  # another process may take the free port before localstripe binds it
            self.port = free_port()
            if self._spawn():
                return
        raise LocalStripeError(f"localstripe did not start; its log:\n{self.log()}")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT)

    def log(self) -> str:
        return self._log_path.read_text(errors="replace") if self._log_path.exists() else ""

    def _spawn(self) -> bool:
        executable = Path(sys.executable).with_name("localstripe")
        environ = {**os.environ, "TMPDIR": str(self.workdir)}
        with self._log_path.open("ab") as log:  # the child keeps its own copy of the descriptor
            self._process = subprocess.Popen([str(executable), "--port", str(self.port), "--from-scratch"],
                                             stdout=log, stderr=subprocess.STDOUT, env=environ,
                                             cwd=self.workdir)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:  # exited: the port was taken, or worse
                self._process = None
                return False
            if self._answers():
                return True
            time.sleep(0.1)
        self.stop()
        raise LocalStripeError(f"localstripe did not answer within {STARTUP_TIMEOUT} s; its log:\n{self.log()}")

    def _answers(self) -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
        try:
            connection.request("GET", "/v1/balance", headers={"Authorization": f"Bearer {SECRET_KEY}"})
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()


@contextmanager
def running_localstripe(workdir: Path) -> Iterator[LocalStripe]:
    """A fresh, empty localstripe for the duration of the block."""
    server = LocalStripe(workdir)
    server.start()
    try:
        yield server
    finally:
        server.stop()
