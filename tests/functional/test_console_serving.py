"""The API process serves the built web console (CONSOLE_DIR) at `/`: its files, its `index.html`
for its own routes, and nothing outside the folder; `/api/` keeps JSON; without a build, `/` says
so and everything else answers as before."""

from __future__ import annotations

from email.utils import formatdate
from pathlib import Path

import pytest

from .test_password_reset import RESET, link_in

pytestmark = pytest.mark.sqlite

INDEX = b"<!doctype html><title>WiWebb console</title><div id=root></div>"
SCRIPT = b"console.log('the console');"
IMMUTABLE = "public, max-age=31536000, immutable"
NOT_FOUND = {"detail": "Not found."}
JSON = "application/json"


@pytest.fixture
def database(sqlite_database):
    return sqlite_database


@pytest.fixture
def dist(tmp_path) -> Path:
    """A console build as `npm run build` leaves it, in a folder of its own, next to a file that
    must never be served."""
    folder = tmp_path / "console" / "dist"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_bytes(INDEX)
    (folder / "assets" / "index-3f2a9c.js").write_bytes(SCRIPT)
    (folder / "assets" / "index-3f2a9c.css").write_text("body { margin: 0 }")
    (folder / "favicon.ico").write_bytes(b"\0\0\1\0")
    (tmp_path / "console" / "secret.txt").write_text("SECRET")
    return folder


@pytest.fixture
def console(make_api, dist):
    return make_api(CONSOLE_DIR=str(dist))


def assert_index(answer) -> None:
    assert answer.status_int == 200 and answer.content_type == "text/html" and answer.body == INDEX
    assert answer.headers["Cache-Control"] == "no-cache"  # a new build is picked up at once
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self' ")
    # The edge's headers, as on every answer.
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "same-origin"
    assert answer.headers["X-Request-ID"]


@pytest.mark.parametrize("path", ["/", "/index.html", "/users/12", "/tenants/3/", "/login?next=/users",
                                  "/reset-password/MQ/c2x5ab-0123456789abcdef/", "/profil%C3%A9"])
def test_the_consoles_own_routes_answer_its_index_html(console, path):
    assert_index(console.get(path))


def test_the_page_allows_scripts_from_itself_and_the_configured_stripe_js_only(make_api, dist):
    stripe = make_api(CONSOLE_DIR=str(dist), USE_LOCALSTRIPE="false", STRIPE_JS_URL="https://js.stripe.com/v3/")
    local = make_api(CONSOLE_DIR=str(dist), USE_LOCALSTRIPE="true", LOCALSTRIPE_URL="http://127.0.0.1:8421")

    assert "script-src 'self' https://js.stripe.com https://*.js.stripe.com;" in (
        stripe.get("/users/12").headers["Content-Security-Policy"])
    assert "script-src 'self' http://127.0.0.1:8421;" in local.get("/").headers["Content-Security-Policy"]
    # Revalidation answers carry it too; files other than the page do not need it.
    page = local.get("/")
    again = local.get("/", headers={"If-Modified-Since": page.headers["Last-Modified"]}, status=304)
    assert again.headers["Content-Security-Policy"] == page.headers["Content-Security-Policy"]
    assert "Content-Security-Policy" not in local.get("/assets/index-3f2a9c.js").headers


def test_hashed_assets_are_cached_for_good_with_their_content_type(console):
    script = console.get("/assets/index-3f2a9c.js")
    assert script.body == SCRIPT and script.content_type == "text/javascript"
    assert script.headers["Cache-Control"] == IMMUTABLE and script.headers["X-Content-Type-Options"] == "nosniff"
    assert "X-Frame-Options" not in script.headers
    style = console.get("/assets/index-3f2a9c.css")
    assert style.content_type == "text/css" and style.headers["Cache-Control"] == IMMUTABLE
    icon = console.get("/favicon.ico")  # outside assets/: not hashed, so revalidated
    assert icon.content_type == "image/x-icon" and icon.headers["Cache-Control"] == "no-cache"


def test_a_missing_asset_is_a_json_404_not_the_page(console):
    answer = console.get("/assets/index-000000.js", status=404)
    assert answer.json == NOT_FOUND and answer.content_type == JSON


def test_files_are_revalidated_with_last_modified(console, caplog):
    first = console.get("/users/12")
    assert first.headers["Last-Modified"]
    caplog.set_level("INFO", "wiwebb.access")
    again = console.get("/users/12", headers={"If-Modified-Since": first.headers["Last-Modified"]}, status=304)
    assert again.body == b"" and again.headers["Cache-Control"] == "no-cache"
    assert again.headers["Last-Modified"] == first.headers["Last-Modified"]
    assert "GET /users/12 304 " in caplog.text  # the access log says what was sent
    console.get("/users/12", headers={"If-Modified-Since": formatdate(0, usegmt=True)}, status=200)
    console.get("/assets/index-3f2a9c.js", headers={"If-Modified-Since": first.headers["Last-Modified"]}, status=304)


def test_head_answers_the_headers_of_get(console):
    for path in ("/", "/users/12", "/assets/index-3f2a9c.js"):
        head, get = console.head(path), console.get(path)
        assert head.status_int == 200 and head.body == b""
        for header in ("Content-Type", "Content-Length", "Cache-Control"):
            assert head.headers[header] == get.headers[header], (path, header)


def test_the_api_keeps_json(console):
    answer = console.get("/api/v1/nope/", status=404)
    assert answer.json == NOT_FOUND and answer.content_type == JSON
    assert console.get("/api/v1/meta/").content_type == JSON
    assert console.get("/api", status=404).json == NOT_FOUND
    assert console.get("/api/v1/users", status=308).headers["Location"].endswith("/api/v1/users/")
    assert console.get("/api/v1/users/", status=401).json == {
        "detail": "Authentication credentials were not provided."}
    assert console.head("/api/v1/nope/", status=404).content_type == JSON


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_other_methods_on_console_paths_answer_the_json_404(console, method):
    for path in ("/", "/users/12", "/assets/index-3f2a9c.js"):
        answer = console.request(path, method=method, status=404)
        assert answer.json == NOT_FOUND and answer.content_type == JSON


@pytest.mark.parametrize("path", [
    "/../secret.txt", "/%2e%2e/secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt",
    "/..%5csecret.txt", "/assets/%00", "/.env", "/./index.html", "/%ff",
])
def test_paths_out_of_the_folder_or_hidden_are_refused(console, path):
    answer = console.get(path, status=404)
    assert answer.json == NOT_FOUND and b"SECRET" not in answer.body


def test_a_symbolic_link_out_of_the_folder_is_not_followed(console, dist):
    (dist / "escape.txt").symlink_to(dist.parent / "secret.txt")
    (dist / "assets" / "out").symlink_to(dist.parent)
    assert_index(console.get("/escape.txt"))  # not a file of the console: its page, which says "not found"
    assert console.get("/assets/out/secret.txt", status=404).json == NOT_FOUND


def test_console_requests_are_not_throttled_and_need_no_login(make_api, dist):
    console = make_api(CONSOLE_DIR=str(dist), THROTTLE_RATES="anon=2/minute")
    for _ in range(5):
        assert_index(console.get("/users/12", headers={"Authorization": "Token not-a-valid-token"}))
        console.get("/assets/index-3f2a9c.js")
    console.get("/api/v1/meta/")
    console.get("/api/v1/meta/")
    assert console.get("/api/v1/meta/", status=429).content_type == JSON  # the API is, as before


def test_a_reset_link_opens_the_console_served_by_the_api(console, mailer):
    """Under `make run`, FRONTEND_URL defaults to the API's own address, which serves the console:
    the link in the mail opens its reset page."""
    console.register()
    console.post_json(RESET, {"email": "alice@acme.test"})
    base, uid, token = link_in(mailer.sent[0])
    assert base == "http://localhost:8000"
    assert_index(console.get(f"/reset-password/{uid}/{token}/"))


def test_a_build_made_after_the_start_is_served_at_once(make_api, tmp_path):
    folder = tmp_path / "later"
    api = make_api(CONSOLE_DIR=str(folder))
    assert api.get("/", status=404).content_type == JSON
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_bytes(INDEX)
    assert_index(api.get("/"))


def test_without_a_build_root_says_so_and_other_paths_answer_as_before(api):
    # The default CONSOLE_DIR, frontend/dist next to the ini file: not built in the test's folder.
    answer = api.get("/", status=404)
    assert answer.content_type == JSON
    assert "web console is not built" in answer.json["detail"] and "/api/v1/docs/" in answer.json["detail"]
    assert set(answer.json) == {"detail"}
    for path in ("/users/12", "/assets/index-3f2a9c.js", "/favicon.ico"):
        assert api.get(path, status=404).json == NOT_FOUND
    assert api.head("/", status=404).body == b""
    assert api.post("/", status=404).json == NOT_FOUND


def test_console_dir_off_serves_the_api_alone(make_api, dist):
    api = make_api(CONSOLE_DIR="off")
    for path in ("/", "/users/12", "/assets/index-3f2a9c.js"):
        assert api.get(path, status=404).json == NOT_FOUND


def test_the_start_line_says_where_the_console_is(tmp_path):
    from wiwebb.entrypoints.http.console import status

    assert status(None) == "switched off (CONSOLE_DIR=off)"
    assert status(tmp_path).startswith(f"not built (no index.html in {tmp_path.resolve()}")
    (tmp_path / "index.html").write_text("<!doctype html>")
    assert status(tmp_path) == f"at / (from {tmp_path.resolve()})"
