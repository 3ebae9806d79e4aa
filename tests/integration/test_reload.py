"""`pserve development.ini --reload`: the app factory serves under pserve, and a changed module of
wiwebb restarts the server (hupper), which answers again."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

import wiwebb

from .test_cli_serve import get_json
from .test_cli_support import free_port, sqlite_cli, stop

pytestmark = pytest.mark.sqlite

PSERVE = Path(sys.executable).parent / "pserve"
# Poll modules' mtimes. hupper would pick watchdog when installed (mkdocs brings it), and watchdog 7
# reports a bare mtime change as an attribute change, which hupper 1.12 ignores; an editor's save
# (a write) reloads under either.
POLLING = {"HUPPER_DEFAULT_MONITOR": "hupper.polling.PollingFileMonitor"}
SERVER_STARTS = re.compile(r"Starting server in PID (\d+)\.")


def wait_for(predicate, seconds: float, every: float = 0.1) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False


def test_pserve_reload_restarts_on_a_changed_module_and_answers_again(tmp_path):
    cli = sqlite_cli(tmp_path)
    cli.ok("-c", "development.ini", "migrate")
    port = free_port()
    ini = cli.folder / "development.ini"
    ini.write_text(re.sub(r"(?m)^listen = .*$", f"listen = 127.0.0.1:{port}", ini.read_text(), count=1))
    module = Path(wiwebb.__file__)  # a module the server imported, from the source tree (editable install)
    stat = module.stat()
    log_path = tmp_path / "pserve.log"
    health = f"http://127.0.0.1:{port}/api/v1/health/"
    with open(log_path, "w") as log:
        server = subprocess.Popen([str(PSERVE), "development.ini", "--reload"], cwd=cli.folder, stdout=log,
                                  stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=cli.environ(**POLLING))
        try:
            assert get_json(health, server, log_path)[0] == 200
            first = SERVER_STARTS.findall(log_path.read_text())
            assert len(first) == 1, log_path.read_text()

            def touched_and_reloading() -> bool:
                # The monitor learns the module's path within a second of the start: touch until it sees it.
                os.utime(module, (stat.st_atime, time.time()))
                return "changed; reloading" in log_path.read_text()

            assert wait_for(touched_and_reloading, 10, every=0.5), log_path.read_text()
            assert wait_for(lambda: len(SERVER_STARTS.findall(log_path.read_text())) == 2, 10), log_path.read_text()
            status, body = get_json(health, server, log_path)
            assert (status, body["database"]) == (200, "ok")
        finally:
            os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns))
            stop(server)
    output = log_path.read_text()
    restarted = SERVER_STARTS.findall(output)
    assert restarted[0] != restarted[1], output  # a new worker process
    assert f"{module} changed; reloading" in output and "Traceback" not in output
