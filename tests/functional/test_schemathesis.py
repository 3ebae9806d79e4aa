"""Schemathesis against the served description, on the WSGI app and PostgreSQL, as a superadmin.

Every operation gets a bounded, repeatable run (a fixed number of examples, derandomized), valid
and invalid inputs alike, and every answer is checked: no 500, no status, header, content type
or body that the description does not document, unknown methods answer 405 with `Allow`, invalid
inputs are refused, and protected operations refuse a request without the token.

Each case carries a fresh token of the superadmin (minted in the database), so an operation that
revokes tokens (logout, revoking a token by id, a password change) cannot lock the run out.
Throttling is off (the test settings), and no payment provider is configured, so paid
operations answer the documented 503 and nothing reaches Stripe.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
import sys
import warnings

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance
from webob import Request

from wiwebb.adapters.repositories import SqlTokenRepository
from wiwebb.domain import tokens
from wiwebb.domain.model import AuthToken
from wiwebb.entrypoints.http.openapi_paths import OPERATIONS

pytestmark = pytest.mark.postgres

EXAMPLES = 12


@pytest.fixture
def database(postgres_database):
    return postgres_database


@pytest.fixture
def superadmin_id(identity_of) -> int:
    user = identity_of(lambda identity: identity.create_superuser(
        username="fuzzer", email="fuzzer@wiwebb.test", password="correct-horse-9"))
    return user.id


@pytest.fixture
def fresh_token(database, superadmin_id):
    def mint() -> str:
        key = tokens.new_key()
        now = dt.datetime.now(dt.UTC)
        with database.session(write=True) as session, session.begin():
            SqlTokenRepository(session).add(AuthToken(
                id=None, user_id=superadmin_id, key_hash=tokens.digest(key), prefix=key[:tokens.PREFIX_LENGTH],
                created=now, expires_at=now + dt.timedelta(hours=1), user_agent="schemathesis"))
        return key

    return mint


# A 503 is no server error here: it is the documented answer of a paid operation when no payment
# provider is configured (or reachable). A 500 still fails the run.
CONFIG = schemathesis.Config.from_dict(
    {"checks": {"not_a_server_error": {"expected-statuses": ["2xx", "3xx", "4xx", "503"]}}})


@pytest.fixture
def api_description(wsgi_app, fresh_token):
    description = schemathesis.openapi.from_wsgi("/api/v1/schema/", wsgi_app, config=CONFIG)

    @description.auth()
    class FreshToken:
        """A token of the superadmin for each case (none where the case tests a missing login)."""

        def get(self, case, context) -> str:
            return fresh_token()

        def set(self, case, key, context) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Token {key}"}

    return description


def _operation(description, operation_id: str):
    for path, operations in description.raw_schema["paths"].items():
        for method, operation in operations.items():
            if operation["operationId"] == operation_id:
                return description[path][method.upper()]
    raise LookupError(f"{operation_id} is not in the description")


def _has_inputs(operation) -> bool:
    return bool(operation.path_parameters or operation.query or operation.headers or operation.body)


# WebOb spools a large request body to a temporary file (`tempfile.TemporaryFile`, a
# BufferedRandom over a FileIO opened `rb+`) that it leaves to the garbage collector: its warning,
# and the same warning turned into an error (setup.cfg) in the file's finalizer, which pytest
# reports as unraisable. Nothing else is ignored.
SPOOLED_FILE_UNCLOSED = "ignore:unclosed file <_io.BufferedRandom name=:ResourceWarning"
SPOOLED_FILE_UNRAISABLE = (r"ignore:Exception ignored in. <_io.FileIO name=\d+ mode='rb\+' closefd=True>"
                           ":pytest.PytestUnraisableExceptionWarning")


@pytest.mark.filterwarnings(SPOOLED_FILE_UNCLOSED)
@pytest.mark.filterwarnings(SPOOLED_FILE_UNRAISABLE)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
@pytest.mark.parametrize("operation_id", sorted(f"{name}.{method.lower()}" for name, method in OPERATIONS))
def test_the_api_keeps_its_description(api_description, operation_id, mode):
    operation = _operation(api_description, operation_id)
    if mode is GenerationMode.NEGATIVE and not _has_inputs(operation):
        pytest.skip("no parameter and no body: nothing to make invalid")

    @given(case=operation.as_strategy(generation_mode=mode, auth_storage=api_description.auth))
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        # Not checked: that every schema-valid request is accepted. A wrong password, a taken
        # username, a weak password or an operation refused in the current state are 400s by
        # contract, and no JSON Schema can say which values those are.
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    run()


def _drop_a_spooled_body() -> None:
    request = Request.blank("/", method="POST", body=b"x" * (Request.request_body_tempfile_limit + 1))
    request.copy_body()  # a body over the limit goes to a temporary file
    del request
    gc.collect()


def test_the_ignored_warnings_are_those_of_a_spooled_body_only(monkeypatch):
    """The two filters above match what WebOb's spooled body raises when it is collected (a
    warning, or, when warnings are errors, an unraisable exception), and nothing broader."""
    unclosed, unraisable = SPOOLED_FILE_UNCLOSED.split(":")[1], SPOOLED_FILE_UNRAISABLE.split(":")[1]
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", ResourceWarning)
        _drop_a_spooled_body()
    assert seen and all(re.match(unclosed, str(w.message)) for w in seen)
    caught: list[str] = []  # as pytest words it, when it happens
    monkeypatch.setattr(sys, "unraisablehook", lambda u: caught.append(f"Exception ignored in: {u.object!r}"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        _drop_a_spooled_body()
    assert caught and all(re.match(unraisable, message) for message in caught)
    assert not re.match(unclosed, "unclosed file <_io.TextIOWrapper name='x' mode='r' encoding='UTF-8'>")
    assert not re.match(unraisable, "Exception ignored in: <function Thing.__del__ at 0x7f0000000000>")
