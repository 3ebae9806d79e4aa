import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { jsonResponse, renderApp } from "../../test/helpers";
import { PAYMENT, PAYMENT_LOG, STAFF, SUBSCRIBER, billingApi, callsTo } from "./testing";

function signIn() {
  window.localStorage.setItem("auth_token", "s".repeat(40));
}

const DETAIL = "GET /api/v1/payments/42/";
const LOGS = "GET /api/v1/payments/42/logs/";

describe("payments list", () => {
  it("lists the payments a page at a time, with links to each", async () => {
    signIn();
    const fetchMock = billingApi(SUBSCRIBER, {
      "GET /api/v1/payments/": (url) =>
        jsonResponse(200, {
          count: 25,
          next: null,
          previous: null,
          results:
            url.searchParams.get("page") === "2"
              ? [{ ...PAYMENT, id: 7, description: "Older one", status: "refunded" }]
              : [PAYMENT],
        }),
    });
    const { user, router } = renderApp("/payments");
    expect(await screen.findByRole("heading", { name: "Payments" })).toBeInTheDocument();
    const row = (await screen.findByRole("link", { name: "Payment 42" })).closest("tr") as HTMLElement;
    expect(within(row).getByText("$25.00")).toBeInTheDocument();
    expect(within(row).getByText("preauth")).toBeInTheDocument();
    expect(within(row).getByText("Router rental")).toBeInTheDocument();
    expect(within(row).getByText("Nov 2, 2026, 10:30 AM UTC")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Payment 42" })).toHaveAttribute("href", "/payments/42");
    expect(screen.getByText("Page 1 of 2 (25 items)")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Next" }));
    expect(await screen.findByRole("link", { name: "Payment 7" })).toBeInTheDocument();
    expect(router.state.location.search).toBe("?page=2");
    const pages = fetchMock.mock.calls
      .map(([input]) => new URL(String(input)))
      .filter((url) => url.pathname === "/api/v1/payments/")
      .map((url) => [url.searchParams.get("page"), url.searchParams.get("page_size")]);
    expect(pages).toEqual([
      ["1", "20"],
      ["2", "20"],
    ]);
  });

  it("filters by status", async () => {
    signIn();
    const fetchMock = billingApi(SUBSCRIBER, {
      "GET /api/v1/payments/": () => jsonResponse(200, { count: 0, next: null, previous: null, results: [] }),
    });
    const { user } = renderApp("/payments");
    expect(await screen.findByText("No payments.")).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText("Status"), "confirmed");
    await waitFor(() =>
      expect(
        fetchMock.mock.calls.some(([input]) => new URL(String(input)).searchParams.get("status") === "confirmed"),
      ).toBe(true),
    );
  });
});

describe("payment detail", () => {
  it("shows the payment and its log, without staff actions for a subscriber", async () => {
    signIn();
    billingApi(SUBSCRIBER, { [DETAIL]: PAYMENT, [LOGS]: PAYMENT_LOG });
    renderApp("/payments/42");
    expect(await screen.findByRole("heading", { name: "Payment 42" })).toBeInTheDocument();
    expect(await screen.findByText("$25.00")).toBeInTheDocument();
    expect(screen.getByText("Router rental")).toBeInTheDocument();
    const log = screen.getByRole("region", { name: "Log" });
    expect(await within(log).findByText("Amount held on the card.")).toBeInTheDocument();
    expect(within(log).getByText("— → preauth")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Capture" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Refund" })).toBeNull();
  });

  it("shows the API's 404 for a payment out of reach", async () => {
    signIn();
    billingApi(SUBSCRIBER, {});
    renderApp("/payments/42");
    expect(await screen.findByText("The payment could not be loaded.")).toBeInTheDocument();
    expect(screen.getAllByText("Not found.").length).toBeGreaterThan(0);
  });

  it("lets staff capture a preauthorized payment", async () => {
    signIn();
    let logReads = 0;
    const fetchMock = billingApi(STAFF, {
      [DETAIL]: PAYMENT,
      [LOGS]: () => {
        logReads += 1;
        return jsonResponse(200, PAYMENT_LOG);
      },
      "POST /api/v1/payments/42/capture/": { ...PAYMENT, status: "confirmed" },
    });
    const { user } = renderApp("/payments/42");
    expect(screen.queryByRole("button", { name: "Refund" })).toBeNull();
    await user.click(await screen.findByRole("button", { name: "Capture" }));
    expect(await screen.findByText("The payment was captured.")).toHaveAttribute("role", "status");
    expect(screen.getByText("confirmed")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Capture" })).toBeNull();
    expect(screen.getByRole("button", { name: "Refund" })).toBeInTheDocument();
    expect(callsTo(fetchMock, "POST", "/api/v1/payments/42/capture/")).toHaveLength(1);
    await waitFor(() => expect(logReads).toBe(2));
  });

  it("shows the API's refusal of a capture", async () => {
    signIn();
    billingApi(STAFF, {
      [DETAIL]: PAYMENT,
      [LOGS]: PAYMENT_LOG,
      "POST /api/v1/payments/42/capture/": () => jsonResponse(400, { detail: "Payment is not in preauth status" }),
    });
    const { user } = renderApp("/payments/42");
    await user.click(await screen.findByRole("button", { name: "Capture" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Payment is not in preauth status");
  });

  it("lets staff refund part of a confirmed payment, and shows refusals and field errors", async () => {
    signIn();
    const confirmed = { ...PAYMENT, status: "confirmed" as const };
    const answers = [
      () => jsonResponse(400, { amount: ["Ensure this value is greater than or equal to 0.01."] }),
      () => jsonResponse(400, { detail: "Payment is not confirmed" }),
      () => jsonResponse(200, { ...confirmed, refunded_amount: "5.00" }),
    ];
    const fetchMock = billingApi(STAFF, {
      [DETAIL]: confirmed,
      [LOGS]: PAYMENT_LOG,
      "POST /api/v1/payments/42/refund/": () => answers.shift()?.(),
    });
    const { user } = renderApp("/payments/42");
    expect(await screen.findByRole("button", { name: "Refund" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Capture" })).toBeNull();

    await user.type(screen.getByLabelText("Refund amount"), "abc");
    await user.click(screen.getByRole("button", { name: "Refund" }));
    expect(await screen.findByText("Enter an amount like 12.50, or leave it empty.")).toBeInTheDocument();
    expect(callsTo(fetchMock, "POST", "/api/v1/payments/42/refund/")).toHaveLength(0);

    await user.clear(screen.getByLabelText("Refund amount"));
    await user.type(screen.getByLabelText("Refund amount"), "0.00");
    await user.click(screen.getByRole("button", { name: "Refund" }));
    await waitFor(() =>
      expect(screen.getByLabelText("Refund amount")).toHaveAccessibleDescription(
        expect.stringContaining("Ensure this value is greater than or equal to 0.01."),
      ),
    );

    await user.clear(screen.getByLabelText("Refund amount"));
    await user.type(screen.getByLabelText("Refund amount"), "5.00");
    await user.click(screen.getByRole("button", { name: "Refund" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Payment is not confirmed");

    await user.click(screen.getByRole("button", { name: "Refund" }));
    expect(await screen.findByText("The refund was made.")).toBeInTheDocument();
    expect(screen.getByText("Refunded")).toBeInTheDocument();
    expect(callsTo(fetchMock, "POST", "/api/v1/payments/42/refund/").map((call) => call.body)).toEqual([
      { amount: "0.00" },
      { amount: "5.00" },
      { amount: "5.00" },
    ]);
  });

  it("refunds everything when no amount is given", async () => {
    signIn();
    const fetchMock = billingApi(STAFF, {
      [DETAIL]: { ...PAYMENT, status: "confirmed" },
      [LOGS]: PAYMENT_LOG,
      "POST /api/v1/payments/42/refund/": { ...PAYMENT, status: "refunded", refunded_amount: "25.00" },
    });
    const { user } = renderApp("/payments/42");
    await user.click(await screen.findByRole("button", { name: "Refund" }));
    expect(await screen.findByText("The refund was made.")).toBeInTheDocument();
    expect(screen.getByText("refunded")).toBeInTheDocument();
    expect(callsTo(fetchMock, "POST", "/api/v1/payments/42/refund/")[0]?.body).toEqual({});
  });
});
