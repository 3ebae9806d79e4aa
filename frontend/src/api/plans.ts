/**
 * The plan catalogue (`subscriptions/plans/`, everyone) and its management (`plans/`, staff): wire
 * shapes and calls, as API.md and the API's plan schemas say. Amounts are decimal strings.
 */
import { apiRequest } from "./client";
import { followPages } from "./pages";
import type { Paginated } from "./types";

export type Interval = "day" | "week" | "month" | "year";
export const INTERVALS: readonly Interval[] = ["day", "week", "month", "year"];

export interface Pricing {
  id: number;
  amount: string;
  currency: string;
  interval: Interval;
  trial_period_days: number;
  active: boolean;
}

export interface Plan {
  id: number;
  name: string;
  description: string;
  default: boolean;
  available: boolean;
  requires_payment: boolean;
  auto_renew: boolean;
  daily_time_minutes: number | null;
  daily_data_mb: number | null;
  stripe_product_id: string | null;
  created_at: string;
  updated_at: string;
  pricings: Pricing[];
}

export interface PricingWrite {
  amount: string;
  currency?: string;
  interval?: Interval;
  trial_period_days?: number;
}

export interface PlanWrite {
  name: string;
  description?: string;
  default?: boolean;
  available?: boolean;
  requires_payment?: boolean;
  auto_renew?: boolean;
  daily_time_minutes?: number | null;
  daily_data_mb?: number | null;
  /** Only on create; later pricings are added and retired on their own paths. */
  pricings?: PricingWrite[];
}

export const planKeys = {
  all: ["plans"] as const,
  catalogue: ["plans", "catalogue"] as const,
  managed: ["plans", "managed"] as const,
};

/** The plans on sale with their active pricings: a plain array, not paginated. */
export function getCatalogue(signal?: AbortSignal): Promise<Plan[]> {
  return apiRequest<Plan[]>("subscriptions/plans/", { signal });
}

/** Every plan, retired ones and retired pricings included (staff): a paginated list, read whole. */
export async function listManagedPlans(signal?: AbortSignal): Promise<Plan[]> {
  return followPages(await apiRequest<Paginated<Plan>>("plans/", { query: { page_size: 100 }, signal }), signal);
}

export function createPlan(body: PlanWrite): Promise<Plan> {
  return apiRequest<Plan>("plans/", { method: "POST", body });
}

export function updatePlan(id: number, changes: Partial<Omit<PlanWrite, "pricings">>): Promise<Plan> {
  return apiRequest<Plan>(`plans/${id}/`, { method: "PATCH", body: changes });
}

/** Takes the plan off sale (its pricings retired); subscribers keep it. Answers the plan. */
export function retirePlan(id: number): Promise<Plan> {
  return apiRequest<Plan>(`plans/${id}/`, { method: "DELETE" });
}

/** Answers the plan with the new pricing. */
export function addPricing(planId: number, body: PricingWrite): Promise<Plan> {
  return apiRequest<Plan>(`plans/${planId}/pricings/`, { method: "POST", body });
}

/** Answers the plan. */
export function retirePricing(planId: number, pricingId: number): Promise<Plan> {
  return apiRequest<Plan>(`plans/${planId}/pricings/${pricingId}/`, { method: "DELETE" });
}

/** "$200.00" (or "200.00 XYZ" for a currency the browser does not know). */
export function formatMoney(amount: string, currency: string): string {
  const value = Number(amount);
  try {
    return new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() }).format(value);
  } catch {
    return `${amount} ${currency.toUpperCase()}`;
  }
}

/** "$200.00 / month". */
export function formatPricing(pricing: Pick<Pricing, "amount" | "currency" | "interval">): string {
  return `${formatMoney(pricing.amount, pricing.currency)} / ${pricing.interval}`;
}
