"""Auth token keys: 40 hex characters handed out once, kept only as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import secrets

KEY_BYTES = 20  # 40 hex characters, like DRF's tokens
PREFIX_LENGTH = 8  # kept in clear for display; the other 32 characters (128 bits) stay secret


def new_key() -> str:
    return secrets.token_hex(KEY_BYTES)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()
