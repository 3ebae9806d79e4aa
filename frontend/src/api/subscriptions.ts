/** The caller's subscription (`subscriptions/`): wire shapes and calls, as API.md says. */
import { apiRequest } from "./client";

export type SubscriptionStatus =
  | "incomplete"
  | "incomplete_expired"
  | "trialing"
  | "active"
  | "past_due"
  | "canceled"
  | "unpaid"
  | "paused";

/** Statuses that hold a subscription open (API.md's "live"). */
export const LIVE_STATUSES: readonly SubscriptionStatus[] = [
  "incomplete",
  "trialing",
  "active",
  "past_due",
  "unpaid",
  "paused",
];

export interface Subscription {
  id: number;
  user: number;
  plan: number;
  pricing: number | null;
  /** The Stripe subscription; null for a Free (local) one. */
  subscription_id: string | null;
  status: SubscriptionStatus;
  current_period_start: string | null;
  current_period_end: string | null;
  cancel_at_period_end: boolean;
  trial_end: string | null;
  created_at: string;
  updated_at: string;
}

/** `subscribe/`'s answer: with `client_secret` when the first payment still needs the customer. */
export interface SubscribeAnswer extends Subscription {
  client_secret?: string;
}

export interface Limits {
  plan_id: number | null;
  plan_name: string | null;
  daily_time_minutes: number | null;
  daily_data_mb: number | null;
}

export interface Invoice {
  id: string;
  number: string | null;
  status: string | null;
  amount_due: string;
  amount_paid: string;
  currency: string;
  period_start: string | null;
  period_end: string | null;
  hosted_invoice_url: string | null;
  subscription_id: string | null;
}

export const subscriptionKeys = {
  all: ["subscriptions"] as const,
  status: ["subscriptions", "status"] as const,
  limits: ["subscriptions", "limits"] as const,
  invoices: ["subscriptions", "invoices"] as const,
};

export function isLive(subscription: Pick<Subscription, "status">): boolean {
  return LIVE_STATUSES.includes(subscription.status);
}

/** The caller's current subscription (live, else the latest), or null when there never was one. */
export function getSubscriptionStatus(signal?: AbortSignal): Promise<Subscription | null> {
  return apiRequest<Subscription | null>("subscriptions/status/", { signal });
}

export function getLimits(signal?: AbortSignal): Promise<Limits> {
  return apiRequest<Limits>("subscriptions/me/limits/", { signal });
}

/** The caller's invoices as Stripe reports them, newest first (a plain array). */
export function getInvoices(signal?: AbortSignal): Promise<Invoice[]> {
  return apiRequest<Invoice[]>("subscriptions/invoices/", { signal });
}

/**
 * A fresh `Idempotency-Key`: `crypto.randomUUID()` where the page is a secure context, else a
 * version 4 UUID from `crypto.getRandomValues` (a console served over plain HTTP on another host).
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface SubscribeBody {
  pricing_id: number;
  payment_method?: string;
}

/**
 * Subscribes the caller. `idempotencyKey` makes a retry of the same attempt (a double click, a
 * lost answer) answer the first result instead of subscribing twice.
 */
export function subscribe(body: SubscribeBody, idempotencyKey: string): Promise<SubscribeAnswer> {
  return apiRequest<SubscribeAnswer>("subscriptions/subscribe/", {
    method: "POST",
    body,
    headers: { "Idempotency-Key": idempotencyKey },
  });
}

/** `setup-intent/`'s answer: a Stripe SetupIntent for Stripe.js `confirmCardSetup`. */
export interface SetupIntent {
  id: string;
  client_secret: string;
}

/** Starts saving a card: a SetupIntent for the caller's Stripe customer (made if need be). */
export function createSetupIntent(): Promise<SetupIntent> {
  return apiRequest<SetupIntent>("subscriptions/setup-intent/", { method: "POST" });
}

/** Cancels the caller's own subscription at the end of its period. */
export function cancelSubscription(subscriptionId: number): Promise<Subscription> {
  return apiRequest<Subscription>("subscriptions/cancel/", {
    method: "POST",
    body: { subscription_id: subscriptionId },
  });
}

/** Undoes a cancel at period end. */
export function resumeSubscription(): Promise<Subscription> {
  return apiRequest<Subscription>("subscriptions/resume/", { method: "POST", body: {} });
}
