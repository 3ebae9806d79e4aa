"""`wiwebb createtenant` and `wiwebb createuser`: bootstrapping without the API."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from .test_cli_support import one_line, sqlite_cli, users


def tenants(url: str) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(r) for r in connection.execute(text("SELECT name, slug FROM tenants ORDER BY id"))]
    finally:
        engine.dispose()


def test_createtenant_and_createuser(tmp_path):
    cli = sqlite_cli(tmp_path)
    url = f"sqlite:///{cli.sqlite_path}"
    cli.ok("migrate")
    out = cli.ok("createtenant", "Acme Rockets").stdout
    assert "Created tenant 'Acme Rockets'" in out and "slug acme-rockets" in out
    created = cli.ok("createuser", "wile", "--email", "wile@acme.test", "--role", "tenant_owner",
                     "--tenant", "acme-rockets").stdout
    assert "Created tenant_owner 'wile'" in created and "invitation" in created
    cli.ok("createuser", "roadrunner", "--email", "rr@acme.test", "--role", "subscriber")
    out = cli.ok("createtenant", "Globex", "--owner", "roadrunner").stdout
    assert "owned by roadrunner" in out
    assert tenants(url) == [("Acme Rockets", "acme-rockets"), ("Globex", "globex")]
    assert ("wile", "wile@acme.test", "tenant_owner") in users(url)
    assert ("roadrunner", "rr@acme.test", "tenant_owner") in users(url)


def test_createuser_errors_are_one_line(tmp_path):
    cli = sqlite_cli(tmp_path)
    cli.ok("migrate")
    owner = cli("createuser", "wile", "--email", "wile@acme.test", "--role", "tenant_owner")
    assert owner.returncode == 1 and one_line(owner) == "wiwebb: tenant: This field is required."
    missing = cli("createuser", "wile", "--email", "wile@acme.test", "--role", "subscriber", "--tenant", "nope")
    assert missing.returncode == 1 and one_line(missing) == "wiwebb: no tenant with slug 'nope'"
    cli.ok("createuser", "wile", "--email", "wile@acme.test", "--role", "subscriber")
    again = cli("createuser", "wile", "--email", "other@acme.test", "--role", "subscriber")
    assert one_line(again) == "wiwebb: username: A user with that username already exists."
    nobody = cli("createtenant", "Acme", "--owner", "ghost")
    assert nobody.returncode == 1 and one_line(nobody) == "wiwebb: no user named 'ghost'"
    assert tenants(f"sqlite:///{cli.sqlite_path}") == []  # nothing half-made: the tenant was rolled back


def test_clearsessions_deletes_expired_tokens_only(tmp_path):
    from datetime import UTC, datetime, timedelta

    cli = sqlite_cli(tmp_path)
    cli.ok("migrate")
    cli.ok("createsuperuser", "--noinput", WIWEBB_SUPERUSER_PASSWORD="correct-horse-9")
    engine = create_engine(f"sqlite:///{cli.sqlite_path}")
    now = datetime.now(UTC).replace(tzinfo=None)
    try:
        with engine.begin() as connection:
            for n, expires in enumerate((now - timedelta(days=1), now + timedelta(days=1))):
                connection.execute(text(
                    "INSERT INTO auth_tokens (user_id, key_hash, prefix, created, expires_at, user_agent) "
                    "VALUES (1, :hash, 'abcdefgh', :created, :expires, '')"),
                    {"hash": f"{n:064d}", "created": now - timedelta(days=8), "expires": expires})
        assert cli.ok("clearsessions").stdout == "Removed 1 expired token(s).\n"
        with engine.connect() as connection:
            assert connection.execute(text("SELECT key_hash FROM auth_tokens")).scalars().all() == [f"{1:064d}"]
    finally:
        engine.dispose()


def test_createtenant_validates_as_the_api_does_and_keeps_nothing_it_refused(tmp_path):
    cli = sqlite_cli(tmp_path)
    cli.ok("migrate")
    cli.ok("createsuperuser", "--noinput", "--username", "root", "--email", "root@acme.test",
           WIWEBB_SUPERUSER_PASSWORD="correct-horse-9")
    cli.ok("createuser", "wile", "--email", "wile@acme.test", "--role", "admin")

    for args, message in [(["   "], "wiwebb: name: This field may not be blank."),
                          (["a" * 256], "wiwebb: name: Ensure this field has no more than 255 characters."),
                          (["Acme", "--slug", "b" * 256], "wiwebb: slug: Ensure this field has no more than 255 "
                                                          "characters."),
                          (["Acme", "--owner", "root"], "wiwebb: owner: root is superadmin: an owner is a tenant "
                                                        "owner or a subscriber (change their role first if that is "
                                                        "meant)"),
                          (["Acme", "--owner", "wile"], "wiwebb: owner: wile is admin: an owner is")]:
        result = cli("createtenant", *args)
        assert result.returncode == 1 and one_line(result).startswith(message), args

    assert tenants(f"sqlite:///{cli.sqlite_path}") == []
    assert ("root", "root@acme.test", "superadmin") in users(f"sqlite:///{cli.sqlite_path}")


def test_arguments_that_are_not_utf8_are_refused_in_one_line(tmp_path):
    cli = sqlite_cli(tmp_path)
    cli.ok("migrate")

    result = cli("createtenant", "Acme\udcff")  # the byte 0xff, as Python hands it over

    assert result.returncode == 2
    assert one_line(result) == "wiwebb: arguments must be UTF-8 text; this one is not: 'Acme\\udcff'"
    assert tenants(f"sqlite:///{cli.sqlite_path}") == []
