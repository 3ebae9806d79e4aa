import { QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router";
import { vi } from "vitest";
import { createQueryClient } from "../queryClient";
import { routes } from "../routes";

/** A JSON answer as the API gives it. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

type Handler = (url: URL, init: RequestInit) => Response | Promise<Response>;

/** Replaces fetch with `handler`; returns the mock to inspect calls. */
export function mockFetch(handler: Handler) {
  const fetchMock = vi.fn((input: RequestInfo | URL, init: RequestInit = {}) =>
    Promise.resolve(handler(new URL(String(input)), init)),
  );
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

/** The whole app (its real routes) at `path`, in memory. */
export function renderApp(path: string) {
  const queryClient = createQueryClient({ retry: false });
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const user = userEvent.setup();
  const view = render(
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return { ...view, router, queryClient, user };
}

export const ALICE = {
  id: 7,
  username: "alice",
  email: "alice@acme.test",
  first_name: "Alice",
  last_name: "Liddell",
  role: "tenant_owner" as const,
  tenant: { id: 3, uuid: "5b0c1f7e-0000-4000-8000-000000000003", name: "Acme", slug: "acme" },
  is_active: true,
  is_staff: false,
  is_superuser: false,
  last_login: "2026-11-28T17:34:28.123456Z",
  date_joined: "2026-01-01T00:00:00Z",
  password_updated: "2026-01-01T00:00:00Z",
  phone_number: "",
  bio: "",
  url: "",
  company: "",
  location: "",
  birth_date: null,
};

export const META = {
  version: "1.0.0",
  registration_open: true,
  stripe_public_key: "pk_test_x",
  stripe_js_url: "https://js.stripe.com/v3/",
  password_min_length: 8,
};
