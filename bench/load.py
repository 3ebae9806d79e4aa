"""Bounded load: a scenario's requests, driven for a fixed time over a fixed number of connections.

With wrk: the requests are written one a line to a file that a generated Lua script reads; each wrk
thread walks them in turn (thread i takes requests i, i + threads, ...), and the script's `done`
prints one `BENCH_JSON {...}` line that `parse_wrk` reads. Without wrk: a Python client (one
thread and one keep-alive connection per connection) does the same, slower; the table says which.
"""

from __future__ import annotations

import http.client
import json
import math
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

MARKER = "BENCH_JSON "


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""

    def line(self) -> str:
        """The request as one line of the requests file: method, path, body, then header names and
        values, separated by tabs."""
        fields = [self.method, self.path, self.body]
        for name, value in self.headers.items():
            fields += [name, value]
        if any(c in f for f in fields for c in "\t\n\r"):
            raise ValueError(f"{self.method} {self.path}: a tab or newline cannot go in a requests file")
        return "\t".join(fields)


@dataclass
class Result:
    requests: int
    duration_s: float
    errors: int  # non-2xx/3xx answers, socket errors and timeouts
    p50_ms: float
    p90_ms: float
    p99_ms: float
    client: str

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0


LUA = r"""
local requests = {}
local counter = 0
local nthreads = __THREADS__

local function split(line)
  local fields, start = {}, 1
  while true do
    local tab = string.find(line, "\t", start, true)
    if not tab then table.insert(fields, string.sub(line, start)); return fields end
    table.insert(fields, string.sub(line, start, tab - 1))
    start = tab + 1
  end
end

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  for line in io.lines("__FILE__") do
    local f = split(line)
    local headers = {}
    for i = 4, #f - 1, 2 do headers[f[i]] = f[i + 1] end
    local body = nil
    if f[3] ~= "" then body = f[3] end
    table.insert(requests, wrk.format(f[1], f[2], headers, body))
  end
  index = id
end

function request()
  local r = requests[(index % #requests) + 1]
  index = index + nthreads
  return r
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_JSON {\"requests\":%d,\"duration_us\":%d,\"status\":%d,\"connect\":%d,\"read\":%d," ..
    "\"write\":%d,\"timeout\":%d,\"p50_us\":%d,\"p90_us\":%d,\"p99_us\":%d}\n",
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
"""


def lua_script(requests_file: Path, threads: int) -> str:
    return LUA.replace("__THREADS__", str(threads)).replace("__FILE__", str(requests_file))


def wrk_command(url: str, script: Path, connections: int, duration_s: float) -> list[str]:
    threads = min(2, connections)
    return ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration_s))}s", "--timeout", "10s",
            "-s", str(script), url]


def parse_wrk(output: str) -> Result:
    """The result in wrk's output (the `BENCH_JSON` line the script's `done` prints)."""
    for line in output.splitlines():
        if line.startswith(MARKER):
            data = json.loads(line[len(MARKER):])
            errors = sum(data[k] for k in ("status", "connect", "read", "write", "timeout"))
            return Result(requests=data["requests"], duration_s=data["duration_us"] / 1e6, errors=errors,
                          p50_ms=data["p50_us"] / 1000, p90_ms=data["p90_us"] / 1000,
                          p99_ms=data["p99_us"] / 1000, client="wrk")
    raise ValueError("no BENCH_JSON line in wrk's output: " + (output.strip()[-300:] or "(empty)"))


def run_wrk(base_url: str, requests: Sequence[Request], connections: int, duration_s: float,
            workdir: Path) -> Result:
    workdir.mkdir(parents=True, exist_ok=True)
    data = workdir / "requests.txt"
    data.write_text("".join(r.line() + "\n" for r in requests))
    script = workdir / "scenario.lua"
    command = wrk_command(base_url, script, connections, duration_s)
    script.write_text(lua_script(data.resolve(), int(command[1][2:])))
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=duration_s + 60)
    finally:
        data.unlink()  # the webhook's signed requests are megabytes
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    return parse_wrk(done.stdout)


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """The value under which `pct`% of the (sorted) values fall (nearest rank)."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), math.ceil(pct / 100 * len(sorted_values))))
    return sorted_values[rank - 1]


def run_python(base_url: str, requests: Sequence[Request], connections: int, duration_s: float) -> Result:
    """The fallback client: `connections` threads, each with one keep-alive connection."""
    match = re.match(r"http://([^:/]+):(\d+)", base_url)
    if not match:
        raise ValueError(f"not an http://host:port URL: {base_url}")
    host, port = match.group(1), int(match.group(2))
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + duration_s

    def worker(start: int) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=10)
        mine, failed, index = [], 0, start
        while time.monotonic() < deadline:
            request = requests[index % len(requests)]
            index += connections
            began = time.perf_counter()
            try:
                connection.request(request.method, request.path, body=request.body.encode() or None,
                                   headers=request.headers)
                response = connection.getresponse()
                response.read()
                failed += response.status >= 400
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=10)
            mine.append(time.perf_counter() - began)
        connection.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    ordered = sorted(latencies)
    return Result(requests=len(ordered), duration_s=elapsed, errors=errors[0], p50_ms=percentile(ordered, 50) * 1000,
                  p90_ms=percentile(ordered, 90) * 1000, p99_ms=percentile(ordered, 99) * 1000, client="python")


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def drive(base_url: str, requests: Sequence[Request], connections: int, duration_s: float, workdir: Path,
          use_wrk: bool) -> Result:
    if not requests:
        raise ValueError("a scenario needs at least one request")
    if use_wrk:
        return run_wrk(base_url, requests, connections, duration_s, workdir)
    return run_python(base_url, requests, connections, duration_s)


def send(base_url: str, request: Request) -> tuple[int, bytes]:
    """One request, for the counting pass and the checks."""
    match = re.match(r"http://([^:/]+):(\d+)", base_url)
    if not match:
        raise ValueError(f"not an http://host:port URL: {base_url}")
    connection = http.client.HTTPConnection(match.group(1), int(match.group(2)), timeout=30)
    try:
        connection.request(request.method, request.path, body=request.body.encode() or None, headers=request.headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()
