"""Tenants over HTTP: shape, slugs, uniqueness, filters, ordering, pagination, tenants/me, delete."""

from __future__ import annotations

TENANTS = "/api/v1/tenants/"
SHAPE = {"id", "uuid", "name", "slug", "is_active", "description", "email", "url", "user_count", "created_at",
         "updated_at"}


def make_owner(api, root, tenant_id, username="owner"):
    api.post_json("/api/v1/users/", {"username": username, "email": f"{username}@acme.test", "role": "tenant_owner",
                                     "tenant": tenant_id, "password": "correct-horse-9"}, headers=root)
    return api.auth(api.login(username, "correct-horse-9"))


def test_create_makes_the_slug_and_ignores_read_only_fields(api, root):
    tenant = api.post_json(TENANTS, {"name": "Acme Café", "id": 99, "uuid": "x", "user_count": 7,
                                     "created_at": "2000-01-01T00:00:00Z"}, headers=root, status=201).json
    assert set(tenant) == SHAPE
    assert (tenant["slug"], tenant["user_count"], tenant["email"], tenant["is_active"]) == ("acme-cafe", 0, None, True)
    assert tenant["id"] != 99 and tenant["created_at"].endswith("Z") and len(tenant["uuid"]) == 36
    second = api.post_json(TENANTS, {"name": "Acme-Cafe"}, headers=root, status=201).json
    assert second["slug"] == "acme-cafe-2"


def test_uniqueness_and_field_errors(api, root):
    api.post_json(TENANTS, {"name": "Acme", "slug": "acme"}, headers=root, status=201)
    assert api.post_json(TENANTS, {"name": "Acme", "slug": "acme"}, headers=root, status=400).json == {
        "name": ["tenant with this name already exists."], "slug": ["tenant with this slug already exists."]}
    assert api.post_json(TENANTS, {"email": "nope", "url": "nope"}, headers=root, status=400).json == {
        "name": ["This field is required."], "email": ["Enter a valid email address."],
        "url": ["Enter a valid URL."]}
    assert api.post(TENANTS, "{bad", headers={**root, "Content-Type": "application/json"}, status=400).json[
        "detail"].startswith("JSON parse error")
    assert api.post_json(TENANTS, {"name": "x" * 256}, headers=root, status=400).json == {
        "name": ["Ensure this field has no more than 255 characters."]}


def test_read_update_put_patch_and_unknown_id(api, root):
    tenant = api.post_json(TENANTS, {"name": "Acme"}, headers=root).json
    url = f"{TENANTS}{tenant['id']}/"
    assert api.get(url, headers=root).json == tenant
    patched = api.patch_json(url, {"description": "Rockets", "email": "hq@acme.test"}, headers=root).json
    assert (patched["description"], patched["email"], patched["name"]) == ("Rockets", "hq@acme.test", "Acme")
    assert api.put_json(url, {"description": "x"}, headers=root, status=400).json == {
        "name": ["This field is required."]}
    put = api.put_json(url, {"name": "Acme Inc", "is_active": False, "email": ""}, headers=root).json
    assert (put["name"], put["is_active"], put["email"], put["slug"]) == ("Acme Inc", False, None, "acme")
    assert api.get(f"{TENANTS}999999/", headers=root, status=404).json == {"detail": "Not found."}


def test_filters_search_ordering_and_pages(api, root):
    for name, active in (("Beta", True), ("alpha", True), ("Gamma", False), ("Delta", True)):
        api.post_json(TENANTS, {"name": name, "is_active": active}, headers=root)
    names = [t["name"] for t in api.get(TENANTS, headers=root).json["results"]]
    assert names == sorted(names)  # default ordering: name
    assert [t["name"] for t in api.get(f"{TENANTS}?ordering=-created_at", headers=root).json["results"]] == [
        "Delta", "Gamma", "alpha", "Beta"]
    assert [t["name"] for t in api.get(f"{TENANTS}?is_active=false", headers=root).json["results"]] == ["Gamma"]
    assert [t["name"] for t in api.get(f"{TENANTS}?search=ALP", headers=root).json["results"]] == ["alpha"]
    page = api.get(f"{TENANTS}?page_size=3&is_active=true&page=1", headers=root).json
    assert page["count"] == 3 and page["next"] is None
    page = api.get(f"{TENANTS}?page_size=2&ordering=name&page=2", headers=root).json
    assert page["previous"] == "http://localhost/api/v1/tenants/?page=1&page_size=2&ordering=name"
    assert api.get(f"{TENANTS}?is_active=maybe", headers=root, status=400).json == {
        "is_active": ["Must be a valid boolean."]}
    assert api.get(f"{TENANTS}?page=7", headers=root, status=404).json == {"detail": "Invalid page."}


def test_delete_with_users_is_400_and_without_is_204(api, root):
    tenant = api.post_json(TENANTS, {"name": "Acme"}, headers=root).json
    make_owner(api, root, tenant["id"])
    url = f"{TENANTS}{tenant['id']}/"
    assert api.delete(url, headers=root, status=400).json == {"detail": "Cannot delete tenant with existing users."}
    assert api.get(url, headers=root).json["user_count"] == 1
    empty = api.post_json(TENANTS, {"name": "Empty"}, headers=root).json
    api.delete(f"{TENANTS}{empty['id']}/", headers=root, status=204)
    api.get(f"{TENANTS}{empty['id']}/", headers=root, status=404)


def test_tenants_me_for_owners(api, root):
    tenant = api.post_json(TENANTS, {"name": "Acme"}, headers=root).json
    owner = make_owner(api, root, tenant["id"])
    assert api.get("/api/v1/tenants/me/", headers=owner).json["id"] == tenant["id"]
    changed = api.patch_json("/api/v1/tenants/me/", {"name": "Acme Two", "slug": "hacked", "is_active": False,
                                                     "url": "https://acme.test"}, headers=owner).json
    assert (changed["name"], changed["slug"], changed["is_active"], changed["url"]) == (
        "Acme Two", "acme", True, "https://acme.test")
    assert api.get("/api/v1/tenants/me/", headers=root, status=403).json == {
        "detail": "Only TenantOwner with a tenant can access this endpoint."}


def test_an_inactive_tenant_locks_its_users_out(api, root):
    tenant = api.post_json(TENANTS, {"name": "Acme"}, headers=root).json
    owner = make_owner(api, root, tenant["id"])
    api.patch_json(f"{TENANTS}{tenant['id']}/", {"is_active": False}, headers=root)
    assert api.get("/api/v1/auth/user/", headers=owner, status=401).json == {"detail": "User inactive or deleted."}
    assert api.post_json("/api/v1/auth/login/", {"username": "owner", "password": "correct-horse-9"},
                         status=400).json == {"non_field_errors": ["Unable to log in with provided credentials."]}
    api.patch_json(f"{TENANTS}{tenant['id']}/", {"is_active": True}, headers=root)
    api.get("/api/v1/auth/user/", headers=owner)


def test_tenant_changes_are_audited(api, root):
    tenant = api.post_json(TENANTS, {"name": "Acme"}, headers=root).json
    api.patch_json(f"{TENANTS}{tenant['id']}/", {"name": "Acme 2"}, headers=root)
    api.delete(f"{TENANTS}{tenant['id']}/", headers=root, status=204)
    me = api.get("/api/v1/auth/user/", headers=root).json["id"]
    entries = api.get(f"/api/v1/audit-logs/?actor={me}", headers=root).json["results"]
    actions = [e["action"] for e in entries]
    assert actions[:3] == ["tenant_deleted", "tenant_updated", "tenant_created"]
    assert entries[1]["details"] == {"changes": {"name": {"from": "Acme", "to": "Acme 2"}}}
    assert entries[0]["details"]["name"] == "Acme 2" and entries[0]["actor"]["username"] == "root"
