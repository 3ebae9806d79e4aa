"""What the user-facing subscription service and the provider sync share: their dependencies,
the provider's customer of a user, adopting a provider's subscription WiWebb did not record
(webhooks, sync, and a subscribe that finds what an earlier attempt of unknown outcome made),
copying a provider state onto a record, and the audit entry of every change."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .billing import (
    ENDED_STATUSES,
    BillingOperation,
    CustomerRepository,
    OperationInProgress,
    Subscription,
    SubscriptionRepository,
)
from .catalogue import PlanRepository
from .errors import InvalidOperation
from .model import AuditEntry, User
from .operations import UNRESOLVED_AFTER, Operations
from .payments import GatewaySubscription, PaymentGateway, configured
from .ports import AuditLog, Clock, UserRepository

ALREADY_SUBSCRIBED = "User already has an active subscription"


@dataclass(frozen=True)
class Outcome:
    """What a creating call produced: the subscription, the secret the customer's browser needs
    when the first payment is not done, and the journal entry the answer is stored with."""

    subscription: Subscription
    client_secret: str | None = None
    operation: BillingOperation | None = None


def timestamp(moment: datetime) -> int:
    return int(moment.timestamp())


class SubscriptionRecords:
    """The base of `SubscriptionService` and `SubscriptionSync` (see the module's docstring)."""

    def __init__(self, *, subscriptions: SubscriptionRepository, customers: CustomerRepository,
                 plans: PlanRepository, users: UserRepository, operations: Operations, audit: AuditLog,
                 clock: Clock, gateway: PaymentGateway | None) -> None:
        self._subscriptions = subscriptions
        self._customers = customers
        self._plans = plans
        self._users = users
        self._operations = operations
        self._audit = audit
        self._clock = clock
        self._gateway = gateway

    def _adopt(self, remote: GatewaySubscription, created: int) -> Subscription:
        user_id = self._customers.user_of(remote.customer)
        pricing = self._plans.get_pricing_by_provider_id(remote.price) if remote.price else None
        if user_id is None or pricing is None:
            # Not (yet) ours to read: answered as a failure, so the provider delivers it again
            # (a subscribe whose commit is still under way) and it is kept for inspection.
            raise LookupError(f"subscription {remote.id}: unknown customer {remote.customer!r} "
                              f"or price {remote.price!r}")
        now = self._clock.now()
        subscription = Subscription(id=None, user_id=user_id, plan_id=pricing.plan_id or 0, pricing_id=pricing.id,
                                    status=remote.status, subscription_id=remote.id, customer_id=remote.customer,
                                    created_at=now, updated_at=now)
        self._copy(subscription, remote, created)
        subscription = self._subscriptions.add(subscription)
        self._record(None, self._users.get(user_id), "provider_update", subscription, previous_status=None)
        if operation := remote.metadata.get("wiwebb_operation"):  # a subscribe whose commit failed
            self._operations.settle(operation, f"reconciled: subscription {remote.id} adopted",
                                    {"subscription_id": remote.id})
        return subscription

    def _copy(self, subscription: Subscription, remote: GatewaySubscription, created: int) -> None:
        subscription.status = remote.status
        subscription.current_period_start = remote.current_period_start or subscription.current_period_start
        subscription.current_period_end = remote.current_period_end or subscription.current_period_end
        subscription.cancel_at_period_end = remote.cancel_at_period_end
        subscription.trial_end = remote.trial_end
        subscription.customer_id = remote.customer or subscription.customer_id
        subscription.provider_updated = max(created, subscription.provider_updated)
        subscription.updated_at = self._clock.now()
        if remote.status in ENDED_STATUSES and subscription.ended_at is None:
            subscription.ended_at = self._clock.now()

    def _provider(self) -> PaymentGateway:
        return configured(self._gateway)

    def _record(self, actor: User | None, owner: User | None, change: str, subscription: Subscription,
                **details: Any) -> None:
        self._audit.record(AuditEntry.of(
            "subscription_changed", actor=actor, target=owner, tenant_id=owner.tenant_id if owner else None,
            timestamp=self._clock.now(),
            details={"change": change, "subscription": subscription.id, "plan": subscription.plan_id,
                     "status": subscription.status, **details}))

    def _customer(self, actor: User, key: str) -> str:
        """The user's customer at the provider, made if need be. Ends with nothing of the unit of
        work left open: on SQLite an open writing transaction would hold every other writer while
        the provider is called next."""
        customer = self._customers.customer_of(actor.id or 0)
        self._operations.checkpoint()
        if customer is None:
            name = f"{actor.first_name} {actor.last_name}".strip() or actor.username
            made = self._provider().create_customer(actor.email or None, name, {"wiwebb_user": str(actor.id)},
                                                    idempotency_key=f"{key}-customer").id
            customer = self._customers.remember(actor.id or 0, made, self._clock.now())
            self._operations.checkpoint()  # kept even if what follows fails: sync finds it again
        return customer

    def _made_by(self, unknown: builtins.list[BillingOperation], customer: str,
                 operation: BillingOperation) -> Outcome | None:
        """Earlier subscribes of the user of unknown outcome, for another price (a 503, a lost
        answer, a retry without its Idempotency-Key), looked up at the provider by the key in
        their metadata. The one it made is adopted and answered: one paid subscription per user,
        never a second. Those it did not make are closed, once old enough not to be still under
        way there; until then the answer is 409."""
        keys = {earlier.key for earlier in unknown}
        made = [remote for remote in self._provider().list_subscriptions(customer)
                if remote.metadata.get("wiwebb_operation") in keys and remote.status not in ENDED_STATUSES]
        if made:
            remote = self._provider().retrieve_subscription(made[0].id)  # with its open invoice's secret
            try:
                adopted = (self._subscriptions.get_by_provider_id(remote.id)
                           or self._adopt(remote, timestamp(self._clock.now())))
            except LookupError:  # made for a price WiWebb no longer sells: still the user's subscription
                raise InvalidOperation(ALREADY_SUBSCRIBED) from None
            self._operations.checkpoint()
            return Outcome(adopted, remote.client_secret, operation)
        settled_before = self._clock.now() - UNRESOLVED_AFTER
        if any(earlier.created_at is None or earlier.created_at > settled_before for earlier in unknown):
            raise OperationInProgress()
        for earlier in unknown:
            self._operations.close(earlier, "not made at the provider (checked by a later subscribe)")
        return None

def visible(subscription: Subscription) -> tuple[object, ...]:
    return (subscription.status, subscription.current_period_start, subscription.current_period_end,
            subscription.cancel_at_period_end, subscription.trial_end, subscription.pricing_id)
