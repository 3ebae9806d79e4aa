"""The composition root: reads the settings, builds the adapters, hands them to the domain
services, and returns the WSGI application (or runs the `wiwebb` command). The only module that
imports every layer."""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

import pyramid_tm
import transaction
from pyramid.config import Configurator
from pyramid.request import Request
from sqlalchemy.orm import Session as DbSession

from wiwebb import __version__
from wiwebb.adapters import transaction_join
from wiwebb.adapters.audit_sql import SqlAuditLog
from wiwebb.adapters.billing_figures import SqlBillingFigures
from wiwebb.adapters.billing_sql import (
    SqlCustomerRepository,
    SqlOperationJournal,
    SqlSubscriptionRepository,
)
from wiwebb.adapters.catalogue import SqlPlanRepository
from wiwebb.adapters.clock import SystemClock
from wiwebb.adapters.database import (
    UNAVAILABLE_ERRORS,
    Database,
    DatabaseUnreachable,
    create_database_engine,
)
from wiwebb.adapters.housekeeping_sql import SqlHousekeepingStore
from wiwebb.adapters.logs import configure_logging, count_sql_statements, trace_request
from wiwebb.adapters.mail import ConsoleMailer, MailWorker, SmtpMailer, SmtpSettings
from wiwebb.adapters.outbox import SqlMailOutbox, SqlMailQueue
from wiwebb.adapters.passwords import Argon2Parameters, Argon2PasswordHasher
from wiwebb.adapters.payments_sql import SqlPaymentRepository
from wiwebb.adapters.periodic import cleanup_task
from wiwebb.adapters.ratelimit import memory_rate_limiter, redis_rate_limiter
from wiwebb.adapters.repositories import (
    Deferrer,
    SqlTenantRepository,
    SqlTokenRepository,
    SqlUserRepository,
)
from wiwebb.adapters.request_database import RequestDatabase
from wiwebb.adapters.stripe_events import StripeEventReader
from wiwebb.adapters.stripe_gateway import StripeGateway
from wiwebb.adapters.token_owners import SqlTokenOwners
from wiwebb.adapters.webhook_sql import SqlWebhookEventStore
from wiwebb.domain.audit import AuditService
from wiwebb.domain.authentication import Authenticator
from wiwebb.domain.catalogue import CatalogueService
from wiwebb.domain.dashboard import DashboardService
from wiwebb.domain.housekeeping import CleanupRefused, Housekeeping
from wiwebb.domain.identity import IdentityPolicy, IdentityService
from wiwebb.domain.mail import DeliveryPolicy, MailDelivery
from wiwebb.domain.operations import Operations
from wiwebb.domain.payment_service import PaymentService
from wiwebb.domain.payments import PaymentGateway
from wiwebb.domain.ports import Mailer
from wiwebb.domain.reset_tokens import ResetTokens
from wiwebb.domain.subscription_sync import SubscriptionSync
from wiwebb.domain.subscriptions import SubscriptionService
from wiwebb.domain.tenancy import TenantService
from wiwebb.domain.throttling import Throttle, parse_rates
from wiwebb.domain.user_admin import UserAdminService
from wiwebb.domain.webhooks import PaymentUpdates, WebhookService
from wiwebb.entrypoints.http.console_policy import console_policy
from wiwebb.entrypoints.http.cors import CorsPolicy
from wiwebb.entrypoints.http.errors import service_unavailable
from wiwebb.entrypoints.http.request_log import RequestLogPolicy
from wiwebb.entrypoints.http.transactions import needs_transaction
from wiwebb.settings import Settings, SettingsError, load_settings

log = logging.getLogger("wiwebb")

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# A lock on a user's billing calls held this long belongs to a process that died mid-request (a
# request that ends in any way releases its lock): it no longer blocks the user (SqlOperationJournal).
# Longer than the slowest subscribe: a few Stripe calls of 30 s, each tried up to three times.
OPERATION_STALE_AFTER = timedelta(minutes=15)


class Adapters:
    """The long-lived adapters of one process."""

    def __init__(self, settings: Settings, database: Database | None = None, mailer: Mailer | None = None,
                 gateway: PaymentGateway | None = None) -> None:
        self.settings = settings
        self.database = database or Database(
            create_database_engine(settings.database_url, busy_timeout=settings.sqlite_busy_timeout,
                                   pool_size=settings.database_pool_size, max_overflow=settings.database_max_overflow,
                                   pool_timeout=settings.database_pool_timeout,
                                   statement_timeout=settings.database_statement_timeout))
        self.hasher = Argon2PasswordHasher(Argon2Parameters(
            time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_cost,
            parallelism=settings.argon2_parallelism))
        self.clock = SystemClock()
        self.identity_policy = IdentityPolicy(token_ttl=settings.token_ttl,
                                              registration_open=settings.registration_open,
                                              mail_from=settings.default_from_email)
        self.reset_tokens = ResetTokens(settings.secret_key, settings.password_reset_timeout)
        limiter = redis_rate_limiter(settings.redis_url) if settings.redis_url else memory_rate_limiter()
        self.throttle = Throttle(limiter, parse_rates(settings.throttle_rates))
        self.mailer = mailer or _mailer(settings)
        self.mail_queue = SqlMailQueue(self.database)
        self.mail_delivery = MailDelivery(self.mail_queue, self.mailer, self.clock,
                                          DeliveryPolicy(max_attempts=settings.mail_max_attempts))
        self.mail_worker = MailWorker(self.mail_delivery.deliver_due)
        self.gateway = gateway or _gateway(settings)

    def catalogue(self, session: DbSession, operations: Operations) -> CatalogueService:
        return CatalogueService(plans=SqlPlanRepository(session), audit=SqlAuditLog(session), clock=self.clock,
                                gateway=self.gateway, operations=operations)

    def operations(self, session: DbSession, durable: Deferrer | None) -> Operations:
        """The journal outside a request (the command line): its checkpoint commits the session."""
        return Operations(SqlOperationJournal(
            session, checkpoint=session.commit, durable=_deferring(durable),
            now=self.clock.now, stale=OPERATION_STALE_AFTER), self.clock)

    def subscriptions(self, session: DbSession, operations: Operations | None = None, *,
                      durable: Deferrer | None = None) -> SubscriptionService:
        return SubscriptionService(**self._subscription_parts(session, operations, durable))

    def subscription_sync(self, session: DbSession, operations: Operations | None = None, *,
                          durable: Deferrer | None = None) -> SubscriptionSync:
        return SubscriptionSync(**self._subscription_parts(session, operations, durable))

    def _subscription_parts(self, session: DbSession, operations: Operations | None,
                            durable: Deferrer | None) -> dict[str, Any]:
        return {"subscriptions": SqlSubscriptionRepository(session), "customers": SqlCustomerRepository(session),
                "plans": SqlPlanRepository(session), "users": SqlUserRepository(session),
                "operations": operations or self.operations(session, durable), "audit": SqlAuditLog(session),
                "clock": self.clock, "gateway": self.gateway}

    def payments(self, session: DbSession, operations: Operations | None = None, *,
                 durable: Deferrer | None = None) -> PaymentService:
        return PaymentService(payments=SqlPaymentRepository(session), customers=SqlCustomerRepository(session),
                              users=SqlUserRepository(session),
                              operations=operations or self.operations(session, durable),
                              clock=self.clock, gateway=self.gateway)

    def webhooks(self, session: DbSession, subscriptions: SubscriptionSync | None = None,
                 payments: PaymentUpdates | None = None, *, durable: Deferrer | None = None) -> WebhookService:
        durable = _deferring(durable)
        return WebhookService(reader=StripeEventReader(self.settings.stripe_webhook_secret),
                              events=SqlWebhookEventStore(session, durable),
                              subscriptions=subscriptions or self.subscription_sync(session, durable=durable),
                              payments=payments or self.payments(session, durable=durable), clock=self.clock)

    def identity(self, session: DbSession, *, defer: Deferrer | None = None, durable: Deferrer | None = None,
                 on_mail_queued: Callable[[], None] | None = None) -> IdentityService:
        return IdentityService(
            users=SqlUserRepository(session), tenants=SqlTenantRepository(session),
            tokens=SqlTokenRepository(session, defer), audit=SqlAuditLog(session, durable),
            hasher=self.hasher, clock=self.clock, policy=self.identity_policy,
            outbox=SqlMailOutbox(session, on_mail_queued), reset_tokens=self.reset_tokens, throttle=self.throttle)

    def user_admin(self, session: DbSession, identity: IdentityService) -> UserAdminService:
        return UserAdminService(users=SqlUserRepository(session), tenants=SqlTenantRepository(session),
                                audit=SqlAuditLog(session), hasher=self.hasher, clock=self.clock, identity=identity,
                                subscriptions=SqlSubscriptionRepository(session))

    def housekeeping(self) -> Housekeeping:
        return Housekeeping(SqlHousekeepingStore(self.database), self.clock)

    def deliver_mail(self) -> int:
        """Deliver what is due now, in this thread; errors are logged, never raised."""
        try:
            return self.mail_delivery.deliver_due()
        except Exception:  # e.g. the database went away: the worker or send-mail tries again
            log.warning("mail delivery failed", exc_info=True)
            return 0

    def deliver_mail_after_commit(self, manager: transaction.TransactionManager) -> None:
        """Once the current transaction commits, wake the mail worker (or, without one, deliver
        in this thread: tests and the command line)."""
        current = manager.get()
        if getattr(current, "_wiwebb_mail_hook", False):
            return
        current._wiwebb_mail_hook = True

        def hook(committed: bool) -> None:
            if not committed:
                return
            if self.mail_worker.running:
                self.mail_worker.wake()
            else:
                self.deliver_mail()

        current.addAfterCommitHook(hook)

    def run_after_commit(self, manager: transaction.TransactionManager, work: Callable[[DbSession], object],
                         *, also_after_abort: bool = False) -> None:
        """Run `work` in a transaction of its own once the current one has committed (or, with
        `also_after_abort`, ended either way). Best effort: a failure is logged, never raised."""

        def run(*_: object) -> None:
            try:
                self.database.run_in_own_transaction(work)
            except Exception:  # bookkeeping must never fail the answered request
                log.warning("deferred database work failed", exc_info=True)

        current = manager.get()
        current.addAfterCommitHook(lambda committed: run() if committed or also_after_abort else None)
        if also_after_abort:
            current.addAfterAbortHook(run)


class RequestServices:
    """The domain services of one request, built on first use over the request's session.

    It is the request's (`request.services`) and holds the request weakly, and nothing it builds
    holds the request at all (the deferred work holds its transaction manager): no reference cycle
    runs through the request, so it and everything it holds are freed the moment the answer is
    sent, not by the cycle collector later (which cost a tenth of a `GET /api/v1/health/`)."""

    def __init__(self, request: Request, adapters: Adapters) -> None:
        self._request_ref = weakref.ref(request)
        self._adapters = adapters
        self.version = __version__
        self.registration_open = adapters.settings.registration_open
        self.stripe_public_key = adapters.settings.stripe_public_key
        self.stripe_js_url = adapters.settings.stripe_js_url

    @property
    def _request(self) -> Request:
        request = self._request_ref()
        if request is None:
            raise RuntimeError("the request these services belong to is gone")
        return request

    @cached_property
    def identity(self) -> IdentityService:
        request, adapters = self._request, self._adapters
        tm = request.tm
        return adapters.identity(
            request.dbsession,
            defer=lambda work: adapters.run_after_commit(tm, work),
            durable=lambda work: adapters.run_after_commit(tm, work, also_after_abort=True),
            on_mail_queued=lambda: adapters.deliver_mail_after_commit(tm))

    @cached_property
    def authenticator(self) -> Authenticator:
        """Authentication alone: on the request's connection, with no ORM session."""
        request, adapters = self._request, self._adapters
        tm = request.tm
        tokens = SqlTokenOwners(request.database, defer=lambda work: adapters.run_after_commit(tm, work))
        return Authenticator(tokens, adapters.clock)

    @cached_property
    def tenants(self) -> TenantService:
        session = self._request.dbsession
        return TenantService(tenants=SqlTenantRepository(session), audit=SqlAuditLog(session),
                             clock=self._adapters.clock)

    @cached_property
    def users(self) -> UserAdminService:
        return self._adapters.user_admin(self._request.dbsession, self.identity)

    @cached_property
    def catalogue(self) -> CatalogueService:
        return self._adapters.catalogue(self._request.dbsession, self.operations)

    @cached_property
    def operations(self) -> Operations:
        """The journal of provider calls. Starting one commits what the request did so far (reads)
        and begins a new transaction, so the pending record is durable before the call."""
        request, adapters = self._request, self._adapters
        tm = request.tm

        def checkpoint() -> None:
            tm.commit()
            tm.begin()

        journal = SqlOperationJournal(request.dbsession, checkpoint=checkpoint, durable=self._durable,
                                      now=adapters.clock.now, stale=OPERATION_STALE_AFTER)
        return Operations(journal, adapters.clock)

    @cached_property
    def subscriptions(self) -> SubscriptionService:
        return self._adapters.subscriptions(self._request.dbsession, self.operations, durable=self._durable)

    @cached_property
    def payments(self) -> PaymentService:
        return self._adapters.payments(self._request.dbsession, self.operations)

    @cached_property
    def webhooks(self) -> WebhookService:
        adapters, session = self._adapters, self._request.dbsession
        return adapters.webhooks(session, adapters.subscription_sync(session, self.operations), self.payments,
                                 durable=self._durable)

    def _durable(self, work: Callable[[DbSession], object]) -> None:
        """Run `work` in a transaction of its own once the request has ended, whatever its end
        (committed, aborted, or its commit failed), and after every checkpoint commit of the
        operations journal in between: Pyramid's finished callbacks run after pyramid_tm is done."""
        adapters = self._adapters

        def run(_request: Request) -> None:
            try:
                adapters.database.run_in_own_transaction(work)
            except Exception:  # bookkeeping must never fail the answered request
                log.warning("deferred database work failed", exc_info=True)

        self._request.add_finished_callback(run)

    @cached_property
    def audit(self) -> AuditService:
        session = self._request.dbsession
        return AuditService(audit=SqlAuditLog(session), users=SqlUserRepository(session))

    @cached_property
    def dashboard(self) -> DashboardService:
        session = self._request.dbsession
        return DashboardService(users=SqlUserRepository(session), tenants=SqlTenantRepository(session),
                                billing=SqlBillingFigures(session))

    def now(self) -> datetime:
        return self._adapters.clock.now()

    @property
    def throttle(self) -> Throttle:
        return self._adapters.throttle

    @property
    def frontend_url(self) -> str:
        return self._adapters.settings.frontend_url

    def database_healthy(self) -> bool:
        return self._adapters.database.healthy()


def build_app(settings: Settings, *, database: Database | None = None, mailer: Mailer | None = None,
              gateway: PaymentGateway | None = None, wait_for_database: bool = True,
              start_mail_worker: bool = False) -> Any:
    """The WSGI application for `settings`. Raises `SystemExit` with one line when it cannot start.

    `start_mail_worker`: deliver mail from a background thread (serving); without it, mail queued
    by a request is delivered in the request's thread right after its commit (tests)."""
    configure_logging(settings.log_level)
    adapters = Adapters(settings, database, mailer, gateway)
    count_sql_statements(adapters.database.engine)  # per request, for the access log
    transaction_join.install()  # before any thread uses a session
    if wait_for_database:
        try:
            adapters.database.wait_until_ready(settings.database_wait_timeout)
        except DatabaseUnreachable as error:
            raise SystemExit(f"wiwebb: {error}") from None
    config = Configurator(settings={
        "tm.manager_hook": pyramid_tm.explicit_manager,
        "tm.activate_hook": needs_transaction,
        # pyramid_tm would authenticate every request to annotate its transaction: health and
        # login must not read the Authorization header, and a database outage must stay a 503.
        "tm.annotate_user": False,
        "wiwebb.cors": CorsPolicy(settings.cors_allowed_origins, settings.cors_allow_credentials),
        "wiwebb.trusted_proxies": settings.trusted_proxies,
        "wiwebb.request_log": RequestLogPolicy(trace_request,
                                               settings.sql_warn_statements if settings.debug else None),
        "wiwebb.console_dir": settings.console_dir,
        "wiwebb.console_csp": console_policy(settings.stripe_js_url),
    })
    config.include("pyramid_tm")

    def database(request: Request) -> RequestDatabase:
        return RequestDatabase(adapters.database, request.tm, write=request.method not in READ_METHODS)

    config.add_request_method(database, "database", reify=True)
    config.add_request_method(lambda request: request.database.session(), "dbsession", reify=True)
    config.add_request_method(lambda request: RequestServices(request, adapters), "services", reify=True)
    config.include("wiwebb.entrypoints.http")
    config.include("wiwebb.entrypoints.http.console")  # the built web console at / (CONSOLE_DIR)
    for error_type in UNAVAILABLE_ERRORS:
        config.add_exception_view(service_unavailable, context=error_type)
    app = config.make_wsgi_app()
    app.adapters = adapters  # for tests and operators' tooling
    if start_mail_worker and settings.cleanup_interval is not None:
        try:
            app.cleanup_task = cleanup_task(adapters.housekeeping(), age=settings.cleanup_age,
                                            batch_size=settings.cleanup_batch_size, interval=settings.cleanup_interval)
        except CleanupRefused as error:
            raise SystemExit(f"wiwebb: CLEANUP_{error.field.upper()}: {error}") from None
        app.cleanup_task.start()
    if start_mail_worker:
        adapters.mail_worker.start()
        adapters.mail_worker.wake()  # mail left by an earlier run
    return app


def main(global_config: dict[str, Any], **ini_settings: Any) -> Any:
    """The `paste.app_factory` entry point (pserve, `wiwebb serve`)."""
    try:
        settings = load_settings({**ini_settings, "here": global_config.get("here")})
    except SettingsError as error:
        raise SystemExit(f"wiwebb: {error}") from None
    return build_app(settings, start_mail_worker=True)


def _deferring(durable: Deferrer | None) -> Deferrer:
    """Billing's `durable` work (releasing a user's lock, keeping a failed event) must run once the
    unit of work has ended, never at once: at once, it would run before the row it updates is
    committed (and on SQLite wait for the session's own write lock)."""
    if durable is None:
        raise ValueError("billing services need `durable`: work to run once the unit of work has ended")
    return durable


def _gateway(settings: Settings) -> PaymentGateway | None:
    if not settings.stripe_secret_key:
        return None
    if settings.use_localstripe:
        return StripeGateway(settings.stripe_secret_key, base_url=settings.localstripe_url, localstripe=True)
    return StripeGateway(settings.stripe_secret_key)


def _mailer(settings: Settings) -> Mailer:
    if settings.email_backend == "console":
        return ConsoleMailer()
    e = settings.email
    return SmtpMailer(SmtpSettings(host=e.host, port=e.port, username=e.user, password=e.password,
                                   use_tls=e.use_tls, use_ssl=e.use_ssl, timeout=e.timeout))

