from __future__ import annotations

import pytest
import webtest

from wiwebb.adapters.mail import InMemoryMailer
from wiwebb.app import build_app

from ..conftest import make_settings
from .conformance import conformance_of


class Api(webtest.TestApp):
    """WebTest with the few shortcuts the functional tests share, which checks every answer
    against the OpenAPI description (see `conformance.py`)."""

    def do_request(self, req, status=None, expect_errors=None):  # type: ignore[no-untyped-def]
        response = super().do_request(req, status=status, expect_errors=expect_errors)
        conformance_of(self.app).check(req.method, req.environ.get("PATH_INFO", ""), response.status_int,
                                       response.headers, response.content_type or "", response.body)
        return response

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
def mailer() -> InMemoryMailer:
    return InMemoryMailer()


@pytest.fixture
def gateway():
    """The payment provider: none by default; billing tests override this with a fake."""
    return None


@pytest.fixture
def wsgi_app(settings, database, mailer, gateway):
    return build_app(settings, database=database, mailer=mailer, gateway=gateway, wait_for_database=False)


@pytest.fixture
def make_api(database, mailer, tmp_path):
    """An API with settings of the test's own (throttling, CORS, ...)."""

    def make(**overrides: str) -> Api:
        settings = make_settings(database.url.render_as_string(False), tmp_path, **overrides)
        return Api(build_app(settings, database=database, mailer=mailer, wait_for_database=False))

    return make


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


@pytest.fixture
def root(api, identity_of) -> dict[str, str]:
    """Authorization headers of a superadmin."""
    identity_of(lambda identity: identity.create_superuser(username="root", email="root@wiwebb.test",
                                                           password="correct-horse-9"))
    return Api.auth(api.login("root", "correct-horse-9"))
