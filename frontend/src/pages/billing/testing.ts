/** Test data and a fake API for the billing pages' tests (shapes as the API answers them). */
import { vi } from "vitest";
import type { Payment, PaymentLogEntry } from "../../api/payments";
import type { Plan } from "../../api/plans";
import type { StripeCardElement, StripeClient } from "../../api/stripe";
import type { Subscription } from "../../api/subscriptions";
import { ALICE, META, jsonResponse, mockFetch } from "../../test/helpers";

export const SUBSCRIBER = { ...ALICE, id: 9, username: "sam", first_name: "Sam", last_name: "", role: "subscriber" as const };
export const STAFF = { ...ALICE, id: 1, username: "root", role: "admin" as const, tenant: null, is_staff: true };

const STAMP = "2026-11-01T00:00:00Z";

export const FREE: Plan = {
  id: 1,
  name: "Free",
  description: "Free access within daily limits.",
  default: true,
  available: true,
  requires_payment: false,
  auto_renew: true,
  daily_time_minutes: 180,
  daily_data_mb: 300,
  stripe_product_id: null,
  created_at: STAMP,
  updated_at: STAMP,
  pricings: [{ id: 11, amount: "0.00", currency: "usd", interval: "month", trial_period_days: 0, active: true }],
};

export const DAY_PASS: Plan = {
  ...FREE,
  id: 2,
  name: "Day Pass",
  description: "Unlimited access for one day.",
  default: false,
  requires_payment: true,
  auto_renew: false,
  daily_time_minutes: null,
  daily_data_mb: null,
  stripe_product_id: "prod_day",
  pricings: [{ id: 21, amount: "5.00", currency: "usd", interval: "day", trial_period_days: 0, active: true }],
};

export const PREMIUM: Plan = {
  ...DAY_PASS,
  id: 3,
  name: "Premium",
  description: "Unlimited access, renewed every month.",
  auto_renew: true,
  stripe_product_id: "prod_premium",
  pricings: [{ id: 31, amount: "200.00", currency: "usd", interval: "month", trial_period_days: 0, active: true }],
};

export const CATALOGUE: Plan[] = [FREE, DAY_PASS, PREMIUM];

export const ACTIVE: Subscription = {
  id: 12,
  user: 9,
  plan: 3,
  pricing: 31,
  subscription_id: "sub_123",
  status: "active",
  current_period_start: "2026-11-01T00:00:00Z",
  current_period_end: "2026-12-01T00:00:00Z",
  cancel_at_period_end: false,
  trial_end: null,
  created_at: STAMP,
  updated_at: STAMP,
};

export const PAYMENT: Payment = {
  id: 42,
  user: 9,
  amount: "25.00",
  currency: "usd",
  description: "Router rental",
  order_id: "A-1",
  metadata: {},
  capture_method: "manual",
  status: "preauth",
  payment_intent_id: "pi_42",
  client_secret: null,
  refunded_amount: "0.00",
  created_at: "2026-11-02T10:30:00Z",
  updated_at: "2026-11-02T10:30:00Z",
};

export const PAYMENT_LOG: PaymentLogEntry[] = [
  {
    id: 1,
    payment: 42,
    event: "created",
    from_status: null,
    to_status: "preauth",
    message: "Amount held on the card.",
    created_at: "2026-11-02T10:30:00Z",
  },
];

type Route = (url: URL, init: RequestInit) => Response | Promise<Response> | undefined;

/**
 * fetch answering `routes` first ("METHOD /api/v1/path/" keys, or a function for the rest), then
 * the signed-in `user`, meta, and 404 for anything else.
 */
export function billingApi(user: object, routes: Record<string, Route | object> = {}) {
  return mockFetch((url, init) => {
    const key = `${init.method ?? "GET"} ${url.pathname}`;
    const route = routes[key];
    if (route !== undefined) {
      if (typeof route === "function") {
        const answer = (route as Route)(url, init);
        if (answer) return answer;
      } else {
        return jsonResponse(200, route);
      }
    }
    if (url.pathname === "/api/v1/auth/user/") return jsonResponse(200, user);
    if (url.pathname === "/api/v1/meta/") return jsonResponse(200, META);
    return jsonResponse(404, { detail: "Not found." });
  });
}

/** The calls made to `METHOD path`, with their JSON bodies and headers. */
export function callsTo(fetchMock: ReturnType<typeof mockFetch>, method: string, path: string) {
  return fetchMock.mock.calls
    .filter(([input, init]) => (init?.method ?? "GET") === method && new URL(String(input)).pathname === path)
    .map(([, init]) => ({
      body: init?.body ? (JSON.parse(String(init.body)) as unknown) : undefined,
      headers: (init?.headers ?? {}) as Record<string, string>,
    }));
}

/** `setup-intent/`'s answer in the billing tests. */
export const SETUP_INTENT = { id: "seti_1", client_secret: "seti_1_secret_abc" };

/**
 * A stand-in of window.Stripe: a card element that mounts a marker, and spies on every call.
 * `confirmCardSetup` saves the card as `pm_test_1` unless overridden.
 */
export function fakeStripe(overrides: Partial<Pick<StripeClient, "confirmCardSetup" | "confirmCardPayment">> = {}) {
  const card: StripeCardElement & { change?: (event?: object) => void } = {
    mount: vi.fn((target: HTMLElement) => {
      const marker = document.createElement("span");
      marker.textContent = "card element";
      target.appendChild(marker);
    }),
    destroy: vi.fn(),
    on: vi.fn((_event: "change", handler: (event?: object) => void) => {
      card.change = handler;
    }),
  };
  const client = {
    elements: vi.fn(() => ({ create: vi.fn(() => card) })),
    confirmCardSetup: vi.fn(
      overrides.confirmCardSetup ??
        (async () => ({ setupIntent: { id: SETUP_INTENT.id, status: "succeeded", payment_method: "pm_test_1" } })),
    ),
    confirmCardPayment: vi.fn(
      overrides.confirmCardPayment ?? (async () => ({ paymentIntent: { id: "pi_1", status: "succeeded" } })),
    ),
  };
  const factory = vi.fn(() => client as StripeClient);
  vi.stubGlobal("Stripe", factory);
  return { factory, client, card };
}
