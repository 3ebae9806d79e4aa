"""The web console, built by `npm run build` into a folder (CONSOLE_DIR), served by the API process
at `/`: a newcomer's browser gets a page, on the API's own origin (no CORS involved).

A tween, not Pyramid routes: the console's paths are not API operations. They stay out of the route
table (so out of the OpenAPI description and its checks), out of the views' authentication and
throttling, and out of pyramid_tm (no database transaction for a file). It sits under the edge
tween, so its answers still carry the request id and the security headers and are in the access log.

- `GET`/`HEAD` of a path outside `/api/`: the file of that name in the folder (`/assets/...`, hashed
  by Vite, cached for a year as immutable; anything else revalidated: `no-cache`), else the console's
  `index.html` (its router shows the page: `/users/12`, `/reset-password/<uid>/<token>/`). A missing
  `/assets/` file is a 404 (an old page asking for a chunk that is gone), not the page.
- `/api/...` and any other method go on to the API as before: JSON, the contract's 404 and 405.
- A path with `..`, `.` or a hidden name, a backslash or a NUL (also percent-encoded: the WSGI path
  is decoded) is never looked up: it answers the JSON 404.
- Not built (no `index.html`, checked on each request, so a build after the start is served at
  once): `/` answers a JSON 404 that says so and where the API and its documentation are; other
  paths answer as before.
- The page carries `X-Frame-Options: DENY` and the Content-Security-Policy of the registry setting
  `wiwebb.console_csp` (`console_policy`: its own origin, and Stripe.js's).
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pyramid.config import Configurator
from pyramid.request import Request
from pyramid.response import FileResponse, Response

from .errors import error
from .tweens import raw_path

log = logging.getLogger("wiwebb.console")

SETTING = "wiwebb.console_dir"  # registry setting: the folder (a Path), or None to serve the API alone
POLICY_SETTING = "wiwebb.console_csp"  # registry setting: the page's Content-Security-Policy, or None
ASSETS = "/assets/"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
NOT_BUILT = ("Not found. The web console is not built on this server (make run builds it when Node.js 20.19+ "
             "is installed; or cd frontend && npm ci && npm run build). The API is under /api/v1/, "
             "its documentation at /api/v1/docs/.")
# What a Vite build writes, whatever the system's MIME table says (the slim image has none, and
# `nosniff` makes browsers refuse a script served with another type).
CONTENT_TYPES = {
    ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css",
    ".json": "application/json", ".map": "application/json", ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".gif": "image/gif", ".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon",
    ".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".txt": "text/plain",
    ".wasm": "application/wasm",
}

Handler = Callable[[Request], Response]


def is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def content_type(path: Path) -> str:
    return CONTENT_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


class ConsoleFiles:
    """The built console in `root`: which file a request path names, and the answer for it."""

    def __init__(self, root: Path, policy: str | None = None) -> None:
        self.root = root.resolve()
        self.index = self.root / "index.html"
        self.policy = policy

    def built(self) -> bool:
        return self.index.is_file()

    @staticmethod
    def names(path: str) -> list[str] | None:
        """The names in `path`; None for a path never looked up: not UTF-8 (WSGI's PATH_INFO holds
        the bytes as latin-1), or naming `..`, `.`, a hidden file, a backslash or a NUL."""
        try:
            names = path.encode("latin-1").decode("utf-8").split("/")
        except UnicodeError:
            return None
        if any(name.startswith(".") or "\\" in name or "\0" in name for name in names):
            return None
        return [name for name in names if name]

    def file(self, names: list[str]) -> Path | None:
        """The file that `names` name inside the folder (once symbolic links are followed), or None."""
        if not names:
            return None
        try:
            found = self.root.joinpath(*names).resolve()
        except (OSError, RuntimeError):
            return None
        return found if found.is_relative_to(self.root) and found.is_file() else None

    def answer(self, request: Request, path: str) -> Response | None:
        """The console's answer to a GET/HEAD of `path` (outside /api/), or None for the API's."""
        names = self.names(path)
        if names is None:
            return None  # the API's JSON 404
        if not self.built():
            return error(404, {"detail": NOT_BUILT}) if path == "/" else None
        found = self.file(names)
        if found is not None:
            return self._file(request, found, IMMUTABLE if path.startswith(ASSETS) else REVALIDATE)
        if path.startswith(ASSETS):
            return None  # an old page asking for a chunk that is gone: the API's JSON 404
        return self._file(request, self.index, REVALIDATE)

    def _file(self, request: Request, path: Path, cache_control: str) -> Response:
        modified = datetime.fromtimestamp(int(path.stat().st_mtime), UTC)
        since = request.if_modified_since
        if since is not None and modified <= since:  # decided here, so that the access log says 304
            response = Response(status=304)
            response.last_modified = modified
        else:
            response = FileResponse(str(path), request, content_type=content_type(path))
        response.headers["Cache-Control"] = cache_control
        if path.suffix.lower() == ".html":
            response.headers["X-Frame-Options"] = "DENY"  # nobody frames the console (clickjacking)
            if self.policy:
                response.headers["Content-Security-Policy"] = self.policy
        return response


def status(root: Path | None) -> str:
    """What `wiwebb serve` says of the console when it starts serving."""
    if root is None:
        return "switched off (CONSOLE_DIR=off)"
    files = ConsoleFiles(root)
    if files.built():
        return f"at / (from {files.root})"
    return (f"not built (no index.html in {files.root}; make run builds it when Node.js 20.19+ is here): "
            "serving the API alone")


def console_tween_factory(handler: Handler, registry: Any) -> Handler:
    root: Path | None = registry.settings.get(SETTING)
    if root is None:
        return handler
    files = ConsoleFiles(root, registry.settings.get(POLICY_SETTING))
    log.debug("web console: %s", status(root))

    def tween(request: Request) -> Response:
        path = raw_path(request)
        if request.method in ("GET", "HEAD") and not is_api(path):
            response = files.answer(request, path)
            if response is not None:
                return response
        return handler(request)

    return tween


def includeme(config: Configurator) -> None:
    """Serve the folder in the registry setting `wiwebb.console_dir` (a Path; None: nothing)."""
    config.add_tween("wiwebb.entrypoints.http.console.console_tween_factory",
                     under="wiwebb.entrypoints.http.tweens.edge_tween_factory")
