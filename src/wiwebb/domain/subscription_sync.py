"""Keeping WiWebb's subscriptions in step with the payment provider: a state from a webhook
(never an older one over a newer one), a read-back when an invoice event names a subscription, and
`sync`, which re-reads every known customer's subscriptions and repairs what drifted."""

from __future__ import annotations

import builtins
from dataclasses import replace

from .billing import ENDED_STATUSES, BillingOperation, Subscription
from .payments import GatewaySubscription
from .subscription_records import SubscriptionRecords, timestamp, visible


class SubscriptionSync(SubscriptionRecords):
    # -- keeping in step with the provider ----------------------------------------------------

    def apply_provider_state(self, remote: GatewaySubscription, created: int, *, read_back: bool = True
                             ) -> Subscription | None:
        """Apply the provider's state of a subscription, as of `created` (Unix seconds). An older
        state than the one applied is skipped; one from the same second is read back from the
        provider (two events of one second have no order). A subscription WiWebb does not know
        yet is adopted when its customer is a user's. Returns the changed subscription, if any."""
        subscription = self._subscriptions.get_by_provider_id(remote.id)
        if subscription is not None and created < subscription.provider_updated:
            return None
        if subscription is not None and created == subscription.provider_updated and read_back:
            remote = self._provider().retrieve_subscription(remote.id)
            created = max(created, timestamp(self._clock.now()))
        if subscription is None:
            if remote.status in ENDED_STATUSES:
                return None  # history WiWebb never had (or a customer of another system): nothing to do
            return self._adopt(remote, created)
        before = replace(subscription)
        pricing = self._plans.get_pricing_by_provider_id(remote.price) if remote.price else None
        if pricing is not None and pricing.id != subscription.pricing_id:
            subscription.plan_id, subscription.pricing_id = pricing.plan_id or subscription.plan_id, pricing.id
        self._copy(subscription, remote, created)
        if visible(before) != visible(subscription):
            subscription.updated_at = self._clock.now()
            self._subscriptions.update(subscription)
            owner = self._users.get(subscription.user_id)
            self._record(None, owner, "provider_update", subscription, previous_status=before.status)
            return subscription
        self._subscriptions.update(subscription)  # only the ordering mark moved
        return None

    def refresh(self, provider_id: str) -> Subscription | None:
        """Read one subscription back from the provider and apply it (an invoice event names the
        subscription; its state is what matters)."""
        remote = self._provider().retrieve_subscription(provider_id)
        return self.apply_provider_state(remote, timestamp(self._clock.now()), read_back=False)

    def unresolved(self) -> builtins.list[BillingOperation]:
        """Calls to the provider of unknown outcome that `sync` could not settle."""
        return self._operations.unresolved()

    def sync(self, user_id: int | None = None) -> tuple[builtins.list[tuple[Subscription, str]], builtins.list[str]]:
        """Re-read every known customer's subscriptions from the provider and repair what drifted
        (a missed webhook, a call whose local commit failed). Returns what changed and how, and
        what could not be matched to a plan."""
        self._provider()  # without one there is nothing to compare with: say so, not "all match"
        changes: builtins.list[tuple[Subscription, str]] = []
        skipped: builtins.list[str] = []
        seen: set[str] = set()
        customers = self._customers.all(user_id)
        ours = self._subscriptions.for_sync(user_id)
        self._operations.checkpoint()  # one short transaction per customer, none while the provider answers
        for _user, customer in customers:
            listed = self._provider().list_subscriptions(customer)
            read_at = timestamp(self._clock.now())  # the listed states are as of now, not older
            for remote in listed:
                seen.add(remote.id)
                self._sync_one(remote, read_at, changes, skipped)
            self._operations.checkpoint()
        # Ours but not listed (beyond the provider's first 100, or its customer unrecorded): read
        # each back by id.
        for local in ours:
            if local.subscription_id not in seen:
                remote = self._provider().retrieve_subscription(local.subscription_id or "")
                self._sync_one(remote, timestamp(self._clock.now()), changes, skipped)
                self._operations.checkpoint()
        return changes, skipped

    def _sync_one(self, remote: GatewaySubscription, read_at: int, changes: builtins.list[tuple[Subscription, str]],
                  skipped: builtins.list[str]) -> None:
        before = self._subscriptions.get_by_provider_id(remote.id)
        try:
            changed = self.apply_provider_state(remote, read_at, read_back=False)
        except LookupError as error:  # a price WiWebb does not sell
            skipped.append(f"{remote.id}: {error}")
            return
        if changed is not None:
            changes.append((changed, "adopted" if before is None else f"{before.status} -> {changed.status}"))
