import type { FieldValues, Path, UseFormSetError } from "react-hook-form";
import { ApiError } from "../api";

/**
 * Puts an API error on a react-hook-form form: each field error next to its field (focusing the
 * first), and returns the messages that belong above the form (`detail`, `non_field_errors`, the
 * 429 wait, and field errors for fields the form does not show, prefixed with the field's name).
 * `fields` maps the API's field names to the form's when they differ; by default a field of the
 * same name is used when `known` lists it.
 */
export function applyApiError<T extends FieldValues>(
  error: Error,
  setError: UseFormSetError<T>,
  known: readonly Path<T>[],
  fields: Partial<Record<string, Path<T>>> = {},
): string[] {
  if (!(error instanceof ApiError)) return [error.message];
  const unplaced: string[] = [];
  let placed = false;
  for (const [field, messages] of Object.entries(error.fieldErrors)) {
    const target = fields[field] ?? (known.includes(field as Path<T>) ? (field as Path<T>) : undefined);
    if (target) {
      setError(target, { type: "server", message: messages.join(" ") }, { shouldFocus: !placed });
      placed = true;
    } else {
      unplaced.push(...messages.map((message) => `${field}: ${message}`));
    }
  }
  const above =
    error.status === 429
      ? [error.message]
      : [...(error.detail ? [error.detail] : []), ...error.nonFieldErrors, ...unplaced];
  return above.length > 0 || placed ? above : [error.message];
}
