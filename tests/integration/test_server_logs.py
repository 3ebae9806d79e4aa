"""The servers log as their ini file says: `wiwebb -c production.ini serve` and `pserve
production.ini` one JSON object a line, `wiwebb -c development.ini serve` readable text; LOG_LEVEL
from the environment sets the level of the wiwebb loggers over the ini file's. Each test starts the
real console script on copies of the real ini files and reads what it wrote on stderr."""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from .log_capture import JSON_KEYS
from .test_cli_serve import OPENER, get_json
from .test_cli_support import WIWEBB, Cli, free_port, sqlite_cli, stop

pytestmark = pytest.mark.sqlite


@pytest.fixture
def production_cli(tmp_path) -> Cli:
    cli = sqlite_cli(tmp_path)
    cli.env.update(SECRET_KEY=secrets.token_urlsafe(48), FRONTEND_URL="https://app.example.com")
    cli.ok("migrate")
    return cli


def serve_and_log(cli: Cli, command: list[str], port: int, **env: str) -> tuple[list[str], str]:
    """Start the server, GET health with a request id, stop it; (its stderr lines, its output)."""
    err_path, out_path = cli.folder / "stderr.log", cli.folder / "stdout.log"
    with open(err_path, "w") as err, open(out_path, "w") as out:
        server = subprocess.Popen(command, cwd=cli.folder, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                  env=cli.environ(**env))
        try:
            status, _ = get_json(f"http://127.0.0.1:{port}/api/v1/health/", server, err_path)
            assert status == 200
            OPENER.open(urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/health/",
                                               headers={"X-Request-ID": "from-the-test"}), timeout=5).close()
            time.sleep(0.5)
        finally:
            stop(server)
    return err_path.read_text().splitlines(), out_path.read_text() + err_path.read_text()


def assert_json_access_line(lines: list[str], output: str, not_logs: tuple[str, ...] = ()) -> None:
    """Every line (but the server's own `not_logs` banners) is one JSON object; one is the access
    line of the test's request."""
    parsed = [json.loads(line) for line in lines if line.strip() and not line.startswith(not_logs)]
    access = [entry for entry in parsed if entry["request_id"] == "from-the-test"]
    assert len(access) == 1, output
    assert set(access[0]) == JSON_KEYS
    assert (access[0]["logger"], access[0]["path"], access[0]["status"]) == ("wiwebb.access", "/api/v1/health/", 200)
    assert isinstance(access[0]["sql_statements"], int)


def test_wiwebb_serve_with_production_ini_logs_json(production_cli):
    port = free_port()
    lines, output = serve_and_log(production_cli, [str(WIWEBB), "-c", "production.ini", "serve"], port,
                                  PORT=str(port), HOST="127.0.0.1")
    assert_json_access_line(lines, output)


def test_pserve_with_production_ini_logs_json(production_cli):
    port = free_port()
    ini = production_cli.folder / "production.ini"
    text = ini.read_text()
    assert "listen = 0.0.0.0:8000" in text
    ini.write_text(text.replace("listen = 0.0.0.0:8000", f"listen = 127.0.0.1:{port}"))
    lines, output = serve_and_log(production_cli, [str(Path(WIWEBB).parent / "pserve"), "production.ini"], port)
    assert_json_access_line(lines, output, not_logs=("Starting server in PID",))  # pserve's print


def test_log_level_from_the_environment_overrides_the_ini(production_cli):
    port = free_port()
    lines, output = serve_and_log(production_cli, [str(WIWEBB), "-c", "production.ini", "serve"], port,
                                  PORT=str(port), HOST="127.0.0.1", LOG_LEVEL="WARNING")
    assert not any("from-the-test" in line for line in lines), output  # the INFO access line is not written


def test_wiwebb_serve_with_development_ini_logs_readable_text(production_cli):
    port = free_port()
    lines, output = serve_and_log(production_cli, [str(WIWEBB), "-c", "development.ini", "serve"], port,
                                  PORT=str(port), HOST="127.0.0.1")
    access = [line for line in lines if line.endswith("request_id=from-the-test")]
    assert len(access) == 1, output
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO  \[wiwebb\.access\] GET /api/v1/health/ 200 "
                        r"\d+\.\dms sql=\d+/\d+\.\dms request_id=from-the-test", access[0]), access[0]
