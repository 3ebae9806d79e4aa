"""Identity: register, log in and out, authenticate a token, change a password, edit a profile.

Pure: it talks to its ports only, never commits, and is tested with in-memory fakes.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, NoReturn

from . import accounts, tokens
from .authentication import Authenticator, Session, active
from .errors import NotFound, PermissionDenied, ValidationFailed
from .mail import invitation_mail, password_changed_mail, password_reset_mail
from .model import (
    PROFILE_FIELDS,
    UNUSABLE_PASSWORD_PREFIX,
    AuditEntry,
    AuthToken,
    IssuedToken,
    OutgoingMail,
    Role,
    Tenant,
    User,
)
from .password_policy import Applicant, password_problems
from .ports import AuditLog, Clock, MailOutbox, PasswordHasher, TenantRepository, TokenRepository, UserRepository
from .reset_tokens import ResetTokens, decode_uid, encode_uid
from .throttling import Throttle

BAD_CREDENTIALS = "Unable to log in with provided credentials."
REGISTRATION_MISMATCH = "The two password fields didn't match."  # dj-rest-auth's ASCII apostrophe
FORM_MISMATCH = "The two password fields didn\u2019t match."  # Django's forms use U+2019
WRONG_OLD_PASSWORD = "Your old password was entered incorrectly. Please enter it again."
REGISTRATION_CLOSED = "Registration is closed."
INVALID_VALUE = "Invalid value"
FAILED_LOGIN = "failed_login"
USER_AGENT_MAX_LENGTH = 255


@dataclass(frozen=True)
class IdentityPolicy:
    token_ttl: timedelta = timedelta(days=7)
    registration_open: bool = True
    mail_from: str = "WiWebb <noreply@localhost>"


# Stands in for the user when a reset is asked for an unknown address, so the work is the same.
_NOBODY = User(id=0, username="nobody", email="nobody@invalid", password_hash="!")


@dataclass(frozen=True)
class NewSuperuser:
    user: User
    generated_password: str | None = field(default=None, repr=False)
    invited: bool = False  # created without a password, and mailed a link to choose one


class IdentityService:
    def __init__(
        self,
        *,
        users: UserRepository,
        tenants: TenantRepository,
        tokens: TokenRepository,
        audit: AuditLog,
        hasher: PasswordHasher,
        clock: Clock,
        policy: IdentityPolicy | None = None,
        outbox: MailOutbox | None = None,
        reset_tokens: ResetTokens | None = None,
        throttle: Throttle | None = None,
    ) -> None:
        self._users = users
        self._tenants = tenants
        self._tokens = tokens
        self._audit = audit
        self._hasher = hasher
        self._clock = clock
        self.policy = policy or IdentityPolicy()
        self._outbox = outbox
        self._reset_tokens = reset_tokens
        self._throttle = throttle

    # -- registration and login -------------------------------------------------------------

    def register(
        self,
        *,
        username: str,
        email: str,
        password1: str,
        password2: str,
        first_name: str = "",
        last_name: str = "",
        user_agent: str = "",
    ) -> IssuedToken:
        """Create a subscriber with no tenant and log them in."""
        self.require_open_registration()
        email = accounts.normalize_email(email)
        errors = self._account_problems(username, email)
        applicant = Applicant(username, first_name, last_name, email)
        if problems := password_problems(password1, applicant):
            errors["password1"] = problems
        if errors:
            raise ValidationFailed(errors)
        if password1 != password2:
            raise ValidationFailed.on("non_field_errors", REGISTRATION_MISMATCH)
        now = self._clock.now()
        user = self._users.add(
            User(
                id=None,
                username=username,
                email=email,
                password_hash=self._hasher.hash(password1),
                role=Role.SUBSCRIBER,
                first_name=first_name,
                last_name=last_name,
                date_joined=now,
                password_updated=now,
                last_login=now,
            )
        )
        self._record("user_created", actor=user, target=user, details={"via": "registration", "role": user.role.value})
        return self._issue(user, user_agent)

    def require_open_registration(self) -> None:
        """PermissionDenied (403) when registration is switched off: a permission, checked before
        the body is read, as DRF checks permissions before parsing."""
        if not self.policy.registration_open:
            raise PermissionDenied(REGISTRATION_CLOSED)

    def login(self, identifier: str, password: str, user_agent: str = "", client_ip: str = "") -> IssuedToken:
        """Log in by username (case-sensitive) or e-mail address (case-insensitive).

        Wrong password, unknown user, inactive user or inactive tenant: one and the same error,
        after the same hashing work, so neither the answer nor its timing tells them apart.
        """
        guard_key = identifier.lower() if "@" in identifier else identifier
        if self._throttle:
            self._throttle.check(FAILED_LOGIN, guard_key)
        user = self._users.get_by_username(identifier)
        if user is None and "@" in identifier:
            user = self._users.get_by_email(identifier)
        if user is None:
            self._hasher.burn(password)
            self._login_failed(guard_key, identifier, None, client_ip)
        matches = self._hasher.verify(password, user.password_hash)
        if not (matches and self._may_log_in(user)):
            self._login_failed(guard_key, identifier, user, client_ip)
        if self._hasher.needs_rehash(user.password_hash):
            user.password_hash = self._hasher.hash(password)
        user.last_login = self._clock.now()
        self._users.update(user)
        return self._issue(user, user_agent)

    def _login_failed(self, guard_key: str, identifier: str, user: User | None, client_ip: str) -> NoReturn:
        if self._throttle:
            self._throttle.count(FAILED_LOGIN, guard_key)
        # Kept even though the request that failed is rolled back.
        self._audit.record(AuditEntry.of(
            "login_failed", actor=None, target=user, tenant_id=user.tenant_id if user else None,
            timestamp=self._clock.now(),
            details={"username": identifier[:accounts.USERNAME_MAX_LENGTH], "ip": client_ip}), durable=True)
        raise ValidationFailed.on("non_field_errors", BAD_CREDENTIALS)

    # -- tokens ------------------------------------------------------------------------------

    def authenticate(self, key: str) -> Session:
        """The session a token key opens, or `AuthenticationFailed` with DRF's message."""
        return Authenticator(self._tokens, self._clock).authenticate(key)

    def logout(self, session: Session, *, everywhere: bool = False) -> None:
        if everywhere:
            self.revoke_all_tokens(session.user)
        elif session.token.id is not None:
            self._tokens.delete(session.token.id)

    def live_tokens(self, user: User) -> list[AuthToken]:
        now = self._clock.now()
        return [t for t in self._tokens.list_for_user(user.id or 0) if t.expires_at > now]

    def revoke_token(self, user: User, token_id: int) -> None:
        """Revoke one of the user's own tokens; another user's token is not found."""
        if not any(t.id == token_id for t in self._tokens.list_for_user(user.id or 0)):
            raise NotFound()
        self._tokens.delete(token_id)

    def purge_expired_tokens(self) -> int:
        """Delete the tokens that have expired (they authenticate nothing any more)."""
        return self._tokens.delete_expired(self._clock.now())

    def revoke_all_tokens(self, user: User, *, keep: AuthToken | None = None) -> int:
        """Revoke every token of the user (but `keep`): deactivation and password reset use it."""
        return self._tokens.delete_for_user(user.id or 0, keep=keep.id if keep else None)

    # -- passwords and profile ---------------------------------------------------------------

    def change_password(
        self, session: Session, *, old_password: str, new_password1: str, new_password2: str
    ) -> None:
        """Set a new password (the old one required); every other token of the user is revoked."""
        user = session.user
        if not self._hasher.verify(old_password, user.password_hash):
            raise ValidationFailed.on("old_password", WRONG_OLD_PASSWORD)
        self.set_password(user, new_password1, new_password2, keep=session.token, actor=user)

    def set_password(
        self, user: User, new_password1: str, new_password2: str, *,
        keep: AuthToken | None = None, actor: User | None = None, action: str = "password_changed",
    ) -> None:
        """Validate and store a new password with Django's form rules; revoke tokens but `keep`."""
        if new_password1 != new_password2:
            raise ValidationFailed.on("new_password2", FORM_MISMATCH)
        if problems := password_problems(new_password2, user):
            raise ValidationFailed({"new_password2": problems})
        user.password_hash = self._hasher.hash(new_password1)
        user.password_updated = self._clock.now()
        self._users.update(user)
        self.revoke_all_tokens(user, keep=keep)
        self._record(action, actor=actor, target=user, tenant_id=user.tenant_id)
        self._send(password_changed_mail(user.email, user.username, self.policy.mail_from))

    def request_password_reset(self, email: str, frontend_url: str) -> None:
        """Queue a reset link for the active user with this address, if there is one.

        The answer is the same either way, and so is the work: for an unknown address the token
        and the mail are made for a stand-in and dropped. No mail is sent inside the request."""
        user = self._users.get_by_email(email) if accounts.is_valid_email(email) else None
        recipient = user if user is not None and self._may_log_in(user) else None
        subject = recipient or _NOBODY
        now = self._clock.now()
        token = self._tokens_for_reset().make(subject, now)
        link = f"{frontend_url.rstrip('/')}/reset-password/{encode_uid(subject.id or 0)}/{token}/"
        mail = password_reset_mail(subject.email, subject.username, link, self.policy.mail_from,
                                   self._tokens_for_reset().timeout)
        if recipient is not None:
            self._send(mail)

    def invite(self, user: User, frontend_url: str) -> None:
        """Mail a user created without a password a link to choose one (the reset flow)."""
        reset = self._tokens_for_reset()
        token = reset.make(user, self._clock.now())
        link = f"{frontend_url.rstrip('/')}/reset-password/{encode_uid(user.id or 0)}/{token}/"
        self._send(invitation_mail(user.email, user.username, link, self.policy.mail_from, reset.timeout))

    def confirm_password_reset(self, *, uid: str, token: str, new_password1: str, new_password2: str) -> None:
        """Set a new password from a reset link; every token of the user is revoked, and the
        failed-login limit on the account is lifted so the owner can always get back in."""
        user_id = decode_uid(uid)
        user = self._users.get(user_id) if user_id is not None else None
        if user is None:
            raise ValidationFailed.on("uid", INVALID_VALUE)
        if not self._tokens_for_reset().check(user, token, self._clock.now()):
            raise ValidationFailed.on("token", INVALID_VALUE)
        self.set_password(user, new_password1, new_password2, actor=user, action="password_reset")
        if self._throttle:
            self._throttle.clear(FAILED_LOGIN, user.username)
            self._throttle.clear(FAILED_LOGIN, user.email.lower())

    def update_profile(self, user: User, changes: Mapping[str, Any]) -> User:
        """Apply the profile fields of `changes`; anything else in it is ignored, never applied."""
        applicable = {name: value for name, value in changes.items() if name in PROFILE_FIELDS}
        username = applicable.get("username", user.username)
        if username != user.username:
            problems = accounts.username_problems(username)
            if not problems and self._users.get_by_username(username) is not None:
                problems = [accounts.USERNAME_TAKEN]
            if problems:
                raise ValidationFailed({"username": problems})
        changed = {name: value for name, value in applicable.items() if getattr(user, name) != value}
        if changed:
            before = {name: getattr(user, name) for name in changed}
            for name, value in changed.items():
                setattr(user, name, value)
            self._users.update(user)
            changes = {k: {"from": _text(before[k]), "to": _text(v)} for k, v in changed.items()}
            self._record("user_updated", actor=user, target=user, tenant_id=user.tenant_id,
                         details={"via": "profile", "changes": changes})
        return user

    # -- operators ---------------------------------------------------------------------------

    def create_superuser(
        self, *, username: str, email: str, password: str | None, validate_password: bool = True
    ) -> User:
        """A real superadmin: role superadmin, hence `is_staff` and `is_superuser`. Without a
        password, it has none that can match until it chooses one (`invite`)."""
        email = accounts.normalize_email(email)
        errors = self._account_problems(username, email)
        if validate_password and password is not None and (
                problems := password_problems(password, Applicant(username, email=email))):
            errors["password"] = problems
        if errors:
            raise ValidationFailed(errors)
        now = self._clock.now()
        password_hash = (self._hasher.hash(password) if password is not None
                         else UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(20))
        user = self._users.add(
            User(id=None, username=username, email=email, password_hash=password_hash,
                 role=Role.SUPERADMIN, date_joined=now, password_updated=now if password is not None else None)
        )
        self._record("user_created", actor=None, target=user,
                     details={"via": "createsuperuser", "role": user.role.value})
        return user

    def ensure_superuser(self, *, username: str, email: str, password: str | None,
                         invite_at: str | None = None) -> NewSuperuser | None:
        """Create a superadmin unless one exists. Without a password, one is generated (to be shown
        once), or, given `invite_at` (the console's address; production, where what is printed ends
        in the logs), none is set and the superadmin is mailed a link to choose one."""
        if self._users.exists_with_role(Role.SUPERADMIN.value):
            return None
        if not password and invite_at is not None:
            if accounts.is_reserved_example_address(email):
                raise ValidationFailed.on("email", f"{email} cannot receive the link to choose a password: "
                                          "give a real address, or a password.")
            invited = self.create_superuser(username=username, email=email, password=None)
            self.invite(invited, invite_at)
            return NewSuperuser(invited, invited=True)
        generated = None if password else secrets.token_urlsafe(12)
        user = self.create_superuser(username=username, email=email, password=password or generated or "",
                                     validate_password=password is not None)
        return NewSuperuser(user, generated)

    def tenant_of(self, user: User) -> Tenant | None:
        return self._tenants.get(user.tenant_id) if user.tenant_id is not None else None

    # -- internals ---------------------------------------------------------------------------

    def _account_problems(self, username: str, email: str) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        problems = accounts.username_problems(username)
        if not problems and self._users.get_by_username(username) is not None:
            problems = [accounts.USERNAME_TAKEN]
        if problems:
            errors["username"] = problems
        if not accounts.is_valid_email(email):
            errors["email"] = [accounts.INVALID_EMAIL]
        elif self._users.get_by_email(email) is not None:
            errors["email"] = [accounts.EMAIL_TAKEN]
        return errors

    def _record(self, action: str, *, actor: User | None, target: User | None = None,
                tenant_id: int | None = None, details: dict[str, Any] | None = None) -> None:
        self._audit.record(AuditEntry.of(action, actor=actor, target=target, tenant_id=tenant_id, details=details,
                                         timestamp=self._clock.now()))

    def _tokens_for_reset(self) -> ResetTokens:
        if self._reset_tokens is None:
            raise RuntimeError("IdentityService was built without reset tokens (no secret key)")
        return self._reset_tokens

    def _send(self, mail: OutgoingMail) -> None:
        if self._outbox is not None:
            self._outbox.enqueue(mail, self._clock.now())

    def _may_log_in(self, user: User) -> bool:
        if not user.is_active:
            return False
        return active(user, self._tenants.get(user.tenant_id) if user.tenant_id is not None else None)

    def _issue(self, user: User, user_agent: str) -> IssuedToken:
        key = tokens.new_key()
        now = self._clock.now()
        token = self._tokens.add(
            AuthToken(
                id=None,
                user_id=user.id or 0,
                key_hash=tokens.digest(key),
                prefix=key[: tokens.PREFIX_LENGTH],
                created=now,
                expires_at=now + self.policy.token_ttl,
                last_used=None,
                user_agent=user_agent[:USER_AGENT_MAX_LENGTH],
            )
        )
        return IssuedToken(key=key, token=token, user=user)


def _text(value: Any) -> Any:
    """A profile value as the audit log's JSON keeps it (dates as ISO text)."""
    return value.isoformat() if hasattr(value, "isoformat") else value
