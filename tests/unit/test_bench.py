"""The benchmark's logic (bench/), without load and without timing: wrk's output read, the
requests file and Lua script written, the Python client, the seed's rows, the report and its
targets. `make bench` itself is run by hand (issue 7), never by the suite."""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from bench import load, report, run, scenarios, seed, servers

WRK_OUTPUT = """Running 3s test @ http://127.0.0.1:8123
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.10ms    1.03ms  20.11ms   90.00%
  7012 requests in 3.00s, 3.11MB read
Requests/sec:   2337.12
BENCH_JSON {"requests":7012,"duration_us":3000512,"status":2,"connect":0,"read":1,"write":0,"timeout":0,\
"p50_us":1880,"p90_us":3012,"p99_us":9870}
"""


def test_wrk_output_is_read_from_the_scripts_summary_line():
    result = load.parse_wrk(WRK_OUTPUT)
    assert (result.requests, result.errors, result.client) == (7012, 3, "wrk")
    assert (result.p50_ms, result.p90_ms, result.p99_ms) == (1.88, 3.012, 9.87)
    assert result.rps == pytest.approx(7012 / 3.000512)


def test_wrk_output_without_the_summary_is_an_error_quoting_it():
    with pytest.raises(ValueError, match=r"no BENCH_JSON line.*unable to connect"):
        load.parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_requests_file_lines_and_the_lua_script():
    request = load.Request("POST", "/api/v1/auth/login/", {"Content-Type": "application/json"}, '{"a":1}')
    assert request.line() == 'POST\t/api/v1/auth/login/\t{"a":1}\tContent-Type\tapplication/json'
    assert load.Request("GET", "/x").line() == "GET\t/x\t"
    with pytest.raises(ValueError, match="tab or newline"):
        load.Request("POST", "/x", body="a\nb").line()
    seed_path = Path("requests.txt")
    script = load.lua_script(seed_path, 2)
    assert f'io.lines("{seed_path}")' in script and "local nthreads = 2" in script and "BENCH_JSON" in script
    command = load.wrk_command("http://127.0.0.1:1", seed_path, 1, 2.4)
    assert command[:4] == ["wrk", "-t1", "-c1", "-d2s"] and command[-1] == "http://127.0.0.1:1"


def test_percentile_is_the_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert (load.percentile(values, 50), load.percentile(values, 99), load.percentile(values, 100)) == (50, 99, 100)
    assert load.percentile([], 99) == 0.0


@pytest.fixture
def tiny_server():
    def app(environ, start_response):
        status = "200 OK" if environ["PATH_INFO"] == "/ok" else "404 Not Found"
        start_response(status, [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, app, handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_the_python_client_counts_requests_and_errors(tiny_server):
    good = load.run_python(tiny_server, [load.Request("GET", "/ok")], 2, 0.3)
    assert good.requests > 0 and good.errors == 0 and good.client == "python"
    assert 0 < good.p50_ms <= good.p90_ms <= good.p99_ms
    bad = load.run_python(tiny_server, [load.Request("GET", "/ok"), load.Request("GET", "/missing")], 1, 0.3)
    assert bad.errors == bad.requests // 2 and bad.errors > 0


def test_the_seed_spreads_roles_and_tenants():
    tenants = [11, 12, 13]
    assert seed.role_and_tenant(0, tenants) == ("admin", None)
    assert [seed.role_and_tenant(i, tenants) for i in (1, 2, 3)] == [("tenant_owner", t) for t in tenants]
    assert seed.role_and_tenant(4, tenants) == ("subscriber", 12)
    rows = list(seed.user_rows(1000, tenants, "$argon2id$hash", datetime(2026, 1, 1, tzinfo=UTC)))
    assert len(rows) == 1000 and len({r[0] for r in rows}) == 1000
    assert all(len(r) == len(seed.USER_COLUMNS) and r[3] == "$argon2id$hash" for r in rows)
    assert abs(sum(r[6] == seed.SEARCH_NAME for r in rows) - 1000 // seed.SEARCH_EVERY) <= 3  # about 2%
    assert {r[5] for r in rows if r[6] == seed.SEARCH_NAME} == set(tenants)  # every owner's search finds some


def test_copy_text_writes_nulls_and_times_and_refuses_what_it_cannot_escape():
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert seed.copy_text([(1, None, when, True)]).getvalue() == "1\t\\N\t2026-01-02T03:04:05+00:00\tTrue\n"
    with pytest.raises(ValueError, match="cannot COPY"):
        seed.copy_text([("a\tb",)])


def test_database_urls_are_postgresql_only():
    assert seed.libpq_dsn("postgresql+psycopg2://postgres@127.0.0.1:5432/x") == "postgresql://postgres@127.0.0.1:5432/x"
    assert seed.sqlalchemy_url("postgresql://u@h/x").drivername == "postgresql+psycopg2"
    with pytest.raises(ValueError, match="BENCH_DATABASE_URL: a PostgreSQL URL"):
        seed.sqlalchemy_url("sqlite:///x.db")


def test_half_the_webhook_deliveries_are_duplicates_of_earlier_events():
    order = scenarios.webhook_sequence(100, lag=16)
    assert len(order) == 200 and len(set(order)) == 100
    assert order[:4] == [0, 0, 1, 0] and order[-2:] == [99, 83]
    assert all(order[i + 1] <= order[i] for i in range(0, 200, 2))  # a duplicate repeats an event already sent


def test_webhook_requests_are_signed_stripe_events():
    stripe = pytest.importorskip("stripe")
    event = scenarios.subscription_event(3, ("sub_1", "cus_1", "price_1"), 1_700_000_000)
    request = scenarios.signed_request(event, "whsec_x")
    assert json.loads(request.body)["data"]["object"]["id"] == "sub_1"
    verified = stripe.Webhook.construct_event(request.body, request.headers["Stripe-Signature"], "whsec_x")
    assert verified["id"] == event["id"] and verified["created"] == 1_700_000_003


def test_settings_of_the_run_are_checked():
    assert [run.duration_seconds(t) for t in ("10", "3s", "1m", "1.5m")] == [10, 3, 60, 90]
    with pytest.raises(ValueError, match="BENCH_DURATION"):
        run.duration_seconds("fast")
    with pytest.raises(ValueError, match="BENCH_DURATION: at least 1s"):
        run.duration_seconds("0.2s")
    assert [s.name for s in run.chosen_scenarios("me, health")] == ["me", "health"]
    assert len(run.chosen_scenarios("")) == 6
    with pytest.raises(ValueError, match="unknown nope"):
        run.chosen_scenarios("me,nope")


def test_rss_and_access_lines_are_read_from_their_text():
    assert servers.vm_rss_mb("Name:\tpython\nVmRSS:\t  102400 kB\n") == 100.0
    with pytest.raises(ValueError):
        servers.vm_rss_mb("Name:\tpython\n")
    log = "\n".join([json.dumps({"logger": "wiwebb.access", "sql_statements": 2}), "not json",
                     json.dumps({"logger": "wiwebb.webhooks", "message": "x"}), "{broken",
                     json.dumps({"logger": "wiwebb.access", "sql_statements": 5})])
    assert [r["sql_statements"] for r in servers.access_lines(log)] == [2, 5]


def test_cpu_time_is_read_from_proc_stat():
    stat = "4242 (wiwebb serve) S 1 4242 4242 0 -1 4194560 9 0 0 0 250 50 0 0 20 0 9 0 100 0 0\n"
    assert servers.stat_cpu_seconds(stat, 100) == 3.0
    assert servers.cpu_seconds(os.getpid()) > 0
    assert run.cpu_ms_per_request(1.5, load.Result(requests=1000, duration_s=10.0, errors=0, p50_ms=1,
                                                   p90_ms=2, p99_ms=3, client="wrk")) == 1.5


def _results():
    def scenario(name, rps, p99, sql, errors=0, **extra):
        return {"name": name, "connections": 1, "requests": 10, "rps": rps, "p50_ms": 1.0, "p90_ms": 2.0,
                "p99_ms": p99, "errors": errors, "sql": sql, **extra}

    return {"client": "wrk", "note": "", "scenarios": [
        scenario("health", 1000.0, 3.0, 0), scenario("me", 600.0, 9.0, 2),
        scenario("users_page", 100.0, 60.0, 3), scenario("users_search", 90.0, 20.0, 4, errors=1),
        scenario("webhook", 200.0, 30.0, 4, sql_duplicate=2)],
        "floors": [scenario("floor (me)", 1000.0, 5.0, 2)],
        "ratios": {"me/floor": report.ratio(600.0, 1000.0), "health/hello": 0.4},
        "rss_mb": {"start": 90.0, "after_me_1": 100.0, "after_me_2": 104.0, "end": 120.0, "growth_pct": 4.0}}


def test_targets_say_which_are_met():
    results = _results()
    verdict = {t.name: t.ok for t in report.targets(results)}
    assert verdict["SQL per request, me"] and verdict["SQL per request, users_page"]
    assert not verdict["SQL per request, users_search"]
    assert verdict["SQL per request, webhook duplicate"]
    assert not verdict["p99 users_page (ms)"] and verdict["p99 users_search (ms)"]
    assert verdict["me req/s over the floor's"] and not verdict["health req/s over bare hello's"]
    assert verdict["RSS after the run (MB)"] and verdict["RSS growth between two identical runs (%)"]
    assert not verdict["errors, users_search"] and verdict["errors, me"]
    assert not report.Target("x", None, 1).ok


def test_the_table_and_the_json_file(tmp_path):
    results = _results()
    results["targets"] = [t.as_dict() for t in report.targets(results)]
    text = report.table(results)
    lines = text.splitlines()
    assert lines[0].split() == ["scenario", "conns", "req/s", "p50", "ms", "p90", "ms", "p99", "ms", "SQL/req",
                                "errors", "CPU", "ms/req"]
    assert lines[3].split()[:3] == ["me", "1", "600"] and "4 (dup 2)" in text and "floor (me)" in text
    assert "ratio me/floor: 0.60" in text and "[MISS] p99 users_page (ms): 60.00 (target <= 50)" in text
    first = report.write(results, tmp_path / "results", "2026-01-02")
    second = report.write(results, tmp_path / "results", "2026-01-02")
    assert (first.name, second.name) == ("2026-01-02.json", "2026-01-02-2.json")
    assert json.loads(first.read_text())["ratios"]["me/floor"] == 0.6
    assert report.machine()["nproc"] >= 1


def test_the_ratios_are_the_median_of_the_paired_rounds():
    rows = {"me": {"rps": 500.0}, "floor (me)": {"rps": 1000.0}, "health": {"rps": 900.0},
            "hello (health)": {"rps": 1000.0}}
    # rounds measured side by side win over the single runs (taken minutes apart)
    assert report.ratios(rows, {"me/floor": [0.48, 0.61, 0.52]}) == {"me/floor": 0.52, "health/hello": 0.9}
    assert report.ratios(rows, {}) == {"me/floor": 0.5, "health/hello": 0.9}
    assert report.ratios({"me": {"rps": 500.0}}, {"me/floor": []}) == {}
    results = {**_results(), "ratios": {"me/floor": 0.52}, "paired_rounds": {"me/floor": [0.48, 0.61, 0.52]}}
    assert "ratio me/floor: 0.52 (median of 3 paired rounds: 0.48, 0.61, 0.52)" in report.table(results)
    assert "ratio me/floor: 0.60 (single runs)" in report.table(_results())


def test_the_cpu_ratios_are_the_floor_s_cpu_per_request_over_wiwebb_s():
    rows = {"me": {"cpu_ms": 2.0}, "floor (me)": {"cpu_ms": 0.9}, "health": {"cpu_ms": 1.0},
            "hello (health)": {"cpu_ms": None}}
    assert report.cpu_ratios(rows) == {"me/floor": 0.45}
    results = {**_results(), "cpu_ratios": {"me/floor": 0.45}}
    assert "CPU ratio me/floor: 0.45 (the floor's server CPU per request over WiWebb's" in report.table(results)
    # informational: the targets stay in req/s
    assert all("CPU" not in target.name for target in report.targets(results))


def test_the_number_of_paired_rounds_is_checked():
    assert [run.pair_count(t) for t in ("", "0", " 7 ")] == [5, 0, 7]
    with pytest.raises(ValueError, match=r"^BENCH_PAIR_DURATION: at least 1s"):
        run.duration_seconds("0.5s", "BENCH_PAIR_DURATION")
    for bad in ("three", "-1"):
        with pytest.raises(ValueError, match="BENCH_PAIRS"):
            run.pair_count(bad)


def test_instruction_counts_are_read_from_callgrind_and_tabled():
    from bench import instructions

    output = "==1== Events    : Ir\n==1== Collected : 358662300\n==1== \n==1== I   refs:      358,662,300\n"
    assert instructions.parse_refs(output) == 358_662_300
    with pytest.raises(ValueError, match="I refs"):
        instructions.parse_refs("valgrind: command not found")
    text = instructions.table({("me", "wiwebb"): 1_800_000, ("me", "floor"): 300_000, ("health", "wiwebb"): 400_000})
    assert "me        wiwebb                  1,800,000" in text
    assert "floor/wiwebb, me: 0.17 (WiWebb runs 6.0 times the floor's)" in text
    assert "health" not in text.split("floor/wiwebb")[1]  # no hello counted: no health ratio


def test_the_instruction_harness_calls_a_wsgi_app_as_a_server_would():
    from bench import floor, instructions
    from bench.load import Request

    environ = instructions.wsgi_environ(Request("POST", "/api/v1/auth/login/?next=1", {
        "Content-Type": "application/json", "Authorization": "Token abc"}, '{"a": 1}'))
    assert (environ["PATH_INFO"], environ["QUERY_STRING"], environ["CONTENT_TYPE"], environ["CONTENT_LENGTH"],
            environ["HTTP_AUTHORIZATION"], environ["wsgi.input"].read()) == (
        "/api/v1/auth/login/", "next=1", "application/json", "8", "Token abc", b'{"a": 1}')
    assert instructions.answer(floor.hello_app, Request("GET", "/api/v1/health/")) == 200

    def refusing(environ, start_response):
        start_response("404 Not Found", [])
        return iter([b"{}"])

    assert instructions.answer(refusing, Request("GET", "/x")) == 404


def test_paired_rounds_swap_who_goes_first():
    assert [[label for label, _ in run.turns(n, "F", "W")] for n in range(3)] == [
        ["floor", "wiwebb"], ["wiwebb", "floor"], ["floor", "wiwebb"]]
    assert dict(run.turns(1, "F", "W")) == {"floor": "F", "wiwebb": "W"}
