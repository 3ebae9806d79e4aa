"""The floor: the `me` scenario with no framework, no ORM and no validation.

A bare WSGI application answering `GET /api/v1/auth/user/` with the JSON WiWebb answers, from the
same two SQL statements (the token by its SHA-256 digest; the user, with its tenant, by id) through
psycopg2, in a transaction as WiWebb's; and a bare WSGI hello for `health`'s ratio. Both run under
waitress with production.ini's [server:main] options, as `wiwebb serve` runs WiWebb:

    python -m bench.floor --dsn postgresql://... --port 8101 [--ini production.ini]
    python -m bench.floor --hello --port 8102
"""

from __future__ import annotations

import argparse
import hashlib
import json
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

TOKEN_SQL = "SELECT user_id, expires_at FROM auth_tokens WHERE key_hash = %s"
USER_SQL = (
    "SELECT u.id, u.username, u.email, u.first_name, u.last_name, u.role, u.is_active, u.last_login, "
    "u.date_joined, u.password_updated, u.phone_number, u.bio, u.url, u.company, u.location, u.birth_date, "
    "t.id, t.uuid, t.name, t.slug FROM users u LEFT JOIN tenants t ON t.id = u.tenant_id WHERE u.id = %s")
STAFF = ("superadmin", "admin")
INVALID_TOKEN = b'{"detail":"Invalid token."}'
NO_CREDENTIALS = b'{"detail":"Authentication credentials were not provided."}'
JSON_HEADERS = [("Content-Type", "application/json")]

StartResponse = Callable[..., Any]


def _when(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat().removesuffix("+00:00") + "Z"


def user_json(row: tuple) -> dict[str, Any]:
    """WiWebb's user representation (UserSchema) of a USER_SQL row."""
    (uid, username, email, first, last, role, active, last_login, joined, pw_updated, phone, bio, url, company,
     location, birth, tenant_id, tenant_uuid, tenant_name, tenant_slug) = row
    tenant = None if tenant_id is None else {"id": tenant_id, "uuid": str(tenant_uuid), "name": tenant_name,
                                             "slug": tenant_slug}
    return {"id": uid, "username": username, "email": email, "first_name": first, "last_name": last, "role": role,
            "tenant": tenant, "is_active": active, "is_staff": role in STAFF, "is_superuser": role == "superadmin",
            "last_login": _when(last_login), "date_joined": _when(joined), "password_updated": _when(pw_updated),
            "phone_number": phone, "bio": bio, "url": url, "company": company, "location": location,
            "birth_date": birth.isoformat() if birth else None}


class ConnectionPerThread:
    """One psycopg2 connection per waitress thread (waitress reuses its threads)."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._local = threading.local()

    def get(self) -> Any:
        connection = getattr(self._local, "connection", None)
        if connection is None or connection.closed:
            import psycopg2

            connection = self._local.connection = psycopg2.connect(self._dsn)
        return connection


def me_app(connections: ConnectionPerThread) -> Callable[[dict, StartResponse], Iterable[bytes]]:
    def app(environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/api/v1/auth/user/":
            start_response("404 Not Found", JSON_HEADERS)
            return [b'{"detail":"Not found."}']
        parts = environ.get("HTTP_AUTHORIZATION", "").split()
        if len(parts) != 2 or parts[0].lower() != "token":
            start_response("401 Unauthorized", [*JSON_HEADERS, ("WWW-Authenticate", "Token")])
            return [NO_CREDENTIALS]
        digest = hashlib.sha256(parts[1].encode()).hexdigest()
        connection = connections.get()
        with connection, connection.cursor() as cursor:  # a transaction, committed, as WiWebb's
            cursor.execute(TOKEN_SQL, (digest,))
            token = cursor.fetchone()
            row = None
            if token is not None and token[1] > datetime.now(UTC):
                cursor.execute(USER_SQL, (token[0],))
                row = cursor.fetchone()
        if row is None or not row[6]:
            start_response("401 Unauthorized", [*JSON_HEADERS, ("WWW-Authenticate", "Token")])
            return [INVALID_TOKEN]
        body = json.dumps(user_json(row), separators=(",", ":")).encode()
        start_response("200 OK", [*JSON_HEADERS, ("Content-Length", str(len(body)))])
        return [body]

    return app


def hello_app(environ: dict, start_response: StartResponse) -> Iterable[bytes]:
    body = b'{"status":"ok"}'
    start_response("200 OK", [*JSON_HEADERS, ("Content-Length", str(len(body)))])
    return [body]


def serve(app: Callable, ini: str, port: int) -> None:
    """Serve `app` on 127.0.0.1:port with the ini file's waitress options (as `wiwebb serve`)."""
    import waitress

    from wiwebb.entrypoints import serving

    options = serving.waitress_options(serving.read_server_section(ini), "127.0.0.1", port)
    print(f"floor serving on http://127.0.0.1:{port}/", flush=True)
    waitress.create_server(app, **options).run()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ini", default="production.ini")
    parser.add_argument("--dsn", help="libpq URL of the seeded database (the `me` floor)")
    parser.add_argument("--hello", action="store_true", help="serve the bare hello instead")
    args = parser.parse_args(argv)
    if not args.hello and not args.dsn:
        parser.error("--dsn is needed (or --hello)")
    serve(hello_app if args.hello else me_app(ConnectionPerThread(args.dsn)), args.ini, args.port)


if __name__ == "__main__":
    main()
