"""The Content-Security-Policy of the web console's page.

The console is one built bundle from its own origin (no inline script, no eval), talking to the API
on that same origin; the one thing from elsewhere is Stripe.js, at STRIPE_JS_URL:

- Stripe's own (`https://js.stripe.com/...`): the sources Stripe documents for Stripe.js and its
  Elements (scripts from js.stripe.com, its frames and hooks.stripe.com's, calls to api.stripe.com);
- anything else (localstripe's stand-in in development and tests): that origin, which its script
  calls back for tokens and confirmations.

Styles allow 'unsafe-inline': React and the chart set style attributes and Stripe's Elements bring
their own, and an injected style cannot run code. Nothing may frame the page (frame-ancestors)."""

from __future__ import annotations

from urllib.parse import urlsplit

STRIPE_JS_ORIGIN = "https://js.stripe.com"
STRIPE_SCRIPTS = "https://js.stripe.com https://*.js.stripe.com"
STRIPE_FRAMES = "https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com"
STRIPE_API = "https://api.stripe.com"


DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> str:
    """The URL's origin as a policy writes it: scheme, host and a port other than the scheme's
    own; never the user and password a URL may carry."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    host = f"[{host}]" if ":" in host else host
    port = parts.port
    return f"{scheme}://{host}" if port in (None, DEFAULT_PORTS.get(scheme)) else f"{scheme}://{host}:{port}"


def console_policy(stripe_js_url: str) -> str:
    stripe = origin(stripe_js_url)
    if stripe == STRIPE_JS_ORIGIN:
        scripts, frames, calls = STRIPE_SCRIPTS, STRIPE_FRAMES, STRIPE_API
    else:
        scripts = frames = calls = stripe
    return "; ".join((
        "default-src 'self'",
        f"script-src 'self' {scripts}",
        f"connect-src 'self' {calls}",
        f"frame-src {frames}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ))
