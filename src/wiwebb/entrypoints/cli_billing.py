"""The `wiwebb` command's billing verbs: `webhooks` (failed Stripe events: list, replay) and
`sync-subscriptions` (repair local subscriptions from Stripe)."""

from __future__ import annotations

import argparse
import sys
from contextlib import AbstractContextManager
from typing import Any, Protocol, TextIO

from wiwebb.domain.errors import NotFound
from wiwebb.domain.subscription_sync import SubscriptionSync
from wiwebb.domain.webhooks import WebhookService


class BillingTools(Protocol):
    def webhooks(self) -> AbstractContextManager[WebhookService]: ...
    def subscriptions(self) -> AbstractContextManager[SubscriptionSync]: ...


def add_parsers(commands: Any, common: argparse.ArgumentParser) -> None:
    hooks = commands.add_parser("webhooks", parents=[common],
                                help="Stripe events that failed: list them (--failed) or apply one again (--replay)")
    mode = hooks.add_mutually_exclusive_group()
    mode.add_argument("--failed", action="store_true", help="list failed events (the default)")
    mode.add_argument("--replay", metavar="EVENT_ID", help="apply a stored event again (evt_...)")
    sync = commands.add_parser("sync-subscriptions", parents=[common],
                               help="re-read subscriptions from Stripe and repair what drifted")
    sync.add_argument("--user", type=int, metavar="ID", help="only this user's")


def webhooks(box: BillingTools, args: argparse.Namespace, out: TextIO) -> int:
    if args.replay:
        try:
            with box.webhooks() as service:
                outcome = service.replay(args.replay)
        except NotFound:
            print(f"wiwebb: no stored event {args.replay}", file=sys.stderr)
            return 1
        except Exception as error:  # noqa: BLE001 - any failure: the event is kept as failed again, for another try
            print(f"wiwebb: event {args.replay} failed again: {type(error).__name__}: {error}", file=sys.stderr)
            return 1
        print(f"{args.replay}: {'already applied' if outcome == 'duplicate' else outcome}.", file=out)
        return 0
    with box.webhooks() as service:
        failed = service.failed()
    for event in failed:
        error = event.error.splitlines()[0] if event.error else ""
        print(f"{event.event_id}\t{event.type}\treceived {event.received_at.isoformat()}\t"
              f"{event.attempts} attempt(s)\t{error}", file=out)
    print(f"{len(failed)} failed event(s); `wiwebb webhooks --replay EVENT_ID` applies one again.", file=out)
    return 0


def sync_subscriptions(box: BillingTools, args: argparse.Namespace, out: TextIO) -> int:
    with box.subscriptions() as service:
        changes, skipped = service.sync(args.user)
    with box.subscriptions() as service:
        unresolved = service.unresolved()
    for subscription, how in changes:
        print(f"subscription {subscription.id} ({subscription.subscription_id}) of user {subscription.user_id}: "
              f"{how}", file=out)
    for reason in skipped:
        print(f"skipped {reason}", file=out)
    print(f"{len(changes)} subscription(s) repaired." if changes else "All subscriptions match Stripe.", file=out)
    for operation in unresolved:  # e.g. a payment whose answer was lost: look it up in Stripe by key
        started = f"{operation.created_at:%Y-%m-%d %H:%M}Z" if operation.created_at else "?"
        print(f"unresolved: {operation.kind} of user {operation.user_id} started {started} "
              f"(idempotency key {operation.key}): {operation.error or 'no answer recorded'}", file=out)
    return 0


COMMANDS = {"webhooks": webhooks, "sync-subscriptions": sync_subscriptions}
