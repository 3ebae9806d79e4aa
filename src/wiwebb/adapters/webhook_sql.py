"""Stripe's webhook events in SQL: each event id claimed once (a duplicate delivery costs one
INSERT ... ON CONFLICT DO NOTHING and one UPDATE), failed ones kept for replay."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wiwebb.domain.billing import WebhookEvent

from .orm import WebhookEventRow
from .repositories import Deferrer

# INSERT ... ON CONFLICT DO NOTHING, by dialect (both WiWebb's databases have it).
_INSERT_OR_NOTHING: dict[str, Any] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}

_EVENT_COLUMNS = [f.name for f in fields(WebhookEvent)]


def _event(row: WebhookEventRow) -> WebhookEvent:
    return WebhookEvent(**{name: getattr(row, name) for name in _EVENT_COLUMNS})


class SqlWebhookEventStore:
    def __init__(self, session: Session, durable: Deferrer) -> None:
        self._session = session
        self._durable = durable

    def claim(self, event: WebhookEvent) -> bool:
        values = {name: getattr(event, name) for name in _EVENT_COLUMNS}
        insert = _INSERT_OR_NOTHING.get(self._session.get_bind().dialect.name)
        if insert is not None:
            # One statement, no savepoint: a duplicate delivery costs this and the update below.
            statement = insert(WebhookEventRow).values(**values).on_conflict_do_nothing(index_elements=["event_id"])
            if self._session.execute(statement).rowcount:  # type: ignore[attr-defined]
                return True
            return self._retry_failed(event)
        try:
            with self._session.begin_nested():
                self._session.add(WebhookEventRow(**values))
            return True
        except IntegrityError:
            return self._retry_failed(event)

    def _retry_failed(self, event: WebhookEvent) -> bool:
        # Seen before. A failed one is retried (Stripe's redelivery, or a replay); the
        # condition on its status lets only one of two racing deliveries take it.
        retried = self._session.execute(update(WebhookEventRow).where(
            WebhookEventRow.event_id == event.event_id, WebhookEventRow.status == "failed").values(
            status=event.status, processed_at=event.processed_at, error="",
            attempts=WebhookEventRow.attempts + 1))
        return bool(retried.rowcount)  # type: ignore[attr-defined]

    def record_failure(self, event: WebhookEvent) -> None:
        values = {name: getattr(event, name) for name in _EVENT_COLUMNS}

        def write(session: Session) -> None:
            existing = session.get(WebhookEventRow, event.event_id)
            if existing is None:
                session.add(WebhookEventRow(**{**values, "status": "failed"}))
            elif existing.status == "failed":
                existing.error, existing.attempts = event.error, existing.attempts + 1

        self._durable(write)

    def get(self, event_id: str) -> WebhookEvent | None:
        row = self._session.get(WebhookEventRow, event_id)
        return None if row is None else _event(row)

    def failed(self) -> Sequence[WebhookEvent]:
        rows = self._session.scalars(select(WebhookEventRow).where(WebhookEventRow.status == "failed")
                                     .order_by(WebhookEventRow.received_at))
        return [_event(row) for row in rows]

