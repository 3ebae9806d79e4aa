"""WiWebb: the backend of a multi-tenant SaaS (tenants, users, tokens, Stripe billing)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("wiwebb")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
