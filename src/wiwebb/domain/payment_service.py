"""One-off payments: a PaymentIntent at the provider, WiWebb's copy of it, and its log.

Rules (API.md, "Payments"):
- anyone pays for themselves; they read their own payments, a tenant owner also their tenant's,
  staff everyone's; only staff capture and refund (a payment out of reach: 404; one in reach that
  the caller may not capture or refund: 403);
- with a `payment_method` the intent is confirmed at once; `capture_method` manual stops at
  `preauth` until a capture;
- capture only from `preauth`, refund only from `confirmed`; a partial refund keeps `confirmed`
  and raises `refunded_amount`, a full one makes the payment `refunded`;
- every status change (and the creation) writes a `PaymentLogEntry`;
- the provider's state wins, but never an older state over a newer one (`provider_updated`).

Creating goes through the operations journal (`Operations.start`) before the provider is called,
so the call carries an idempotency key already on record. Capture and refund carry keys derived
from what they do (the intent, and for a refund the amount already refunded and the amount), so a
retry after a lost answer cannot capture or refund twice.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from . import rbac
from .billing import BillingOperation, CustomerRepository, Payment, PaymentLogEntry, PaymentQuery, PaymentRepository
from .errors import DomainError, InvalidOperation, NotFound, PermissionDenied, ValidationFailed
from .listing import Page, PageRequest
from .model import User
from .operations import Operations, Replay
from .payment_states import from_minor, status_after, status_of, to_minor
from .payments import (
    CaptureMethod,
    GatewayPaymentIntent,
    PaymentGateway,
    configured,
)
from .ports import Clock, UserRepository
from .rbac import Permission, Scope, Target

NOT_PREAUTH = "Payment is not in preauth status"
NOT_CONFIRMED = "Payment is not confirmed"
OPERATION_KIND = "payment"
MIN_AMOUNT = Decimal("0.01")
TOO_SMALL = "Ensure this value is greater than or equal to 0.01."

def _timestamp(moment: datetime) -> int:
    return int(moment.timestamp())


@dataclass(frozen=True)
class NewPayment:
    """What a caller asks to pay (already validated in shape: amount > 0, currency lower-case)."""

    amount: Decimal
    currency: str
    description: str = ""
    order_id: str = ""
    metadata: Mapping[str, str] = field(default_factory=dict)
    capture_method: CaptureMethod = "automatic"
    payment_method: str | None = None


@dataclass(frozen=True)
class PaymentOutcome:
    """A created payment and the journal entry its answer is stored with."""

    payment: Payment
    operation: BillingOperation | None = None


class PaymentService:
    def __init__(self, *, payments: PaymentRepository, customers: CustomerRepository, users: UserRepository,
                 operations: Operations, clock: Clock, gateway: PaymentGateway | None) -> None:
        self._payments = payments
        self._customers = customers
        self._users = users
        self._operations = operations
        self._clock = clock
        self._gateway = gateway

    # -- reading ------------------------------------------------------------------------------

    def get(self, actor: User, payment_id: int) -> Payment:
        """A payment the caller may read (anything else: `NotFound`)."""
        payment = self._payments.get(payment_id)
        if payment is None:
            raise NotFound()
        if payment.user_id != actor.id:
            rbac.authorize(actor, Permission.BILLING_READ_OTHERS, self._target(payment))
        return payment

    def list(self, actor: User, page: PageRequest, *, user_id: int | None = None,
             status: str | None = None) -> Page[Payment]:
        """The caller's own; a tenant owner's tenant's; staff everyone's (`user_id` filters)."""
        cell = rbac.scope(actor, Permission.BILLING_READ_OTHERS)
        if rbac.platform_wide(actor, Permission.BILLING_READ_OTHERS):
            return self._payments.list(PaymentQuery(page, user_id=user_id, status=status,
                                                    hide_superadmins=cell is Scope.ALL_BUT_SUPERADMINS_HIDDEN))
        if cell is Scope.OWN_TENANT and actor.tenant_id is not None:
            return self._payments.list(PaymentQuery(page, user_id=user_id, tenant_id=actor.tenant_id, status=status))
        if user_id is not None and user_id != actor.id:
            return self._payments.list(PaymentQuery(page, user_id=-1))  # nobody else's
        return self._payments.list(PaymentQuery(page, user_id=actor.id, status=status))

    def logs(self, actor: User, payment_id: int) -> builtins.list[PaymentLogEntry]:
        return self._payments.logs(self.get(actor, payment_id).id or 0)

    def replay(self, actor: User, client_key: str | None) -> Replay | None:
        """The stored answer for a client's `Idempotency-Key` already used, if any."""
        return self._operations.replay(actor.id or 0, OPERATION_KIND, client_key)

    def answered(self, outcome: PaymentOutcome, status: int, response: Any) -> None:
        """Store the answer given, with the change (replayed for the same `Idempotency-Key`)."""
        self._operations.answered(outcome.operation, status, response)

    # -- paying -------------------------------------------------------------------------------

    def create(self, actor: User, new: NewPayment, client_key: str | None = None) -> PaymentOutcome:
        """Make the PaymentIntent and keep WiWebb's copy. A refused card raises `PaymentRefused`
        and records nothing (the unit of work is rolled back)."""
        rbac.authorize(actor, Permission.OWN_ACCOUNT)
        if new.amount < MIN_AMOUNT:
            raise ValidationFailed.on("amount", TOO_SMALL)
        gateway = self._provider()  # no journal entry for a call that cannot be made
        earlier = self._operations.earlier(actor.id or 0, OPERATION_KIND, client_key)
        if earlier is not None and earlier.status == "reconciled":  # its answer was lost; a webhook found it
            found = self._payments.get_by_intent((earlier.response or {}).get("payment_intent_id", ""))
            if found is not None:
                return PaymentOutcome(found, earlier)
        # Read before the journal commits (nothing is read between that and the provider's answer),
        # and kept with the operation: a retry with the same key must send the same customer.
        customer = self._customers.customer_of(actor.id or 0)
        operation = self._operations.start(actor.id or 0, OPERATION_KIND, client_key, {"customer": customer})
        customer = (operation.request or {}).get("customer", customer)
        metadata = {**new.metadata, "wiwebb_user": str(actor.id), "wiwebb_operation": operation.key}
        if new.order_id:
            metadata["order_id"] = new.order_id
        try:
            intent = gateway.create_payment_intent(
                to_minor(new.amount), new.currency, customer=customer,
                description=new.description or None, metadata=metadata, capture_method=new.capture_method,
                payment_method=new.payment_method or None, idempotency_key=operation.key)
        except DomainError as error:  # an outage leaves it pending: the same key resumes it
            self._operations.fail(operation, error)
            raise
        now = self._clock.now()
        payment = self._payments.add(Payment(
            id=None, user_id=actor.id or 0, amount=new.amount, currency=new.currency, status=status_of(intent),
            description=new.description, order_id=new.order_id, metadata=dict(new.metadata),
            capture_method=new.capture_method, payment_intent_id=intent.id, client_secret=intent.client_secret,
            refunded_amount=from_minor(intent.amount_refunded), created_at=now, updated_at=now,
            provider_updated=_timestamp(now)))
        self._log(payment, "created", None, f"PaymentIntent {intent.id} ({intent.status})")
        return PaymentOutcome(payment, operation)

    def capture(self, actor: User, payment_id: int) -> Payment:
        """Capture an authorized (`preauth`) payment in full (staff)."""
        payment = self._manageable(actor, payment_id)
        if payment.status != "preauth" or not payment.payment_intent_id:
            raise InvalidOperation(NOT_PREAUTH)
        intent = self._provider().capture_payment_intent(
            payment.payment_intent_id, idempotency_key=f"capture-{payment.payment_intent_id}")
        before = payment.status
        self._copy(payment, intent, _timestamp(self._clock.now()))
        self._payments.update(payment)
        self._log(payment, "captured", before, f"Captured {payment.amount:.2f} {payment.currency}")
        return payment

    def refund(self, actor: User, payment_id: int, amount: Decimal | None = None) -> Payment:
        """Refund `amount`, or all that is left, of a `confirmed` payment (staff)."""
        payment = self._manageable(actor, payment_id)
        if payment.status != "confirmed" or not payment.payment_intent_id:
            raise InvalidOperation(NOT_CONFIRMED)
        left = payment.amount - payment.refunded_amount
        amount = left if amount is None else amount
        if amount < MIN_AMOUNT:
            raise ValidationFailed.on("amount", TOO_SMALL)
        if amount > left:
            raise ValidationFailed.on("amount", f"Ensure this value is less than or equal to {left:.2f}.")
        intent_id = payment.payment_intent_id
        refund = self._provider().refund(
            intent_id, to_minor(amount),
            idempotency_key=f"refund-{intent_id}-{to_minor(payment.refunded_amount)}-{to_minor(amount)}")
        if refund.status in ("failed", "canceled"):
            raise InvalidOperation(f"The payment provider reports the refund as {refund.status}.")
        # Read back what the provider now holds refunded: it also counts a refund whose answer
        # was lost before (a retry of another amount), which WiWebb's own sum would miss.
        held = self._provider().retrieve_payment_intent(intent_id)
        before = payment.status
        payment.refunded_amount = max(payment.refunded_amount + from_minor(refund.amount),
                                      from_minor(held.amount_refunded))
        if payment.refunded_amount >= payment.amount:
            payment.status = "refunded"
        now = self._clock.now()
        payment.updated_at = now
        payment.provider_updated = max(_timestamp(now), payment.provider_updated)
        self._payments.update(payment)
        self._log(payment, "refunded", before, f"Refunded {from_minor(refund.amount):.2f} {payment.currency} "
                                               f"({refund.id}, {refund.status})")
        return payment

    # -- keeping in step with the provider ----------------------------------------------------

    def apply_provider_state(self, intent: GatewayPaymentIntent, created: int, event_type: str) -> Payment | None:
        """Apply the provider's state of an intent, as of `created` (Unix seconds), reported by an
        event of `event_type` (`payment_intent.succeeded`, ...). An older state than the one
        applied is skipped; one from the same second is read back from the provider (two events
        of one second have no order). Returns the payment as now kept; None when the intent is no
        payment of WiWebb's or the state was older."""
        payment = self._payments.get_by_intent(intent.id)
        if payment is None:
            return self._adopt(intent, created, event_type)
        if created < payment.provider_updated:
            return None
        if created == payment.provider_updated or not intent.refunds_known:
            # Two events of one second have no order; and an event's intent names its charge by
            # id, so what was refunded is read back rather than taken as nothing.
            intent = self._provider().retrieve_payment_intent(intent.id)
            created = max(created, _timestamp(self._clock.now()))
        if from_minor(intent.amount_refunded) < payment.refunded_amount:
            return None  # refunds only grow: a state with less refunded is older than ours
        before = payment.status
        self._copy(payment, intent, created, status=status_after(event_type, intent))
        self._payments.update(payment)
        if payment.status != before:
            self._log(payment, f"webhook:{event_type}", before, f"PaymentIntent {intent.id} ({intent.status})")
        return payment

    def _adopt(self, intent: GatewayPaymentIntent, created: int, event_type: str) -> Payment | None:
        """An intent WiWebb made (its metadata names the user and the operation) whose create
        answer was lost: kept now, and its operation settled. Other intents (a subscription
        invoice's, another system's) are none of WiWebb's payments."""
        user, operation = intent.metadata.get("wiwebb_user", ""), intent.metadata.get("wiwebb_operation")
        # An id as WiWebb writes it (ASCII digits, within an id column), else none of its payments.
        if not operation or not (user.isascii() and user.isdigit() and len(user) <= 18) \
                or self._users.get(int(user)) is None:
            return None
        now = self._clock.now()
        metadata = {k: v for k, v in intent.metadata.items() if not k.startswith("wiwebb_") and k != "order_id"}
        payment = self._payments.add(Payment(
            id=None, user_id=int(user), amount=from_minor(intent.amount), currency=intent.currency,
            status=status_after(event_type, intent), order_id=intent.metadata.get("order_id", ""),
            metadata=metadata, capture_method=intent.capture_method, payment_intent_id=intent.id,
            client_secret=intent.client_secret, refunded_amount=from_minor(intent.amount_refunded),
            created_at=now, updated_at=now, provider_updated=created), replace_existing=False)
        if payment.created_at != now:  # its create request stored it meanwhile: that one answers
            return payment
        self._log(payment, f"webhook:{event_type}", None, f"PaymentIntent {intent.id} ({intent.status}) adopted: "
                                                          "its create answer was lost")
        self._operations.settle(operation, f"reconciled: payment intent {intent.id} adopted",
                                {"payment_intent_id": intent.id})
        return payment

    # -- internals ----------------------------------------------------------------------------

    def _manageable(self, actor: User, payment_id: int) -> Payment:
        """A payment the caller may capture or refund, held until the unit of work ends: out of
        reach 404; readable but not theirs to manage 403 (their own included: only staff)."""
        self.get(actor, payment_id)
        if not rbac.platform_wide(actor, Permission.BILLING_MANAGE_OTHERS):
            raise PermissionDenied()
        payment = self._payments.get(payment_id, lock=True)
        if payment is None:  # deleted meanwhile (its user went)
            raise NotFound()
        return payment

    def _copy(self, payment: Payment, intent: GatewayPaymentIntent, created: int, *,
              status: str | None = None) -> None:
        visible = (payment.status, payment.refunded_amount)
        payment.status = status or status_of(intent)
        payment.refunded_amount = from_minor(intent.amount_refunded)
        payment.client_secret = intent.client_secret or payment.client_secret
        payment.provider_updated = max(created, payment.provider_updated)
        if (payment.status, payment.refunded_amount) != visible:
            payment.updated_at = self._clock.now()

    def _log(self, payment: Payment, event: str, from_status: str | None, message: str = "") -> None:
        self._payments.log(PaymentLogEntry(id=None, payment_id=payment.id or 0, event=event, from_status=from_status,
                                           to_status=payment.status, message=message, created_at=self._clock.now()))

    def _target(self, payment: Payment) -> Target:
        return Target.owned_by(self._users.get(payment.user_id), payment.user_id)

    def _provider(self) -> PaymentGateway:
        return configured(self._gateway)
