/** The two errors every API call can throw: ApiError (the API answered) and ApiUnreachableError. */

export type FieldErrors = Record<string, string[]>;

function asMessages(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(asMessages);
  if (typeof value === "object") {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) =>
      asMessages(inner).map((message) => `${key}: ${message}`),
    );
  }
  return [String(value)];
}

/** Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; null when absent. */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | null {
  if (header === null || header.trim() === "") return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number.parseInt(trimmed, 10);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

export function pluralSeconds(seconds: number): string {
  return seconds === 1 ? "1 second" : `${seconds} seconds`;
}

/**
 * An answer with an error status, parsed from DRF's shapes: `{"detail": ...}`,
 * `{"non_field_errors": [...]}`, `{"<field>": [...]}` (also a bare list of messages), with the
 * wait from Retry-After on 429/503 and the request id of a 500.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly url: string;
  readonly detail: string | null;
  readonly nonFieldErrors: string[];
  readonly fieldErrors: FieldErrors;
  readonly retryAfter: number | null;
  readonly requestId: string | null;
  readonly body: unknown;

  constructor(init: { status: number; url: string; body: unknown; retryAfter?: number | null; statusText?: string }) {
    const { status, url, body } = init;
    let detail: string | null = null;
    let nonFieldErrors: string[] = [];
    const fieldErrors: FieldErrors = {};
    let requestId: string | null = null;
    if (Array.isArray(body) || typeof body === "string") {
      nonFieldErrors = asMessages(body);
    } else if (body !== null && typeof body === "object") {
      for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
        if (key === "detail") detail = asMessages(value).join(" ") || null;
        else if (key === "non_field_errors") nonFieldErrors = asMessages(value);
        else if (key === "request_id") requestId = typeof value === "string" ? value : String(value);
        else fieldErrors[key] = asMessages(value);
      }
    }
    const retryAfter = init.retryAfter ?? null;
    const summary =
      status === 429 && retryAfter !== null
        ? `Too many requests. Try again in ${pluralSeconds(retryAfter)}.`
        : (detail ??
          (nonFieldErrors.length > 0 ? nonFieldErrors.join(" ") : null) ??
          (Object.keys(fieldErrors).length > 0
            ? Object.entries(fieldErrors)
                .map(([field, messages]) => `${field}: ${messages.join(" ")}`)
                .join("; ")
            : `The API answered ${status}${init.statusText ? ` ${init.statusText}` : ""}.`));
    super(summary);
    this.name = "ApiError";
    this.status = status;
    this.url = url;
    this.detail = detail;
    this.nonFieldErrors = nonFieldErrors;
    this.fieldErrors = fieldErrors;
    this.retryAfter = retryAfter;
    this.requestId = requestId;
    this.body = body;
  }

  /** The messages that belong above a form: `detail` and `non_field_errors` (or the 429 wait). */
  get formMessages(): string[] {
    if (this.status === 429) return [this.message];
    const messages = [...(this.detail ? [this.detail] : []), ...this.nonFieldErrors];
    return messages.length > 0 ? messages : [this.message];
  }
}

export type UnreachableKind = "network" | "not-api";

/**
 * The API could not be reached (fetch threw: server down, wrong VITE_API_URL, CORS refusal) or
 * something that is not the WiWebb API answered (an HTML page, a proxy's error page).
 */
export class ApiUnreachableError extends Error {
  readonly url: string;
  readonly kind: UnreachableKind;
  readonly status: number | null;

  constructor(url: string, kind: UnreachableKind, options: { status?: number | null; cause?: unknown } = {}) {
    super(
      kind === "network"
        ? `The API could not be reached at ${url}.`
        : `${url} answered${options.status ? ` ${options.status}` : ""} with something that is not the WiWebb API.`,
      { cause: options.cause },
    );
    this.name = "ApiUnreachableError";
    this.url = url;
    this.kind = kind;
    this.status = options.status ?? null;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

export function isUnreachable(error: unknown): error is ApiUnreachableError {
  return error instanceof ApiUnreachableError;
}
