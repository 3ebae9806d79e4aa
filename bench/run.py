"""`make bench` (`python -m bench.run`): WiWebb under bounded load, against the floor.

Settings (environment variables, all optional):
  BENCH_DATABASE_URL  database to (re)create fresh; default a new database on the local server
                      (postgresql://postgres@127.0.0.1:5432), dropped at the end
  BENCH_DURATION      seconds per scenario (10s; a number with s or m)
  BENCH_USERS         users to seed (100000)
  BENCH_SCENARIOS     comma-separated subset of health,me,users_page,users_search,login,webhook
  BENCH_CLIENT        wrk or python (default: wrk when installed, else python, said in the table)
  BENCH_KEEP_DB       1: keep the database created by default
  BENCH_PAIRS         paired rounds for each ratio (5; 0: the ratios of the single runs)
  BENCH_PAIR_DURATION seconds per run of a paired round (5s)
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from . import load, report, seed, servers
from .scenarios import SCENARIOS, Scenario, signed_request, subscription_event

RESULTS = Path(__file__).resolve().parent / "results"
COUNTED_REQUESTS = 10


def duration_seconds(text: str, setting: str = "BENCH_DURATION") -> float:
    """`10`, `10s`, `1m` or `1.5m` as seconds; anything else a ValueError naming `setting`."""
    value = text.strip().lower()
    scale = 60 if value.endswith("m") else 1
    try:
        seconds = float(value.rstrip("sm")) * scale
    except ValueError:
        raise ValueError(f"{setting}: expected seconds like 10s or 1m, got {text!r}") from None
    if seconds < 1:
        raise ValueError(f"{setting}: at least 1s, got {text!r}")
    return seconds


def pair_count(text: str) -> int:
    """BENCH_PAIRS: a whole number, 0 or more (empty: 5)."""
    try:
        count = int(text.strip() or "5")
    except ValueError:
        raise ValueError(f"BENCH_PAIRS: expected a whole number of rounds, got {text!r}") from None
    if count < 0:
        raise ValueError(f"BENCH_PAIRS: 0 or more, got {text!r}")
    return count


def chosen_scenarios(text: str) -> list[Scenario]:
    names = [n.strip() for n in text.split(",") if n.strip()] or list(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        raise ValueError(f"BENCH_SCENARIOS: unknown {', '.join(unknown)} (known: {', '.join(SCENARIOS)})")
    return [SCENARIOS[n] for n in names]


def row(name: str, connections: int, result: load.Result, **extra: Any) -> dict[str, Any]:
    return {"name": name, "connections": connections, "requests": result.requests, "rps": round(result.rps, 1),
            "p50_ms": round(result.p50_ms, 2), "p90_ms": round(result.p90_ms, 2), "p99_ms": round(result.p99_ms, 2),
            "errors": result.errors, **extra}


def cpu_ms_per_request(cpu_seconds: float, result: load.Result) -> float | None:
    """The server's CPU time per request served during a load run, in ms (the machine's other load
    does not count, unlike in req/s)."""
    return round(cpu_seconds * 1000 / result.requests, 3) if result.requests else None


def sql_counts(server: servers.Server, requests: list[load.Request]) -> list[int]:
    """The SQL statements of each request, sent one after the other, read from the access log."""
    before = len(servers.access_lines(server.log.read_text()))
    for request in requests:
        status, body = load.send(server.url, request)
        if status >= 400:
            raise RuntimeError(f"{request.method} {request.path}: {status} {body[:300]!r}")
    time.sleep(0.3)  # the log line is written as the response leaves
    lines = servers.access_lines(server.log.read_text())[before:]
    if len(lines) != len(requests):
        raise RuntimeError(f"expected {len(requests)} access lines in {server.log}, found {len(lines)}")
    return [line["sql_statements"] for line in lines]


def counting_pass(database_url: str, seeded: seed.Seeded, chosen: list[Scenario], workdir: Path) -> dict[str, dict]:
    """SQL statements per request of each scenario, on a server logging at INFO."""
    counts: dict[str, dict] = {}
    seed.refresh_tokens(database_url)
    with servers.wiwebb(database_url, workdir / "count.log", log_level="INFO") as server:
        for scenario in chosen:
            if scenario.name == "webhook":
                created = int(time.time()) - 3600  # older than the load's events
                events = [signed_request(subscription_event(n, seeded.subscriptions[n], created)) for n in range(3)]
                first = sql_counts(server, events)
                again = sql_counts(server, events)
                counts["webhook"] = {"sql": max(first), "sql_duplicate": max(again)}
                continue
            requests = scenario.build(seeded, 1)
            sample = (requests * COUNTED_REQUESTS)[:COUNTED_REQUESTS if scenario.name != "login" else 3]
            found = sql_counts(server, sample)
            counts[scenario.name] = {"sql": statistics.median_low(found), "sql_max": max(found)}
    return counts


def load_pass(database_url: str, seeded: seed.Seeded, chosen: list[Scenario], duration: float, use_wrk: bool,
              workdir: Path, counts: dict[str, dict]) -> tuple[list[dict], dict[str, float]]:
    rows, rss = [], {}
    with servers.wiwebb(database_url, workdir / "load.log") as server:
        rss["start"] = round(server.rss_mb(), 1)
        for scenario in chosen:  # warm up: every code path imported and its connection opened
            for request in scenario.build(seeded, 1)[:3]:
                load.send(server.url, request)
        for scenario in chosen:
            runs = 2 if scenario.name == "me" else 1  # twice: the RSS growth between identical runs
            for run in range(runs):
                seed.refresh_tokens(database_url)
                requests = scenario.build(seeded, duration)
                print(f"  {scenario.name}: {len(requests)} distinct requests, {scenario.connections} connections,"
                      f" {duration:.0f}s", file=sys.stderr, flush=True)
                cpu_before = server.cpu_seconds()
                result = load.drive(server.url, requests, scenario.connections, duration, workdir / scenario.name,
                                    use_wrk)
                cpu = cpu_ms_per_request(server.cpu_seconds() - cpu_before, result)
                if scenario.name == "me":
                    rss[f"after_me_{run + 1}"] = round(server.rss_mb(), 1)
                if run == 0:
                    rows.append(row(scenario.name, scenario.connections, result, cpu_ms=cpu,
                                    **counts.get(scenario.name, {})))
        rss["end"] = round(server.rss_mb(), 1)
    if "after_me_1" in rss:
        rss["growth_pct"] = round((rss["after_me_2"] - rss["after_me_1"]) / rss["after_me_1"] * 100, 1)
    return rows, rss


def floors(dsn: str, seeded: seed.Seeded, chosen: list[Scenario], duration: float, use_wrk: bool,
           workdir: Path) -> list[dict]:
    found = []
    names = {s.name for s in chosen}
    for name, scenario, source in (("floor (me)", SCENARIOS["me"], dsn), ("hello (health)", SCENARIOS["health"], None)):
        if scenario.name not in names:
            continue
        seed.refresh_tokens(dsn)
        log = workdir / f"{scenario.name}-floor.log"
        with servers.floor(source, log) as server:
            requests = scenario.build(seeded, duration)
            for request in requests[:3]:
                load.send(server.url, request)
            cpu_before = server.cpu_seconds()
            result = load.drive(server.url, requests, scenario.connections, duration, workdir / f"{name[:5]}",
                                use_wrk)
            cpu = cpu_ms_per_request(server.cpu_seconds() - cpu_before, result)
            found.append(row(name, scenario.connections, result, sql=2 if source else 0, cpu_ms=cpu))
    return found


# The ratios, each from WiWebb and its floor serving side by side, measured in turns (the order
# swapped every round, so a trend in the machine's load hits both alike), and the median taken.
RATIO_PAIRS = (("me/floor", "me", True), ("health/hello", "health", False))


def turns(number: int, floor: Any, wiwebb: Any) -> list[tuple[str, Any]]:
    """Who is loaded first in round `number` (from 0): the floor in even rounds, WiWebb in odd ones."""
    order = [("floor", floor), ("wiwebb", wiwebb)]
    return order if number % 2 == 0 else order[::-1]


def paired_rounds(database_url: str, dsn: str, seeded: seed.Seeded, chosen: list[Scenario], rounds: int,
                  duration: float, use_wrk: bool, workdir: Path) -> dict[str, list[float]]:
    """Each ratio's value in every round: WiWebb's req/s over its floor's, measured one after the other."""
    names = {s.name for s in chosen}
    found: dict[str, list[float]] = {}
    for key, name, with_database in RATIO_PAIRS:
        if name not in names or rounds < 1:
            continue
        scenario = SCENARIOS[name]
        with servers.wiwebb(database_url, workdir / f"pair-{name}.log") as app, \
                servers.floor(dsn if with_database else None, workdir / f"pair-{name}-floor.log") as bare:
            # Warm up under load, uncounted: a server just started ran its first rounds a third
            # slower than its later ones.
            seed.refresh_tokens(database_url)
            for label, server in (("floor", bare), ("wiwebb", app)):
                load.drive(server.url, scenario.build(seeded, duration), scenario.connections, duration,
                           workdir / f"pair-{name}-warm-up-{label}", use_wrk)
            ratios = []
            for number in range(rounds):
                seed.refresh_tokens(database_url)
                requests = scenario.build(seeded, duration)
                rps = {}
                for label, server in turns(number, bare, app):
                    result = load.drive(server.url, requests, scenario.connections, duration,
                                        workdir / f"pair-{name}-{number}-{label}", use_wrk)
                    if result.errors:
                        raise RuntimeError(f"paired round {number + 1} of {key}: {result.errors} errors from {label}")
                    rps[label] = result.rps
                value = report.ratio(rps["wiwebb"], rps["floor"])
                print(f"  {key}, round {number + 1}: wiwebb {rps['wiwebb']:.0f} req/s, floor {rps['floor']:.0f} req/s",
                      file=sys.stderr, flush=True)
                if value is not None:
                    ratios.append(value)
            print(f"  {key}: paired rounds {', '.join(f'{r:.2f}' for r in ratios)}", file=sys.stderr, flush=True)
            found[key] = ratios
    return found


def main() -> int:
    try:
        duration = duration_seconds(os.environ.get("BENCH_DURATION", "10s"))
        chosen = chosen_scenarios(os.environ.get("BENCH_SCENARIOS", ""))
        users = int(os.environ.get("BENCH_USERS", "100000"))
        pairs = pair_count(os.environ.get("BENCH_PAIRS", "5"))
        pair_duration = duration_seconds(os.environ.get("BENCH_PAIR_DURATION", "5s"), "BENCH_PAIR_DURATION")
        client = os.environ.get("BENCH_CLIENT", "").strip() or ("wrk" if load.have_wrk() else "python")
        if client not in ("wrk", "python"):
            raise ValueError(f"BENCH_CLIENT: wrk or python, got {client!r}")
        if client == "wrk" and not load.have_wrk():
            raise ValueError("BENCH_CLIENT=wrk but wrk is not installed (apt-get install wrk)")
    except ValueError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    note = "" if client == "wrk" else "wrk not found: the Python client drives the load (slower; numbers lower)"
    if note:
        print(f"bench: {note}", file=sys.stderr)
    given = os.environ.get("BENCH_DATABASE_URL", "").strip()
    stamp = time.strftime("%Y-%m-%dT%H%M%S")
    workdir = RESULTS / f"{stamp}-work"
    if given:
        seed.drop_database(given)
        url = seed.create_database(seed.sqlalchemy_url(given).set(database="postgres").render_as_string(False),
                                   name=seed.sqlalchemy_url(given).database)
    else:
        url = seed.create_database()
    print(f"bench: database {seed.sqlalchemy_url(url).render_as_string()}", file=sys.stderr, flush=True)
    try:
        started = time.monotonic()
        seed.migrate(url)
        seeded = seed.seed(url, users=users)
        print(f"bench: migrated and seeded {users} users in {time.monotonic() - started:.1f}s", file=sys.stderr)
        counts = counting_pass(url, seeded, chosen, workdir)
        rows, rss = load_pass(url, seeded, chosen, duration, client == "wrk", workdir, counts)
        floor_rows = floors(seed.libpq_dsn(url), seeded, chosen, duration, client == "wrk", workdir)
        rounds = paired_rounds(url, seed.libpq_dsn(url), seeded, chosen, pairs, pair_duration, client == "wrk",
                               workdir)
    finally:
        if not given and os.environ.get("BENCH_KEEP_DB") != "1":
            seed.drop_database(url)
    by_name = {r["name"]: r for r in [*rows, *floor_rows]}
    results: dict[str, Any] = {
        "date": stamp, "machine": report.machine(), "client": client, "note": note, "duration_s": duration,
        "users": users, "scenarios": rows, "floors": floor_rows, "rss_mb": rss,
        "paired_rounds": rounds,
        "ratios": report.ratios(by_name, rounds), "cpu_ratios": report.cpu_ratios(by_name)}
    results["targets"] = [t.as_dict() for t in report.targets(results)]
    print(report.table(results))
    print(f"bench: results written to {os.path.relpath(report.write(results, RESULTS, stamp))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
