"""The benchmark's report: one table, the ratios, the targets of issue 7, and the same as JSON."""

from __future__ import annotations

import json
import os
import platform
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RSS_LIMIT_MB = 150
RSS_GROWTH_LIMIT_PCT = 10
LIST_P99_LIMIT_MS = 50
RATIO_LIMIT = 0.5


@dataclass(frozen=True)
class Target:
    name: str
    value: float | None
    limit: float
    at_least: bool = False  # a floor rather than a ceiling

    @property
    def ok(self) -> bool:
        if self.value is None:
            return False
        return self.value >= self.limit if self.at_least else self.value <= self.limit

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "limit": self.limit,
                "at_least": self.at_least, "ok": self.ok}


def machine() -> dict[str, Any]:
    """nproc, the CPU model and the RAM of this machine."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        ram_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal:"))
    except (OSError, StopIteration):
        ram_kb = 0
    return {"nproc": os.cpu_count(), "cpu": cpu or platform.processor(), "ram_gb": round(ram_kb / 1024 ** 2, 1),
            "python": platform.python_version()}


# (ratio, WiWebb's scenario, its floor's row)
RATIO_PAIRS = (("me/floor", "me", "floor (me)"), ("health/hello", "health", "hello (health)"))


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if not numerator or not denominator:
        return None
    return round(numerator / denominator, 3)


def ratios(rows: dict[str, dict[str, Any]], rounds: dict[str, list[float]]) -> dict[str, float]:
    """The ratios: the median of the paired rounds where there are some, else the single runs'
    (`rows` by name: WiWebb's scenarios and the floors)."""
    found = {}
    for key, name, floor in RATIO_PAIRS:
        value = (round(statistics.median(rounds[key]), 3) if rounds.get(key)
                 else ratio(rows.get(name, {}).get("rps"), rows.get(floor, {}).get("rps")))
        if value is not None:
            found[key] = value
    return found


def cpu_ratios(rows: dict[str, dict[str, Any]]) -> dict[str, float]:
    """The floor's server CPU per request over WiWebb's, from the single runs. Not a target (those
    are in req/s), and it moves too on a shared machine, less than req/s: each server is one
    process bound by its interpreter lock, so its CPU per request sets the rate an undisturbed
    machine would give."""
    found = {}
    for key, name, floor in RATIO_PAIRS:
        value = ratio(rows.get(floor, {}).get("cpu_ms"), rows.get(name, {}).get("cpu_ms"))
        if value is not None:
            found[key] = value
    return found


def targets(results: dict[str, Any]) -> list[Target]:
    """Issue 7's targets, read from a results dict (see `run.py` for its shape)."""
    rows = {row["name"]: row for row in results["scenarios"]}
    found: list[Target] = []
    for name, limit in (("me", 2), ("users_page", 3), ("users_search", 3)):
        if name in rows:
            found.append(Target(f"SQL per request, {name}", rows[name].get("sql"), limit))
    if "webhook" in rows:
        found.append(Target("SQL per request, webhook duplicate", rows["webhook"].get("sql_duplicate"), 2))
    for name in ("users_page", "users_search"):
        if name in rows:
            found.append(Target(f"p99 {name} (ms)", rows[name]["p99_ms"], LIST_P99_LIMIT_MS))
    for key, label in (("me/floor", "me req/s over the floor's"), ("health/hello", "health req/s over bare hello's")):
        if key in results.get("ratios", {}):
            found.append(Target(label, results["ratios"][key], RATIO_LIMIT, at_least=True))
    rss = results.get("rss_mb", {})
    if "end" in rss:
        found.append(Target("RSS after the run (MB)", rss["end"], RSS_LIMIT_MB))
    if "growth_pct" in rss:
        found.append(Target("RSS growth between two identical runs (%)", rss["growth_pct"], RSS_GROWTH_LIMIT_PCT))
    for row in results["scenarios"]:
        found.append(Target(f"errors, {row['name']}", row["errors"], 0))
    return found


def _cell(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def table(results: dict[str, Any]) -> str:
    """The table of scenarios (and the floors), the ratios and the targets, as text."""
    header = ("scenario", "conns", "req/s", "p50 ms", "p90 ms", "p99 ms", "SQL/req", "errors", "CPU ms/req")
    rows = []
    for row in [*results["scenarios"], *results.get("floors", [])]:
        sql = _cell(row.get("sql"))
        if row.get("sql_duplicate") is not None:
            sql = f"{sql} (dup {_cell(row['sql_duplicate'])})"
        rows.append((row["name"], str(row["connections"]), _cell(row["rps"], 0), _cell(row["p50_ms"], 2),
                     _cell(row["p90_ms"], 2), _cell(row["p99_ms"], 2), sql, str(row["errors"]),
                     _cell(row.get("cpu_ms"), 2)))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
             for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for key, value in results.get("ratios", {}).items():
        rounds = results.get("paired_rounds", {}).get(key)
        how = (f" (median of {len(rounds)} paired rounds: {', '.join(_cell(r, 2) for r in rounds)})" if rounds
               else " (single runs)")
        lines.append(f"ratio {key}: {_cell(value, 2)}{how}")
    for key, value in results.get("cpu_ratios", {}).items():
        lines.append(f"CPU ratio {key}: {_cell(value, 2)}"
                     " (the floor's server CPU per request over WiWebb's, single runs)")
    rss = results.get("rss_mb", {})
    if rss:
        lines.append("RSS MB: " + ", ".join(f"{k} {_cell(v)}" for k, v in rss.items()))
    lines.append(f"client: {results.get('client', '?')}; {results.get('note', '')}".rstrip("; "))
    for target in results.get("targets", []):
        mark = "ok  " if target["ok"] else "MISS"
        sign = ">=" if target["at_least"] else "<="
        lines.append(f"[{mark}] {target['name']}: {_cell(target['value'], 2)} (target {sign} {target['limit']})")
    return "\n".join(lines)


def write(results: dict[str, Any], directory: Path, stamp: str) -> Path:
    """Write the results to `directory/<stamp>.json` (a second file of the same stamp gets a suffix)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{stamp}.json"
    number = 1
    while path.exists():
        number += 1
        path = directory / f"{stamp}-{number}.json"
    path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    return path
