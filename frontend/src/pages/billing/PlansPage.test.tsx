import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { META, jsonResponse, renderApp } from "../../test/helpers";
import { ACTIVE, CATALOGUE, SETUP_INTENT, STAFF, SUBSCRIBER, billingApi, callsTo, fakeStripe } from "./testing";

const PLANS = "GET /api/v1/subscriptions/plans/";
const SUBSCRIBE = "POST /api/v1/subscriptions/subscribe/";
const SETUP = "POST /api/v1/subscriptions/setup-intent/";

/** When each fetch of `METHOD path` was made, in the order of every mock's calls. */
function callOrder(fetchMock: ReturnType<typeof billingApi>, method: string, path: string): number[] {
  return fetchMock.mock.calls.flatMap(([input, init], index) =>
    (init?.method ?? "GET") === method && new URL(String(input)).pathname === path
      ? [fetchMock.mock.invocationCallOrder[index] ?? -1]
      : [],
  );
}

function signIn() {
  window.localStorage.setItem("auth_token", "s".repeat(40));
}

describe("plans page", () => {
  it("shows each plan with its prices, limits and the Default badge", async () => {
    signIn();
    billingApi(SUBSCRIBER, { [PLANS]: CATALOGUE });
    renderApp("/plans");
    expect(await screen.findByRole("heading", { name: "Plans", level: 1 })).toBeInTheDocument();
    const free = (await screen.findByRole("heading", { name: /^Free/ })).closest("article") as HTMLElement;
    expect(within(free).getByText("Default")).toBeInTheDocument();
    expect(within(free).getByText("Free access within daily limits.")).toBeInTheDocument();
    expect(within(free).getByText("$0.00 / month")).toBeInTheDocument();
    expect(within(free).getByText("180 minutes a day")).toBeInTheDocument();
    expect(within(free).getByText("300 MB a day")).toBeInTheDocument();
    const premium = screen.getByRole("heading", { name: "Premium" }).closest("article") as HTMLElement;
    expect(within(premium).getByText("$200.00 / month")).toBeInTheDocument();
    expect(within(premium).getAllByText("Unlimited")).toHaveLength(2);
    expect(within(premium).queryByText("Default")).toBeNull();
    expect(screen.getByRole("button", { name: "Subscribe to Day Pass" })).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "Manage plans" })).toBeNull();
  });

  it("links staff to plan management", async () => {
    signIn();
    billingApi(STAFF, { [PLANS]: CATALOGUE });
    renderApp("/plans");
    expect(await screen.findByRole("link", { name: "Manage plans" })).toHaveAttribute("href", "/plans/manage");
  });

  it("subscribes to a Free plan at once with an Idempotency-Key, then opens My subscription", async () => {
    signIn();
    const free = { ...ACTIVE, plan: 1, pricing: 11, subscription_id: null };
    const fetchMock = billingApi(SUBSCRIBER, {
      [PLANS]: CATALOGUE,
      [SUBSCRIBE]: () => jsonResponse(201, free),
      "GET /api/v1/subscriptions/status/": free,
      "GET /api/v1/subscriptions/me/limits/": { plan_id: 1, plan_name: "Free", daily_time_minutes: 180, daily_data_mb: 300 },
      "GET /api/v1/subscriptions/invoices/": [],
    });
    const { user, router } = renderApp("/plans");
    await user.click(await screen.findByRole("button", { name: "Subscribe to Free" }));

    expect(await screen.findByRole("heading", { name: "My subscription" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/subscription");
    expect(screen.getByText("You are subscribed to Free.")).toHaveAttribute("role", "status");
    expect(await screen.findByText("Status: active")).toBeInTheDocument();
    const [call] = callsTo(fetchMock, "POST", "/api/v1/subscriptions/subscribe/");
    expect(call?.body).toEqual({ pricing_id: 11 });
    expect(call?.headers["Idempotency-Key"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("shows the API's refusal above the plans", async () => {
    signIn();
    billingApi(SUBSCRIBER, {
      [PLANS]: CATALOGUE,
      [SUBSCRIBE]: () => jsonResponse(400, { detail: "User already has an active subscription" }),
    });
    const { user, router } = renderApp("/plans");
    await user.click(await screen.findByRole("button", { name: "Subscribe to Free" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("User already has an active subscription");
    expect(router.state.location.pathname).toBe("/plans");
  });

  it("saves the card with a SetupIntent, then subscribes with its payment method", async () => {
    signIn();
    const stripe = fakeStripe();
    const fetchMock = billingApi(SUBSCRIBER, {
      [PLANS]: CATALOGUE,
      [SETUP]: SETUP_INTENT,
      [SUBSCRIBE]: () => jsonResponse(201, ACTIVE),
      "GET /api/v1/subscriptions/status/": ACTIVE,
    });
    const { user, router } = renderApp("/plans");
    await user.click(await screen.findByRole("button", { name: "Subscribe to Premium" }));

    const form = await screen.findByRole("form", { name: "Subscribe to Premium" });
    expect(within(form).getByRole("heading", { name: "Subscribe to Premium" })).toHaveFocus();
    expect(await within(form).findByText("card element")).toBeInTheDocument();
    expect(stripe.factory).toHaveBeenCalledWith("pk_test_x");
    expect(within(form).getByRole("group", { name: "Card" })).toContainElement(within(form).getByText("card element"));
    expect(callsTo(fetchMock, "POST", "/api/v1/subscriptions/setup-intent/")).toHaveLength(0);

    await user.click(within(form).getByRole("button", { name: "Pay and subscribe" }));
    await screen.findByRole("heading", { name: "My subscription" });
    expect(router.state.location.pathname).toBe("/subscription");
    const [setup] = callsTo(fetchMock, "POST", "/api/v1/subscriptions/setup-intent/");
    expect(setup?.body).toBeUndefined();
    expect(stripe.client.confirmCardSetup).toHaveBeenCalledTimes(1);
    expect(stripe.client.confirmCardSetup).toHaveBeenCalledWith("seti_1_secret_abc", {
      payment_method: { card: stripe.card },
    });
    expect(stripe.client.confirmCardPayment).not.toHaveBeenCalled();
    const [call] = callsTo(fetchMock, "POST", "/api/v1/subscriptions/subscribe/");
    expect(call?.body).toEqual({ pricing_id: 31, payment_method: "pm_test_1" });
    expect(call?.headers["Idempotency-Key"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(callsTo(fetchMock, "POST", "/api/v1/subscriptions/subscribe/")).toHaveLength(1);
    // In order: the intent from the API, Stripe.js saving the card, then the subscribe.
    const [setupAt] = callOrder(fetchMock, "POST", "/api/v1/subscriptions/setup-intent/");
    const [confirmAt] = stripe.client.confirmCardSetup.mock.invocationCallOrder;
    const [subscribeAt] = callOrder(fetchMock, "POST", "/api/v1/subscriptions/subscribe/");
    expect(setupAt).toBeLessThan(confirmAt ?? -1);
    expect(confirmAt).toBeLessThan(subscribeAt ?? -1);
  });

  it("confirms the first payment when the answer carries a client_secret, then reads the status again", async () => {
    signIn();
    const stripe = fakeStripe();
    let statusReads = 0;
    const fetchMock = billingApi(SUBSCRIBER, {
      [PLANS]: CATALOGUE,
      [SETUP]: SETUP_INTENT,
      [SUBSCRIBE]: () => jsonResponse(201, { ...ACTIVE, status: "incomplete", client_secret: "pi_9_secret_abc" }),
      "GET /api/v1/subscriptions/status/": () => {
        statusReads += 1;
        return jsonResponse(200, ACTIVE);
      },
    });
    const { user } = renderApp("/plans");
    await user.click(await screen.findByRole("button", { name: "Subscribe to Premium" }));
    await screen.findByText("card element");
    await user.click(screen.getByRole("button", { name: "Pay and subscribe" }));

    expect(await screen.findByText("Status: active")).toBeInTheDocument();
    expect(stripe.client.confirmCardPayment).toHaveBeenCalledWith("pi_9_secret_abc");
    expect(statusReads).toBeGreaterThan(0);
    expect(callsTo(fetchMock, "POST", "/api/v1/subscriptions/subscribe/")).toHaveLength(1);
  });

  it("stays on the form and says why when the card step fails", async () => {
    signIn();
    const stripe = fakeStripe({
      confirmCardPayment: async () => ({ error: { message: "Your card was declined." } }),
    });
    billingApi(SUBSCRIBER, {
      [PLANS]: CATALOGUE,
      [SETUP]: SETUP_INTENT,
      [SUBSCRIBE]: () => jsonResponse(201, { ...ACTIVE, status: "incomplete", client_secret: "pi_9_secret_abc" }),
    });
    const { user, router } = renderApp("/plans");
    await user.click(await screen.findByRole("button", { name: "Subscribe to Premium" }));
    await screen.findByText("card element");
    await user.click(screen.getByRole("button", { name: "Pay and subscribe" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Your card was declined. The subscription waits for its first payment.",
    );
    expect(stripe.client.confirmCardPayment).toHaveBeenCalled();
    expect(router.state.location.pathname).toBe("/plans");
  });

  it("shows a card Stripe.js refuses to save without subscribing, then the API's refusal of the subscription", async () => {
    signIn();
    const stripe = fakeStripe({
      confirmCardSetup: async () => ({ error: { message: "Your card was declined.", type: "card_error" } }),
    });
    const fetchMock = billingApi(SUBSCRIBER, {
      [PLANS]: CATALOGUE,
      [SETUP]: SETUP_INTENT,
      [SUBSCRIBE]: () => jsonResponse(400, { detail: "User already has an active subscription" }),
    });
    const { user, router } = renderApp("/plans");
    await user.click(await screen.findByRole("button", { name: "Subscribe to Premium" }));
    await screen.findByText("card element");
    await user.click(screen.getByRole("button", { name: "Pay and subscribe" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Your card was declined.");
    expect(alert.compareDocumentPosition(screen.getByRole("group", { name: "Card" }))).toBe(
      Node.DOCUMENT_POSITION_FOLLOWING,
    );
    expect(callsTo(fetchMock, "POST", "/api/v1/subscriptions/subscribe/")).toHaveLength(0);
    expect(screen.getByRole("button", { name: "Pay and subscribe" })).toBeEnabled();

    stripe.client.confirmCardSetup.mockImplementation(async () => ({
      setupIntent: { id: "seti_2", status: "succeeded", payment_method: "pm_test_2" },
    }));
    await user.click(screen.getByRole("button", { name: "Pay and subscribe" }));
    await waitFor(() =>
      expect(screen.getByRole("alert")).toHaveTextContent("User already has an active subscription"),
    );
    const calls = callsTo(fetchMock, "POST", "/api/v1/subscriptions/subscribe/");
    expect(calls.map((call) => call.body)).toEqual([{ pricing_id: 31, payment_method: "pm_test_2" }]);
    expect(callsTo(fetchMock, "POST", "/api/v1/subscriptions/setup-intent/")).toHaveLength(2);
    expect(router.state.location.pathname).toBe("/plans");
  });

  it("shows the API's refusal to start saving a card, and Stripe.js is not asked", async () => {
    signIn();
    const stripe = fakeStripe();
    const fetchMock = billingApi(SUBSCRIBER, {
      [PLANS]: CATALOGUE,
      [SETUP]: () => jsonResponse(503, { detail: "Payment provider unavailable. Try again later." }),
    });
    const { user } = renderApp("/plans");
    await user.click(await screen.findByRole("button", { name: "Subscribe to Premium" }));
    await screen.findByText("card element");
    await user.click(screen.getByRole("button", { name: "Pay and subscribe" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Payment provider unavailable. Try again later.");
    expect(stripe.client.confirmCardSetup).not.toHaveBeenCalled();
    expect(callsTo(fetchMock, "POST", "/api/v1/subscriptions/subscribe/")).toHaveLength(0);
  });

  it("shows the card element's own errors under it", async () => {
    signIn();
    const stripe = fakeStripe();
    billingApi(SUBSCRIBER, { [PLANS]: CATALOGUE });
    const { user } = renderApp("/plans");
    await user.click(await screen.findByRole("button", { name: "Subscribe to Premium" }));
    await screen.findByText("card element");
    stripe.card.change?.({ complete: false, error: { message: "Your card's expiration year is in the past." } });
    expect(await screen.findByText("Your card's expiration year is in the past.")).toBeInTheDocument();
    expect(screen.getByRole("group", { name: "Card" })).toHaveAccessibleDescription(
      /Your card's expiration year is in the past\./,
    );
  });

  it("says so when the server gives no Stripe public key", async () => {
    signIn();
    billingApi(SUBSCRIBER, {
      [PLANS]: CATALOGUE,
      "GET /api/v1/meta/": { ...META, stripe_public_key: null },
    });
    const { user } = renderApp("/plans");
    await user.click(await screen.findByRole("button", { name: "Subscribe to Premium" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Card payments are not set up on this server");
    expect(screen.getByRole("button", { name: "Pay and subscribe" })).toBeDisabled();
  });
});
