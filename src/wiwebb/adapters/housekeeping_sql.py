"""The housekeeping store in SQL: batched deletes, each batch a short transaction of its own.

A batch is `DELETE FROM t WHERE id IN (SELECT id FROM t WHERE <old enough> LIMIT n FOR UPDATE SKIP
LOCKED)`: a big cleanup never holds many row locks or one long transaction, and on PostgreSQL two
cleanups at once skip each other's rows instead of waiting (or deadlocking). SQLite has no row
locks (SQLAlchemy leaves the FOR UPDATE out there); its writers take turns on the write lock.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, select

from .database import Database
from .orm import AuthTokenRow, Base, MailOutboxRow, WebhookEventRow


class SqlHousekeepingStore:
    def __init__(self, database: Database) -> None:
        self._database = database

    def delete_expired_tokens(self, expired_before: datetime, limit: int) -> int:
        return self._delete_batch(AuthTokenRow, AuthTokenRow.id, AuthTokenRow.expires_at < expired_before, limit)

    def delete_delivered_mail(self, sent_before: datetime, limit: int) -> int:
        # sent_at is NULL for pending and failed mail: the comparison leaves them alone.
        return self._delete_batch(MailOutboxRow, MailOutboxRow.id, MailOutboxRow.sent_at < sent_before, limit)

    def delete_processed_webhook_events(self, processed_before: datetime, limit: int) -> int:
        # processed_at is set when an event is applied (again, when a failed one is replayed), so
        # the age counts from its last application; failed events are kept for replay.
        return self._delete_batch(WebhookEventRow, WebhookEventRow.event_id,
                                  (WebhookEventRow.status != "failed")
                                  & (WebhookEventRow.processed_at < processed_before), limit)

    def _delete_batch(self, row: type[Base], key: Any, old_enough: ColumnElement[bool], limit: int) -> int:
        batch = select(key).where(old_enough).limit(limit).with_for_update(skip_locked=True)
        with self._database.session(write=True) as session, session.begin():
            result = session.execute(delete(row).where(key.in_(batch)),
                                     execution_options={"synchronize_session": False})
            return int(result.rowcount)  # type: ignore[attr-defined]
