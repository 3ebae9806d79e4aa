"""The database going away while serving: 503 with Retry-After, and recovery without a restart."""

from __future__ import annotations

import webtest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from wiwebb.adapters.database import Database, create_database_engine
from wiwebb.app import build_app

from ..conftest import make_settings
from .tcp_proxy import TcpProxy

LOGIN = "/api/v1/auth/login/"
UNAVAILABLE = {"detail": "Service temporarily unavailable."}


def test_503_while_the_database_is_down_then_recovery(postgres_engine, tmp_path):
    url = postgres_engine.url
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    proxy.start()
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(False)
    engine = create_database_engine(proxied)
    app = webtest.TestApp(build_app(make_settings(proxied, tmp_path), database=Database(engine),
                                    wait_for_database=False))
    credentials = {"username": "nobody", "password": "whatever-1"}
    try:
        app.post_json(LOGIN, credentials, status=400)  # the database answers: bad credentials

        proxy.cut()
        response = app.post_json(LOGIN, credentials, status=503)
        assert response.json == UNAVAILABLE
        assert int(response.headers["Retry-After"]) > 0
        token = {"Authorization": "Token " + "a" * 40}  # the mobile app sends its token on every request
        assert app.get("/api/v1/auth/user/", headers=token, status=503).json == UNAVAILABLE
        app.post_json(LOGIN, credentials, headers=token, status=503)
        health = app.get("/api/v1/health/", headers=token, status=503)
        assert health.json["database"] == "unreachable"
        assert health.headers["Retry-After"]

        proxy.start()
        app.post_json(LOGIN, credentials, status=400)  # pooled connections were dead: recovered
    finally:
        proxy.cut()
        engine.dispose()
        # This test commits for real (its failed logins are audited): leave the shared database clean.
        with postgres_engine.begin() as connection:
            connection.execute(text("DELETE FROM audit_log"))


def test_503_when_the_database_never_answers(tmp_path):
    url = make_url("postgresql+psycopg2://postgres@127.0.0.1:1/none").render_as_string(False)
    app = webtest.TestApp(build_app(make_settings(url, tmp_path), database=Database(create_database_engine(url)),
                                    wait_for_database=False))
    assert app.post_json(LOGIN, {"username": "a", "password": "b"}, status=503).json == UNAVAILABLE
