const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** An API time (ISO 8601, UTC) in the reader's locale and time zone; "—" when absent. */
export function formatDateTime(value: string | null): string {
  if (!value) return "—";
  const time = Date.parse(value);
  return Number.isNaN(time) ? value : DATE_TIME.format(time);
}
