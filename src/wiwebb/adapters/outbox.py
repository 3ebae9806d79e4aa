"""The mail outbox in the database: queued in the request's transaction, delivered after it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from wiwebb.domain.model import OutgoingMail, QueuedMail

from .database import Database
from .orm import MailOutboxRow


def _queued(row: MailOutboxRow) -> QueuedMail:
    mail = OutgoingMail(to=row.to_address, subject=row.subject, text=row.text_body, html=row.html_body,
                        from_address=row.from_address, message_id=row.message_id)
    return QueuedMail(id=row.id, mail=mail, attempts=row.attempts, created_at=row.created_at,
                      next_attempt_at=row.next_attempt_at, sent_at=row.sent_at, failed_at=row.failed_at,
                      last_error=row.last_error)


class SqlMailOutbox:
    """Queues mail in the caller's session: it exists only if that transaction commits.
    `on_queued` is told, so that delivery can start as soon as the commit is done."""

    def __init__(self, session: Session, on_queued: Callable[[], None] | None = None) -> None:
        self._session = session
        self._on_queued = on_queued

    def enqueue(self, mail: OutgoingMail, now: datetime) -> None:
        if self._on_queued is not None:
            self._on_queued()
        self._session.add(MailOutboxRow(
            message_id=mail.message_id, to_address=mail.to, from_address=mail.from_address,
            subject=mail.subject, text_body=mail.text, html_body=mail.html, created_at=now,
            attempts=0, next_attempt_at=now, last_error=""))


_PENDING = (MailOutboxRow.sent_at.is_(None), MailOutboxRow.failed_at.is_(None))


class SqlMailQueue:
    """The delivery side of the outbox; every call is a short transaction of its own."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def claim_due(self, now: datetime, lease: timedelta) -> QueuedMail | None:
        with self._database.session(write=True) as session, session.begin():
            row = session.scalars(
                select(MailOutboxRow).where(*_PENDING, MailOutboxRow.next_attempt_at <= now)
                .order_by(MailOutboxRow.next_attempt_at, MailOutboxRow.id).limit(1)
                .with_for_update(skip_locked=True)
            ).one_or_none()
            if row is None:
                return None
            row.next_attempt_at = now + lease
            return _queued(row)

    def mark_sent(self, mail_id: int, now: datetime) -> None:
        with self._database.session(write=True) as session, session.begin():
            session.execute(update(MailOutboxRow).where(MailOutboxRow.id == mail_id)
                            .values(sent_at=now, attempts=MailOutboxRow.attempts + 1, last_error=""))

    def mark_attempt_failed(self, mail_id: int, error: str, next_attempt_at: datetime | None,
                            now: datetime) -> None:
        values: dict[str, object] = {"attempts": MailOutboxRow.attempts + 1, "last_error": error[:2000]}
        if next_attempt_at is None:
            values["failed_at"] = now
        else:
            values["next_attempt_at"] = next_attempt_at
        with self._database.session(write=True) as session, session.begin():
            session.execute(update(MailOutboxRow).where(MailOutboxRow.id == mail_id).values(**values))

    def failed(self) -> Sequence[QueuedMail]:
        with self._database.session() as session:
            rows = session.scalars(select(MailOutboxRow).where(MailOutboxRow.failed_at.is_not(None))
                                   .order_by(MailOutboxRow.id))
            return [_queued(row) for row in rows]

    def pending(self) -> Sequence[QueuedMail]:
        with self._database.session() as session:
            rows = session.scalars(select(MailOutboxRow).where(*_PENDING).order_by(MailOutboxRow.id))
            return [_queued(row) for row in rows]

    def purge_sent(self, sent_before: datetime) -> int:
        with self._database.session(write=True) as session, session.begin():
            result = session.execute(delete(MailOutboxRow).where(MailOutboxRow.sent_at < sent_before))
            return result.rowcount  # type: ignore[attr-defined, no-any-return]

    def requeue_failed(self, now: datetime) -> int:
        with self._database.session(write=True) as session, session.begin():
            result = session.execute(update(MailOutboxRow).where(MailOutboxRow.failed_at.is_not(None))
                                     .values(failed_at=None, attempts=0, next_attempt_at=now))
            return result.rowcount  # type: ignore[attr-defined, no-any-return]
