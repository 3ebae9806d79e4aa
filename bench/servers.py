"""The servers under test, each a process of its own on a loopback port: WiWebb (`wiwebb -c
production.ini serve`, throttling off), the floor and the bare hello. Their memory comes from
/proc/<pid>/status; WiWebb's SQL counts from the JSON access lines it writes to its log."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from .load import Request, send

ROOT = Path(__file__).resolve().parent.parent
THROTTLING_OFF = "login=off,anon=off,user=off,failed_login=off"


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_mb(self) -> float:
        return rss_mb(self.pid)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MiB (VmRSS of /proc/<pid>/status)."""
    return vm_rss_mb(Path(f"/proc/{pid}/status").read_text())


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, in seconds (/proc/<pid>/stat)."""
    return stat_cpu_seconds(Path(f"/proc/{pid}/stat").read_text(), os.sysconf("SC_CLK_TCK"))


def stat_cpu_seconds(stat: str, ticks_per_second: int) -> float:
    """utime + stime of a /proc/<pid>/stat line (fields 14 and 15; the command, in parentheses, may
    hold spaces), in seconds."""
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / ticks_per_second


def vm_rss_mb(status: str) -> float:
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise ValueError("no VmRSS line in /proc/<pid>/status")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wiwebb_environ(database_url: str, port: int, log_level: str) -> dict[str, str]:
    """production.ini's environment for the benchmark: secrets generated, throttling off."""
    return {**os.environ, "DATABASE_URL": database_url, "HOST": "127.0.0.1", "PORT": str(port),
            "SECRET_KEY": secrets.token_urlsafe(40), "FRONTEND_URL": "https://bench.invalid",
            "THROTTLE_RATES": THROTTLING_OFF, "LOG_LEVEL": log_level, "STRIPE_WEBHOOK_SECRET": "whsec_bench_secret",
            "REDIS_URL": "", "DEBUG": "false", "USE_LOCALSTRIPE": "false"}


def _wait_ready(process: subprocess.Popen, url: str, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped at start ({process.returncode}): {log.read_text()[-2000:]}")
        try:
            status, _ = send(url, Request("GET", "/api/v1/health/"))
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer in {timeout:.0f}s: {log.read_text()[-2000:]}")


@contextmanager
def running(command: Sequence[str], environ: dict[str, str], log: Path, ready_path: str | None = None
            ) -> Iterator[Server]:
    """A server process (the command must serve on the port in environ["BENCH_PORT"])."""
    url = f"http://127.0.0.1:{environ['BENCH_PORT']}"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        process = subprocess.Popen(list(command), env=environ, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        if ready_path is None:
            _wait_ready(process, url, log)
        server = Server(process, url, log)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wiwebb(database_url: str, log: Path, log_level: str = "WARNING", ini: str = "production.ini"
           ) -> AbstractContextManager[Server]:
    port = free_port()
    environ = {**wiwebb_environ(database_url, port, log_level), "BENCH_PORT": str(port)}
    wiwebb_command = Path(sys.executable).with_name("wiwebb")
    return running([str(wiwebb_command), "-c", ini, "serve"], environ, log)


@contextmanager
def floor(dsn: str | None, log: Path, ini: str = "production.ini") -> Iterator[Server]:
    """The floor (dsn given) or the bare hello (dsn None)."""
    port = free_port()
    command = [sys.executable, "-m", "bench.floor", "--port", str(port), "--ini", ini]
    command += ["--dsn", dsn] if dsn else ["--hello"]
    with running(command, {**os.environ, "BENCH_PORT": str(port)}, log, ready_path="-") as server:
        _wait_listening(server, log)
        yield server


def _wait_listening(server: Server, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    host, port = server.url.removeprefix("http://").split(":")
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the floor stopped at start: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection((host, int(port)), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the floor did not listen in {timeout:.0f}s")


def access_lines(text: str) -> list[dict]:
    """The `wiwebb.access` records among a JSON log's lines (other lines are skipped)."""
    records = []
    for line in text.splitlines():
        if not line.startswith("{"):
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and record.get("logger") == "wiwebb.access":
            records.append(record)
    return records
