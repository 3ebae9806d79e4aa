import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { jsonResponse, renderApp } from "../../test/helpers";
import { ACTIVE, CATALOGUE, SUBSCRIBER, billingApi, callsTo } from "./testing";

const LIMITS = { plan_id: 3, plan_name: "Premium", daily_time_minutes: null, daily_data_mb: null };
const INVOICE = {
  id: "in_1",
  number: "INV-0001",
  status: "paid",
  amount_due: "200.00",
  amount_paid: "200.00",
  currency: "usd",
  period_start: "2026-11-01T00:00:00Z",
  period_end: "2026-12-01T00:00:00Z",
  hosted_invoice_url: "https://invoice.example.test/in_1",
  subscription_id: "sub_123",
};

function signIn() {
  window.localStorage.setItem("auth_token", "s".repeat(40));
}

function api(routes: Record<string, unknown> = {}) {
  return billingApi(SUBSCRIBER, {
    "GET /api/v1/subscriptions/plans/": CATALOGUE,
    "GET /api/v1/subscriptions/status/": ACTIVE,
    "GET /api/v1/subscriptions/me/limits/": LIMITS,
    "GET /api/v1/subscriptions/invoices/": [INVOICE],
    ...(routes as Record<string, object>),
  });
}

describe("my subscription", () => {
  it("says there is none and links to the plans", async () => {
    signIn();
    api({
      "GET /api/v1/subscriptions/status/": () => jsonResponse(200, null),
      "GET /api/v1/subscriptions/me/limits/": { plan_id: 1, plan_name: "Free", daily_time_minutes: 180, daily_data_mb: 300 },
    });
    renderApp("/subscription");
    expect(await screen.findByRole("heading", { name: "My subscription" })).toBeInTheDocument();
    expect(await screen.findByText(/You have no subscription/)).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "See the plans" })).toHaveAttribute("href", "/plans");
    expect(await screen.findByText("180 minutes a day")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Cancel subscription" })).toBeNull();
  });

  it("shows the plan, status, period, limits and invoices", async () => {
    signIn();
    api();
    renderApp("/subscription");
    expect(await screen.findByText("Status: active")).toBeInTheDocument();
    expect((await screen.findByText("($200.00 / month)")).closest("dd")).toHaveTextContent("Premium ($200.00 / month)");
    expect(screen.getByText("Current period").nextElementSibling).toHaveTextContent("Nov 1, 2026 – Dec 1, 2026");
    expect(screen.queryByText(/Cancels at the end of the period/)).toBeNull();
    const limits = screen.getByRole("region", { name: "Daily limits" });
    expect(within(limits).getAllByText("Unlimited")).toHaveLength(2);
    const invoices = screen.getByRole("region", { name: "Invoices" });
    expect(await within(invoices).findByRole("link", { name: "INV-0001" })).toHaveAttribute(
      "href",
      "https://invoice.example.test/in_1",
    );
    expect(within(invoices).getAllByText("$200.00")).toHaveLength(2);
  });

  it("cancels after confirmation, then shows the cancel at period end and resumes", async () => {
    signIn();
    const fetchMock = api({
      "POST /api/v1/subscriptions/cancel/": { ...ACTIVE, cancel_at_period_end: true },
      "POST /api/v1/subscriptions/resume/": { ...ACTIVE, cancel_at_period_end: false },
    });
    const { user } = renderApp("/subscription");
    await user.click(await screen.findByRole("button", { name: "Cancel subscription" }));
    const dialog = await screen.findByRole("dialog", { name: "Cancel your subscription?" });
    expect(callsTo(fetchMock, "POST", "/api/v1/subscriptions/cancel/")).toHaveLength(0);
    await user.click(within(dialog).getByRole("button", { name: "Cancel subscription" }));

    expect(await screen.findByText(/Cancels at the end of the period/)).toBeInTheDocument();
    expect(screen.getByText("Status: active")).toBeInTheDocument();
    const cancels = callsTo(fetchMock, "POST", "/api/v1/subscriptions/cancel/");
    expect(cancels).toHaveLength(1);
    // The subscription the page shows, not whichever live one the API would pick.
    expect(cancels[0]?.body).toEqual({ subscription_id: ACTIVE.id });
    expect(screen.queryByRole("button", { name: "Cancel subscription" })).toBeNull();

    await user.click(screen.getByRole("button", { name: "Resume subscription" }));
    expect(await screen.findByRole("button", { name: "Cancel subscription" })).toBeInTheDocument();
    expect(screen.queryByText(/Cancels at the end of the period/)).toBeNull();
    expect(callsTo(fetchMock, "POST", "/api/v1/subscriptions/resume/")).toHaveLength(1);
  });

  it("keeps the subscription and shows the API's refusal of a cancel", async () => {
    signIn();
    api({
      "POST /api/v1/subscriptions/cancel/": () =>
        jsonResponse(503, { detail: "Payment provider unavailable." }, { "Retry-After": "5" }),
    });
    const { user } = renderApp("/subscription");
    await user.click(await screen.findByRole("button", { name: "Cancel subscription" }));
    await user.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Cancel subscription" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Payment provider unavailable.");
    expect(screen.getByRole("button", { name: "Cancel subscription" })).toBeInTheDocument();
  });

  it("offers Resume for a subscription already set to cancel, and a new plan for an ended one", async () => {
    signIn();
    api({ "GET /api/v1/subscriptions/status/": { ...ACTIVE, cancel_at_period_end: true } });
    const first = renderApp("/subscription");
    expect(await screen.findByRole("button", { name: "Resume subscription" })).toBeInTheDocument();
    expect(screen.getByText(/Cancels at the end of the period \(Dec 1, 2026\)/)).toBeInTheDocument();
    first.unmount();

    api({ "GET /api/v1/subscriptions/status/": { ...ACTIVE, status: "canceled" } });
    renderApp("/subscription");
    expect(await screen.findByText("Status: canceled")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Choose a plan" })).toHaveAttribute("href", "/plans");
    expect(screen.queryByRole("button", { name: "Cancel subscription" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Resume subscription" })).toBeNull();
  });

  it("offers no Resume for a plan that does not renew (Day Pass ends with its day)", async () => {
    signIn();
    api({
      "GET /api/v1/subscriptions/status/": { ...ACTIVE, plan: 2, pricing: 21, cancel_at_period_end: true },
    });
    renderApp("/subscription");
    expect(await screen.findByText(/Cancels at the end of the period/)).toBeInTheDocument();
    expect(await screen.findByText("($5.00 / day)")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Resume subscription" })).toBeNull();
  });

  it("says a Free subscription ends at once when cancelled", async () => {
    signIn();
    api({
      "GET /api/v1/subscriptions/status/": { ...ACTIVE, plan: 1, pricing: 11, subscription_id: null },
    });
    const { user } = renderApp("/subscription");
    await user.click(await screen.findByRole("button", { name: "Cancel subscription" }));
    const dialog = await screen.findByRole("dialog", { name: "Cancel your subscription?" });
    expect(dialog).toHaveTextContent("It ends now");
    expect(dialog).not.toHaveTextContent("end of the period");
  });

  it("shows a failed invoice list without hiding the subscription", async () => {
    signIn();
    api({
      "GET /api/v1/subscriptions/invoices/": () =>
        jsonResponse(503, { detail: "Service temporarily unavailable." }),
    });
    renderApp("/subscription");
    expect(await screen.findByText("Status: active")).toBeInTheDocument();
    await waitFor(() =>
      expect(within(screen.getByRole("region", { name: "Invoices" })).getByRole("alert")).toHaveTextContent(
        "Service temporarily unavailable.",
      ),
    );
  });
});
