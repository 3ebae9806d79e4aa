"""Sessions that join a `transaction` manager (pyramid_tm's, one per request), with
zope.sqlalchemy's semantics (commit or abort with the manager; a session that wrote nothing is
rolled back, not committed), for less than `zope.sqlalchemy.register(session, ...)` costs.

That call adds seven event listeners to the one session it is given, and adding (and later
collecting) them through SQLAlchemy's event registry cost about a tenth of a short request's CPU
(GET auth/user/). Here the listeners are added once, to the `Session` class, and act only on the sessions
that `join` gave a manager (kept in `session.info`); every other session (the command line's,
`Database.run_in_own_transaction`'s) is left alone, as an unregistered session was.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session
from zope.sqlalchemy import ZopeTransactionEvents

_EVENTS = "wiwebb.transaction_events"
# (event, the argument that holds the session: the session itself, or an object with `.session`)
_HOOKS = (("after_begin", "self"), ("after_attach", "self"), ("after_flush", "self"),
          ("after_bulk_update", "context"), ("after_bulk_delete", "context"), ("before_commit", "self"),
          ("do_orm_execute", "context"))
_lock = threading.Lock()
_listening = False


def join(session: Session, transaction_manager: Any) -> None:
    """Make `session` take part in `transaction_manager`'s transactions, as
    `zope.sqlalchemy.register(session, transaction_manager=...)` would."""
    install()
    session.info[_EVENTS] = ZopeTransactionEvents(transaction_manager=transaction_manager)


def joined(session: Session) -> bool:
    return _EVENTS in session.info


def install() -> None:
    """Add the class-level listeners (once; `join` does it too). Called at start-up, before the
    server's threads use sessions, since SQLAlchemy's event registry is not meant to change while
    they do."""
    global _listening
    if _listening:
        return
    with _lock:
        if not _listening:
            for name, holder in _HOOKS:
                event.listen(Session, name, _forward(name, holder))
            _listening = True


def _forward(name: str, holder: str) -> Any:
    if holder == "self":
        def on_session_event(session: Session, *args: Any) -> None:
            events = session.info.get(_EVENTS)
            if events is not None:
                getattr(events, name)(session, *args)
        return on_session_event

    def on_context_event(context: Any) -> None:
        events = context.session.info.get(_EVENTS)
        if events is not None:
            getattr(events, name)(context)
    return on_context_event
