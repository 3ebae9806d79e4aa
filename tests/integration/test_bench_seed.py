"""The benchmark's seed and floor on PostgreSQL, on a small count: the seeded tokens open WiWebb's
sessions, the floor answers `me` with exactly WiWebb's JSON from its two statements, and the
scenarios' requests (list pages, search, signed webhooks) are answered as the load expects."""

from __future__ import annotations

import json

import pytest
import webtest
from bench import floor, scenarios, seed

from wiwebb.adapters.mail import InMemoryMailer
from wiwebb.adapters.passwords import Argon2Parameters, Argon2PasswordHasher
from wiwebb.app import build_app

from ..conftest import make_settings, new_postgres_database

pytestmark = pytest.mark.postgres

USERS = 300


@pytest.fixture(scope="module")
def seeded_database():
    with new_postgres_database("wiwebb_bench_test") as url:
        text_url = url.render_as_string(False)
        seed.migrate(text_url)
        cheap = Argon2PasswordHasher(Argon2Parameters(time_cost=1, memory_cost=8, parallelism=1)).hash(seed.PASSWORD)
        yield text_url, seed.seed(text_url, tenants=4, users=USERS, sampled_tokens=30, subscriptions=5, hashed=cheap)


@pytest.fixture(scope="module")
def api(seeded_database, tmp_path_factory):
    url, _ = seeded_database
    settings = make_settings(url, tmp_path_factory.mktemp("bench"), STRIPE_WEBHOOK_SECRET=scenarios.WEBHOOK_SECRET)
    app = build_app(settings, mailer=InMemoryMailer(), wait_for_database=False)
    yield webtest.TestApp(app)
    app.adapters.database.engine.dispose()


def test_the_seed_has_the_shape_the_scenarios_need(seeded_database):
    url, seeded = seeded_database
    assert len(seeded.tenant_ids) == 4 and len(seeded.owner_tokens) == 4
    assert len(seeded.user_tokens) == 30 and len(set(seeded.user_tokens)) == 30
    assert len(seeded.subscriptions) == 5 and seeded.subscribers_per_tenant == (USERS - 5) // 4
    import psycopg2

    with psycopg2.connect(seed.libpq_dsn(url)) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT role, count(*) FROM users GROUP BY role ORDER BY role")
        assert cursor.fetchall() == [("admin", 1), ("subscriber", USERS - 5), ("tenant_owner", 4)]
        cursor.execute("SELECT count(*), count(DISTINCT key_hash) FROM auth_tokens")
        assert cursor.fetchone() == (35, 35)
    connection.close()


def test_the_floor_answers_me_with_wiwebbs_json(seeded_database, api):
    url, seeded = seeded_database
    floor_app = webtest.TestApp(floor.me_app(floor.ConnectionPerThread(seed.libpq_dsn(url))))
    for key in (seeded.user_tokens[0], seeded.owner_tokens[seeded.tenant_ids[1]], seeded.admin_token):
        headers = {"Authorization": f"Token {key}"}
        expected = api.get("/api/v1/auth/user/", headers=headers).json
        assert floor_app.get("/api/v1/auth/user/", headers=headers).json == expected
    assert expected["role"] == "admin" and expected["tenant"] is None and expected["is_staff"] is True
    wrong = {"Authorization": "Token " + "0" * 40}
    assert floor_app.get("/api/v1/auth/user/", headers=wrong, status=401).json == {"detail": "Invalid token."}
    assert floor_app.get("/api/v1/auth/user/", status=401).json == api.get("/api/v1/auth/user/", status=401).json


def test_the_scenarios_requests_are_answered(seeded_database, api):
    _, seeded = seeded_database

    def call(request):
        return api.request(request.path, method=request.method, headers=request.headers,
                           body=request.body.encode(), expect_errors=True)

    page = call(scenarios.users_page(seeded, 1)[0])
    assert page.status_int == 200 and len(page.json["results"]) == 20
    assert {u["role"] for u in page.json["results"]} == {"subscriber"}
    search = call(scenarios.users_search(seeded, 1)[0])
    assert search.status_int == 200 and search.json["count"] > 0
    assert all(u["first_name"] == seed.SEARCH_NAME for u in search.json["results"])
    hooks = scenarios.webhook(seeded, 1)
    first, duplicate = call(hooks[0]), call(hooks[1])
    assert (first.status_int, duplicate.status_int) == (200, 200)
    assert json.loads(hooks[0].body)["id"] == json.loads(hooks[1].body)["id"]


def test_a_seeded_user_logs_in_with_the_shared_password(seeded_database, api):
    _, seeded = seeded_database
    request = scenarios.login(seeded, 1)[0]
    answer = api.post(request.path, request.body, headers=request.headers)
    assert len(answer.json["key"]) == 40
