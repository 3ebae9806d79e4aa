import { screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { ALICE, META, jsonResponse, mockFetch, renderApp } from "../../test/helpers";

// jsdom has no canvas: the chart is a stand-in that shows what it was given; the table carries the figures.
vi.mock("react-chartjs-2", () => ({
  Chart: (props: { "aria-label"?: string; data: { labels?: string[]; datasets: { label?: string; data: number[] }[] } }) => (
    <div data-testid="chart" aria-label={props["aria-label"]}>
      {props.data.datasets.map((dataset) => `${dataset.label}: ${dataset.data.join(",")}`).join(" | ")}
    </div>
  ),
}));

const STATS = {
  total_tenants: 12,
  total_users: 1340,
  active_users: 1201,
  active_subscriptions: 87,
  monthly_revenue: 17400.5,
  series: [
    { month: "2026-10", new_subscriptions: 4, revenue: 800.0 },
    { month: "2026-11", new_subscriptions: 3, revenue: 600.5 },
  ],
};

function dashboardApi(me: object, stats: () => Response = () => jsonResponse(200, STATS)) {
  window.localStorage.setItem("auth_token", "s".repeat(40));
  return mockFetch((url) => {
    if (url.pathname === "/api/v1/meta/") return jsonResponse(200, META);
    if (url.pathname === "/api/v1/auth/user/") return jsonResponse(200, me);
    if (url.pathname === "/api/v1/dashboard/stats/") return stats();
    return jsonResponse(404, { detail: "Not found." });
  });
}

function figure(label: string): string | null {
  const term = screen.getByText(label, { selector: "dt" });
  return term.nextElementSibling?.textContent ?? null;
}

describe("dashboard", () => {
  it("shows the stats as labelled figures, a chart and the same series as a table", async () => {
    dashboardApi({ ...ALICE, role: "admin", tenant: null });
    const { user } = renderApp("/");
    expect(await screen.findByRole("heading", { name: "Dashboard" })).toBeInTheDocument();
    expect(screen.getByText("Welcome, Alice Liddell.")).toBeInTheDocument();

    await screen.findByRole("heading", { name: "Figures" });
    expect(figure("Tenants")).toBe("12");
    expect(figure("Users")).toBe("1,340");
    expect(figure("Active users")).toBe("1,201");
    expect(figure("Active subscriptions")).toBe("87");
    expect(figure("Monthly revenue")).toBe("$17,400.50");

    const chart = await screen.findByTestId("chart");
    expect(chart).toHaveTextContent("New subscriptions: 4,3 | Revenue: 800,600.5");

    const table = screen.getByRole("table", { name: "Subscriptions and revenue by month" });
    const rows = within(table).getAllByRole("row");
    expect(rows.map((row) => row.textContent)).toEqual([
      "MonthNew subscriptionsRevenue",
      "Oct 20264$800.00",
      "Nov 20263$600.50",
    ]);
    const toggle = screen.getByRole("button", { name: "Show the figures as a table" });
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    await user.click(toggle);
    expect(screen.getByRole("button", { name: "Hide the figures table" })).toHaveAttribute("aria-expanded", "true");
  });

  it("shows a tenant owner their tenant's figures", async () => {
    dashboardApi(ALICE, () => jsonResponse(200, { ...STATS, total_tenants: 1 }));
    renderApp("/");
    await screen.findByRole("heading", { name: "Figures" });
    expect(figure("Tenants")).toBe("1");
  });

  it("welcomes a subscriber with links and never asks for the stats", async () => {
    const fetchMock = dashboardApi(
      { ...ALICE, username: "sub", first_name: "", last_name: "", role: "subscriber" },
      () => jsonResponse(403, { detail: "You do not have permission to perform this action." }),
    );
    renderApp("/");
    expect(await screen.findByText("Welcome, sub.")).toBeInTheDocument();
    const main = within(screen.getByRole("main"));
    expect(main.getByRole("link", { name: "My subscription" })).toHaveAttribute("href", "/subscription");
    expect(main.getByRole("link", { name: "Plans" })).toHaveAttribute("href", "/plans");
    expect(screen.queryByRole("heading", { name: "Figures" })).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
    expect(fetchMock.mock.calls.some(([url]) => String(url).includes("/dashboard/stats/"))).toBe(false);
  });

  it("says so when the figures cannot be loaded", async () => {
    dashboardApi(ALICE, () => jsonResponse(500, { detail: "A server error occurred.", request_id: "r-1" }));
    renderApp("/");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The dashboard figures could not be loaded.");
    expect(alert).toHaveTextContent("A server error occurred.");
    expect(screen.getByText("Welcome, Alice Liddell.")).toBeInTheDocument();
  });
});
