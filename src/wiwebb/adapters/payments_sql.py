"""One-off payments and their logs in SQL."""

from __future__ import annotations

import builtins
from dataclasses import fields
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wiwebb.domain.billing import Payment, PaymentLogEntry, PaymentQuery
from wiwebb.domain.listing import Page

from .orm import PaymentLogRow, PaymentRow
from .sql_lists import owned_by, page_of

# Domain field -> row attribute (the row's `metadata` column is `metadata_`: SQLAlchemy's
# declarative base keeps `metadata` for itself).
_PAYMENT_COLUMNS = {f.name: "metadata_" if f.name == "metadata" else f.name for f in fields(Payment) if f.name != "id"}
_LOG_COLUMNS = [f.name for f in fields(PaymentLogEntry) if f.name != "id"]


def _payment(row: PaymentRow) -> Payment:
    values = {name: getattr(row, attribute) for name, attribute in _PAYMENT_COLUMNS.items()}
    values["metadata"] = dict(values["metadata"] or {})
    return Payment(id=row.id, **values)


def _values(payment: Payment) -> dict[str, Any]:
    values = {attribute: getattr(payment, name) for name, attribute in _PAYMENT_COLUMNS.items()}
    values["metadata_"] = dict(payment.metadata)
    return values


class SqlPaymentRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, payment_id: int, *, lock: bool = False) -> Payment | None:
        statement = select(PaymentRow).where(PaymentRow.id == payment_id)
        if lock:
            # SQLite's writing transactions are already serial; FOR UPDATE is left out there.
            statement = statement.with_for_update().execution_options(populate_existing=True)
        row = self._session.scalar(statement)
        return None if row is None else _payment(row)

    def get_by_intent(self, payment_intent_id: str) -> Payment | None:
        row = self._session.scalar(select(PaymentRow).where(PaymentRow.payment_intent_id == payment_intent_id))
        return None if row is None else _payment(row)

    def add(self, payment: Payment, *, replace_existing: bool = True) -> Payment:
        """Store a new payment. One whose intent is stored already (a webhook adopting it, racing
        the request that made it) is not stored twice: the stored row takes this state
        (`replace_existing`), or is returned as it is."""
        try:
            with self._session.begin_nested():
                row = PaymentRow(**_values(payment))
                self._session.add(row)
        except IntegrityError:
            existing = self.get_by_intent(payment.payment_intent_id or "")
            if existing is None:
                raise
            if not replace_existing:
                return existing
            payment.id, payment.created_at = existing.id, existing.created_at
            self.update(payment)
            return payment
        payment.id = row.id
        return payment

    def update(self, payment: Payment) -> None:
        values = _values(payment)
        values.pop("created_at")
        self._session.execute(update(PaymentRow).where(PaymentRow.id == payment.id).values(**values))

    def list(self, query: PaymentQuery) -> Page[Payment]:
        statement = owned_by(select(PaymentRow), PaymentRow.user_id, user_id=query.user_id,
                             tenant_id=query.tenant_id, hide_superadmins=query.hide_superadmins)
        if query.status is not None:
            statement = statement.where(PaymentRow.status == query.status)
        rows, count = page_of(self._session, statement, query.page, [PaymentRow.id.asc()])
        return Page([_payment(row) for row in rows], count, query.page)

    def log(self, entry: PaymentLogEntry) -> PaymentLogEntry:
        row = PaymentLogRow(**{name: getattr(entry, name) for name in _LOG_COLUMNS})
        self._session.add(row)
        self._session.flush()
        return PaymentLogEntry(id=row.id, **{name: getattr(entry, name) for name in _LOG_COLUMNS})

    def logs(self, payment_id: int) -> builtins.list[PaymentLogEntry]:
        rows = self._session.scalars(select(PaymentLogRow).where(PaymentLogRow.payment_id == payment_id)
                                     .order_by(PaymentLogRow.id))
        return [PaymentLogEntry(id=row.id, **{name: getattr(row, name) for name in _LOG_COLUMNS}) for row in rows]
