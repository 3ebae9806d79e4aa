/**
 * The one place that calls fetch: adds `Authorization: Token <key>`, sends and reads JSON, and turns
 * every failure into ApiError or ApiUnreachableError. A 401 on an authenticated call clears the token
 * it was sent with (when that is still the current one) and tells the app (onUnauthorized), which
 * returns to the login page with the API's message.
 */
import { apiUrl } from "./config";
import { ApiError, ApiUnreachableError, parseRetryAfter } from "./errors";
import { clearToken, getToken } from "./token";

export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  body?: unknown;
  query?: Record<string, QueryValue | QueryValue[]>;
  /** false for the endpoints that hand out or recover credentials (login, meta, ...): no token sent. */
  auth?: boolean;
  signal?: AbortSignal;
  /** Extra request headers (e.g. `Idempotency-Key`), merged over the defaults. */
  headers?: Record<string, string>;
}

type UnauthorizedListener = (error: ApiError) => void;
const unauthorizedListeners = new Set<UnauthorizedListener>();

/** Called after a 401 has cleared the token; returns the unsubscribe function. */
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener);
  return () => {
    unauthorizedListeners.delete(listener);
  };
}

function withQuery(url: string, query: RequestOptions["query"]): string {
  if (!query) return url;
  const parsed = new URL(url);
  for (const [key, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) {
      if (item === undefined || item === null || item === "") continue;
      parsed.searchParams.append(key, String(item));
    }
  }
  return parsed.toString();
}

function isJson(response: Response): boolean {
  const type = response.headers.get("Content-Type") ?? "";
  return /\bjson\b/i.test(type);
}

export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { method = "GET", body, query, auth = true, signal, headers: extraHeaders } = options;
  const url = withQuery(apiUrl(path), query);
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const token = auth ? getToken() : null;
  if (token) headers.Authorization = `Token ${token}`;
  if (extraHeaders) Object.assign(headers, extraHeaders);

  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      credentials: "omit",
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
    throw new ApiUnreachableError(url, "network", { cause });
  }

  if (response.status === 204) return undefined as T;
  const text = await response.text();
  if (text !== "" && !isJson(response)) {
    throw new ApiUnreachableError(url, "not-api", { status: response.status });
  }
  let data: unknown = null;
  if (text !== "") {
    try {
      data = JSON.parse(text);
    } catch (cause) {
      throw new ApiUnreachableError(url, "not-api", { status: response.status, cause });
    }
  }
  if (response.ok) return data as T;

  const error = new ApiError({
    status: response.status,
    statusText: response.statusText,
    url,
    body: data,
    retryAfter: parseRetryAfter(response.headers.get("Retry-After")),
  });
  // Only the token this request was sent with is signed out: a request still in flight when the user
  // logged out (or signed in again) must not clear the token that replaced it.
  if (response.status === 401 && auth && getToken() === token) {
    clearToken(error.detail ?? error.message);
    for (const listener of [...unauthorizedListeners]) listener(error);
  }
  throw error;
}
