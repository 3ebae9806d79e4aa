"""Users over HTTP: create (with or without a password), read, update, delete, the actions,
filters, pagination, errors, and the audit trail."""

from __future__ import annotations

import re

USERS = "/api/v1/users/"


def tenant(api, root, name="Acme"):
    return api.post_json("/api/v1/tenants/", {"name": name}, headers=root).json["id"]


def create(api, headers, username, status=201, **fields):
    body = {"username": username, "email": f"{username}@acme.test", **fields}
    return api.post_json(USERS, body, headers=headers, status=status).json


def test_create_answers_the_full_user_with_its_id(api, root):
    acme = tenant(api, root)
    user = create(api, root, "alice", role="tenant_owner", tenant=acme, password="correct-horse-9",
                  first_name="Alice", is_staff=True, is_active=False, last_login="2020-01-01T00:00:00Z")
    assert isinstance(user["id"], int) and user["role"] == "tenant_owner"
    assert user["tenant"]["id"] == acme and user["tenant"]["slug"] == "acme"
    assert (user["is_staff"], user["is_active"], user["last_login"]) == (False, True, None)
    assert api.get(f"{USERS}{user['id']}/", headers=root).json == user
    assert api.login("alice", "correct-horse-9")


def test_a_user_created_without_password_is_invited_through_the_reset_flow(api, root, mailer):
    user = create(api, root, "bob")
    assert user["password_updated"] is None
    [mail] = mailer.sent
    assert mail.to == "bob@acme.test" and mail.subject == "Your WiWebb account"
    uid, token = re.search(r"/reset-password/([^/]+)/([^/]+)/", mail.text).groups()
    api.post_json("/api/v1/auth/password/reset/confirm/", {"uid": uid, "token": token,
                  "new_password1": "brand-new-pass-1", "new_password2": "brand-new-pass-1"})
    assert api.login("bob", "brand-new-pass-1")


def test_create_errors(api, root):
    create(api, root, "alice")
    assert create(api, root, "alice", status=400) == {
        "username": ["A user with that username already exists."],
        "email": ["A user with that email already exists."]}
    assert api.post_json(USERS, {}, headers=root, status=400).json == {
        "username": ["This field is required."], "email": ["This field is required."]}
    assert create(api, root, "carol", role="wizard", tenant="x", status=400) == {
        "role": ['"wizard" is not a valid choice.'], "tenant": ["A valid integer is required."]}
    assert create(api, root, "carol", role="tenant_owner", status=400) == {"tenant": ["This field is required."]}
    assert create(api, root, "carol", role="subscriber", tenant=999999, status=400) == {
        "tenant": ['Invalid pk "999999" - object does not exist.']}
    assert create(api, root, "carol", password="123", status=400) == {"password": [
        "This password is too short. It must contain at least 8 characters.",
        "This password is too common.", "This password is entirely numeric."]}


def test_staff_roles_have_no_tenant(api, root):
    acme = tenant(api, root)
    assert create(api, root, "staffer", role="admin", tenant=acme)["tenant"] is None


def test_filters_combine_and_pages_keep_them(api, root):
    acme, globex = tenant(api, root), tenant(api, root, "Globex")
    for n in range(5):
        create(api, root, f"ali{n}", tenant=acme)
    create(api, root, "alibaba", tenant=globex)
    create(api, root, "bob", tenant=acme)
    create(api, root, "alice_owner", role="tenant_owner", tenant=acme)
    page = api.get(f"{USERS}?tenant={acme}&role=subscriber&search=ali&page=2&page_size=2", headers=root).json
    assert page["count"] == 5
    assert [u["username"] for u in page["results"]] == ["ali2", "ali3"]
    assert page["next"] == (f"http://localhost/api/v1/users/?page=3&tenant={acme}&role=subscriber&search=ali"
                            "&page_size=2")
    assert page["previous"].startswith("http://localhost/api/v1/users/?page=1&")
    ordered = api.get(f"{USERS}?tenant={acme}&ordering=-username&page_size=100", headers=root).json["results"]
    assert [u["username"] for u in ordered][:2] == ["bob", "alice_owner"]
    assert api.get(f"{USERS}?is_active=false", headers=root).json["count"] == 0
    assert api.get(f"{USERS}?page_size=1000", headers=root).json["count"] == 9
    assert api.get(f"{USERS}?tenant=abc&role=x&is_active=2", headers=root, status=400).json == {
        "tenant": ["A valid integer is required."], "role": ['"x" is not a valid choice.'],
        "is_active": ["Must be a valid boolean."]}
    assert api.get(f"{USERS}?page=99", headers=root, status=404).json == {"detail": "Invalid page."}
    assert api.get(f"{USERS}?page=0", headers=root, status=404).json == {"detail": "Invalid page."}


def test_update_ignores_read_only_fields_and_audits(api, root):
    acme = tenant(api, root)
    user = create(api, root, "alice", tenant=acme)
    url = f"{USERS}{user['id']}/"
    changed = api.patch_json(url, {"first_name": "Al", "is_active": False, "is_superuser": True, "id": 1,
                                   "date_joined": "2000-01-01T00:00:00Z"}, headers=root).json
    assert (changed["first_name"], changed["is_active"], changed["is_superuser"], changed["id"]) == (
        "Al", True, False, user["id"])
    assert changed["date_joined"] == user["date_joined"]
    assert api.put_json(url, {"first_name": "x"}, headers=root, status=400).json == {
        "username": ["This field is required."], "email": ["This field is required."]}
    [entry] = api.get(f"/api/v1/audit-logs/?action=user_updated&target={user['id']}", headers=root).json["results"]
    assert entry["details"] == {"changes": {"first_name": {"from": "", "to": "Al"}}}
    assert entry["target"] == {"id": user["id"], "username": "alice"} and entry["tenant"] == acme


def test_activation_revokes_tokens_and_blocks_login(api, root):
    create(api, root, "alice", password="correct-horse-9")
    key = api.login("alice", "correct-horse-9")
    user_id = api.get("/api/v1/auth/user/", headers=api.auth(key)).json["id"]
    answer = api.post_json(f"{USERS}{user_id}/activate/", {"is_active": False}, headers=root).json
    assert answer["is_active"] is False
    api.get("/api/v1/auth/user/", headers=api.auth(key), status=401)
    assert api.post_json("/api/v1/auth/login/", {"username": "alice", "password": "correct-horse-9"},
                         status=400).json == {"non_field_errors": ["Unable to log in with provided credentials."]}
    # the guide's reactivation command: curl -X POST .../activate/ -d '{"is_active": true}'
    api.post(f"{USERS}{user_id}/activate/", '{"is_active": true}',
             headers={**root, "Content-Type": "application/x-www-form-urlencoded"})
    assert api.login("alice", "correct-horse-9")
    assert api.post_json(f"{USERS}{user_id}/activate/", {}, headers=root, status=400).json == {
        "is_active": ["This field is required."]}
    [entry, *_] = api.get("/api/v1/audit-logs/?action=activation_changed", headers=root).json["results"]
    assert entry["details"] == {"from": False, "to": True}


def test_assign_role_and_set_password(api, root):
    acme = tenant(api, root)
    user = create(api, root, "alice", tenant=acme, password="correct-horse-9")
    key = api.login("alice", "correct-horse-9")
    answer = api.post_json(f"{USERS}{user['id']}/assign-role/", {"role": "admin"}, headers=root).json
    assert (answer["role"], answer["tenant"], answer["is_staff"]) == ("admin", None, True)
    [entry] = api.get("/api/v1/audit-logs/?action=role_changed", headers=root).json["results"]
    assert entry["details"] == {"from": "subscriber", "to": "admin", "tenant": {"from": acme, "to": None}}
    assert api.post_json(f"{USERS}{user['id']}/assign-role/", {"role": "tenant_owner"}, headers=root,
                         status=400).json == {"tenant": ["This field is required."]}
    assert api.post_json(f"{USERS}{user['id']}/set-password/", {"new_password1": "brand-new-pass-1",
                                                                "new_password2": "brand-new-pass-1"},
                         headers=root).json == {"detail": "Password has been set."}
    api.get("/api/v1/auth/user/", headers=api.auth(key), status=401)
    assert api.login("alice", "brand-new-pass-1")


def test_delete_and_nobody_deletes_or_demotes_themselves(api, root):
    user = create(api, root, "alice")
    api.delete(f"{USERS}{user['id']}/", headers=root, status=204)
    api.get(f"{USERS}{user['id']}/", headers=root, status=404)
    [entry] = api.get("/api/v1/audit-logs/?action=user_deleted", headers=root).json["results"]
    assert entry["target"] == {"id": user["id"], "username": "alice"} and entry["details"]["username"] == "alice"
    me = api.get("/api/v1/auth/user/", headers=root).json["id"]
    forbidden = {"detail": "You do not have permission to perform this action."}
    assert api.delete(f"{USERS}{me}/", headers=root, status=403).json == forbidden
    assert api.post_json(f"{USERS}{me}/activate/", {"is_active": False}, headers=root, status=403).json == forbidden
    assert api.post_json(f"{USERS}{me}/assign-role/", {"role": "admin"}, headers=root, status=403).json == forbidden


def test_a_rolled_back_change_leaves_no_audit_entry(api, root, monkeypatch):
    from wiwebb.domain.user_admin import UserAdminService

    user = create(api, root, "alice")
    original = UserAdminService.set_active

    def fail_after(self, *args, **kwargs):
        original(self, *args, **kwargs)
        raise RuntimeError("after the change")

    monkeypatch.setattr(UserAdminService, "set_active", fail_after)
    api.post_json(f"{USERS}{user['id']}/activate/", {"is_active": False}, headers=root, status=500)
    assert api.get("/api/v1/audit-logs/?action=activation_changed", headers=root).json["count"] == 0
    assert api.get(f"{USERS}{user['id']}/", headers=root).json["is_active"] is True


def test_failed_logins_are_audited_although_the_request_fails(api, root):
    api.post_json("/api/v1/auth/login/", {"username": "root", "password": "wrong-horse-1"},
                  extra_environ={"REMOTE_ADDR": "203.0.113.9"}, status=400)
    [entry] = api.get("/api/v1/audit-logs/?action=login_failed", headers=root).json["results"]
    assert entry["details"] == {"username": "root", "ip": "203.0.113.9"}
    assert entry["target"]["username"] == "root" and entry["actor"] is None
    assert "wrong-horse-1" not in str(entry)


def test_dashboard_counts(api, root):
    acme = tenant(api, root)
    create(api, root, "owner", role="tenant_owner", tenant=acme, password="correct-horse-9")
    create(api, root, "sub", tenant=acme)
    tenant(api, root, "Globex")
    stats = api.get("/api/v1/dashboard/stats/", headers=root).json
    assert (stats["total_tenants"], stats["total_users"], stats["active_users"]) == (2, 3, 3)
    assert (stats["active_subscriptions"], stats["monthly_revenue"]) == (0, 0.0)
    assert len(stats["series"]) == 12 and re.fullmatch(r"\d{4}-\d{2}", stats["series"][-1]["month"])
    owner = api.auth(api.login("owner", "correct-horse-9"))
    mine = api.get("/api/v1/dashboard/stats/", headers=owner).json
    assert (mine["total_tenants"], mine["total_users"]) == (1, 2)


def test_the_audit_log_keeps_who_did_what_after_the_accounts_are_deleted(api, root):
    create(api, root, "admin1", role="admin", password="correct-horse-9")
    admin = api.auth(api.login("admin1", "correct-horse-9"))
    alice = create(api, admin, "alice")
    api.post_json(f"{USERS}{alice['id']}/activate/", {"is_active": False}, headers=admin)
    admin_id = api.get("/api/v1/auth/user/", headers=admin).json["id"]
    api.delete(f"{USERS}{alice['id']}/", headers=root, status=204)
    api.delete(f"{USERS}{admin_id}/", headers=root, status=204)
    [entry] = api.get("/api/v1/audit-logs/?action=activation_changed", headers=root).json["results"]
    assert entry["actor"] == {"id": admin_id, "username": "admin1"}
    assert entry["target"] == {"id": alice["id"], "username": "alice"}


def test_audit_filters_by_time_action_actor_and_tenant(api, root):
    from datetime import UTC, datetime, timedelta

    acme = tenant(api, root)
    create(api, root, "alice", tenant=acme)
    entries = api.get("/api/v1/audit-logs/", headers=root).json["results"]
    newest = entries[0]["timestamp"]
    assert [e["action"] for e in api.get(f"/api/v1/audit-logs/?since={newest}", headers=root).json["results"]] == [
        entries[0]["action"]]
    before = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    assert api.get(f"/api/v1/audit-logs/?until={before.replace('+00:00', 'Z')}", headers=root).json["count"] == 0
    assert api.get(f"/api/v1/audit-logs/?tenant={acme}&action=user_created", headers=root).json["count"] == 1
    assert api.get("/api/v1/audit-logs/?since=yesterday&actor=x", headers=root, status=400).json == {
        "since": ["Enter a valid date/time."], "actor": ["A valid integer is required."]}
