/** The audit log (`audit-logs/`): read-only, newest first. */
import { apiRequest } from "./client";
import type { Paginated } from "./types";

/** The actions API.md lists, and the plan changes the API also records (the filter takes any). */
export const AUDIT_ACTIONS = [
  "user_created",
  "user_updated",
  "user_deleted",
  "role_changed",
  "activation_changed",
  "password_changed",
  "password_reset",
  "tenant_created",
  "tenant_updated",
  "tenant_deleted",
  "subscription_changed",
  "login_failed",
  "plan_created",
  "plan_updated",
  "plan_retired",
] as const;

export interface AuditPerson {
  id: number;
  username: string;
}

export interface AuditEntry {
  id: number;
  action: string;
  actor: AuditPerson | null;
  target: AuditPerson | null;
  tenant: number | null;
  details: Record<string, unknown>;
  timestamp: string;
}

export interface AuditFilters {
  page?: number;
  page_size?: number;
  action?: string;
  /** User ids. */
  actor?: string;
  target?: string;
  /** A tenant id. */
  tenant?: string;
  /** ISO 8601 date-times (inclusive bounds). */
  since?: string;
  until?: string;
}

export const auditKeys = {
  all: ["auditLog"] as const,
  list: (filters: AuditFilters) => ["auditLog", "list", filters] as const,
};

export function listAuditLog(filters: AuditFilters, signal?: AbortSignal): Promise<Paginated<AuditEntry>> {
  return apiRequest<Paginated<AuditEntry>>("audit-logs/", { query: { ...filters }, signal });
}
