"""Password hashing: Argon2id for every new hash; imported Django hashes verify and get rehashed.

Stored formats:
- `$argon2id$v=19$m=...,t=...,p=...$salt$hash`: WiWebb's own (argon2-cffi's PHC string).
- `argon2$argon2id$v=19$...`: Django's Argon2PasswordHasher.
- `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>`: Django's default.
- anything starting with `!` (Django's unusable password) never matches.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher as Argon2
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError


@dataclass(frozen=True)
class Argon2Parameters:
    """The defaults are argon2-cffi's RFC 9106 low-memory profile, above OWASP's minimum
    (m=19 MiB, t=2, p=1)."""

    time_cost: int = 3
    memory_cost: int = 65536  # KiB
    parallelism: int = 4


class Argon2PasswordHasher:
    def __init__(self, parameters: Argon2Parameters | None = None) -> None:
        self.parameters = parameters or Argon2Parameters()
        self._argon2 = Argon2(
            time_cost=self.parameters.time_cost,
            memory_cost=self.parameters.memory_cost,
            parallelism=self.parameters.parallelism,
            type=Type.ID,
        )
        # Verified against for users that do not exist, so they cost what a real check costs.
        self._decoy = self._argon2.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._argon2.hash(password)

    def verify(self, password: str, encoded: str) -> bool:
        if encoded.startswith("$argon2"):
            return self._verify_argon2(password, encoded)
        if encoded.startswith("argon2$"):
            return self._verify_argon2(password, encoded.removeprefix("argon2"))
        if encoded.startswith("pbkdf2_sha256$"):
            return _verify_django_pbkdf2(password, encoded)
        # Unusable (`!...`), empty or unknown: spend the same time, then refuse.
        self.burn(password)
        return False

    def needs_rehash(self, encoded: str) -> bool:
        if not encoded.startswith("$argon2id$"):
            return True
        try:
            return self._argon2.check_needs_rehash(encoded)
        except InvalidHashError:
            return True

    def burn(self, password: str) -> None:
        self._verify_argon2(password, self._decoy)

    def _verify_argon2(self, password: str, encoded: str) -> bool:
        try:
            return self._argon2.verify(encoded, password)
        except (VerificationError, InvalidHashError):
            return False


def _verify_django_pbkdf2(password: str, encoded: str) -> bool:
    try:
        _, iterations, salt, expected = encoded.split("$", 3)
        digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), int(iterations))
    except (ValueError, OverflowError):  # a malformed imported row refuses, it does not crash
        return False
    return hmac.compare_digest(base64.b64encode(digest).strip(), expected.encode("utf-8", "replace"))
