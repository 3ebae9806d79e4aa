"""Serving under production.ini: `wiwebb -c production.ini serve` and `pserve production.ini` run
waitress with the ini's [server:main] options; production refuses an insecure configuration in
one line; and waitress behind a proxy leaves X-Forwarded-For to the app's TRUSTED_PROXIES."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pyramid.request import Request
from webtest.http import StopableWSGIServer

from wiwebb.entrypoints.http.client_ip import ClientAddress
from wiwebb.entrypoints.serving import read_server_section, waitress_options

from .test_cli_serve import OPENER, get_json
from .test_cli_support import PROJECT, WIWEBB, Cli, free_port, one_line, sqlite_cli, stop

pytestmark = pytest.mark.sqlite

PSERVE = Path(sys.executable).parent / "pserve"
PRODUCTION = {"SECRET_KEY": "a-production-secret-key-of-more-than-32-characters",
              "FRONTEND_URL": "https://app.example.com", "HOST": "127.0.0.1"}


@pytest.fixture
def cli(tmp_path) -> Cli:
    cli = sqlite_cli(tmp_path)
    cli.ok("-c", "production.ini", "migrate", **PRODUCTION)
    return cli


@contextmanager
def running(argv: list[str], cli: Cli, **env: str) -> Iterator[tuple[subprocess.Popen, Path]]:
    log_path = cli.folder / "server.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(argv, cwd=cli.folder, stdout=log, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, env=cli.environ(**env))
        try:
            yield server, log_path
        finally:
            stop(server)


def status_of_oversized_body(port: int) -> int:
    """The status answered to a POST announcing a 20 MiB body (none sent): production.ini's
    max_request_body_size (10 MiB) refuses it from the headers alone."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(b"POST /api/v1/auth/login/ HTTP/1.1\r\nHost: localhost\r\n"
                           b"Content-Type: application/json\r\nContent-Length: 20971520\r\n\r\n")
        head = connection.recv(4096).decode("latin-1")
    return int(head.split(" ", 2)[1])


def assert_serves_with_production_options(port: int, server: subprocess.Popen, log_path: Path) -> None:
    status, body = get_json(f"http://127.0.0.1:{port}/api/v1/health/", server, log_path)
    assert (status, body["database"]) == (200, "ok"), log_path.read_text()
    assert status_of_oversized_body(port) == 413
    assert "Traceback" not in log_path.read_text()


def test_wiwebb_serve_runs_production_ini_with_its_server_options_on_port(cli):
    port = free_port()
    with running([str(WIWEBB), "-c", "production.ini", "serve"], cli, **PRODUCTION, PORT=str(port)) as (server, log):
        assert_serves_with_production_options(port, server, log)
    assert f"WiWebb serving on http://127.0.0.1:{port}/" in log.read_text()


def test_pserve_serves_production_ini_the_same(cli):
    port = free_port()
    ini = cli.folder / "production.ini"
    ini.write_text(re.sub(r"(?m)^listen = .*$", f"listen = 127.0.0.1:{port}", ini.read_text(), count=1))
    with running([str(PSERVE), "production.ini"], cli, **PRODUCTION) as (server, log):
        assert_serves_with_production_options(port, server, log)


def test_a_bad_server_option_stops_serve_in_one_line(tmp_path):
    cli = sqlite_cli(tmp_path)  # stopped before the app is built
    ini = cli.folder / "production.ini"
    ini.write_text(ini.read_text().replace("threads = 8", "threads = many", 1))
    result = cli("-c", "production.ini", "serve", **PRODUCTION, PORT=str(free_port()))
    assert result.returncode == 1
    assert one_line(result) == "wiwebb: production.ini [server:main] threads: invalid value 'many'"


INSECURE = [
    ({"DEBUG": "true"}, "DEBUG"),
    ({"USE_LOCALSTRIPE": "true"}, "USE_LOCALSTRIPE"),
    ({"SECRET_KEY": "development-only-secret-key-do-not-use-in-production"}, "SECRET_KEY"),
]


@pytest.mark.parametrize(("insecure", "name"), INSECURE)
def test_production_refuses_an_insecure_configuration_in_one_line(tmp_path, insecure, name):
    cli = sqlite_cli(tmp_path)  # refused before the database is opened
    environ = {**PRODUCTION, **insecure, "PORT": str(free_port())}
    result = cli("-c", "production.ini", "serve", **environ)
    assert result.returncode == 1 and result.stdout == ""
    assert one_line(result).startswith(f"wiwebb: {name}: ")


def test_pserve_refuses_it_the_same(tmp_path):
    cli = sqlite_cli(tmp_path)
    pserve = subprocess.run([str(PSERVE), "production.ini"], cwd=cli.folder,
                            env=cli.environ(**PRODUCTION, USE_LOCALSTRIPE="true"),
                            capture_output=True, text=True, timeout=60, check=False)
    assert pserve.returncode != 0 and one_line(pserve).startswith("wiwebb: USE_LOCALSTRIPE: must be off")


def test_development_allows_what_production_refuses(tmp_path):
    insecure = {name: value for environ, _ in INSECURE for name, value in environ.items()}
    sqlite_cli(tmp_path).ok("-c", "development.ini", "showmigrations", **insecure)


# Waitress behind a proxy, with production.ini's options, in front of the app's ClientAddress.

def echo(environ, start_response):
    request = Request(environ)
    body = json.dumps({"client": ClientAddress(["127.0.0.1/32"])(request),  # TRUSTED_PROXIES=127.0.0.1
                       "scheme": environ["wsgi.url_scheme"]}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


@contextmanager
def waitress_with(section: dict[str, str]) -> Iterator[str]:
    options = waitress_options(section, "127.0.0.1", free_port())
    server = StopableWSGIServer.create(echo, **options)  # listening once created
    try:
        yield server.application_url
    finally:
        server.shutdown()


def ask(url: str, **headers: str) -> dict[str, str]:
    request = urllib.request.Request(url, headers=headers)
    with OPENER.open(request, timeout=10) as response:
        return json.load(response)


def test_behind_a_tls_proxy_the_scheme_is_https_and_the_app_sees_x_forwarded_for():
    with waitress_with(read_server_section(str(PROJECT / "production.ini"))) as url:
        assert ask(url) == {"client": "127.0.0.1", "scheme": "https"}
        assert ask(url, **{"X-Forwarded-For": "198.51.100.4, 203.0.113.7"}) == {
            "client": "203.0.113.7", "scheme": "https"}
        assert ask(url, **{"X-Forwarded-Proto": "http"})["scheme"] == "http"


def test_waitress_defaults_would_hide_x_forwarded_for_from_the_app():
    """Why production.ini sets clear_untrusted_proxy_headers = false."""
    with waitress_with({}) as url:
        assert ask(url, **{"X-Forwarded-For": "203.0.113.7"}) == {"client": "127.0.0.1", "scheme": "http"}
