"""Throttling over HTTP: DRF's 429, scopes, per-username failed logins, client IP and proxies."""

from __future__ import annotations

import pytest

LOGIN = "/api/v1/auth/login/"
THROTTLED = {"detail": "Request was throttled. Expected available in 60 seconds."}


def attempt(api, n=1, username="nobody", addr="203.0.113.7", **headers):
    body = {"username": username, "password": "wrong-horse-1"}
    return [api.post_json(LOGIN, body, extra_environ={"REMOTE_ADDR": addr}, headers=headers, expect_errors=True)
            for _ in range(n)]


def test_login_scope_is_5_a_minute_per_ip_shared_with_registration_and_reset(make_api):
    api = make_api(THROTTLE_RATES="login=5/minute,failed_login=off")
    assert [r.status_int for r in attempt(api, 3)] == [400, 400, 400]
    api.post_json("/api/v1/auth/password/reset/", {"email": "a@b.test"}, extra_environ={"REMOTE_ADDR": "203.0.113.7"})
    api.post_json("/api/v1/auth/registration/", {}, extra_environ={"REMOTE_ADDR": "203.0.113.7"}, status=400)
    [throttled] = attempt(api)
    assert throttled.status_int == 429 and throttled.json == THROTTLED
    assert throttled.headers["Retry-After"] == "60"
    assert [r.status_int for r in attempt(api, addr="198.51.100.1")] == [400]  # another client


def test_health_is_never_throttled(make_api):
    api = make_api(THROTTLE_RATES="anon=1/minute")
    for _ in range(5):
        api.get("/api/v1/health/")


def test_anonymous_and_user_scopes(make_api):
    api = make_api(THROTTLE_RATES="anon=2/minute,user=3/minute")
    api.get("/api/v1/meta/")
    api.get("/api/v1/meta/")
    assert api.get("/api/v1/meta/", status=429).json == THROTTLED
    key = api.register()["key"]  # registration is the login scope, off here
    for _ in range(3):
        api.get("/api/v1/auth/user/", headers=api.auth(key))
    response = api.get("/api/v1/auth/user/", headers=api.auth(key), status=429)
    assert response.headers["Retry-After"] == "60"


def test_authentication_and_permission_come_before_throttling(make_api):
    api = make_api(THROTTLE_RATES="anon=1/minute")
    api.get("/api/v1/meta/")
    assert api.get("/api/v1/meta/", headers={"Authorization": "Token bad"}, status=401)
    assert api.get("/api/v1/auth/user/", status=401)


def test_a_scope_can_be_switched_off(make_api):
    api = make_api(THROTTLE_LOGIN="off", THROTTLE_FAILED_LOGIN="off")
    assert {r.status_int for r in attempt(api, 8)} == {400}


def test_failed_logins_per_username_from_many_addresses(make_api):
    api = make_api(THROTTLE_RATES="login=off,failed_login=3/hour")
    api.register()
    for n in range(3):
        assert attempt(api, username="alice", addr=f"198.51.100.{n}")[0].status_int == 400
    [blocked] = attempt(api, username="alice", addr="198.51.100.99")
    assert blocked.status_int == 429 and blocked.json == {
        "detail": "Request was throttled. Expected available in 3600 seconds."}
    api.post_json(LOGIN, {"username": "alice", "password": "correct-horse-9"}, status=429)
    # unknown names are counted alike, so the limit reveals nothing
    assert [r.status_int for r in attempt(api, 4, username="ghost")] == [400, 400, 400, 429]


def test_a_completed_reset_clears_the_failed_login_limit(make_api, mailer):
    import re

    api = make_api(THROTTLE_RATES="login=off,failed_login=2/hour")
    api.register()
    attempt(api, 2, username="alice")
    api.post_json(LOGIN, {"username": "alice", "password": "correct-horse-9"}, status=429)
    api.post_json("/api/v1/auth/password/reset/", {"email": "alice@acme.test"})
    uid, token = re.search(r"/reset-password/([^/]+)/([^/]+)/", mailer.sent[0].text).groups()
    api.post_json("/api/v1/auth/password/reset/confirm/", {
        "uid": uid, "token": token, "new_password1": "brand-new-pass-1", "new_password2": "brand-new-pass-1"})
    assert api.login("alice", "brand-new-pass-1")


@pytest.mark.parametrize("trusted", ["", "10.0.0.0/8"])
def test_x_forwarded_for_is_believed_only_from_trusted_proxies(make_api, trusted):
    api = make_api(THROTTLE_RATES="login=2/minute,failed_login=off", TRUSTED_PROXIES=trusted)
    # a client sending the header itself cannot look like many clients
    statuses = [attempt(api, addr="203.0.113.7", **{"X-Forwarded-For": f"192.0.2.{n}"})[0].status_int
                for n in range(3)]
    assert statuses == [400, 400, 429]
    # through a trusted proxy (10.0.0.2) each forwarded client has its own budget
    statuses = [attempt(api, addr="10.0.0.2", **{"X-Forwarded-For": f"192.0.2.{n}, 10.0.0.3"})[0].status_int
                for n in range(3)]
    assert statuses == ([400, 400, 400] if trusted else [400, 400, 429])
