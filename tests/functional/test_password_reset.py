"""Password reset over HTTP: request, the mail and its link, confirm, log in with the new password."""

from __future__ import annotations

import re

RESET = "/api/v1/auth/password/reset/"
CONFIRM = "/api/v1/auth/password/reset/confirm/"
SENT = {"detail": "Password reset e-mail has been sent."}
NEW = {"new_password1": "brand-new-pass-1", "new_password2": "brand-new-pass-1"}


def link_in(mail) -> tuple[str, str, str]:
    match = re.search(r"(https?://[^/\s]+)/reset-password/([^/\s]+)/([^/\s]+)/", mail.text)
    assert match, mail.text
    assert match.group(0) in mail.html
    return match.group(1), match.group(2), match.group(3)


def test_reset_end_to_end(api, mailer):
    old_key = api.register()["key"]
    assert api.post_json(RESET, {"email": "Alice@ACME.test"}).json == SENT
    [mail] = mailer.sent
    assert mail.to == "alice@acme.test" and mail.from_address == "WiWebb <noreply@localhost>"
    base, uid, token = link_in(mail)
    assert base == "http://localhost:8000"  # no FRONTEND_URL: where `make run` serves
    answer = api.post_json(CONFIRM, {"uid": uid, "token": token, **NEW}).json
    assert answer == {"detail": "Password has been reset with the new password."}
    api.get("/api/v1/auth/user/", headers=api.auth(old_key), status=401)  # every token revoked
    assert api.login("alice", "brand-new-pass-1")
    assert api.post_json(CONFIRM, {"uid": uid, "token": token, **NEW}, status=400).json == {
        "token": ["Invalid value"]}
    assert mailer.sent[-1].subject == "Your WiWebb password was changed"


def test_unknown_address_gets_the_same_answer_and_no_mail(api, mailer):
    assert api.post_json(RESET, {"email": "nobody@acme.test"}).json == SENT
    assert mailer.sent == []


def test_the_host_header_never_chooses_where_links_point(api, mailer):
    api.register()
    api.post_json(RESET, {"email": "alice@acme.test"}, headers={"Host": "attacker.example"})
    assert link_in(mailer.sent[0])[0] == "http://localhost:8000"


def test_links_point_at_frontend_url(make_api, mailer):
    api = make_api(FRONTEND_URL="http://localhost:5173")
    api.register()
    api.post_json(RESET, {"email": "alice@acme.test"})
    assert link_in(mailer.sent[0])[0] == "http://localhost:5173"


def test_confirm_errors(api, mailer):
    api.register()
    api.post_json(RESET, {"email": "alice@acme.test"})
    _, uid, token = link_in(mailer.sent[0])
    assert api.post_json(CONFIRM, {"uid": "???", "token": token, **NEW}, status=400).json == {
        "uid": ["Invalid value"]}
    assert api.post_json(CONFIRM, {"uid": uid, "token": "1-2", **NEW}, status=400).json == {
        "token": ["Invalid value"]}
    mismatch = {"uid": uid, "token": token, "new_password1": "brand-new-pass-1", "new_password2": "x-brand-new-1"}
    assert api.post_json(CONFIRM, mismatch, status=400).json == {
        "new_password2": ["The two password fields didn\u2019t match."]}
    weak = {"uid": uid, "token": token, "new_password1": "12345678", "new_password2": "12345678"}
    assert api.post_json(CONFIRM, weak, status=400).json == {
        "new_password2": ["This password is too common.", "This password is entirely numeric."]}
    assert api.post_json(RESET, {}, status=400).json == {"email": ["This field is required."]}


def test_a_rolled_back_request_sends_nothing(api, mailer, monkeypatch):
    from wiwebb.domain.identity import IdentityService

    api.register()
    original = IdentityService.request_password_reset

    def queue_then_fail(self, *args, **kwargs):
        original(self, *args, **kwargs)
        raise RuntimeError("boom after queueing")

    monkeypatch.setattr(IdentityService, "request_password_reset", queue_then_fail)
    api.post_json(RESET, {"email": "alice@acme.test"}, status=500)
    assert mailer.sent == []


def test_password_change_sends_a_notice(api, mailer):
    key = api.register()["key"]
    api.post_json("/api/v1/auth/password/change/", {"old_password": "correct-horse-9", **NEW}, headers=api.auth(key))
    [notice] = mailer.sent
    assert notice.subject == "Your WiWebb password was changed" and notice.to == "alice@acme.test"
