"""The `wiwebb` command: Django's management verbs for operators (migrate, showmigrations,
dbshell, createsuperuser) plus `serve` and `ensure-superuser`.

The composition root hands `run` a factory of `Toolbox` objects (see `Tools`); this module only
parses arguments, talks to the operator and calls the tools.
"""

from __future__ import annotations

import argparse
import errno
import getpass
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol, TextIO

from wiwebb.domain.catalogue import CatalogueService
from wiwebb.domain.errors import NotFound, ValidationFailed
from wiwebb.domain.identity import IdentityService
from wiwebb.domain.mail import MailDelivery
from wiwebb.domain.payments import PaymentProviderUnavailable, PaymentRefused

from . import cli_billing, cli_ops, cli_tenancy, serving
from .cli_tenancy import OPERATOR

APP_LABELS = ("api", "wiwebb")


class Tools(cli_billing.BillingTools, cli_ops.OpsTools, cli_tenancy.TenancyTools, Protocol):
    """What the command needs from the composition root."""

    settings: Any
    ini_path: str

    def migrate(self, target: str) -> None: ...
    def fake(self, target: str) -> None: ...
    def migrations(self) -> Sequence[Any]: ...
    def resolve_revision(self, name: str) -> str: ...
    def identity(self) -> AbstractContextManager[IdentityService]: ...
    def dbshell_command(self) -> tuple[list[str], dict[str, str]]: ...
    def wsgi_app(self) -> Any: ...
    def mail_delivery(self) -> MailDelivery: ...
    def catalogue(self) -> AbstractContextManager[CatalogueService]: ...


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-c", "--config", default=argparse.SUPPRESS, metavar="INI",
                        help="the ini file (default: $WIWEBB_INI, else development.ini)")
    parser = argparse.ArgumentParser(prog="wiwebb", parents=[common], description="Operate WiWebb.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    migrate = commands.add_parser("migrate", parents=[common], help="bring the database schema up to date")
    migrate.add_argument("names", nargs="*", metavar="[APP_LABEL] [MIGRATION]",
                         help="target migration (e.g. 0001, or 'zero'); the app label 'api' may precede it")
    migrate.add_argument("--fake", action="store_true", help="mark as applied without running it")

    show = commands.add_parser("showmigrations", parents=[common], help="list migrations, [X] when applied")
    show.add_argument("app_label", nargs="?")

    commands.add_parser("dbshell", parents=[common], help="open psql or sqlite3 on the configured database")

    create = commands.add_parser("createsuperuser", parents=[common], help="create a superadmin")
    create.add_argument("--username")
    create.add_argument("--email")
    create.add_argument("--noinput", "--no-input", dest="interactive", action="store_false",
                        help="take everything from options and WIWEBB_SUPERUSER_*; ask nothing")

    commands.add_parser("ensure-superuser", parents=[common],
                        help="create a superadmin unless one exists (prints a generated password once)")
    commands.add_parser("serve", parents=[common],
                        help="serve the API with waitress: the ini file's [server:main] options, on HOST:PORT")

    cli_tenancy.add_parsers(commands, common)

    commands.add_parser("clearsessions", parents=[common], help="delete expired login tokens")

    commands.add_parser("seed-plans", parents=[common],
                        help="create the default plans (Free, Day Pass, Premium) that do not exist yet")

    send = commands.add_parser("send-mail", parents=[common], help="deliver the mail outbox now")
    mode = send.add_mutually_exclusive_group()
    mode.add_argument("--failed", action="store_true", help="list mail that failed for good (kept, not sent)")
    mode.add_argument("--retry", action="store_true", help="queue failed mail again and deliver it")
    cli_billing.add_parsers(commands, common)
    cli_ops.add_parsers(commands, common)
    return parser


def run(argv: Sequence[str] | None, tools: Callable[[str], Tools], *,
        errors: tuple[type[Exception], ...] = (), out: TextIO | None = None) -> int:
    out = out or sys.stdout
    argv = list(sys.argv[1:] if argv is None else argv)
    for argument in argv:
        try:
            argument.encode("utf-8")
        except UnicodeEncodeError:  # bytes that are not UTF-8, kept by Python as lone surrogates
            print(f"wiwebb: arguments must be UTF-8 text; this one is not: {argument!a}", file=sys.stderr)
            return 2
    args = _parser().parse_args(argv)
    box = tools(getattr(args, "config", None) or os.environ.get("WIWEBB_INI") or "development.ini")
    try:
        return _COMMANDS[args.command](box, args, out)
    except (ValidationFailed, NotFound, PaymentProviderUnavailable, PaymentRefused, *errors) as error:
        print(f"wiwebb: {_one_line(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _one_line(error: Exception) -> str:
    if isinstance(error, ValidationFailed):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.errors.items())
    if isinstance(error, NotFound):
        return str(error) or error.detail
    return str(error)


def _migrate(box: Tools, args: argparse.Namespace, out: TextIO) -> int:
    names = [n for n in args.names if n not in APP_LABELS]
    if len(names) > 1:
        print("wiwebb: migrate takes at most one migration name", file=sys.stderr)
        return 2
    target = names[0] if names else "head"
    if args.fake:
        if target == "head":
            print("wiwebb: --fake needs a migration name (e.g. wiwebb migrate --fake api 0001)", file=sys.stderr)
            return 2
        box.fake(target)
        print(f"Faked migration to {box.resolve_revision(target)}.", file=out)
        return 0
    box.migrate(target)
    applied = [m.name for m in box.migrations() if m.applied]
    print(f"Database at {applied[-1] if applied else 'zero'}; migrations are up to date." if target == "head"
          else f"Database migrated to {applied[-1] if applied else 'zero'}.", file=out)
    return 0


def _showmigrations(box: Tools, args: argparse.Namespace, out: TextIO) -> int:
    print("api", file=out)
    for migration in box.migrations():
        print(f" [{'X' if migration.applied else ' '}] {migration.name}", file=out)
    return 0


def _dbshell(box: Tools, args: argparse.Namespace, out: TextIO) -> int:
    argv, env = box.dbshell_command()
    if shutil.which(argv[0]) is None:
        print(f"wiwebb: {argv[0]} is not installed; install it to open a database shell "
              f"(Debian/Ubuntu: apt install {'postgresql-client' if argv[0] == 'psql' else 'sqlite3'})",
              file=sys.stderr)
        return 1
    out.flush()
    os.execvpe(argv[0], argv, {**os.environ, **env})
    return 0  # not reached


def _ask(prompt: str, default: str | None = None) -> str:
    suffix = f" (leave blank to use '{default}')" if default else ""
    answer = input(f"{prompt}{suffix}: ").strip()
    return answer or default or ""


def _createsuperuser(box: Tools, args: argparse.Namespace, out: TextIO) -> int:
    settings = box.settings
    username = args.username or settings.superuser_username
    email = args.email or settings.superuser_email
    password = settings.superuser_password
    validate = True
    if args.interactive and sys.stdin.isatty():
        username = _ask("Username", username)
        email = _ask("Email address", email)
        password, validate = _ask_password(box, username, email)
    elif not password:
        print("wiwebb: WIWEBB_SUPERUSER_PASSWORD must be set for a non-interactive createsuperuser",
              file=sys.stderr)
        return 1
    with box.identity() as identity:
        identity.create_superuser(username=username, email=email, password=password,
                                  validate_password=validate)
    print("Superuser created successfully.", file=out)
    return 0


def _ask_password(box: Tools, username: str, email: str) -> tuple[str, bool]:
    from wiwebb.domain.password_policy import Applicant, password_problems

    while True:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            print("Error: Your passwords didn't match.", file=sys.stderr)
            continue
        if not password.strip():
            print("Error: Blank passwords aren't allowed.", file=sys.stderr)
            continue
        problems = password_problems(password, Applicant(username, email=email))
        if not problems:
            return password, True
        print("\n".join(problems), file=sys.stderr)
        if input("Bypass password validation and create user anyway? [y/N]: ").strip().lower() == "y":
            return password, False


def _ensure_superuser(box: Tools, args: argparse.Namespace, out: TextIO) -> int:
    settings = box.settings
    with box.identity() as identity:
        # In production what is printed ends in the logs: no generated password there, a mail instead.
        created = identity.ensure_superuser(username=settings.superuser_username, email=settings.superuser_email,
                                            password=settings.superuser_password,
                                            invite_at=box.frontend_url() if settings.is_production else None)
    if created is None:
        print("A superadmin exists.", file=out)
    elif created.invited:
        print(f"Created superadmin '{created.user.username}' without a password; a link to choose one is mailed "
              f"to {created.user.email} (retried until delivered; or set WIWEBB_SUPERUSER_PASSWORD before the "
              "first start).", file=out)
    elif created.generated_password:
        print(f"Created superadmin '{created.user.username}' with password: {created.generated_password}\n"
              "This password is shown only once; change it after logging in "
              "(POST /api/v1/auth/password/change/).", file=out)
    else:
        print(f"Created superadmin '{created.user.username}' from WIWEBB_SUPERUSER_*.", file=out)
    return 0


def _serve(box: Tools, args: argparse.Namespace, out: TextIO) -> int:
    import waitress

    settings = box.settings
    try:  # the [server:main] options, as pserve uses them, on HOST:PORT
        options = serving.waitress_options(serving.read_server_section(box.ini_path), settings.host, settings.port)
    except serving.ServerConfigError as error:
        where = f"{os.path.basename(box.ini_path)} " if str(error).startswith("[") else ""
        print(f"wiwebb: {where}{error}", file=sys.stderr)
        return 1
    app = box.wsgi_app()
    try:
        server = waitress.create_server(app, **options)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            print(f"wiwebb: port {settings.port} is already in use; stop what uses it "
                  f"(lsof -i :{settings.port}) or pick another port, e.g. PORT={settings.port + 1} make run",
                  file=sys.stderr)
            return 1
        # Another address's, a port below 1024 without the right, ...: one line, no traceback.
        print(f"wiwebb: cannot listen on {settings.host}:{settings.port}: {error.strerror or error}", file=sys.stderr)
        return 1
    from .http import console  # here: the other commands need no Pyramid

    # After the bind: a command that fails (a taken port) says so in one line and nothing else.
    print(f"WiWebb serving on http://{settings.host}:{settings.port}/ (API at /api/v1/; web console "
          f"{console.status(settings.console_dir)})", file=out, flush=True)
    # Until SIGTERM or SIGINT, then a graceful stop: see serving.SHUTDOWN_GRACE.
    serving.serve_until_stopped(server, app)
    return 0


def _clearsessions(box: Tools, args: argparse.Namespace, out: TextIO) -> int:
    with box.identity() as identity:
        removed = identity.purge_expired_tokens()
    print(f"Removed {removed} expired token(s).", file=out)
    return 0


def _seed_plans(box: Tools, args: argparse.Namespace, out: TextIO) -> int:
    with box.catalogue() as catalogue:
        created = catalogue.seed(OPERATOR)
    print(f"Created plans: {', '.join(created)}." if created else "The default plans exist already.", file=out)
    return 0


def _send_mail(box: Tools, args: argparse.Namespace, out: TextIO) -> int:
    delivery = box.mail_delivery()
    if args.failed:
        failed = delivery.failed()
        for queued in failed:
            when = queued.failed_at.isoformat() if queued.failed_at else "?"
            print(f"{queued.id}\t{when}\t{queued.attempts} attempts\tto {queued.mail.to}\t"
                  f"{queued.mail.subject}\t{queued.last_error}", file=out)
        print(f"{len(failed)} failed mail(s); `wiwebb send-mail --retry` sends them again.", file=out)
        return 0
    if args.retry:
        print(f"{delivery.retry_failed()} failed mail(s) queued again.", file=out)
    sent = delivery.deliver_due()
    pending = len(delivery.pending())
    print(f"{sent} mail(s) sent; {pending} waiting for a retry.", file=out)
    return 0


_COMMANDS: dict[str, Callable[[Tools, argparse.Namespace, TextIO], int]] = {
    "migrate": _migrate,
    "showmigrations": _showmigrations,
    "dbshell": _dbshell,
    "createsuperuser": _createsuperuser,
    "ensure-superuser": _ensure_superuser,
    "serve": _serve,
    "send-mail": _send_mail,
    **cli_tenancy.COMMANDS,
    "seed-plans": _seed_plans,
    "clearsessions": _clearsessions,
    **cli_billing.COMMANDS,
    **cli_ops.COMMANDS,
}


