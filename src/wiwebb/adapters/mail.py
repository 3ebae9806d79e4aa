"""Mailers behind the domain's `Mailer` port (SMTP, console, in-memory) and the background worker
that delivers the outbox after commit."""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate

from wiwebb.domain.model import OutgoingMail
from wiwebb.domain.ports import MailDeliveryError

from .periodic import PeriodicTask

log = logging.getLogger("wiwebb.mail")


def to_email_message(mail: OutgoingMail) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = mail.subject
    message["From"] = mail.from_address
    message["To"] = mail.to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = mail.message_id  # fixed when queued: a duplicate is recognisable
    message.set_content(mail.text)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
    return message


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 25
    username: str = ""
    password: str = field(default="", repr=False)
    use_tls: bool = False  # STARTTLS
    use_ssl: bool = False  # implicit TLS
    timeout: float = 10.0


class SmtpMailer:
    """Sends through an SMTP server with the standard library."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def send(self, mail: OutgoingMail) -> None:
        s = self.settings
        try:
            if s.use_ssl:
                client: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout,
                                                        context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            with client:
                if s.use_tls:
                    client.starttls(context=ssl.create_default_context())
                if s.username:
                    client.login(s.username, s.password)
                client.send_message(to_email_message(mail))
        except (smtplib.SMTPException, OSError) as error:
            raise MailDeliveryError(f"{s.host}:{s.port}: {error}") from error


class ConsoleMailer:
    """Development only: writes the whole mail (links included) to the log instead of sending it."""

    def send(self, mail: OutgoingMail) -> None:
        # The text part as it is (not quoted-printable), so its links can be copied from the log.
        log.info("mail (console backend, not sent)\nMessage-ID: %s\nFrom: %s\nTo: %s\nSubject: %s\n\n%s",
                 mail.message_id, mail.from_address, mail.to, mail.subject, mail.text)


class InMemoryMailer:
    """For tests: keeps what it sends; can be told to refuse the next N messages."""

    def __init__(self) -> None:
        self.sent: list[OutgoingMail] = []
        self.refuse = 0
        self._lock = threading.Lock()

    def send(self, mail: OutgoingMail) -> None:
        with self._lock:
            if self.refuse:
                self.refuse -= 1
                raise MailDeliveryError("refused (test)")
            self.sent.append(mail)


class MailWorker(PeriodicTask):
    """A daemon thread that runs `deliver` when woken (after a commit that queued mail) and every
    `interval` seconds (for retries). A failed round (e.g. the SMTP server is down) is logged as a
    warning and tried again; the thread never dies of it."""

    def __init__(self, deliver: Callable[[], int], interval: float = 15.0) -> None:
        super().__init__(lambda keep_going: deliver(), timedelta(seconds=interval), name="wiwebb-mail",
                         logger=log, failure_level=logging.WARNING)
