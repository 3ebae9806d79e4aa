/** How billing pages write times and limits (UTC, as the API gives them, so every reader agrees). */

export function formatDate(iso: string | null): string {
  if (!iso) return "—";
  return new Date(iso).toLocaleDateString("en-US", { dateStyle: "medium", timeZone: "UTC" });
}

export function formatDateTime(iso: string | null): string {
  if (!iso) return "—";
  const text = new Date(iso).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
  return `${text} UTC`;
}

/** "180 minutes a day", or "Unlimited" for null. */
export function formatMinutes(minutes: number | null): string {
  return minutes === null ? "Unlimited" : `${minutes} minutes a day`;
}

/** "300 MB a day", or "Unlimited" for null. */
export function formatMegabytes(megabytes: number | null): string {
  return megabytes === null ? "Unlimited" : `${megabytes} MB a day`;
}
