"""Argon2PasswordHasher: WiWebb's own Argon2id hashes, and the Django formats imported users carry."""

from __future__ import annotations

import base64
import hashlib

import argon2
import pytest

from wiwebb.adapters.passwords import Argon2Parameters, Argon2PasswordHasher

CHEAP = Argon2Parameters(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def hasher() -> Argon2PasswordHasher:
    return Argon2PasswordHasher(CHEAP)


def django_pbkdf2(password: str, salt: str, iterations: int) -> str:
    """What Django's PBKDF2PasswordHasher.encode writes."""
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${base64.b64encode(digest).decode('ascii').strip()}"


def django_argon2(password: str, kind: argon2.Type = argon2.Type.ID) -> str:
    """What Django's Argon2PasswordHasher.encode writes: argon2-cffi's PHC string behind `argon2`."""
    return "argon2" + argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=kind).hash(password)


def test_hash_is_argon2id_and_verifies(hasher):
    encoded = hasher.hash("correct-horse-9")
    assert encoded.startswith("$argon2id$")
    assert hasher.verify("correct-horse-9", encoded)
    assert not hasher.verify("correct-horse-8", encoded)
    assert hasher.hash("correct-horse-9") != encoded  # salted


def test_needs_rehash(hasher):
    assert not hasher.needs_rehash(hasher.hash("pw"))
    other_parameters = argon2.PasswordHasher(time_cost=2, memory_cost=8, parallelism=1).hash("pw")
    assert hasher.needs_rehash(other_parameters)
    assert hasher.needs_rehash(django_pbkdf2("pw", "seasalt", 1000))
    assert hasher.needs_rehash(django_argon2("pw"))
    assert hasher.needs_rehash("$argon2id$garbage")


def test_verifies_django_pbkdf2(hasher):
    encoded = django_pbkdf2("lètmein", "Nq3AbmGBUFGT", 1000)
    assert hasher.verify("lètmein", encoded)
    assert not hasher.verify("lètmeinz", encoded)
    assert not hasher.verify("lètmein", encoded.replace("$1000$", "$1001$"))


def test_verifies_djangos_own_pbkdf2_vector(hasher):
    # From Django 1.5's tests/auth_tests (make_password('lètmein', 'seasalt', 'pbkdf2_sha256')).
    encoded = "pbkdf2_sha256$10000$seasalt$CWWFdHOWwPnki7HvkcqN9iA2T3KLW1cf2uZ5kvArtVY="
    assert hasher.verify("lètmein", encoded)
    assert not hasher.verify("letmein", encoded)


@pytest.mark.parametrize(("kind", "prefix"), [(argon2.Type.ID, "argon2$argon2id$"), (argon2.Type.I, "argon2$argon2i$")])
def test_verifies_django_argon2(hasher, kind, prefix):
    encoded = django_argon2("correct-horse-9", kind)
    assert encoded.startswith(prefix)
    assert hasher.verify("correct-horse-9", encoded)
    assert not hasher.verify("correct-horse-8", encoded)


@pytest.mark.parametrize("encoded", ["!xyz", "", "!", "md5$salt$hash"])
def test_unusable_empty_or_unknown_never_verify_but_cost_a_check(hasher, encoded, monkeypatch):
    checked = spy_on_argon2(hasher, monkeypatch)
    assert not hasher.verify("", encoded)
    assert not hasher.verify("xyz", encoded)
    assert checked == [hasher._decoy, hasher._decoy]


def test_burn_verifies_against_a_decoy_like_real_hashes(hasher, monkeypatch):
    real = argon2.extract_parameters(hasher.hash("pw"))
    decoy = argon2.extract_parameters(hasher._decoy)
    assert decoy == real
    assert (decoy.time_cost, decoy.memory_cost, decoy.parallelism) == (1, 8, 1)
    checked = spy_on_argon2(hasher, monkeypatch)
    hasher.burn("pw")
    assert checked == [hasher._decoy]


def test_production_parameters_meet_owasp_minimum():
    defaults = Argon2Parameters()
    assert defaults.memory_cost >= 19456  # KiB
    assert defaults.time_cost >= 2
    assert defaults.parallelism >= 1
    # ...and a hasher built without parameters uses them (one real hash, about 0.1 s).
    used = argon2.extract_parameters(Argon2PasswordHasher()._decoy)
    assert (used.type, used.time_cost, used.memory_cost, used.parallelism) == (
        argon2.Type.ID, defaults.time_cost, defaults.memory_cost, defaults.parallelism)


def spy_on_argon2(hasher: Argon2PasswordHasher, monkeypatch) -> list[str]:
    """Record every encoded hash that an Argon2 verification runs against (and still run it)."""
    checked: list[str] = []
    verify = hasher._verify_argon2

    def spy(password: str, encoded: str) -> bool:
        checked.append(encoded)
        return verify(password, encoded)

    monkeypatch.setattr(hasher, "_verify_argon2", spy)
    return checked
