import { describe, expect, it } from "vitest";
import { ALICE, jsonResponse, mockFetch } from "../test/helpers";
import { formatMoney, formatMonth, getDashboardStats, isDashboardStats } from "./dashboard";

const STATS = {
  total_tenants: 1,
  total_users: 4,
  active_users: 3,
  active_subscriptions: 2,
  monthly_revenue: 400.5,
  series: [{ month: "2026-11", new_subscriptions: 2, revenue: 400.5 }],
};

describe("dashboard API", () => {
  it("reads dashboard/stats/", async () => {
    const fetchMock = mockFetch(() => jsonResponse(200, STATS));
    await expect(getDashboardStats()).resolves.toEqual(STATS);
    expect(new URL(String(fetchMock.mock.calls[0]?.[0])).pathname).toBe("/api/v1/dashboard/stats/");
  });

  it("refuses an answer that is not the stats shape", async () => {
    mockFetch(() => jsonResponse(200, ALICE));
    await expect(getDashboardStats()).rejects.toThrow("not in the expected shape");
    expect(isDashboardStats({ ...STATS, monthly_revenue: "400.50" })).toBe(false);
    expect(isDashboardStats({ ...STATS, series: [{ month: "2026-11" }] })).toBe(false);
  });

  it("formats money and months", () => {
    expect(formatMoney(1234.5)).toBe("$1,234.50");
    expect(formatMonth("2026-01")).toBe("Jan 2026");
    expect(formatMonth("2026-12")).toBe("Dec 2026");
    expect(formatMonth("later")).toBe("later");
  });
});
