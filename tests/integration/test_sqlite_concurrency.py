"""SQLite under the threaded waitress server: concurrent writes never answer `database is locked`.

Writers start with BEGIN IMMEDIATE and wait for the lock (busy timeout) instead of failing; token
`last_used` updates run after the request in their own short transaction.
"""

from __future__ import annotations

import http.client
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from webtest.http import StopableWSGIServer

from wiwebb.app import build_app

from ..conftest import make_settings

WORKERS = 8
ROUNDS = 4


@pytest.fixture
def server(sqlite_database, tmp_path):
    settings = make_settings(sqlite_database.url.render_as_string(False), tmp_path)
    app = build_app(settings, database=sqlite_database, wait_for_database=False)
    server = StopableWSGIServer.create(app, host="127.0.0.1", threads=WORKERS)
    try:
        for _ in range(200):  # until it answers (the server starts in a thread of its own)
            try:
                if call(server.adj.port, "GET", "/api/v1/health/")[0] == 200:
                    break
            except OSError:
                threading.Event().wait(0.05)
        yield server.adj.port
    finally:
        server.shutdown()


def call(port: int, method: str, path: str, body: dict | None = None, key: str | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Token {key}"
    try:
        connection.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


def user_session(port: int, n: int) -> list[int]:
    """Register, then log in, read, edit the profile and change the password, several times."""
    statuses = []
    password = "correct-horse-9"
    status, answer = call(port, "POST", "/api/v1/auth/registration/", {
        "username": f"user{n}", "email": f"user{n}@acme.test", "password1": password, "password2": password})
    statuses.append(status)
    key = answer["key"]
    for round_ in range(ROUNDS):
        new_password = f"brand-new-pass-{round_}"
        statuses += [
            call(port, "POST", "/api/v1/auth/login/", {"username": f"user{n}", "password": password})[0],
            call(port, "GET", "/api/v1/auth/user/", key=key)[0],
            call(port, "PATCH", "/api/v1/auth/user/", {"bio": f"round {round_}"}, key=key)[0],
            call(port, "POST", "/api/v1/auth/password/change/", {
                "old_password": password, "new_password1": new_password, "new_password2": new_password}, key=key)[0],
        ]
        password = new_password
    return statuses


def test_concurrent_writers_all_succeed(server):
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(lambda n: user_session(server, n), range(WORKERS * 2)))
    statuses = [s for session in results for s in session]
    assert statuses.count(201) == WORKERS * 2
    assert set(statuses) == {200, 201}, sorted(set(statuses))
    status, answer = call(server, "POST", "/api/v1/auth/login/", {"username": "user3", "password": "brand-new-pass-3"})
    assert status == 200 and answer["user"]["bio"] == f"round {ROUNDS - 1}"
