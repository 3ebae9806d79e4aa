"""The scenarios of issue 7: their requests (built from the seed) and their connections."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from .load import Request
from .seed import Seeded

API = "/api/v1"
WEBHOOK_SECRET = "whsec_bench_secret"
USERS_PAGE = f"{API}/users/?tenant={{tenant}}&role=subscriber&page={{page}}&page_size=20"
PAGE = 40  # of 20 subscribers: the page, or the last one of a smaller seed
USERS_SEARCH = f"{API}/users/?search=abc"
DUPLICATE_LAG = 16  # a duplicate repeats the event sent this many events before


@dataclass(frozen=True)
class Scenario:
    name: str
    connections: int
    build: Callable[[Seeded, float], list[Request]]  # (seed, duration in seconds) -> requests
    target_sql: int | None = None


def _token(key: str) -> dict[str, str]:
    return {"Authorization": f"Token {key}"}


def health(seeded: Seeded, duration_s: float) -> list[Request]:
    return [Request("GET", f"{API}/health/")]


def me(seeded: Seeded, duration_s: float) -> list[Request]:
    return [Request("GET", f"{API}/auth/user/", _token(key)) for key in seeded.user_tokens]


def users_page(seeded: Seeded, duration_s: float) -> list[Request]:
    tenant = seeded.tenant_ids[len(seeded.tenant_ids) // 2]
    page = max(1, min(PAGE, seeded.subscribers_per_tenant // 20))
    return [Request("GET", USERS_PAGE.format(tenant=tenant, page=page), _token(seeded.admin_token))]


def users_search(seeded: Seeded, duration_s: float) -> list[Request]:
    return [Request("GET", USERS_SEARCH, _token(key)) for key in seeded.owner_tokens.values()]


def login(seeded: Seeded, duration_s: float) -> list[Request]:
    return [Request("POST", f"{API}/auth/login/", {"Content-Type": "application/json"},
                    json.dumps({"username": name, "password": seeded.password}))
            for name in seeded.login_usernames]


def subscription_event(number: int, subscription: tuple[str, str, str], created: int) -> dict:
    """A `customer.subscription.updated` event about a seeded subscription, as Stripe sends it."""
    sub_id, customer, price = subscription
    obj = {"id": sub_id, "object": "subscription", "status": "active", "customer": customer,
           "cancel_at_period_end": False, "trial_end": None, "metadata": {},
           "items": {"data": [{"price": {"id": price}, "current_period_start": created,
                               "current_period_end": created + 30 * 86400}]}}
    return {"id": f"evt_bench_{created}_{number:07d}", "object": "event", "type": "customer.subscription.updated",
            "created": created + number, "data": {"object": obj}}


def signed_request(event: dict, secret: str = WEBHOOK_SECRET) -> Request:
    import stripe

    payload = json.dumps(event, separators=(",", ":"))
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=int(time.time()))
    return Request("POST", f"{API}/payments/webhook/", {"Stripe-Signature": header,
                                                         "Content-Type": "application/json"}, payload)


def webhook_sequence(unique: int, lag: int = DUPLICATE_LAG) -> list[int]:
    """Event numbers in delivery order: each new event followed by a duplicate of an earlier one,
    so half the deliveries are duplicates however many are sent."""
    order = []
    for n in range(unique):
        order += [n, max(0, n - lag)]
    return order


def webhook(seeded: Seeded, duration_s: float) -> list[Request]:
    if not seeded.subscriptions:
        raise ValueError("the webhook scenario needs seeded subscriptions")
    unique = max(200, int(duration_s * 600))  # more than the server can take in the time
    created = int(time.time())
    signed = [signed_request(subscription_event(n, seeded.subscriptions[n % len(seeded.subscriptions)], created))
              for n in range(unique)]
    return [signed[n] for n in webhook_sequence(unique)]


SCENARIOS = {s.name: s for s in (
    Scenario("health", 8, health),
    Scenario("me", 8, me, target_sql=2),
    Scenario("users_page", 1, users_page, target_sql=3),
    Scenario("users_search", 1, users_search, target_sql=3),
    Scenario("login", 2, login),
    Scenario("webhook", 8, webhook, target_sql=2),  # the target is a duplicate delivery's
)}
