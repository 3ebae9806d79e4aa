"""What a request costs the framework, kept low without changing what it does: health/ runs
outside pyramid_tm's transaction (every other request inside one), the request properties live on
one request class made at start-up (Pyramid would make a class per request), and the access line
is not built when nothing would write it."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
import transaction
import webtest

from wiwebb import app as composition
from wiwebb.entrypoints.http import request_log


def _count_begins(monkeypatch) -> list[str]:
    begun: list[str] = []
    begin = transaction.TransactionManager.begin

    def counting_begin(self):  # type: ignore[no-untyped-def]
        begun.append("begin")
        return begin(self)

    monkeypatch.setattr(transaction.TransactionManager, "begin", counting_begin)
    return begun


def test_health_runs_outside_a_transaction_and_every_other_request_inside_one(wsgi_app, monkeypatch):
    api = webtest.TestApp(wsgi_app)  # the plain one: `api` checks answers with requests of its own
    begun = _count_begins(monkeypatch)
    assert api.get("/api/v1/health/").json["status"] == "ok"
    api.head("/api/v1/health/")
    assert begun == []
    api.get("/api/v1/auth/user/", status=401)
    api.post_json("/api/v1/health/", {}, status=405)
    api.get("/api/v1/health", status=308)  # not the probe's path: the redirect runs in the transaction
    assert begun == ["begin"] * 3


def test_request_properties_live_on_one_class_made_at_start(wsgi_app, monkeypatch):
    api = webtest.TestApp(wsgi_app)
    classes: list[type] = []
    make_services = composition.RequestServices.__init__

    def recording(self, request, adapters):  # type: ignore[no-untyped-def]
        classes.append(type(request))
        make_services(self, request, adapters)

    monkeypatch.setattr(composition.RequestServices, "__init__", recording)
    api.get("/api/v1/health/")
    api.get("/api/v1/health/")
    api.get("/api/v1/meta/")
    assert len(classes) == 3 and len(set(classes)) == 1  # Pyramid alone makes a class per request
    assert classes[0] is wsgi_app.request_factory
    for name in ("dbsession", "services", "session_of_token", "client_ip", "tm"):
        assert name in vars(wsgi_app.request_factory), name


def test_a_subrequest_made_by_the_request_factory_has_every_request_property(wsgi_app):
    """Library users who call the app from within: their requests come from `app.request_factory`."""
    answer = wsgi_app.invoke_subrequest(wsgi_app.request_factory.blank("/api/v1/meta/"), use_tweens=True)
    assert answer.status_int == 200 and answer.json["version"]


def test_the_access_line_is_not_built_when_the_access_log_is_off(monkeypatch):
    def refuse(path: str) -> str:
        raise AssertionError("the access line was built")

    monkeypatch.setattr(request_log, "printable", refuse)
    request = SimpleNamespace(method="GET", request_id="r1")
    response = SimpleNamespace(status_int=200)
    trace, policy = request_log.UnknownSql(), request_log.RequestLogPolicy()
    level = request_log.access_log.level
    try:
        request_log.access_log.setLevel(logging.WARNING)
        request_log.log_request(request, response, "/api/v1/health/", 1.0, trace, policy)
        request_log.access_log.setLevel(logging.INFO)
        with pytest.raises(AssertionError, match="access line"):  # at INFO it is built
            request_log.log_request(request, response, "/api/v1/health/", 1.0, trace, policy)
    finally:
        request_log.access_log.setLevel(level)


def test_a_request_that_only_authenticates_makes_no_orm_session(api, monkeypatch):
    """GET auth/user/ answers from authentication's one statement, on the request's connection."""
    from wiwebb.adapters.request_database import RequestDatabase

    token = api.register(username="solo")["key"]
    made: list[str] = []
    make_session = RequestDatabase.session

    def recording(self):  # type: ignore[no-untyped-def]
        made.append("session")
        return make_session(self)

    monkeypatch.setattr(RequestDatabase, "session", recording)
    me = api.get("/api/v1/auth/user/", headers=api.auth(token)).json
    assert me["username"] == "solo" and made == []
    api.get("/api/v1/auth/user/", headers=api.auth("0" * 40), status=401)
    assert made == []
    changed = api.patch_json("/api/v1/auth/user/", {"first_name": "Solo"}, headers=api.auth(token)).json
    assert changed["first_name"] == "Solo" and made == ["session"]
    assert api.get("/api/v1/auth/user/", headers=api.auth(token)).json["first_name"] == "Solo"


def test_an_answered_request_is_freed_at_once_not_by_the_cycle_collector(api, monkeypatch):
    """No reference cycle runs through the request (request.services holds it weakly): the cycle
    collector, which has to walk everything a request held, has nothing to do after health/ or
    auth/user/."""
    import gc
    import weakref

    token = api.register(username="freed")["key"]
    requests: list[weakref.ref] = []
    make_services = composition.RequestServices.__init__

    def recording(self, request, adapters):  # type: ignore[no-untyped-def]
        requests.append(weakref.ref(request))
        make_services(self, request, adapters)

    monkeypatch.setattr(composition.RequestServices, "__init__", recording)
    gc.collect()
    gc.disable()
    try:
        api.get("/api/v1/health/")
        api.get("/api/v1/auth/user/", headers=api.auth(token))
        api.patch_json("/api/v1/auth/user/", {"first_name": "Freed"}, headers=api.auth(token))
        assert len(requests) == 3
        assert [ref() for ref in requests] == [None, None, None]
    finally:
        gc.enable()
