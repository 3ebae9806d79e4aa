"""The SQL repositories on PostgreSQL and on SQLite (the `database` fixture runs each test on both)."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, event, select
from sqlalchemy.exc import IntegrityError, StatementError

from wiwebb.adapters.audit_sql import SqlAuditLog
from wiwebb.adapters.orm import AuditLogRow, TenantRow
from wiwebb.adapters.repositories import SqlTenantRepository, SqlTokenRepository, SqlUserRepository
from wiwebb.domain.errors import ValidationFailed
from wiwebb.domain.model import AuditEntry, AuthToken, Role, Tenant, TokenOwner, User

NOW = datetime(2026, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)


@contextmanager
def writing(database):
    with database.session(write=True) as session, session.begin():
        yield session


def new_user(username: str, email: str | None = None, **fields) -> User:
    fields.setdefault("date_joined", NOW)
    return User(id=None, username=username, email=email or f"{username}@example.test", password_hash="!unusable",
                **fields)


def add_users(database, *users: User) -> list[User]:
    with writing(database) as session:
        return [SqlUserRepository(session).add(user) for user in users]


def get_user(database, user_id: int) -> User | None:
    with database.session() as session:
        return SqlUserRepository(session).get(user_id)


def add_tenant(database, slug: str = "acme") -> Tenant:
    tenant = Tenant(id=None, uuid=uuid.uuid4(), name=slug.title(), slug=slug, created_at=NOW, updated_at=NOW)
    with writing(database) as session:
        return SqlTenantRepository(session).add(tenant)


def new_token(user_id: int, key_hash: str, created: datetime = NOW) -> AuthToken:
    return AuthToken(id=None, user_id=user_id, key_hash=key_hash, prefix=key_hash[:8], created=created,
                     expires_at=created + timedelta(days=7))


def add_tokens(database, *tokens: AuthToken) -> list[AuthToken]:
    with writing(database) as session:
        return [SqlTokenRepository(session).add(token) for token in tokens]


def token_by_hash(database, key_hash: str) -> AuthToken | None:
    with database.session() as session:
        return SqlTokenRepository(session).get_by_hash(key_hash)


def list_tokens(database, user_id: int) -> list[str]:
    with database.session() as session:
        return [token.key_hash for token in SqlTokenRepository(session).list_for_user(user_id)]


# Users


def test_add_get_and_get_by_username(database):
    (alice,) = add_users(database, new_user("alice", first_name="Alice", birth_date=date(1990, 5, 17)))
    assert alice.id is not None
    assert get_user(database, alice.id) == alice
    with database.session() as session:
        users = SqlUserRepository(session)
        assert users.get_by_username("alice") == alice
        assert users.get_by_username("nobody") is None
        assert users.get(alice.id + 1000) is None


def test_usernames_are_case_sensitive(database):
    upper, lower = add_users(database, new_user("Admin", "one@example.test"), new_user("admin", "two@example.test"))
    assert upper.id != lower.id
    with database.session() as session:
        users = SqlUserRepository(session)
        assert users.get_by_username("Admin").id == upper.id
        assert users.get_by_username("admin").id == lower.id
        assert users.get_by_username("ADMIN") is None


def test_get_by_email_ignores_case(database):
    (user,) = add_users(database, new_user("elodie", "Élodie.Martin@Example.TEST"))
    with database.session() as session:
        users = SqlUserRepository(session)
        assert users.get_by_email("élodie.martin@example.test").id == user.id
        assert users.get_by_email("ÉLODIE.MARTIN@EXAMPLE.TEST").id == user.id
        assert users.get_by_email("Élodie.Martin@Example.TEST").email == "Élodie.Martin@Example.TEST"
        assert users.get_by_email("other@example.test") is None


def test_update(database):
    (user,) = add_users(database, new_user("alice"))
    user.email = "Alice.New@Example.TEST"
    user.role = Role.TENANT_OWNER
    user.last_login = NOW + timedelta(hours=1)
    user.bio = "hello"
    with writing(database) as session:
        SqlUserRepository(session).update(user)
    assert get_user(database, user.id) == user
    with database.session() as session:
        users = SqlUserRepository(session)
        assert users.get_by_email("alice.new@example.test").id == user.id  # email_lower follows the email
        assert users.get_by_email("alice@example.test") is None


def test_update_of_a_missing_user_raises(database):
    with pytest.raises(LookupError), writing(database) as session:
        SqlUserRepository(session).update(replace(new_user("ghost"), id=4242))


def test_exists_with_role(database):
    add_users(database, new_user("owner", role=Role.TENANT_OWNER))
    with database.session() as session:
        users = SqlUserRepository(session)
        assert users.exists_with_role("tenant_owner")
        assert not users.exists_with_role("superadmin")


@pytest.mark.parametrize(
    ("second", "errors"),
    [(new_user("alice", "other@example.test"), {"username": ["A user with that username already exists."]}),
     (new_user("bob", "ALICE@example.test"), {"email": ["A user with that email already exists."]})],
    ids=["same username", "same email but for case"],
)
def test_duplicates_are_refused_by_the_constraint_in_the_contracts_words(database, second, errors):
    """What two requests racing past the domain's check get: a 400, not a 500."""
    add_users(database, new_user("alice", "alice@example.test"))
    with pytest.raises(ValidationFailed) as caught:
        add_users(database, second)
    assert caught.value.errors == errors


def test_an_update_writes_only_what_changed_so_concurrent_changes_survive(database):
    """A login that loaded the user before an admin deactivated them must not reactivate them."""
    if database.is_sqlite:
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): this race cannot happen there")
    (user,) = add_users(database, new_user("alice"))
    with database.session(write=True) as login, login.begin():
        stale = SqlUserRepository(login).get(user.id)  # the login reads...
        with database.session(write=True) as admin, admin.begin():  # ...an admin deactivates...
            target = SqlUserRepository(admin).get(user.id)
            target.is_active = False
            SqlUserRepository(admin).update(target)
        stale.last_login = NOW  # ...and the login writes back its copy
        SqlUserRepository(login).update(stale)
    assert get_user(database, user.id).is_active is False
    assert get_user(database, user.id).last_login == NOW


def test_datetimes_come_back_aware_utc_and_exact(database):
    stored = datetime(2026, 7, 1, 23, 59, 58, 987654, tzinfo=timezone(timedelta(hours=2)))
    (user,) = add_users(database, new_user("alice", last_login=stored, date_joined=NOW))
    loaded = get_user(database, user.id)
    assert loaded.last_login == stored
    assert loaded.last_login.tzinfo == UTC
    assert (loaded.last_login.hour, loaded.last_login.microsecond) == (21, 987654)
    assert loaded.date_joined == NOW and loaded.date_joined.tzinfo == UTC
    assert loaded.password_updated is None


def test_naive_datetimes_are_refused(database):
    with pytest.raises(StatementError, match="naive datetime"):
        add_users(database, new_user("alice", date_joined=datetime(2026, 1, 1)))


# Tenants


def test_tenant_with_users_cannot_be_deleted(database):
    tenant = add_tenant(database)
    assert tenant.id is not None
    (user,) = add_users(database, new_user("owner", tenant_id=tenant.id))
    with pytest.raises(IntegrityError), writing(database) as session:
        session.execute(delete(TenantRow).where(TenantRow.id == tenant.id))
    with database.session() as session:
        assert SqlTenantRepository(session).get(tenant.id) == tenant
    # Without users it goes.
    user.tenant_id = None
    with writing(database) as session:
        SqlUserRepository(session).update(user)
        session.execute(delete(TenantRow).where(TenantRow.id == tenant.id))
    with database.session() as session:
        assert SqlTenantRepository(session).get(tenant.id) is None


# Tokens


def test_token_add_and_get_by_hash(database):
    (user,) = add_users(database, new_user("alice"))
    (token,) = add_tokens(database, new_token(user.id, "a" * 64))
    assert token.id is not None
    assert token_by_hash(database, "a" * 64) == token
    assert token_by_hash(database, "b" * 64) is None


def test_tokens_are_listed_oldest_first_then_by_id(database):
    alice, bob = add_users(database, new_user("alice"), new_user("bob"))
    add_tokens(
        database,
        new_token(alice.id, "late", NOW + timedelta(hours=2)),
        new_token(alice.id, "tie-1", NOW + timedelta(hours=1)),
        new_token(alice.id, "early", NOW),
        new_token(bob.id, "bob's", NOW - timedelta(hours=1)),
        new_token(alice.id, "tie-2", NOW + timedelta(hours=1)),
    )
    assert list_tokens(database, alice.id) == ["early", "tie-1", "tie-2", "late"]
    assert list_tokens(database, bob.id) == ["bob's"]


def test_token_delete(database):
    (user,) = add_users(database, new_user("alice"))
    first, _ = add_tokens(database, new_token(user.id, "first"), new_token(user.id, "second"))
    with writing(database) as session:
        SqlTokenRepository(session).delete(first.id)
    assert list_tokens(database, user.id) == ["second"]


def test_delete_for_user_keeps_one_and_counts(database):
    alice, bob = add_users(database, new_user("alice"), new_user("bob"))
    _, kept, _, _ = add_tokens(database, *(new_token(alice.id, f"alice-{n}") for n in range(3)),
                               new_token(bob.id, "bob"))
    with writing(database) as session:
        assert SqlTokenRepository(session).delete_for_user(alice.id, keep=kept.id) == 2
    assert list_tokens(database, alice.id) == ["alice-1"]
    assert list_tokens(database, bob.id) == ["bob"]
    with writing(database) as session:
        tokens = SqlTokenRepository(session)
        assert tokens.delete_for_user(alice.id) == 1
        assert tokens.delete_for_user(alice.id) == 0
    assert list_tokens(database, alice.id) == []


def test_touch_without_defer_updates_in_the_session(database):
    (user,) = add_users(database, new_user("alice"))
    (token,) = add_tokens(database, new_token(user.id, "key"))
    used = NOW + timedelta(minutes=5)
    with writing(database) as session:
        SqlTokenRepository(session).touch(token.id, used)
    assert token_by_hash(database, "key").last_used == used


def test_touch_with_defer_hands_the_work_over(database):
    (user,) = add_users(database, new_user("alice"))
    (token,) = add_tokens(database, new_token(user.id, "key"))
    used = NOW + timedelta(minutes=5)
    deferred = []
    with writing(database) as session:
        SqlTokenRepository(session, defer=deferred.append).touch(token.id, used)
    assert len(deferred) == 1
    assert token_by_hash(database, "key").last_used is None  # not run in the request's session
    database.run_in_own_transaction(deferred[0])
    assert token_by_hash(database, "key").last_used == used


@contextmanager
def statements(database):
    """The queries the database receives meanwhile (savepoints of the test harness, and SQLite's
    BEGIN, left out)."""
    seen: list[str] = []

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        if not statement.upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO", "BEGIN")):  # SQLite's BEGIN
            seen.append(statement)

    event.listen(database.engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", before_cursor_execute)


def test_a_token_is_found_with_its_user_and_the_users_tenant_in_one_statement(database):
    tenant = add_tenant(database)
    alice, staff = add_users(database, new_user("alice", tenant_id=tenant.id, first_name="Alice"),
                             new_user("staff", role=Role.ADMIN))
    tokens = add_tokens(database, new_token(alice.id, "a" * 64), new_token(staff.id, "s" * 64))
    with database.session() as session, statements(database) as seen:
        found = SqlTokenRepository(session).get_with_owner("a" * 64)
        assert len(seen) == 1
        assert (found.token, found.user, found.tenant) == (tokens[0], alice, tenant)
        assert SqlTokenRepository(session).get_with_owner("s" * 64) == TokenOwner(tokens[1], staff, None)
        assert SqlTokenRepository(session).get_with_owner("b" * 64) is None


def test_the_authenticated_user_and_tenant_cost_no_second_statement_and_follow_the_sessions_changes(database):
    tenant = add_tenant(database)
    (alice,) = add_users(database, new_user("alice", tenant_id=tenant.id))
    add_tokens(database, new_token(alice.id, "a" * 64))
    with writing(database) as session:
        users, tenants = SqlUserRepository(session), SqlTenantRepository(session)
        SqlTokenRepository(session).get_with_owner("a" * 64)
        with statements(database) as seen:
            assert users.get(alice.id) == alice
            assert tenants.get(tenant.id) == tenant
            assert tenants.get_many([tenant.id]) == {tenant.id: tenant}
        assert seen == []

        renamed = replace(alice, first_name="Alicia")
        users.update(renamed)  # through the session: what it answers next follows
        tenants.update(replace(tenant, name="Acme Two"))
        with statements(database) as seen:
            assert users.get(alice.id) == renamed
            assert tenants.get(tenant.id).name == "Acme Two"
        assert seen == []
        users.delete(alice.id)
        assert users.get(alice.id) is None  # asked again: deleted
    assert get_user(database, alice.id) is None


# Audit log


def test_audit_log_records_a_row(database):
    tenant = add_tenant(database)
    actor, target = add_users(database, new_user("admin"), new_user("alice", tenant_id=tenant.id))
    details = {"changed": ["role", "is_active"], "from": {"role": "subscriber"}, "note": "déjà vu", "n": 3}
    entry = AuditEntry(action="user.update", actor_id=actor.id, target_id=target.id, tenant_id=tenant.id,
                       details=details, timestamp=NOW)
    with writing(database) as session:
        SqlAuditLog(session).record(entry)
    with database.session() as session:
        row = session.scalars(select(AuditLogRow).where(AuditLogRow.action == "user.update")).one()
        assert (row.action, row.actor_id, row.target_id, row.tenant_id) == (
            "user.update", actor.id, target.id, tenant.id)
        assert row.details == details
        assert row.timestamp == NOW
