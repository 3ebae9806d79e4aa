from __future__ import annotations

import pytest
import webtest

from wiwebb.app import build_app

from ..conftest import make_settings


class Api(webtest.TestApp):
    """WebTest with the few shortcuts the functional tests share."""

    def login(self, username: str, password: str) -> str:
        return self.post_json("/api/v1/auth/login/", {"username": username, "password": password}).json["key"]

    def register(self, username: str = "alice", password: str = "correct-horse-9", **extra: str) -> dict:
        body = {"username": username, "email": f"{username}@acme.test", "password1": password,
                "password2": password, **extra}
        return self.post_json("/api/v1/auth/registration/", body, status=201).json

    @staticmethod
    def auth(key: str) -> dict[str, str]:
        return {"Authorization": f"Token {key}"}


@pytest.fixture
def settings(database, tmp_path):
    return make_settings(database.url.render_as_string(False), tmp_path)


@pytest.fixture
def wsgi_app(settings, database):
    return build_app(settings, database=database, wait_for_database=False)


@pytest.fixture
def api(wsgi_app) -> Api:
    return Api(wsgi_app)


@pytest.fixture
def identity_of(wsgi_app, database):
    """Run domain work directly (seeding) in a committed transaction of its own."""

    def run(work):
        with database.session(write=True) as session, session.begin():
            return work(wsgi_app.adapters.identity(session))

    return run
