"""Outgoing mail: the messages WiWebb sends, and the delivery policy of the outbox.

Mail is never sent inside a request. It is written to the outbox in the same transaction as the
change that causes it, and delivered after commit by `MailDelivery` (the server's worker, or
`wiwebb send-mail`), retried with backoff until it is sent, or marked failed and kept after
`max_attempts`. Every message has a `Message-ID` fixed when it is queued, so a duplicate delivery
(delivery is at least once) is recognisable.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .model import OutgoingMail, QueuedMail
from .ports import Clock, MailDeliveryError, Mailer, MailQueue

log = logging.getLogger("wiwebb.mail")


@dataclass(frozen=True)
class DeliveryPolicy:
    max_attempts: int = 8
    first_retry: timedelta = timedelta(seconds=30)
    longest_retry: timedelta = timedelta(hours=1)
    lease: timedelta = timedelta(minutes=5)
    # Sent mail is kept this long (for "did it go out?"), then deleted: its text holds reset links.
    keep_sent: timedelta = timedelta(days=30)
    purge_every: timedelta = timedelta(hours=1)

    def retry_delay(self, attempts: int) -> timedelta:
        """Exponential backoff after `attempts` failed attempts: 30 s, 1 min, 2 min, ... up to 1 h."""
        return min(self.first_retry * (1 << max(attempts - 1, 0)), self.longest_retry)


class MailDelivery:
    def __init__(self, queue: MailQueue, mailer: Mailer, clock: Clock, policy: DeliveryPolicy | None = None
                 ) -> None:
        self._queue = queue
        self._mailer = mailer
        self._clock = clock
        self.policy = policy or DeliveryPolicy()
        self._purged_at: datetime | None = None

    def deliver_due(self, limit: int = 100) -> int:
        """Send what is due; return how many were sent. Failures are logged and rescheduled."""
        sent = 0
        for _ in range(limit):
            queued = self._queue.claim_due(self._clock.now(), self.policy.lease)
            if queued is None:
                break
            try:
                self._mailer.send(queued.mail)
            except MailDeliveryError as error:
                self._failed(queued, str(error))
                continue
            self._queue.mark_sent(queued.id, self._clock.now())
            sent += 1
        now = self._clock.now()
        if self._purged_at is None or now - self._purged_at >= self.policy.purge_every:
            self._purged_at = now
            self._queue.purge_sent(now - self.policy.keep_sent)
        return sent

    def _failed(self, queued: QueuedMail, error: str) -> None:
        attempts = queued.attempts + 1
        now = self._clock.now()
        if attempts >= self.policy.max_attempts:
            log.error("mail %s to %s failed for good after %d attempts: %s",
                      queued.mail.message_id, queued.mail.to, attempts, error)
            self._queue.mark_attempt_failed(queued.id, error, None, now)
            return
        retry_at = now + self.policy.retry_delay(attempts)
        log.warning("mail %s to %s not delivered (attempt %d of %d), retrying at %s: %s",
                    queued.mail.message_id, queued.mail.to, attempts, self.policy.max_attempts,
                    retry_at.isoformat(), error)
        self._queue.mark_attempt_failed(queued.id, error, retry_at, now)

    def failed(self) -> Sequence[QueuedMail]:
        return self._queue.failed()

    def pending(self) -> Sequence[QueuedMail]:
        return self._queue.pending()

    def retry_failed(self) -> int:
        return self._queue.requeue_failed(self._clock.now())


# -- the messages --------------------------------------------------------------------------------

def _html(before: Sequence[str], link: str | None = None, after: Sequence[str] = ()) -> str:
    def paragraphs(texts: Sequence[str]) -> str:
        return "".join(f"<p>{html.escape(text)}</p>" for text in texts)

    anchor = f'<p><a href="{html.escape(link, quote=True)}">{html.escape(link)}</a></p>' if link else ""
    return f"<!doctype html><html><body>{paragraphs(before)}{anchor}{paragraphs(after)}</body></html>"


def password_reset_mail(to: str, username: str, link: str, from_address: str, valid_for: timedelta) -> OutgoingMail:
    days = valid_for.total_seconds() / 86400
    validity = f"{days:g} days" if days >= 1 else f"{valid_for.total_seconds() / 3600:g} hours"
    intro = [f"Hello {username},",
             "Someone asked to reset the password of your WiWebb account. To choose a new one, open this link:"]
    outro = [f"The link works once, for {validity}. If you did not ask for this, ignore this mail: "
             "your password stays as it is."]
    text = "\n\n".join([*intro, link, *outro]) + "\n"
    return OutgoingMail(to=to, subject="Reset your WiWebb password", text=text,
                        html=_html(intro, link, outro),
                        from_address=from_address)


def password_changed_mail(to: str, username: str, from_address: str) -> OutgoingMail:
    paragraphs = [f"Hello {username},",
                  "The password of your WiWebb account was just changed, and every session but the one "
                  "that changed it was logged out.",
                  "If this was not you, reset your password now and tell your administrator."]
    return OutgoingMail(to=to, subject="Your WiWebb password was changed", text="\n\n".join(paragraphs) + "\n",
                        html=_html(paragraphs), from_address=from_address)


def invitation_mail(to: str, username: str, link: str, from_address: str, valid_for: timedelta) -> OutgoingMail:
    days = valid_for.total_seconds() / 86400
    validity = f"{days:g} days" if days >= 1 else f"{valid_for.total_seconds() / 3600:g} hours"
    intro = [f"Hello {username},", "An account was created for you on WiWebb. To choose your password, open this link:"]
    outro = [f"The link works once, for {validity}. When it has expired, ask for a new one with "
             "\"Forgot your password?\" on the login page."]
    text = "\n\n".join([*intro, link, *outro]) + "\n"
    return OutgoingMail(to=to, subject="Your WiWebb account", text=text, html=_html(intro, link, outro),
                        from_address=from_address)
