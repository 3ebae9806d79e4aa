/** `dashboard/stats/`: the figures of the dashboard, as JSON numbers (not decimal strings). */
import { apiRequest } from "./client";

export interface MonthFigures {
  /** YYYY-MM */
  month: string;
  new_subscriptions: number;
  revenue: number;
}

export interface DashboardStats {
  total_tenants: number;
  total_users: number;
  active_users: number;
  active_subscriptions: number;
  /** Monthly-equivalent prices of live subscriptions, in the main currency. */
  monthly_revenue: number;
  /** The last 12 months, oldest first. */
  series: MonthFigures[];
}

export const dashboardQueryKeys = {
  stats: ["dashboard", "stats"] as const,
};

const FIGURES = ["total_tenants", "total_users", "active_users", "active_subscriptions", "monthly_revenue"] as const;

function isMonth(value: unknown): value is MonthFigures {
  if (value === null || typeof value !== "object") return false;
  const row = value as Record<string, unknown>;
  return typeof row.month === "string" && typeof row.new_subscriptions === "number" && typeof row.revenue === "number";
}

export function isDashboardStats(value: unknown): value is DashboardStats {
  if (value === null || typeof value !== "object") return false;
  const stats = value as Record<string, unknown>;
  return FIGURES.every((name) => typeof stats[name] === "number") && Array.isArray(stats.series) && stats.series.every(isMonth);
}

/** Platform figures for staff, the tenant's for a tenant owner; subscribers get 403 (never ask). */
export async function getDashboardStats(signal?: AbortSignal): Promise<DashboardStats> {
  const answer = await apiRequest<unknown>("dashboard/stats/", { signal });
  // Checked rather than trusted: the chart and the figures must not render half an answer.
  if (!isDashboardStats(answer)) throw new Error("The dashboard figures the API sent are not in the expected shape.");
  return answer;
}

const MONEY = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const MONTH = new Intl.DateTimeFormat("en-US", { month: "short", year: "numeric", timeZone: "UTC" });

/** A dashboard amount (main currency, US dollars) as money: 1234.5 -> "$1,234.50". */
export function formatMoney(amount: number): string {
  return MONEY.format(amount);
}

/** "2026-11" -> "Nov 2026"; anything else as it came. */
export function formatMonth(month: string): string {
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  if (!match) return month;
  return MONTH.format(new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1)));
}
