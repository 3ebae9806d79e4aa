"""WiWebb: the backend of a multi-tenant SaaS (tenants, users, tokens, Stripe billing)."""

import warnings
from importlib.metadata import PackageNotFoundError, version

# Pyramid 2.1 imports pkg_resources, which recent setuptools answers with a deprecation warning
# on every start; it is Pyramid's to fix and says nothing to WiWebb's operators.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)

try:
    __version__ = version("wiwebb")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
