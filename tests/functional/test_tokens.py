"""The caller's tokens: list, revoke one, log out everywhere."""

from __future__ import annotations

TOKENS = "/api/v1/auth/tokens/"


def test_list_shows_live_tokens_with_prefix_and_current(api):
    first = api.register()["key"]
    second = api.post_json("/api/v1/auth/login/", {"username": "alice", "password": "correct-horse-9"},
                           headers={"User-Agent": "WiWebb-Mobile/2.1"}).json["key"]
    listed = api.get(TOKENS, headers=api.auth(second)).json
    assert isinstance(listed, list) and len(listed) == 2
    assert set(listed[0]) == {"id", "created", "last_used", "expires_at", "user_agent", "prefix", "current"}
    by_prefix = {t["prefix"]: t for t in listed}
    assert set(by_prefix) == {first[:8], second[:8]}
    assert by_prefix[second[:8]]["current"] is True and by_prefix[first[:8]]["current"] is False
    assert by_prefix[second[:8]]["user_agent"] == "WiWebb-Mobile/2.1"
    assert by_prefix[second[:8]]["last_used"].endswith("Z")
    assert all(first not in str(t) and second not in str(t) for t in listed)
    assert api.get(TOKENS, headers=api.auth(second)).headers["Cache-Control"] == "no-store"


def test_revoke_one_of_mine_but_not_someone_elses(api):
    mine = api.register()["key"]
    theirs = api.register("bob")["key"]
    their_id = api.get(TOKENS, headers=api.auth(theirs)).json[0]["id"]
    assert api.delete(f"{TOKENS}{their_id}/", headers=api.auth(mine), status=404).json == {"detail": "Not found."}
    other = api.login("alice", "correct-horse-9")
    other_id = next(t["id"] for t in api.get(TOKENS, headers=api.auth(mine)).json if not t["current"])
    api.delete(f"{TOKENS}{other_id}/", headers=api.auth(mine), status=204)
    api.get("/api/v1/auth/user/", headers=api.auth(other), status=401)
    api.get("/api/v1/auth/user/", headers=api.auth(theirs))
    api.get(TOKENS, status=401)
