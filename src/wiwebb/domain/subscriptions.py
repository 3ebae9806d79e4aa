"""Subscriptions as their owners and staff use them: buying a plan, cancelling, resuming, changing
price, reading them. (Keeping WiWebb's copy in step with the provider is `subscription_sync`.)

Rules (API.md, "Plans and subscriptions"):
- one live paid subscription per user; a live Free one does not count, and a paid one replaces it;
- a Free plan (no payment) is a local subscription with no provider object;
- a plan without auto-renew (Day Pass) is created to cancel at the end of its period;
- the provider's state wins, but never an older state over a newer one (`provider_updated`).

Every call that creates something at the provider goes through the operations journal first
(`OperationJournal.start`), so the call carries an idempotency key that is already on record.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import rbac
from .billing import (
    BillingOperation,
    OperationInProgress,
    Subscription,
    SubscriptionQuery,
)
from .catalogue import Plan, Pricing
from .errors import DomainError, InvalidOperation, NotFound, PermissionDenied, ValidationFailed
from .listing import Page, PageRequest
from .model import User
from .operations import Replay
from .payments import GatewayInvoice, GatewaySetupIntent
from .rbac import Permission, Scope, Target
from .subscription_records import ALREADY_SUBSCRIBED, Outcome, SubscriptionRecords, timestamp

__all__ = ["ALREADY_SUBSCRIBED", "Limits", "Outcome", "SubscriptionService"]

NOTHING_TO_CANCEL = "No active subscription to cancel."
ALREADY_ENDED = "Subscription is already canceled."
NOT_CANCELLING = "Subscription is not set to cancel at period end."
NO_PAID_SUBSCRIPTION = "No active paid subscription."


@dataclass(frozen=True)
class Limits:
    plan_id: int | None
    plan_name: str | None
    daily_time_minutes: int | None
    daily_data_mb: int | None


class SubscriptionService(SubscriptionRecords):
    # -- reading ------------------------------------------------------------------------------

    def current(self, actor: User) -> Subscription | None:
        """The live subscription (the newest, paid before Free), else the latest; None if never."""
        rbac.authorize(actor, Permission.OWN_ACCOUNT)
        live = self._subscriptions.live_for_user(actor.id or 0)
        if live:
            return sorted(live, key=lambda s: not s.paid)[0]
        return self._subscriptions.latest_for_user(actor.id or 0)

    def list(self, actor: User, page: PageRequest, user_id: int | None = None) -> Page[Subscription]:
        """The caller's own; a tenant owner's tenant's; staff everyone's (`user_id` filters)."""
        cell = rbac.scope(actor, Permission.BILLING_READ_OTHERS)
        if rbac.platform_wide(actor, Permission.BILLING_READ_OTHERS):
            return self._subscriptions.list(SubscriptionQuery(
                page, user_id=user_id, hide_superadmins=cell is Scope.ALL_BUT_SUPERADMINS_HIDDEN))
        if cell is Scope.OWN_TENANT and actor.tenant_id is not None:
            return self._subscriptions.list(SubscriptionQuery(page, user_id=user_id, tenant_id=actor.tenant_id))
        if user_id is not None and user_id != actor.id:
            return self._subscriptions.list(SubscriptionQuery(page, user_id=-1))  # nobody else's
        return self._subscriptions.list(SubscriptionQuery(page, user_id=actor.id))

    def limits(self, actor: User) -> Limits:
        current = self.current(actor)
        plan = self._plans.get(current.plan_id) if current is not None and current.live else None
        if plan is None:
            plan = next((p for p in self._plans.list(available_only=False) if p.default), None)
        if plan is None:
            return Limits(None, None, None, None)
        return Limits(plan.id, plan.name, plan.daily_time_minutes, plan.daily_data_mb)

    def invoices(self, actor: User) -> Sequence[GatewayInvoice]:
        rbac.authorize(actor, Permission.OWN_ACCOUNT)
        customer = self._customers.customer_of(actor.id or 0)
        return [] if customer is None else self._provider().list_invoices(customer)

    def replay(self, actor: User, kind: str, client_key: str | None) -> Replay | None:
        """The stored answer for a client's `Idempotency-Key` already used, if any."""
        return self._operations.replay(actor.id or 0, kind, client_key)

    def answered(self, outcome: Outcome, status: int, response: Any) -> None:
        """Store the answer given, with the change (replayed for the same `Idempotency-Key`)."""
        self._operations.answered(outcome.operation, status, response)

    # -- buying -------------------------------------------------------------------------------

    def subscribe(self, actor: User, *, pricing_id: int | None = None, plan_id: int | None = None,
                  payment_method: str | None = None, client_key: str | None = None) -> Outcome:
        rbac.authorize(actor, Permission.OWN_ACCOUNT)
        plan, pricing = self._choose(pricing_id, plan_id)
        if not plan.requires_payment or pricing is None:
            return self._subscribe_free(actor, plan, pricing)
        earlier = self._operations.earlier(actor.id or 0, "subscribe", client_key)
        if earlier is not None and earlier.status == "reconciled":  # its answer was lost; sync found it
            found = self._subscriptions.get_by_provider_id((earlier.response or {}).get("subscription_id", ""))
            if found is not None:
                return Outcome(found, None, earlier)
        self._refuse_if_subscribed(actor)
        uid, request = actor.id or 0, {"pricing_id": pricing.id}
        unknown = [o for o in self._operations.unknown(uid, "subscribe")
                   if client_key is None or o.client_key != client_key]
        # An earlier attempt of unknown outcome for the same price is repeated under its own key:
        # the provider answers what it made, or makes it now, once.
        same = next((o for o in reversed(unknown) if (o.request or {}).get("pricing_id") == pricing.id), None)
        operation = self._start(actor, "subscribe", client_key, request, resume=same)
        try:
            self._refuse_if_subscribed(actor)  # again, now that no other billing call of the user's runs
            others = [o for o in self._operations.unknown(uid, "subscribe") if o.id != operation.id
                      and (client_key is None or o.client_key != client_key)]
            if {o.id for o in others} - {o.id for o in unknown}:
                raise OperationInProgress()  # one ended, of unknown outcome, since we looked: look again
            customer = self._customer(actor, operation.key)
            if others and (made := self._made_by(others, customer, operation)) is not None:
                return made
            if payment_method:
                self._provider().set_default_payment_method(customer, payment_method)
            remote = self._provider().create_subscription(
                customer, self._price_of(pricing), trial_days=pricing.trial_period_days or None,
                cancel_at_period_end=not plan.auto_renew, idempotency_key=operation.key,
                metadata={"wiwebb_user": str(actor.id), "wiwebb_operation": operation.key})
        except DomainError as error:
            self._operations.fail(operation, error)
            raise
        now = self._clock.now()
        self._subscriptions.lock_user(actor.id or 0)  # against a Free subscribe at the same moment
        for free in self._subscriptions.live_for_user(actor.id or 0):
            if not free.paid:  # the paid subscription replaces the Free one
                self._end(free, now)
                self._subscriptions.update(free)
        subscription = Subscription(id=None, user_id=actor.id or 0, plan_id=plan.id or 0, pricing_id=pricing.id,
                                    status=remote.status, subscription_id=remote.id, customer_id=remote.customer,
                                    created_at=now, updated_at=now)
        self._copy(subscription, remote, timestamp(now))
        subscription = self._subscriptions.add(subscription)
        self._record(actor, actor, "subscribed", subscription)
        return Outcome(subscription, remote.client_secret, operation)

    def _subscribe_free(self, actor: User, plan: Plan, pricing: Pricing | None) -> Outcome:
        self._subscriptions.lock_user(actor.id or 0)
        if self._subscriptions.live_for_user(actor.id or 0):
            raise InvalidOperation(ALREADY_SUBSCRIBED)
        now = self._clock.now()
        subscription = self._subscriptions.add(Subscription(
            id=None, user_id=actor.id or 0, plan_id=plan.id or 0, pricing_id=pricing.id if pricing else None,
            status="active", paid=False, current_period_start=now, created_at=now, updated_at=now))
        self._record(actor, actor, "subscribed", subscription)
        return Outcome(subscription)

    def change(self, actor: User, pricing_id: int, client_key: str | None = None) -> Outcome:
        """Move the live paid subscription to another price (prorated by the provider)."""
        rbac.authorize(actor, Permission.OWN_ACCOUNT)
        plan, pricing = self._choose(pricing_id, None)
        if not plan.requires_payment or pricing is None:
            raise ValidationFailed.on("pricing_id", "Choose a paid plan; to stop paying, cancel the subscription.")
        current = self._live_paid(actor)
        if current.pricing_id == pricing.id:
            raise ValidationFailed.on("pricing_id", "The subscription already has this price.")
        operation = self._start(actor, "change", client_key)
        try:
            remote = self._provider().change_subscription_price(current.subscription_id or "", self._price_of(pricing),
                                                                idempotency_key=operation.key)
        except DomainError as error:
            self._operations.fail(operation, error)
            raise
        previous = current.pricing_id
        current.plan_id, current.pricing_id = plan.id or 0, pricing.id
        self._copy(current, remote, timestamp(self._clock.now()))
        self._subscriptions.update(current)
        self._record(actor, actor, "changed", current, previous_pricing=previous)
        return Outcome(current, remote.client_secret, operation)

    def start_card_setup(self, actor: User) -> GatewaySetupIntent:
        """A SetupIntent for the caller's customer at the provider (made if need be): the browser
        confirms it with its `client_secret` (Stripe.js `confirmCardSetup`), which saves the card,
        then subscribes with the card's payment method. Nothing is recorded: an intent left
        unconfirmed charges nothing and saves nothing."""
        rbac.authorize(actor, Permission.OWN_ACCOUNT)
        self._provider()  # no customer made for an intent that cannot be
        key = str(uuid.uuid4())
        customer = self._customer(actor, key)
        return self._provider().create_setup_intent(customer, idempotency_key=f"{key}-setup-intent")

    def set_payment_method(self, actor: User, payment_method: str) -> str:
        rbac.authorize(actor, Permission.OWN_ACCOUNT)
        customer = self._customer(actor, str(uuid.uuid4()))
        return self._provider().set_default_payment_method(customer, payment_method)

    # -- ending -------------------------------------------------------------------------------

    def cancel(self, actor: User, subscription_id: int | None = None, *, at_once: bool = False) -> Subscription:
        """At period end (the caller's own); staff may cancel anyone's, and `at_once`."""
        if at_once and not rbac.platform_wide(actor, Permission.BILLING_MANAGE_OTHERS):
            raise PermissionDenied()
        if subscription_id is None:
            live = self._subscriptions.live_for_user(actor.id or 0)
            if not live:
                raise InvalidOperation(NOTHING_TO_CANCEL)
            subscription = sorted(live, key=lambda s: not s.paid)[0]
        else:
            found = self._subscriptions.get(subscription_id)
            if found is None:
                raise NotFound()
            rbac.authorize(actor, Permission.BILLING_MANAGE_OTHERS, self._target(found))
            subscription = found
        if not subscription.live:
            raise InvalidOperation(ALREADY_ENDED)
        owner = self._users.get(subscription.user_id)
        now = self._clock.now()
        if subscription.subscription_id is None:  # Free: nothing to wait for
            self._end(subscription, now)
        else:
            provider_id = subscription.subscription_id
            self._operations.checkpoint()  # no transaction held open while the provider works
            remote = (self._provider().cancel_subscription(provider_id) if at_once
                      else self._provider().set_cancel_at_period_end(provider_id, True))
            self._copy(subscription, remote, timestamp(now))
        self._subscriptions.update(subscription)
        self._record(actor, owner, "canceled_at_once" if at_once else "canceled", subscription)
        return subscription

    def resume(self, actor: User) -> Subscription:
        """Undo a cancel at period end."""
        current = self._live_paid(actor)
        if not current.cancel_at_period_end:
            raise InvalidOperation(NOT_CANCELLING)
        plan = self._plans.get(current.plan_id)
        if plan is not None and not plan.auto_renew:
            raise InvalidOperation("This plan does not renew; buy it again when it ends.")
        self._operations.checkpoint()  # no transaction held open while the provider works
        remote = self._provider().set_cancel_at_period_end(current.subscription_id or "", False)
        self._copy(current, remote, timestamp(self._clock.now()))
        self._subscriptions.update(current)
        self._record(actor, actor, "resumed", current)
        return current

    def _end(self, subscription: Subscription, now: datetime) -> None:
        subscription.status, subscription.ended_at, subscription.updated_at = "canceled", now, now

    def _choose(self, pricing_id: int | None, plan_id: int | None) -> tuple[Plan, Pricing | None]:
        """The plan and pricing asked for: a pricing by id, or a plan's newest active pricing
        (None for a Free plan that has none)."""
        if pricing_id is not None:
            found = self._plans.get_pricing(pricing_id)
            plan = self._plans.get(found.plan_id or 0) if found is not None else None
            if found is None or plan is None or not found.active or not plan.available:
                raise ValidationFailed.on("pricing_id", f'Invalid pk "{pricing_id}" - object does not exist.')
            return plan, found
        if plan_id is None:
            raise ValidationFailed({"non_field_errors": ["Either pricing_id or plan_id is required."]})
        plan = self._plans.get(plan_id)
        active = [p for p in plan.pricings if p.active] if plan is not None else []
        if plan is None or not plan.available or (plan.requires_payment and not active):
            raise ValidationFailed.on("plan_id", f'Invalid pk "{plan_id}" - object does not exist.')
        return plan, max(active, key=lambda p: p.id or 0) if active else None

    def _price_of(self, pricing: Pricing) -> str:
        if not pricing.stripe_price_id:
            raise ValidationFailed.on("pricing_id", "This price is not on sale through the payment provider.")
        return pricing.stripe_price_id

    def _refuse_if_subscribed(self, actor: User) -> None:
        if any(s.paid for s in self._subscriptions.live_for_user(actor.id or 0)):
            raise InvalidOperation(ALREADY_SUBSCRIBED)

    def _live_paid(self, actor: User) -> Subscription:
        rbac.authorize(actor, Permission.OWN_ACCOUNT)
        live = [s for s in self._subscriptions.live_for_user(actor.id or 0) if s.paid]
        if not live:
            raise InvalidOperation(NO_PAID_SUBSCRIPTION)
        return live[0]

    def _start(self, actor: User, kind: str, client_key: str | None, request: Any = None,
               resume: BillingOperation | None = None) -> BillingOperation:
        self._provider()  # no journal entry for a call that cannot be made
        return self._operations.start(actor.id or 0, kind, client_key, request, resume=resume)

    def _target(self, subscription: Subscription) -> Target:
        return Target.owned_by(self._users.get(subscription.user_id), subscription.user_id)
