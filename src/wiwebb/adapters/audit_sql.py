"""The audit log in SQL (`wiwebb.domain.ports` AuditLog): entries joined to the request's
transaction, or durable ones written in a transaction of their own."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from wiwebb.domain.listing import Page
from wiwebb.domain.model import AuditEntry, Role
from wiwebb.domain.queries import BILLING_ACTIONS, AuditQuery

from .orm import AuditLogRow, UserRow
from .repositories import Deferrer
from .sql_lists import page_of


def _audit_row(entry: AuditEntry) -> AuditLogRow:
    return AuditLogRow(action=entry.action, actor_id=entry.actor_id, actor_username=entry.actor_name,
                       target_id=entry.target_id, target_username=entry.target_name, tenant_id=entry.tenant_id,
                       details=entry.details, timestamp=entry.timestamp)


class SqlAuditLog:
    """The audit log. A `durable` entry is written by `durable_writer` (in a transaction of its
    own once the request's is over, committed or not); without one it joins the session."""

    def __init__(self, session: Session, durable_writer: Deferrer | None = None) -> None:
        self._session = session
        self._durable_writer = durable_writer

    def record(self, entry: AuditEntry, *, durable: bool = False) -> None:
        if durable and self._durable_writer is not None:
            self._durable_writer(lambda session: session.add(_audit_row(entry)))
        else:
            self._session.add(_audit_row(entry))

    def list(self, query: AuditQuery) -> Page[AuditEntry]:
        conditions: list[ColumnElement[bool]] = []
        for column, value in ((AuditLogRow.tenant_id, query.within_tenant), (AuditLogRow.action, query.action),
                              (AuditLogRow.actor_id, query.actor), (AuditLogRow.target_id, query.target),
                              (AuditLogRow.tenant_id, query.tenant)):
            if value is not None:
                conditions.append(column == value)
        if query.since is not None:
            conditions.append(AuditLogRow.timestamp >= query.since)
        if query.until is not None:
            conditions.append(AuditLogRow.timestamp <= query.until)
        if query.hide_superadmins_billing:
            superadmins = select(UserRow.id).where(UserRow.role == Role.SUPERADMIN.value)
            conditions.append(or_(AuditLogRow.action.not_in(BILLING_ACTIONS), AuditLogRow.target_id.is_(None),
                                  AuditLogRow.target_id.not_in(superadmins)))
        rows, count = page_of(self._session, select(AuditLogRow).where(*conditions), query.page,
                            [AuditLogRow.timestamp.desc(), AuditLogRow.id.desc()])
        return Page([AuditEntry(action=r.action, actor_id=r.actor_id, target_id=r.target_id, tenant_id=r.tenant_id,
                                details=dict(r.details or {}), timestamp=r.timestamp, id=r.id,
                                actor_name=r.actor_username, target_name=r.target_username) for r in rows],
                    count, query.page)

