/** Payments (`payments/`): wire shapes and calls, as API.md and the API's payment schemas say. */
import { apiRequest } from "./client";
import type { Paginated } from "./types";

export type PaymentStatus = "waiting" | "preauth" | "confirmed" | "rejected" | "refunded" | "error";

export interface Payment {
  id: number;
  user: number;
  amount: string;
  currency: string;
  description: string;
  order_id: string;
  metadata: Record<string, string>;
  capture_method: "automatic" | "manual";
  status: PaymentStatus;
  payment_intent_id: string | null;
  client_secret: string | null;
  refunded_amount: string;
  created_at: string;
  updated_at: string;
}

export interface PaymentLogEntry {
  id: number;
  payment: number;
  event: string;
  from_status: string | null;
  to_status: string | null;
  message: string;
  created_at: string;
}

export interface PaymentFilters {
  page?: number;
  page_size?: number;
  status?: PaymentStatus | "";
}

export const paymentKeys = {
  all: ["payments"] as const,
  list: (filters: PaymentFilters) => ["payments", "list", filters] as const,
  detail: (id: number) => ["payments", "detail", id] as const,
  logs: (id: number) => ["payments", "logs", id] as const,
};

export function listPayments(filters: PaymentFilters, signal?: AbortSignal): Promise<Paginated<Payment>> {
  return apiRequest<Paginated<Payment>>("payments/", { query: { ...filters }, signal });
}

export function getPayment(id: number, signal?: AbortSignal): Promise<Payment> {
  return apiRequest<Payment>(`payments/${id}/`, { signal });
}

/** The payment's log, oldest first (a plain array). */
export function getPaymentLogs(id: number, signal?: AbortSignal): Promise<PaymentLogEntry[]> {
  return apiRequest<PaymentLogEntry[]>(`payments/${id}/logs/`, { signal });
}

/** Staff: captures a `preauth` payment. */
export function capturePayment(id: number): Promise<Payment> {
  return apiRequest<Payment>(`payments/${id}/capture/`, { method: "POST", body: {} });
}

/** Staff: refunds a `confirmed` payment, all of it or `amount` ("12.50"). */
export function refundPayment(id: number, amount?: string): Promise<Payment> {
  return apiRequest<Payment>(`payments/${id}/refund/`, {
    method: "POST",
    body: amount ? { amount } : {},
  });
}
