import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { jsonResponse, renderApp } from "../../test/helpers";
import { CATALOGUE, PREMIUM, STAFF, SUBSCRIBER, billingApi, callsTo } from "./testing";

const RETIRED = { ...PREMIUM, id: 4, name: "Legacy", available: false, pricings: [{ ...PREMIUM.pricings[0]!, id: 41, active: false }] };
const PLANS = [...CATALOGUE, RETIRED];
/** `plans/` for staff: a page, as every list but the catalogue. */
const pageOf = <T,>(results: T[]) => ({ count: results.length, next: null, previous: null, results });
const MANAGED = pageOf(PLANS);

function signIn() {
  window.localStorage.setItem("auth_token", "s".repeat(40));
}

describe("plan management", () => {
  it("is not available to a subscriber", async () => {
    signIn();
    const fetchMock = billingApi(SUBSCRIBER, { "GET /api/v1/plans/": MANAGED });
    renderApp("/plans/manage");
    expect(await screen.findByRole("heading", { name: "Not available" })).toBeInTheDocument();
    expect(callsTo(fetchMock, "GET", "/api/v1/plans/")).toHaveLength(0);
  });

  it("lists every plan, retired ones and prices included", async () => {
    signIn();
    billingApi(STAFF, { "GET /api/v1/plans/": MANAGED });
    renderApp("/plans/manage");
    expect(await screen.findByRole("heading", { name: "Manage plans" })).toBeInTheDocument();
    const legacy = (await screen.findByRole("rowheader", { name: /Legacy/ })).closest("tr") as HTMLElement;
    expect(within(legacy).getByText(/Retired/)).toBeInTheDocument();
    expect(within(legacy).getByText("(retired)")).toBeInTheDocument();
    expect(within(legacy).queryByRole("button", { name: /Retire/ })).toBeNull();
    expect(screen.getByRole("button", { name: "Retire Premium" })).toBeInTheDocument();
  });

  it("creates a plan with its first price", async () => {
    signIn();
    const fetchMock = billingApi(STAFF, {
      "GET /api/v1/plans/": MANAGED,
      "POST /api/v1/plans/": () => jsonResponse(201, { ...PREMIUM, id: 9, name: "Team" }),
    });
    const { user } = renderApp("/plans/manage");
    const form = await screen.findByRole("form", { name: "New plan" });
    await user.type(within(form).getByLabelText("Name"), "Team");
    await user.type(within(form).getByLabelText("Description"), "For teams.");
    await user.type(within(form).getByLabelText("Daily time (minutes)"), "600");
    await user.click(within(form).getByLabelText("Renews automatically"));
    await user.type(within(form).getByLabelText("Amount"), "49.90");
    await user.clear(within(form).getByLabelText("Currency"));
    await user.type(within(form).getByLabelText("Currency"), "EUR");
    await user.selectOptions(within(form).getByLabelText("Interval"), "year");
    await user.clear(within(form).getByLabelText("Trial days"));
    await user.type(within(form).getByLabelText("Trial days"), "14");
    await user.click(within(form).getByRole("button", { name: "Create plan" }));

    expect(await screen.findByText("Plan Team was created.")).toHaveAttribute("role", "status");
    expect(callsTo(fetchMock, "POST", "/api/v1/plans/")[0]?.body).toEqual({
      name: "Team",
      description: "For teams.",
      default: false,
      available: true,
      requires_payment: true,
      auto_renew: false,
      daily_time_minutes: 600,
      daily_data_mb: null,
      pricings: [{ amount: "49.90", currency: "eur", interval: "year", trial_period_days: 14 }],
    });
    await waitFor(() => expect(within(form).getByLabelText("Name")).toHaveValue(""));
  });

  it("shows the API's errors next to the plan's and the price's fields", async () => {
    signIn();
    billingApi(STAFF, {
      "GET /api/v1/plans/": MANAGED,
      "POST /api/v1/plans/": () =>
        jsonResponse(400, {
          name: ["plan with this name already exists."],
          pricings: [{ amount: ["Ensure this value is greater than or equal to 0."] }],
        }),
    });
    const { user } = renderApp("/plans/manage");
    const form = await screen.findByRole("form", { name: "New plan" });
    await user.type(within(form).getByLabelText("Name"), "Premium");
    await user.type(within(form).getByLabelText("Amount"), "1.00");
    await user.click(within(form).getByRole("button", { name: "Create plan" }));
    await waitFor(() =>
      expect(within(form).getByLabelText("Name")).toHaveAccessibleDescription("plan with this name already exists."),
    );
    expect(within(form).getByLabelText("Amount")).toHaveAccessibleDescription(
      expect.stringContaining("Ensure this value is greater than or equal to 0."),
    );
    expect(within(form).queryByRole("alert")).toBeNull();
  });

  it("edits a plan and adds a price to it", async () => {
    signIn();
    const fetchMock = billingApi(STAFF, {
      "GET /api/v1/plans/": MANAGED,
      "PATCH /api/v1/plans/3/": { ...PREMIUM, daily_data_mb: 5000 },
      "POST /api/v1/plans/3/pricings/": () => jsonResponse(201, PREMIUM),
    });
    const { user } = renderApp("/plans/manage");
    await user.click(await screen.findByRole("button", { name: "Edit Premium" }));
    const edit = screen.getByRole("form", { name: "Edit Premium" });
    expect(within(edit).getByLabelText("Name")).toHaveValue("Premium");
    await user.type(within(edit).getByLabelText("Daily data (MB)"), "5000");
    await user.click(within(edit).getByRole("button", { name: "Save plan" }));
    expect(await screen.findByText("Plan Premium was saved.")).toBeInTheDocument();
    expect(callsTo(fetchMock, "PATCH", "/api/v1/plans/3/")[0]?.body).toMatchObject({
      name: "Premium",
      daily_data_mb: 5000,
      daily_time_minutes: null,
    });

    const price = screen.getByRole("form", { name: "Add a price to Premium" });
    await user.type(within(price).getByLabelText("Amount"), "2000");
    await user.click(within(price).getByRole("button", { name: "Add price" }));
    expect(await screen.findByText("A price was added to Premium.")).toBeInTheDocument();
    expect(callsTo(fetchMock, "POST", "/api/v1/plans/3/pricings/")[0]?.body).toEqual({
      amount: "2000",
      currency: "usd",
      interval: "month",
      trial_period_days: 0,
    });
  });

  it("retires a plan and a price after confirmation", async () => {
    signIn();
    const fetchMock = billingApi(STAFF, {
      "GET /api/v1/plans/": MANAGED,
      "DELETE /api/v1/plans/2/": { ...CATALOGUE[1], available: false },
      "DELETE /api/v1/plans/3/pricings/31/": PREMIUM,
    });
    const { user } = renderApp("/plans/manage");
    await user.click(await screen.findByRole("button", { name: "Retire Day Pass" }));
    await user.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Retire plan" }));
    expect(await screen.findByText("Plan Day Pass was retired.")).toBeInTheDocument();
    expect(callsTo(fetchMock, "DELETE", "/api/v1/plans/2/")).toHaveLength(1);

    await user.click(screen.getByRole("button", { name: "Retire price $200.00 / month of Premium" }));
    await user.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Retire price" }));
    expect(await screen.findByText("A price of Premium was retired.")).toBeInTheDocument();
    expect(callsTo(fetchMock, "DELETE", "/api/v1/plans/3/pricings/31/")).toHaveLength(1);
  });

  it("refreshes an open edit form when its plan is retired", async () => {
    signIn();
    let plans = PLANS;
    billingApi(STAFF, {
      "GET /api/v1/plans/": () => jsonResponse(200, pageOf(plans)),
      "DELETE /api/v1/plans/2/": () => {
        const retired = { ...CATALOGUE[1]!, available: false, updated_at: "2026-11-29T00:00:00Z" };
        plans = PLANS.map((plan) => (plan.id === 2 ? retired : plan));
        return jsonResponse(200, retired);
      },
    });
    const { user } = renderApp("/plans/manage");
    await user.click(await screen.findByRole("button", { name: "Edit Day Pass" }));
    const edit = screen.getByRole("form", { name: "Edit Day Pass" });
    expect(within(edit).getByLabelText("On sale")).toBeChecked();
    await user.click(screen.getByRole("button", { name: "Retire Day Pass" }));
    await user.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Retire plan" }));
    await waitFor(() =>
      expect(within(screen.getByRole("form", { name: "Edit Day Pass" })).getByLabelText("On sale")).not.toBeChecked(),
    );
  });

  it("shows the API's refusal of a retirement", async () => {
    signIn();
    billingApi(STAFF, {
      "GET /api/v1/plans/": MANAGED,
      "DELETE /api/v1/plans/3/": () => jsonResponse(503, { detail: "Payment provider unavailable." }),
    });
    const { user } = renderApp("/plans/manage");
    await user.click(await screen.findByRole("button", { name: "Retire Premium" }));
    await user.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Retire plan" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Payment provider unavailable.");
  });
});
