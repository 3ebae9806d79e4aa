"""The access log and request tracing: one line per request with its id, method, path, status,
duration, the user and tenant when it authenticated, and the SQL statements it ran (exactly: an
independent listener on the engine counts the same); every line logged while a request is
handled carries its id; a 500 logs its traceback with that id; with DEBUG on, a request over
SQL_WARN_STATEMENTS logs a warning naming its route.

The servers' own setup (the ini files' logging sections) is tested in test_server_logs.py."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid

import pytest
import stripe
import webtest
from webob import Request

from wiwebb.adapters.logs import JsonFormatter, TextFormatter
from wiwebb.adapters.mail import InMemoryMailer
from wiwebb.app import build_app
from wiwebb.domain.identity import IdentityService

from ..conftest import make_settings
from .log_capture import JSON_KEYS, captured_logs
from .test_query_counts import counting

ROOT_PASSWORD = "Correct-horse-battery-9"
WEBHOOK_SECRET = "whsec_request_logs"


def make_app(database, tmp_path, **overrides: str):
    settings = make_settings(database.url.render_as_string(False), tmp_path, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                             **overrides)
    return build_app(settings, database=database, mailer=InMemoryMailer(), wait_for_database=False)


def seed_root(app, database) -> None:
    with database.session(write=True) as session, session.begin():
        app.adapters.identity(session).create_superuser(username="root", email="root@acme.test",
                                                        password=ROOT_PASSWORD)


def login(api: webtest.TestApp, username: str, password: str) -> dict[str, str]:
    key = api.post_json("/api/v1/auth/login/", {"username": username, "password": password}).json["key"]
    headers = {"Authorization": f"Token {key}"}
    api.get("/api/v1/auth/user/", headers=headers)  # a token's first use is touched: keep it out of counts
    return headers


@pytest.fixture
def app(database, tmp_path):
    app = make_app(database, tmp_path)
    seed_root(app, database)
    return app


@pytest.fixture
def api(app) -> webtest.TestApp:
    return webtest.TestApp(app)


@pytest.fixture
def root(api) -> dict[str, str]:
    return login(api, "root", ROOT_PASSWORD)


def only(lines: list[dict], **match) -> dict:
    found = [line for line in lines if all(line.get(k) == v for k, v in match.items())]
    assert len(found) == 1, (match, lines)
    return found[0]


# -- the access line ---------------------------------------------------------------------------------

def test_the_access_line_has_every_field_and_the_statements_it_really_ran(api, root, database):
    with captured_logs() as logs, counting(database.engine) as independent:
        body = api.get("/api/v1/users/", headers={**root, "X-Request-ID": "trace-users-1"}).json
    line = only(logs.access(), request_id="trace-users-1")
    assert set(line) == JSON_KEYS
    assert (line["level"], line["method"], line["path"], line["status"]) == ("INFO", "GET", "/api/v1/users/", 200)
    assert line["user_id"] == body["results"][0]["id"] and line["tenant_id"] is None  # root, of no tenant
    assert line["sql_statements"] == len(independent.statements) > 0
    assert isinstance(line["sql_ms"], float) and 0 <= line["sql_ms"] <= line["duration_ms"]
    assert line["message"].startswith(f"GET /api/v1/users/ 200 {line['duration_ms']:.1f}ms "
                                      f"sql={line['sql_statements']}/")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])


@pytest.mark.parametrize(("method", "url", "body"), [
    ("GET", "/api/v1/health/", None),
    ("POST", "/api/v1/auth/login/", {"username": "root", "password": ROOT_PASSWORD}),
    ("POST", "/api/v1/auth/login/", {"username": "root", "password": "wrong"}),
    ("POST", "/api/v1/tenants/", {"name": "Acme"}),
    ("GET", "/api/v1/tenants/", None),
    ("GET", "/api/v1/nowhere/", None),
])
def test_each_request_logs_exactly_the_statements_the_database_received(api, root, database, method, url, body):
    with captured_logs() as logs, counting(database.engine) as independent:
        request_id = uuid.uuid4().hex
        headers = {**root, "X-Request-ID": request_id}
        if method == "GET":
            api.get(url, headers=headers, status="*")
        else:
            api.post_json(url, body, headers=headers, status="*")
    assert only(logs.access(), request_id=request_id)["sql_statements"] == len(independent.statements)


def test_user_and_tenant_are_logged_once_the_request_authenticated(api, root):
    tenant = api.post_json("/api/v1/tenants/", {"name": "Acme"}, headers=root).json["id"]
    api.post_json("/api/v1/auth/registration/", {"username": "alice", "email": "alice@acme.test",
                                                 "password1": "First-secret-41", "password2": "First-secret-41"})
    alice = login(api, "alice", "First-secret-41")
    alice_id = api.get("/api/v1/auth/user/", headers=alice).json["id"]
    api.patch_json(f"/api/v1/users/{alice_id}/", {"role": "tenant_owner", "tenant": tenant}, headers=root)
    with captured_logs() as logs, captured_logs(TextFormatter()) as text:
        api.get("/api/v1/auth/user/", headers={**alice, "X-Request-ID": "trace-alice"})
    line = only(logs.access(), request_id="trace-alice")
    assert (line["user_id"], line["tenant_id"]) == (alice_id, tenant)
    assert re.search(rf"\[wiwebb\.access\] GET /api/v1/auth/user/ 200 \d+\.\dms sql=\d+/\d+\.\dms "
                     rf"user={alice_id} tenant={tenant} request_id=trace-alice$", text.text.strip()), text.text


def test_health_and_login_never_authenticate_for_the_log(api, root, database):
    """A stale token on health or login is not looked up (no user on the line, no extra SQL)."""
    stale = {"Authorization": "Token " + "0" * 40}
    with captured_logs() as logs:
        api.get("/api/v1/health/", headers={"X-Request-ID": "plain"})
        time.sleep(1.1)  # health reuses its database check for a second: let both run it
        api.get("/api/v1/health/", headers={**stale, "X-Request-ID": "stale"})
        api.post_json("/api/v1/auth/login/", {"username": "root", "password": ROOT_PASSWORD},
                      headers={**root, "X-Request-ID": "login"})
    lines = logs.access()
    plain, with_stale, logged_in = (only(lines, request_id=i) for i in ("plain", "stale", "login"))
    assert plain["sql_statements"] == with_stale["sql_statements"]
    assert plain["user_id"] is with_stale["user_id"] is logged_in["user_id"] is None


# -- every line of a request carries its id ----------------------------------------------------------

def test_lines_logged_while_handling_a_request_carry_its_id(api):
    payload = json.dumps({"id": "evt_log_1", "object": "event", "type": "customer.created", "created": 1,
                          "data": {"object": {"object": "customer", "id": "cus_1"}}})
    header = stripe.WebhookSignature.generate_signature_header(payload, WEBHOOK_SECRET, timestamp=int(time.time()))
    with captured_logs() as logs:
        api.post("/api/v1/payments/webhook/", payload, headers={
            "Stripe-Signature": header, "Content-Type": "application/json", "X-Request-ID": "trace-hook"})
    webhook = only(logs.lines(), message="Stripe webhook evt_log_1 customer.created: ignored")
    assert (webhook["request_id"], webhook["method"], webhook["path"]) == (
        "trace-hook", "POST", "/api/v1/payments/webhook/")
    assert webhook["status"] is None  # only the access line has the answer's fields
    with captured_logs() as outside:
        logging.getLogger("wiwebb.test").warning("not in a request")
    assert outside.lines()[0]["request_id"] is None


def test_a_500_logs_its_traceback_with_the_request_id_of_its_body(api, monkeypatch):
    def explode(self, *args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(IdentityService, "login", explode)
    with captured_logs() as logs:
        response = api.post_json("/api/v1/auth/login/", {"username": "a", "password": "b"}, status=500)
    request_id = response.json["request_id"]
    assert response.json == {"detail": "A server error occurred.", "request_id": request_id}
    error = only(logs.lines(), logger="wiwebb.errors")
    assert (error["level"], error["request_id"]) == ("ERROR", request_id)
    assert "Traceback (most recent call last)" in error["traceback"] and "RuntimeError: kaboom" in error["traceback"]
    assert only(logs.access(), request_id=request_id)["status"] == 500


# -- DEBUG: too many statements ----------------------------------------------------------------------

def _statements_of_users_list(api, root) -> int:
    with captured_logs() as logs:
        api.get("/api/v1/users/", headers={**root, "X-Request-ID": "measure"})
    return only(logs.access(), request_id="measure")["sql_statements"]


@pytest.mark.parametrize("debug", ["true", "false"])
def test_with_debug_a_request_over_the_threshold_warns_naming_its_route(database, tmp_path, debug):
    measuring = make_app(database, tmp_path)
    seed_root(measuring, database)
    api = webtest.TestApp(measuring)
    root = login(api, "root", ROOT_PASSWORD)
    cost = _statements_of_users_list(api, root)
    for threshold, warns in ((cost - 1, debug == "true"), (cost, False)):
        api = webtest.TestApp(make_app(database, tmp_path, DEBUG=debug, SQL_WARN_STATEMENTS=str(threshold)))
        with captured_logs() as logs:
            api.get("/api/v1/users/", headers={**root, "X-Request-ID": f"t{threshold}"})
        assert only(logs.access(), request_id=f"t{threshold}")["sql_statements"] == cost
        warnings = [line for line in logs.lines() if line["logger"] == "wiwebb.sql"]
        if warns:
            assert [(w["level"], w["message"], w["request_id"]) for w in warnings] == [(
                "WARNING", f"GET /api/v1/users/ (route users) ran {cost} SQL statements "
                           f"(over SQL_WARN_STATEMENTS={threshold})", f"t{threshold}")]
        else:
            assert warnings == []


# -- threads: each request counts its own statements -------------------------------------------------

@pytest.mark.sqlite
def test_concurrent_requests_each_log_their_own_statements(sqlite_database, tmp_path):
    app = make_app(sqlite_database, tmp_path)
    seed_root(app, sqlite_database)
    root = login(webtest.TestApp(app), "root", ROOT_PASSWORD)
    urls = ["/api/v1/users/", "/api/v1/nowhere/", "/api/v1/tenants/", "/api/v1/audit-logs/"]

    def call(url: str, request_id: str) -> None:
        request = Request.blank(url, headers={**root, "X-Request-ID": request_id})
        assert request.get_response(app).status_int in (200, 404)

    with captured_logs() as logs:
        for i, url in enumerate(urls):
            call(url, f"alone-{i}")
        threads = [threading.Thread(target=lambda n=n: [call(url, f"t{n}-{i}") for i, url in enumerate(urls)])
                   for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    lines = {line["request_id"]: line for line in logs.access()}
    alone = [lines[f"alone-{i}"]["sql_statements"] for i in range(len(urls))]
    assert len(set(alone)) > 1  # the requests differ, so a mix-up between threads would show
    for n in range(8):
        assert [lines[f"t{n}-{i}"]["sql_statements"] for i in range(len(urls))] == alone


def test_the_json_formatter_keeps_a_multiline_message_on_one_line():
    record = logging.LogRecord("wiwebb.x", logging.INFO, __file__, 1, "two\nlines", None, None)
    assert json.loads(JsonFormatter().format(record))["message"] == "two\nlines"
    assert "\n" not in JsonFormatter().format(record)
