"""The `wiwebb` command's side of the composition root: the tools its commands use, wired from one
ini file (settings, database, domain services)."""

from __future__ import annotations

import configparser
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any

from plaster.exceptions import PlasterError
from sqlalchemy.orm import Session as DbSession

from wiwebb.adapters import schema
from wiwebb.adapters.audit_sql import SqlAuditLog
from wiwebb.adapters.database import DatabaseUnreachable, shell_command
from wiwebb.adapters.logs import configure_logging
from wiwebb.adapters.repositories import SqlTenantRepository
from wiwebb.app import Adapters, build_app
from wiwebb.domain.catalogue import CatalogueService
from wiwebb.domain.housekeeping import Housekeeping
from wiwebb.domain.identity import IdentityService
from wiwebb.domain.mail import MailDelivery
from wiwebb.domain.subscription_sync import SubscriptionSync
from wiwebb.domain.tenancy import TenantService
from wiwebb.domain.user_admin import UserAdminService
from wiwebb.domain.webhooks import WebhookService
from wiwebb.entrypoints import cli as cli_entrypoint
from wiwebb.settings import SettingsError, load_settings


class Toolbox:
    """What the `wiwebb` command needs, wired from one ini file."""

    def __init__(self, ini_path: str) -> None:
        from pyramid.paster import get_appsettings, setup_logging

        path = Path(ini_path).resolve()
        if not path.is_file():
            raise SystemExit(f"wiwebb: no such ini file: {ini_path}")
        try:
            ini = dict(get_appsettings(str(path)))
        except (configparser.Error, LookupError, PlasterError, UnicodeDecodeError, ImportError) as error:
            # not an ini file, a syntax error, no [app:main] section, an application that is not installed
            first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise SystemExit(f"wiwebb: cannot read {ini_path} as an ini file with an [app:main] section: "
                             f"{first}") from None
        try:
            self.settings = load_settings({**ini, "here": str(path.parent)})
        except SettingsError as error:
            raise SystemExit(f"wiwebb: {error}") from None
        self.ini_path = str(path)
        # The ini file's logging sections, as pserve applies them; LOG_LEVEL over them.
        setup_logging(self.ini_path)
        configure_logging(self.settings.log_level)

    @cached_property
    def adapters(self) -> Adapters:
        self.settings.var_dir.mkdir(parents=True, exist_ok=True)
        return Adapters(self.settings)

    def wait_for_database(self) -> None:
        try:
            self.adapters.database.wait_until_ready(self.settings.database_wait_timeout)
        except DatabaseUnreachable as error:
            raise SystemExit(f"wiwebb: {error}") from None

    def migrate(self, target: str) -> None:
        self.wait_for_database()
        schema.migrate(self.adapters.database.engine, target)

    def fake(self, target: str) -> None:
        self.wait_for_database()
        schema.fake(self.adapters.database.engine, target)

    def migrations(self) -> list[schema.MigrationState]:
        self.wait_for_database()
        return schema.status(self.adapters.database.engine)

    def resolve_revision(self, name: str) -> str:
        return schema.resolve(name)

    def require_migrated(self) -> None:
        """Stop with one line when the schema is behind the code (before any command uses it)."""
        self.wait_for_database()
        if not schema.is_up_to_date(self.adapters.database.engine):
            raise SystemExit(f"wiwebb: the database at {self.adapters.database.address} is not migrated "
                             f"to this version; run `wiwebb -c {Path(self.ini_path).name} migrate` first")

    @contextmanager
    def identity(self) -> Iterator[IdentityService]:
        """The identity service in a transaction committed when the block ends without error; when
        it queued mail (an invitation), the outbox is delivered right after (a command that queued
        none, like the container's `ensure-superuser` at every start, never waits on SMTP)."""
        self.require_migrated()
        queued: list[bool] = []
        with self.adapters.database.session(write=True) as session, session.begin():
            yield self.adapters.identity(session, on_mail_queued=lambda: queued.append(True))
        if queued:
            self.adapters.deliver_mail()

    @contextmanager
    def administration(self) -> Iterator[tuple[TenantService, UserAdminService]]:
        """Tenant and user administration for operators, in one committed transaction; mail it
        queued (invitations) is delivered right after."""
        self.require_migrated()
        adapters = self.adapters
        with adapters.database.session(write=True) as session, session.begin():
            tenants = TenantService(tenants=SqlTenantRepository(session), audit=SqlAuditLog(session),
                                    clock=adapters.clock)
            users = adapters.user_admin(session, adapters.identity(session))
            yield tenants, users
        adapters.deliver_mail()

    @contextmanager
    def catalogue(self) -> Iterator[CatalogueService]:
        """The plan catalogue, committed when the block ends without error (and at each
        checkpoint of the operations journal, before a call to Stripe)."""
        with self._billing_session() as (session, durable):
            yield self.adapters.catalogue(session, self.adapters.operations(session, durable))

    @contextmanager
    def webhooks(self) -> Iterator[WebhookService]:
        """The webhook service in one committed transaction; a failed event is recorded after it
        (in a transaction of its own, as in a request)."""
        with self._billing_session() as (session, durable):
            yield self.adapters.webhooks(session, durable=durable)

    @contextmanager
    def subscriptions(self) -> Iterator[SubscriptionSync]:
        with self._billing_session() as (session, durable):
            yield self.adapters.subscription_sync(session, durable=durable)

    @contextmanager
    def _billing_session(self) -> Iterator[tuple[DbSession, Callable[[Callable[[DbSession], object]], None]]]:
        self.require_migrated()
        database = self.adapters.database
        after: list[Callable[[DbSession], object]] = []
        try:
            with database.session(write=True) as session:  # no begin(): the journal commits mid-way
                try:
                    yield session, after.append
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
        finally:
            for work in after:
                database.run_in_own_transaction(work)

    def frontend_url(self) -> str:
        return self.settings.frontend_url

    def dbshell_command(self) -> tuple[list[str], dict[str, str]]:
        return shell_command(self.adapters.database.url)

    def wsgi_app(self) -> Any:
        self.require_migrated()
        return build_app(self.settings, database=self.adapters.database, start_mail_worker=True)

    def housekeeping(self) -> Housekeeping:
        self.require_migrated()
        return self.adapters.housekeeping()

    def mail_delivery(self) -> MailDelivery:
        self.require_migrated()
        return self.adapters.mail_delivery


def cli(argv: list[str] | None = None) -> int:
    """The `wiwebb` console script."""
    return cli_entrypoint.run(argv, Toolbox, errors=(schema.UnknownRevision, schema.MigrationBlocked))
