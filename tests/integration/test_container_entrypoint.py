"""The container's scripts run for real, outside a container: docker/entrypoint.sh (migrate,
ensure-superuser, then exec the server), docker/healthcheck.py (the image's HEALTHCHECK) and
docker/localstripe_webhook.py (the development stack's webhook registration).

The entrypoint runs with the virtualenv's bin first on PATH (the image puts its virtualenv there),
WIWEBB_INI naming a copy of development.ini in tmp_path, and a SQLite database.
"""

from __future__ import annotations

import http.server
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import stripe

from .localstripe_server import SECRET_KEY, running_localstripe
from .test_cli_serve import get_json
from .test_cli_support import PROJECT, WIWEBB, Cli, free_port, users

pytestmark = pytest.mark.sqlite

ENTRYPOINT = PROJECT / "docker" / "entrypoint.sh"
HEALTHCHECK = PROJECT / "docker" / "healthcheck.py"
REGISTER_WEBHOOK = PROJECT / "docker" / "localstripe_webhook.py"
PASSWORD = "Container-Start-42"
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def entrypoint_environ(cli: Cli, **extra: str) -> dict[str, str]:
    return cli.environ(PATH=f"{WIWEBB.parent}{os.pathsep}{os.environ.get('PATH', '')}",
                       WIWEBB_INI="development.ini", **extra)


def healthcheck(port: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(HEALTHCHECK)], env={**os.environ, "PORT": str(port)},
                          capture_output=True, text=True, timeout=30, check=False)


def test_the_entrypoint_migrates_creates_the_superuser_and_becomes_the_server(tmp_path):
    cli = Cli.in_folder(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'wiwebb.sqlite3'}")
    port = free_port()
    log_path = tmp_path / "entrypoint.log"
    environ = entrypoint_environ(cli, HOST="127.0.0.1", PORT=str(port), WIWEBB_SUPERUSER_USERNAME="boss",
                                 WIWEBB_SUPERUSER_EMAIL="boss@example.com", WIWEBB_SUPERUSER_PASSWORD=PASSWORD)
    with open(log_path, "w") as log:
        server = subprocess.Popen([str(ENTRYPOINT)], cwd=tmp_path, env=environ, stdout=log,
                                  stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            status, body = get_json(f"http://127.0.0.1:{port}/api/v1/health/", server, log_path, attempts=600)
            # exec: the process started as the script is now the server itself.
            command_line = Path(f"/proc/{server.pid}/cmdline").read_bytes().split(b"\0")
            healthy = healthcheck(port)
            server.send_signal(signal.SIGTERM)
            exit_code = server.wait(timeout=15)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait(timeout=15)
    output = log_path.read_text()
    assert (status, body["database"]) == (200, "ok"), output
    assert b"serve" in command_line and not any(part.endswith(b"entrypoint.sh") for part in command_line), \
        command_line
    assert healthy.returncode == 0, healthy.stderr
    # `docker stop`: SIGTERM stops the server gracefully, and it exits 0.
    assert exit_code == 0 and "Traceback" not in output, output
    assert "SIGTERM received: shutting down" in output and "shutdown complete in" in output, output
    assert "Created superadmin 'boss' from WIWEBB_SUPERUSER_*." in output
    assert output.index("migrations are up to date") < output.index("Created superadmin") < output.index(
        "serving on"), output
    assert ("boss", "boss@example.com", "superadmin") in users(cli.env["DATABASE_URL"])


def test_a_failing_migrate_stops_the_entrypoint_with_its_exit_code(tmp_path):
    calls = tmp_path / "calls"
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    fake = fake_bin / "wiwebb"  # records its arguments and fails on migrate
    fake.write_text(f'#!/bin/sh\necho "$*" >> {calls}\n[ "$1" != migrate ] || exit 3\n')
    fake.chmod(0o755)
    result = subprocess.run([str(ENTRYPOINT)], cwd=tmp_path, capture_output=True, text=True, timeout=30,
                            env={**os.environ, "PATH": f"{fake_bin}{os.pathsep}{os.environ.get('PATH', '')}"},
                            check=False)
    assert result.returncode == 3, result.stderr
    assert calls.read_text().splitlines() == ["migrate"]


def test_the_entrypoint_runs_its_arguments_instead_of_the_server(tmp_path):
    calls = tmp_path / "calls"
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    fake = fake_bin / "wiwebb"
    fake.write_text(f'#!/bin/sh\necho "$WIWEBB_INI $*" >> {calls}\n')
    fake.chmod(0o755)
    environ = {name: value for name, value in os.environ.items() if name != "WIWEBB_INI"}
    result = subprocess.run([str(ENTRYPOINT), "sh", "-c", f"echo custom >> {calls}"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=30, check=False,
                            env={**environ, "PATH": f"{fake_bin}{os.pathsep}{os.environ.get('PATH', '')}"})
    assert result.returncode == 0, result.stderr
    assert calls.read_text().splitlines() == ["production.ini migrate", "production.ini ensure-superuser", "custom"]


def test_the_healthcheck_fails_when_nothing_answers():
    result = healthcheck(free_port())
    assert result.returncode == 1
    assert "unhealthy: http://127.0.0.1:" in result.stderr and "/api/v1/health/" in result.stderr


class _Capture(http.server.BaseHTTPRequestHandler):
    received: list[tuple[bytes, str]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((body, self.headers["Stripe-Signature"]))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_the_webhook_registration_makes_localstripe_send_signed_events(tmp_path):
    secret = "whsec_container_test"
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Capture)
    thread = threading.Thread(target=receiver.serve_forever, daemon=True)
    thread.start()
    _Capture.received = []
    try:
        with running_localstripe(tmp_path) as localstripe:
            environ = {**os.environ, "LOCALSTRIPE_URL": localstripe.url, "STRIPE_WEBHOOK_SECRET": secret,
                       "WEBHOOK_URL": f"http://127.0.0.1:{receiver.server_port}/api/v1/payments/webhook/"}
            result = subprocess.run([sys.executable, str(REGISTER_WEBHOOK)], env=environ, capture_output=True,
                                    text=True, timeout=60, check=False)
            assert result.returncode == 0, result.stderr
            request = urllib.request.Request(f"{localstripe.url}/v1/customers", data=b"email=a%40example.com",
                                             headers={"Authorization": f"Bearer {SECRET_KEY}"})
            with OPENER.open(request, timeout=10) as response:
                assert response.status == 200
            deadline = time.monotonic() + 15
            while b"customer.created" not in b"".join(p for p, _ in _Capture.received) \
                    and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        receiver.shutdown()
        receiver.server_close()
    assert _Capture.received, "localstripe sent no event to the registered URL"
    # Every event is signed with the registered secret (construct_event raises otherwise).
    types = [stripe.Webhook.construct_event(payload.decode(), signature, secret).type
             for payload, signature in _Capture.received]
    assert "customer.created" in types, types


def test_the_webhook_registration_needs_the_secret():
    environ = {name: value for name, value in os.environ.items() if name != "STRIPE_WEBHOOK_SECRET"}
    result = subprocess.run([sys.executable, str(REGISTER_WEBHOOK)], env=environ, capture_output=True, text=True,
                            timeout=30, check=False)
    assert result.returncode == 2
    assert "STRIPE_WEBHOOK_SECRET is not set" in result.stderr
