import { ApiError, type User } from "../../api";

/** Dates as the console shows them: UTC, unambiguous at any locale ("2026-11-28 17:34 UTC"). */
export function formatDateTime(iso: string | null | undefined, empty = "—"): string {
  if (!iso) return empty;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function formatDate(iso: string | null | undefined, empty = "—"): string {
  if (!iso) return empty;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toISOString().slice(0, 10);
}

export function activeLabel(isActive: boolean): "Active" | "Inactive" {
  return isActive ? "Active" : "Inactive";
}

/** An audit entry's details on one line: `role: subscriber; invited: true`. */
export function formatDetails(details: Record<string, unknown> | null | undefined): string {
  if (!details) return "";
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${typeof value === "object" && value !== null ? JSON.stringify(value) : String(value)}`)
    .join("; ");
}

/** The messages of a failed mutation, for above a form or a row of buttons. */
export function errorMessages(error: Error): string[] {
  return error instanceof ApiError ? error.formMessages : [error.message];
}

export function fullName(user: Pick<User, "first_name" | "last_name">): string {
  return [user.first_name, user.last_name].filter(Boolean).join(" ");
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A day from a date input as the API's inclusive bound: its first or last instant, in UTC. */
export function dayBound(day: string, end: "start" | "end"): string {
  if (!DAY.test(day)) return day; // anything else goes as typed; the API says if it is not a date
  return end === "start" ? `${day}T00:00:00Z` : `${day}T23:59:59.999999Z`;
}
