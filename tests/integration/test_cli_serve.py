"""`wiwebb serve`: serves the API on HOST:PORT, and says so in one line when the port is taken."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .test_cli_support import WIWEBB, Cli, free_port, one_line, sqlite_cli, stop

pytestmark = pytest.mark.sqlite

# Straight to 127.0.0.1, whatever http_proxy says.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture
def cli(tmp_path) -> Cli:
    cli = sqlite_cli(tmp_path)
    cli.ok("migrate")
    return cli


def test_serve_on_a_taken_port_says_so_in_one_line(cli):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("serve", PORT=str(port), HOST="127.0.0.1", timeout=60)
    assert result.returncode == 1
    line = one_line(result)
    assert line.startswith("wiwebb: ") and str(port) in line and "PORT=" in line


def test_serve_on_an_address_not_of_this_machine_says_so_in_one_line(cli):
    result = cli("serve", PORT="8000", HOST="192.0.2.1", timeout=60)  # TEST-NET-1: never a local address

    assert result.returncode == 1
    assert one_line(result) == "wiwebb: cannot listen on 192.0.2.1:8000: Cannot assign requested address"


def get_json(url: str, server: subprocess.Popen, log_path: Path, attempts: int = 150) -> tuple[int, dict]:
    """GET `url` until something answers (a few tries a second, bounded); (status, JSON body)."""
    for _ in range(attempts):
        assert server.poll() is None, f"wiwebb serve exited before answering:\n{log_path.read_text()}"
        try:
            with OPENER.open(url, timeout=2) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            with error:
                return error.code, json.load(error)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise AssertionError(f"nothing answered at {url}:\n{log_path.read_text()}")


def test_serve_answers_health_with_the_database_ok(cli, tmp_path):
    port = free_port()
    log_path = tmp_path / "serve.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen([str(WIWEBB), "serve"], cwd=cli.folder, stdout=log, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, env=cli.environ(PORT=str(port), HOST="127.0.0.1"))
        try:
            status, body = get_json(f"http://127.0.0.1:{port}/api/v1/health/", server, log_path)
        finally:
            stop(server)
    output = log_path.read_text()
    assert (status, body["status"], body["database"]) == (200, "ok", "ok"), output
    assert body["version"]
    assert f"WiWebb serving on http://127.0.0.1:{port}/" in output
    # The CLI's folder has no built console: the start line says the API is served alone.
    assert "web console not built (no index.html in" in output, output
    assert "Traceback" not in output
