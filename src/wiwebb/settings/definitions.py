"""Every setting WiWebb reads: its name (the environment variable; lower case in the ini file),
its default and what it does. `.env.example` documents the same names; a test keeps them equal."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Definition:
    name: str
    default: str | None
    help: str


DEFINITIONS = (
    Definition("WIWEBB_INI", "development.ini",
               "The ini file the `wiwebb` command reads when -c is not given (the container image sets "
               "production.ini)."),
    Definition("PORT", "8000", "Port the API listens on."),
    Definition("HOST", "0.0.0.0", "Address the API listens on."),
    Definition("DATABASE_URL", None, "Full SQLAlchemy URL; when set, DATABASE and POSTGRES_* are ignored."),
    Definition("DATABASE", "sqlite", "sqlite (a file under var/) or postgres (from POSTGRES_*)."),
    Definition("POSTGRES_HOST", "localhost", "PostgreSQL host (DATABASE=postgres)."),
    Definition("POSTGRES_PORT", "5432", "PostgreSQL port."),
    Definition("POSTGRES_DB", "wiwebb", "PostgreSQL database name."),
    Definition("POSTGRES_USER", "postgres", "PostgreSQL user."),
    Definition("POSTGRES_PASSWORD", "", "PostgreSQL password."),
    Definition("DATABASE_WAIT_TIMEOUT", "30", "Seconds to wait for the database at start before giving up."),
    Definition("SQLITE_BUSY_TIMEOUT", "30", "Seconds a SQLite writer waits for the write lock."),
    Definition("SECRET_KEY", None, "Signs reset links; required in production (development keeps one in var/)."),
    Definition("TOKEN_TTL", "7d", "Lifetime of a login token: seconds, or a number with s, m, h or d."),
    Definition("REGISTRATION_OPEN", "true", "Whether anyone may register (POST auth/registration/)."),
    Definition("PASSWORD_RESET_TIMEOUT", "259200",
               "How long a reset link works: seconds (as Django's setting), or 3d, 12h..."),
    Definition("FRONTEND_URL", "",
               "Where reset links point ({FRONTEND_URL}/reset-password/...); required in production; "
               "in development: http://localhost:PORT."),
    Definition("CONSOLE_DIR", "frontend/dist",
               "The built web console (npm run build), served at / (relative to the ini file's folder); "
               "off: serve the API alone."),
    Definition("EMAIL_BACKEND", None, "smtp or console (console writes mails to the log; development only). "
               "Default: console in development, smtp in production."),
    Definition("EMAIL_HOST", "localhost", "SMTP server."),
    Definition("EMAIL_PORT", "25", "SMTP port."),
    Definition("EMAIL_HOST_USER", "", "SMTP user name (empty: no login)."),
    Definition("EMAIL_HOST_PASSWORD", "", "SMTP password."),
    Definition("EMAIL_USE_TLS", "false", "STARTTLS on a plain connection (usually port 587)."),
    Definition("EMAIL_USE_SSL", "false", "Implicit TLS (usually port 465); exclusive with EMAIL_USE_TLS."),
    Definition("EMAIL_TIMEOUT", "10", "Seconds to wait for the SMTP server."),
    Definition("DEFAULT_FROM_EMAIL", "WiWebb <noreply@localhost>", "Sender of WiWebb's mail."),
    Definition("MAIL_MAX_ATTEMPTS", "8",
               "Delivery attempts before a mail is marked failed (kept for send-mail --retry)."),
    Definition("THROTTLE_RATES", "",
               "Rates by scope, e.g. login=5/minute,anon=100/hour,user=1000/hour,failed_login=20/hour; "
               "a scope set to off is not throttled."),
    Definition("THROTTLE_LOGIN", None, "Login, registration and password reset, per client IP (default 5/minute)."),
    Definition("THROTTLE_ANON", None, "Requests without a login, per client IP (default 100/hour)."),
    Definition("THROTTLE_USER", None, "Requests with a login, per user (default 1000/hour)."),
    Definition("THROTTLE_FAILED_LOGIN", None, "Failed logins per username as typed (default 20/hour)."),
    Definition("REDIS_URL", "", "Redis for throttling state shared by every process and host; empty: in-process."),
    Definition("TRUSTED_PROXIES", "", "Addresses or networks of proxies whose X-Forwarded-For is believed."),
    Definition("CORS_ALLOWED_ORIGINS", "http://localhost:5173,http://127.0.0.1:5173",
               "Origins that browsers may call the API from (comma-separated)."),
    Definition("CORS_ALLOW_CREDENTIALS", "true", "Send Access-Control-Allow-Credentials: true to allowed origins."),
    Definition("STRIPE_PUBLIC_KEY", "", "Stripe publishable key, given to clients by GET /api/v1/meta/."),
    Definition("STRIPE_SECRET_KEY", "", "Stripe secret key (sk_...); empty: no payment provider (paid plans refused)."),
    Definition("STRIPE_API_KEY", "", "Another name for STRIPE_SECRET_KEY (the original system's)."),
    Definition("STRIPE_WEBHOOK_SECRET", "", "Signing secret of the webhook endpoint (whsec_...)."),
    Definition("USE_LOCALSTRIPE", "false",
               "Talk to localstripe (a local fake Stripe) instead of Stripe; development only "
               "(refused in production)."),
    Definition("LOCALSTRIPE_URL", "http://127.0.0.1:8420", "Where localstripe listens."),
    Definition("STRIPE_JS_URL", None,
               "Where the web console loads Stripe.js from (given by GET /api/v1/meta/). Default: "
               "https://js.stripe.com/v3/, or with USE_LOCALSTRIPE on, localstripe's stand-in at "
               "{LOCALSTRIPE_URL}/js.stripe.com/v3/."),
    Definition("LOG_LEVEL", "INFO", "DEBUG, INFO, WARNING or ERROR."),
    Definition("DEBUG", "false",
               "Development only (refused in production): warn about requests running more SQL statements "
               "than SQL_WARN_STATEMENTS."),
    Definition("SQL_WARN_STATEMENTS", "20",
               "With DEBUG on, a request running more SQL statements than this logs a warning naming its route."),
    Definition("DATABASE_POOL_SIZE", "10",
               "PostgreSQL connections kept open per process (at least the server's threads plus 2)."),
    Definition("DATABASE_MAX_OVERFLOW", "10", "Extra PostgreSQL connections opened under load, closed after."),
    Definition("DATABASE_POOL_TIMEOUT", "30", "Seconds a request waits for a free database connection."),
    Definition("DATABASE_STATEMENT_TIMEOUT", "30s",
               "Longest a PostgreSQL statement may run before it is cancelled (e.g. 30s, 2m; 0: no limit)."),
    Definition("CLEANUP_INTERVAL", "1h",
               "How often the server deletes expired tokens, delivered mail and processed webhook events "
               "(e.g. 1h; 0: never, run `wiwebb cleanup` yourself)."),
    Definition("CLEANUP_AGE", "30d",
               "Age after which expired tokens, delivered mail and processed webhook events are deleted."),
    Definition("CLEANUP_BATCH_SIZE", "1000", "Rows deleted per transaction by the cleanup."),
    Definition("ARGON2_TIME_COST", "3", "Argon2id passes (time cost)."),
    Definition("ARGON2_MEMORY_COST", "65536", "Argon2id memory in KiB."),
    Definition("ARGON2_PARALLELISM", "4", "Argon2id lanes."),
    Definition("WIWEBB_SUPERUSER_USERNAME", "admin", "Username of the superadmin created at first start."),
    Definition("WIWEBB_SUPERUSER_EMAIL", "admin@example.com", "E-mail address of that superadmin."),
    Definition("WIWEBB_SUPERUSER_PASSWORD", None,
               "Its password; when unset, generated and printed once (development) or chosen from a mailed link "
               "(production)."),
)
NAMES = frozenset(d.name for d in DEFINITIONS)
