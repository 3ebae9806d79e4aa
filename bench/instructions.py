"""Instructions per request (`make bench-instructions`): the same figure on every run, whatever else
the machine is doing, where req/s on a shared machine moves by a quarter from one run to the next.

Each application answers N requests in-process, called as WSGI (no server, no load client), under
valgrind's callgrind, which counts the instructions the process runs in user space; counting is on
only inside the measured loop (`functools.reduce` drives it: `--toggle-collect`). The applications:
WiWebb (production.ini's app, throttling off, logs at WARNING) and the floor (bench/floor.py) for
`me`; WiWebb and the bare hello for `health`. Kernel time (the sockets, the database's round trips)
is not counted: the figure is what each one's own code costs, the part WiWebb's layers add to.

Settings (environment): BENCH_DATABASE_URL (default a new database on the local server, dropped
after), BENCH_INSTRUCTION_REQUESTS (200 per application), BENCH_USERS (2000 here).
"""

from __future__ import annotations

import dataclasses
import functools
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from . import report, seed, servers
from .load import Request
from .scenarios import SCENARIOS

RESULTS = Path(__file__).resolve().parent / "results"
CASES = (("me", "wiwebb"), ("me", "floor"), ("health", "wiwebb"), ("health", "hello"))
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def wsgi_environ(request: Request) -> dict[str, Any]:
    path, _, query = request.path.partition("?")
    body = request.body.encode()
    environ = {"REQUEST_METHOD": request.method, "PATH_INFO": path, "QUERY_STRING": query, "SCRIPT_NAME": "",
               "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
               "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
               "wsgi.errors": sys.stderr, "CONTENT_LENGTH": str(len(body)) if body else ""}
    for name, value in request.headers.items():
        key = name.upper().replace("-", "_")
        environ[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"] = value
    return environ


def answer(app: Callable[..., Iterable[bytes]], request: Request) -> int:
    """One request through `app`; its status code."""
    statuses: list[int] = []
    body = app(wsgi_environ(request), lambda status, headers, exc_info=None: statuses.append(int(status[:3])))
    try:
        b"".join(body)
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return statuses[0]


def application(name: str, database_url: str) -> Callable[..., Iterable[bytes]]:
    if name == "wiwebb":
        os.environ.update(servers.wiwebb_environ(database_url, 8000, "WARNING"))
        from pyramid.paster import get_app
        return get_app(str(servers.ROOT / "production.ini"))  # type: ignore[no-any-return]
    from . import floor
    if name == "floor":
        return floor.me_app(floor.ConnectionPerThread(seed.libpq_dsn(database_url)))
    return floor.hello_app


def child(scenario: str, name: str, database_url: str, seeded_file: Path, count: int) -> None:
    """Run in the process valgrind watches: warm up, then `count` requests inside `functools.reduce`."""
    app = application(name, database_url)
    requests = SCENARIOS[scenario].build(seed.Seeded(**json.loads(seeded_file.read_text())), 1)
    if name == "wiwebb":  # as in `make bench`, where the server has answered `health` first
        answer(app, Request("GET", "/api/v1/health/"))
    for number in range(50):
        answer(app, requests[number % len(requests)])
    seed.refresh_tokens(database_url)  # no token is touched during the count (once a minute each)

    def one(failed: int, number: int) -> int:
        return failed + (answer(app, requests[number % len(requests)]) >= 400)

    failed = functools.reduce(one, range(count), 0)
    if failed:
        raise SystemExit(f"{failed} of {count} {scenario} requests failed in {name}")


def parse_refs(output: str) -> int:
    """The instruction count in callgrind's summary ("I   refs:      1,234,567")."""
    found = _REFS.search(output)
    if found is None:
        raise ValueError("no 'I refs' line in valgrind's output: " + (output.strip()[-500:] or "(empty)"))
    return int(found.group(1).replace(",", ""))


def count(scenario: str, name: str, database_url: str, seeded_file: Path, requests: int) -> int:
    """Instructions per request of `name` answering `scenario`."""
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", "--toggle-collect=functools_reduce",
               sys.executable, "-m", "bench.instructions", "--child", scenario, name, database_url, str(seeded_file),
               str(requests)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=servers.ROOT,
                          env={**os.environ, "PYTHONHASHSEED": "0"}, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{name} ({scenario}) under valgrind: exit {done.returncode}: {done.stderr[-1500:]}")
    return parse_refs(done.stderr) // requests


def table(counts: dict[tuple[str, str], int]) -> str:
    lines = ["scenario  application  instructions/request", "--------  -----------  --------------------"]
    lines += [f"{scenario:<8}  {name:<11}  {value:>20,}" for (scenario, name), value in counts.items()]
    for scenario, floor in (("me", "floor"), ("health", "hello")):
        value = report.ratio(counts.get((scenario, floor)), counts.get((scenario, "wiwebb")))
        if value is not None:
            lines.append(f"{floor}/wiwebb, {scenario}: {value:.2f} (WiWebb runs {1 / value:.1f} times the floor's)")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        scenario, name, database_url, seeded_file, requests = argv[1:6]
        child(scenario, name, database_url, Path(seeded_file), int(requests))
        return 0
    if shutil.which("valgrind") is None:
        print("bench-instructions: valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2
    requests = int(os.environ.get("BENCH_INSTRUCTION_REQUESTS", "200"))
    given = os.environ.get("BENCH_DATABASE_URL", "").strip()
    url = given or seed.create_database()
    try:
        seed.migrate(url)
        seeded = seed.seed(url, users=int(os.environ.get("BENCH_USERS", "2000")), sampled_tokens=200)
        seeded_file = RESULTS / "instructions-seed.json"
        seeded_file.parent.mkdir(parents=True, exist_ok=True)
        seeded_file.write_text(json.dumps(dataclasses.asdict(seeded)))
        counts = {}
        for scenario, name in CASES:
            counts[(scenario, name)] = count(scenario, name, url, seeded_file, requests)
            print(f"  {scenario} {name}: {counts[(scenario, name)]:,}", file=sys.stderr, flush=True)
    finally:
        if not given:
            seed.drop_database(url)
    print(table(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
