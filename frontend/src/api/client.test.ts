import { afterEach, describe, expect, it, vi } from "vitest";
import { jsonResponse, mockFetch } from "../test/helpers";
import {
  ApiError,
  ApiUnreachableError,
  apiRequest,
  getCurrentUser,
  getMeta,
  getToken,
  login,
  logout,
  onUnauthorized,
  parseRetryAfter,
  setToken,
  TOKEN_STORAGE_KEY,
} from "./index";

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

describe("base URL", () => {
  it("uses VITE_API_URL when set, without its trailing slash", async () => {
    vi.stubEnv("VITE_API_URL", "http://api.example.test:8000/");
    const fetchMock = mockFetch(() => jsonResponse(200, {}));
    await getMeta();
    expect(String(fetchMock.mock.calls[0]?.[0])).toBe("http://api.example.test:8000/api/v1/meta/");
  });

  it("uses the page's own origin when VITE_API_URL is not set", async () => {
    vi.stubEnv("VITE_API_URL", "");
    const fetchMock = mockFetch(() => jsonResponse(200, {}));
    await getMeta();
    expect(String(fetchMock.mock.calls[0]?.[0])).toBe(`${window.location.origin}/api/v1/meta/`);
  });

  it("adds query parameters and skips empty ones", async () => {
    const fetchMock = mockFetch(() => jsonResponse(200, { count: 0, next: null, previous: null, results: [] }));
    await apiRequest("users/", { query: { page: 2, search: "a b", role: undefined, is_active: false, tenant: "" } });
    const url = new URL(String(fetchMock.mock.calls[0]?.[0]));
    expect(url.pathname).toBe("/api/v1/users/");
    expect([...url.searchParams.entries()]).toEqual([
      ["page", "2"],
      ["search", "a b"],
      ["is_active", "false"],
    ]);
  });
});

describe("token header", () => {
  it("sends Authorization: Token <key> from localStorage['auth_token']", async () => {
    window.localStorage.setItem("auth_token", "abc123");
    const fetchMock = mockFetch(() => jsonResponse(200, { id: 1 }));
    await getCurrentUser();
    const headers = fetchMock.mock.calls[0]?.[1]?.headers as Record<string, string>;
    expect(headers.Authorization).toBe("Token abc123");
    expect(headers.Accept).toBe("application/json");
  });

  it("sends no Authorization without a token", async () => {
    const fetchMock = mockFetch(() => jsonResponse(200, { id: 1 }));
    await getCurrentUser();
    const headers = fetchMock.mock.calls[0]?.[1]?.headers as Record<string, string>;
    expect(headers.Authorization).toBeUndefined();
  });

  it("does not send the token where credentials are handed out (meta, login)", async () => {
    setToken("stale");
    const fetchMock = mockFetch((url) =>
      url.pathname.endsWith("/login/") ? jsonResponse(200, { key: "fresh", expires_at: "x", user: {} }) : jsonResponse(200, {}),
    );
    await getMeta();
    await login({ username: "alice", password: "pw" });
    for (const call of fetchMock.mock.calls) {
      expect((call[1]?.headers as Record<string, string>).Authorization).toBeUndefined();
    }
  });
});

describe("auth functions", () => {
  it("login posts JSON and stores the new token", async () => {
    const fetchMock = mockFetch(() => jsonResponse(200, { key: "k".repeat(40), expires_at: "2026-12-01T00:00:00Z", user: { id: 7 } }));
    const answer = await login({ email: "alice@acme.test", password: "secret-pw" });
    const init = fetchMock.mock.calls[0]?.[1];
    expect(init?.method).toBe("POST");
    expect((init?.headers as Record<string, string>)["Content-Type"]).toBe("application/json");
    expect(JSON.parse(String(init?.body))).toEqual({ email: "alice@acme.test", password: "secret-pw" });
    expect(answer.user.id).toBe(7);
    expect(window.localStorage.getItem(TOKEN_STORAGE_KEY)).toBe("k".repeat(40));
  });

  it("logout sends no body, and {all: true} for every device", async () => {
    setToken("abc");
    const fetchMock = mockFetch(() => jsonResponse(200, { detail: "Successfully logged out." }));
    await logout();
    await logout({ all: true });
    expect(fetchMock.mock.calls[0]?.[1]?.body).toBeUndefined();
    expect(JSON.parse(String(fetchMock.mock.calls[1]?.[1]?.body))).toEqual({ all: true });
    expect(String(fetchMock.mock.calls[1]?.[0])).toMatch(/\/api\/v1\/auth\/logout\/$/);
  });

  it("answers undefined for 204 No Content", async () => {
    mockFetch(() => new Response(null, { status: 204 }));
    await expect(apiRequest("auth/tokens/3/", { method: "DELETE" })).resolves.toBeUndefined();
  });
});

describe("errors in DRF's shapes", () => {
  it("reads {detail}", async () => {
    mockFetch(() => jsonResponse(403, { detail: "You do not have permission to perform this action." }));
    const error = (await failure(apiRequest("tenants/"))) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(403);
    expect(error.detail).toBe("You do not have permission to perform this action.");
    expect(error.message).toBe("You do not have permission to perform this action.");
    expect(error.formMessages).toEqual(["You do not have permission to perform this action."]);
  });

  it("reads non_field_errors", async () => {
    mockFetch(() => jsonResponse(400, { non_field_errors: ["Unable to log in with provided credentials."] }));
    const error = (await failure(login({ username: "x", password: "y" }))) as ApiError;
    expect(error.nonFieldErrors).toEqual(["Unable to log in with provided credentials."]);
    expect(error.detail).toBeNull();
    expect(error.fieldErrors).toEqual({});
    expect(error.message).toBe("Unable to log in with provided credentials.");
    expect(getToken()).toBeNull();
  });

  it("reads field errors next to non_field_errors", async () => {
    mockFetch(() =>
      jsonResponse(400, {
        email: ["Enter a valid email address."],
        role: ['"x" is not a valid choice.'],
        non_field_errors: ["The two password fields didn't match."],
      }),
    );
    const error = (await failure(apiRequest("users/", { method: "POST", body: {} }))) as ApiError;
    expect(error.fieldErrors).toEqual({ email: ["Enter a valid email address."], role: ['"x" is not a valid choice.'] });
    expect(error.nonFieldErrors).toEqual(["The two password fields didn't match."]);
  });

  it("reads a field message given as a string and nested field errors", async () => {
    mockFetch(() => jsonResponse(400, { tenant: "This field is required.", metadata: { plan: ["Not found."] } }));
    const error = (await failure(apiRequest("users/", { method: "POST", body: {} }))) as ApiError;
    expect(error.fieldErrors).toEqual({ tenant: ["This field is required."], metadata: ["plan: Not found."] });
    expect(error.message).toBe("tenant: This field is required.; metadata: plan: Not found.");
  });

  it("reads a bare list of messages as non-field errors", async () => {
    mockFetch(() => jsonResponse(400, ["Subscription is already canceled."]));
    const error = (await failure(apiRequest("subscriptions/1/cancel/", { method: "POST" }))) as ApiError;
    expect(error.nonFieldErrors).toEqual(["Subscription is already canceled."]);
  });

  it("keeps the request id of a 500", async () => {
    mockFetch(() => jsonResponse(500, { detail: "A server error occurred.", request_id: "req-42" }));
    const error = (await failure(apiRequest("plans/"))) as ApiError;
    expect(error.status).toBe(500);
    expect(error.requestId).toBe("req-42");
    expect(error.fieldErrors).toEqual({});
  });

  it("reads the wait of a 429 from Retry-After", async () => {
    mockFetch(() =>
      jsonResponse(429, { detail: "Request was throttled. Expected available in 60 seconds." }, { "Retry-After": "60" }),
    );
    const error = (await failure(login({ username: "x", password: "y" }))) as ApiError;
    expect(error.status).toBe(429);
    expect(error.retryAfter).toBe(60);
    expect(error.message).toBe("Too many requests. Try again in 60 seconds.");
    expect(error.formMessages).toEqual(["Too many requests. Try again in 60 seconds."]);
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2026-11-28T12:00:00Z");
    expect(parseRetryAfter("1", now)).toBe(1);
    expect(parseRetryAfter("Sat, 28 Nov 2026 12:00:30 GMT", now)).toBe(30);
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter("soon", now)).toBeNull();
  });
});

describe("401", () => {
  afterEach(() => vi.restoreAllMocks());

  it("clears the token and tells the listeners with the API's message", async () => {
    setToken("revoked");
    mockFetch(() => jsonResponse(401, { detail: "Invalid token." }, { "WWW-Authenticate": "Token" }));
    const listener = vi.fn();
    const unsubscribe = onUnauthorized(listener);
    const error = (await failure(getCurrentUser())) as ApiError;
    unsubscribe();
    expect(error.status).toBe(401);
    expect(getToken()).toBeNull();
    expect(window.localStorage.getItem("auth_token")).toBeNull();
    expect(listener).toHaveBeenCalledOnce();
    expect((listener.mock.calls[0]?.[0] as ApiError).detail).toBe("Invalid token.");
  });

  it("leaves a newer token alone when a request sent with an older one comes back 401", async () => {
    setToken("before-logout");
    let answer: ((response: Response) => void) | undefined;
    const fetchMock = mockFetch(() => new Promise<Response>((resolve) => (answer = resolve)));
    const listener = vi.fn();
    const unsubscribe = onUnauthorized(listener);
    const pending = failure(getCurrentUser());
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledOnce());
    expect(new Headers(fetchMock.mock.calls[0]?.[1]?.headers).get("Authorization")).toBe("Token before-logout");
    setToken("signed-in-again"); // logged out and back in while the request was in flight
    answer?.(jsonResponse(401, { detail: "Invalid token." }));
    const error = (await pending) as ApiError;
    unsubscribe();
    expect(error.status).toBe(401);
    expect(getToken()).toBe("signed-in-again");
    expect(listener).not.toHaveBeenCalled();
  });

  it("leaves the token alone on an endpoint called without it", async () => {
    setToken("kept");
    mockFetch(() => jsonResponse(401, { detail: "Invalid token." }));
    const listener = vi.fn();
    const unsubscribe = onUnauthorized(listener);
    await failure(getMeta());
    unsubscribe();
    expect(getToken()).toBe("kept");
    expect(listener).not.toHaveBeenCalled();
  });
});

describe("an unreachable API", () => {
  it("turns a fetch failure into ApiUnreachableError naming the URL", async () => {
    vi.stubEnv("VITE_API_URL", "http://localhost:8000");
    mockFetch(() => {
      throw new TypeError("Failed to fetch");
    });
    const error = (await failure(getMeta())) as ApiUnreachableError;
    expect(error).toBeInstanceOf(ApiUnreachableError);
    expect(error).not.toBeInstanceOf(ApiError);
    expect(error.kind).toBe("network");
    expect(error.url).toBe("http://localhost:8000/api/v1/meta/");
    expect(error.message).toContain("http://localhost:8000/api/v1/meta/");
  });

  it("says so when what answers is not the API (an HTML page)", async () => {
    mockFetch(() => new Response("<!doctype html><p>Vite</p>", { status: 404, headers: { "Content-Type": "text/html" } }));
    const error = (await failure(getMeta())) as ApiUnreachableError;
    expect(error).toBeInstanceOf(ApiUnreachableError);
    expect(error.kind).toBe("not-api");
    expect(error.status).toBe(404);
  });

  it("lets an abort through as an abort", async () => {
    mockFetch(() => {
      throw new DOMException("The operation was aborted.", "AbortError");
    });
    const error = await failure(getMeta());
    expect(error).toBeInstanceOf(DOMException);
  });
});
