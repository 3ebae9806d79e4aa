/** A small fake of the API for the people pages' tests: who is signed in, and the answers. */
import type { Role, User } from "../../api";
import type { AuditEntry } from "../../api/auditLog";
import type { Tenant } from "../../api/tenants";
import { ALICE, jsonResponse, mockFetch } from "../../test/helpers";

export function makeUser(overrides: Partial<User> = {}): User {
  return { ...ALICE, ...overrides };
}

const STAFF_FLAGS = { tenant: null, is_staff: true };
export const ROOT = makeUser({ id: 1, username: "root", first_name: "Root", last_name: "", role: "superadmin", ...STAFF_FLAGS, is_superuser: true });
export const ADMIN = makeUser({ id: 2, username: "ada", first_name: "Ada", last_name: "Admin", role: "admin", ...STAFF_FLAGS });
export const OWNER = makeUser(); // alice, tenant owner of Acme (id 3)
export const BOB = makeUser({
  id: 11,
  username: "bob",
  email: "bob@acme.test",
  first_name: "Bob",
  last_name: "Builder",
  role: "subscriber" as Role,
  last_login: null,
});

export function makeTenant(overrides: Partial<Tenant> = {}): Tenant {
  return {
    id: 3,
    uuid: "5b0c1f7e-0000-4000-8000-000000000003",
    name: "Acme",
    slug: "acme",
    is_active: true,
    description: "Anvils",
    email: "ops@acme.test",
    url: "https://acme.test",
    user_count: 2,
    created_at: "2026-01-02T03:04:05.000000Z",
    updated_at: "2026-01-03T03:04:05.000000Z",
    ...overrides,
  };
}

export function makeEntry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: 1,
    action: "user_created",
    actor: { id: 7, username: "alice" },
    target: { id: 11, username: "bob" },
    tenant: 3,
    details: { role: "subscriber", invited: true },
    timestamp: "2026-11-28T17:34:28.123456Z",
    ...overrides,
  };
}

export function page<T>(results: T[], count = results.length) {
  return { count, next: null, previous: null, results };
}

type FetchMock = ReturnType<typeof mockFetch>;
type Handler = (url: URL, init: RequestInit) => Response | undefined;

/** Signs `me` in and answers with `handler`; anything it leaves unanswered is a 404. */
export function fakeApi(me: User, handler: Handler) {
  window.localStorage.setItem("auth_token", "f".repeat(40));
  return mockFetch((url, init) => {
    if (url.pathname === "/api/v1/auth/user/") return jsonResponse(200, me);
    return handler(url, init) ?? jsonResponse(404, { detail: "Not found." });
  });
}

export { jsonResponse };

/** The requests made with `method` to `path` (e.g. "/api/v1/users/"), with their query and body. */
export function requests(fetchMock: FetchMock, method: string, path: string) {
  return fetchMock.mock.calls
    .map(([input, init]) => ({ url: new URL(String(input)), init: (init ?? {}) as RequestInit }))
    .filter(({ url, init }) => url.pathname === path && (init.method ?? "GET") === method)
    .map(({ url, init }) => ({
      query: Object.fromEntries(url.searchParams.entries()),
      body: init.body === undefined ? undefined : (JSON.parse(String(init.body)) as unknown),
    }));
}

/** The query of the last GET of `path`. */
export function lastQuery(fetchMock: FetchMock, path: string): Record<string, string> {
  const all = requests(fetchMock, "GET", path);
  return all[all.length - 1]?.query ?? {};
}
