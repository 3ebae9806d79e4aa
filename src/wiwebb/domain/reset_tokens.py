"""Password reset links compatible with Django's `PasswordResetTokenGenerator`.

uid: the user's id, URL-safe base64 without padding. token: `<timestamp base36>-<HMAC>`, the HMAC
(SHA-256, every other hex digit) over the id, the password hash, the last login (to the second),
the timestamp and the e-mail address. So a token stops working once the password, the last login
or the address changes, and expires after the timeout. Run with the original system's
SECRET_KEY, WiWebb accepts the reset links it sent (its servers ran on UTC).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from .model import User

KEY_SALT = "django.contrib.auth.tokens.PasswordResetTokenGenerator"
_EPOCH = datetime(2001, 1, 1)
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def encode_uid(user_id: int) -> str:
    return base64.urlsafe_b64encode(str(user_id).encode()).rstrip(b"\n=").decode("ascii")


def decode_uid(uid: str) -> int | None:
    """The user id in `uid`, or None when it is not one."""
    try:
        raw = uid.encode("ascii")
        text = base64.urlsafe_b64decode(raw.ljust(len(raw) + len(raw) % 4, b"=")).decode("ascii")
        return int(text) if text.isdigit() and len(text) < 19 else None
    except (UnicodeError, ValueError, binascii.Error):
        return None


def _int_to_base36(number: int) -> str:
    if number < 36:
        return _B36[number]
    digits = ""
    while number:
        number, remainder = divmod(number, 36)
        digits = _B36[remainder] + digits
    return digits


def _seconds(moment: datetime) -> int:
    return int((moment.astimezone(UTC).replace(tzinfo=None) - _EPOCH).total_seconds())


class ResetTokens:
    def __init__(self, secret: str, timeout: timedelta, fallback_secrets: tuple[str, ...] = ()) -> None:
        self._secrets = (secret, *fallback_secrets)
        self.timeout = timeout

    def make(self, user: User, now: datetime) -> str:
        return self._token(user, _seconds(now), self._secrets[0])

    def check(self, user: User, token: str, now: datetime) -> bool:
        stamp, sep, _ = token.partition("-")
        if not sep or not stamp or len(stamp) > 13:
            return False
        try:
            timestamp = int(stamp, 36)
        except ValueError:
            return False
        if not any(hmac.compare_digest(self._token(user, timestamp, s), token) for s in self._secrets):
            return False
        return _seconds(now) - timestamp <= self.timeout.total_seconds()

    @staticmethod
    def _token(user: User, timestamp: int, secret: str) -> str:
        last_login = "" if user.last_login is None else user.last_login.astimezone(UTC).replace(
            microsecond=0, tzinfo=None)
        value = f"{user.id}{user.password_hash}{last_login}{timestamp}{user.email or ''}"
        key = hashlib.sha256((KEY_SALT + secret).encode()).digest()
        digest = hmac.new(key, msg=value.encode(), digestmod=hashlib.sha256).hexdigest()[::2]
        return f"{_int_to_base36(timestamp)}-{digest}"
