import { describe, expect, it } from "vitest";
import { jsonResponse, mockFetch } from "../test/helpers";
import { deleteTenant, getMyTenant, listAllTenants, listTenants, updateMyTenant } from "./tenants";

describe("tenants api", () => {
  it("lists with the filters as query parameters, skipping empty ones", async () => {
    const fetchMock = mockFetch(() => jsonResponse(200, { count: 0, next: null, previous: null, results: [] }));
    await listTenants({ page: 2, page_size: 20, search: "ac", is_active: "", ordering: "-created_at" });
    const url = new URL(String(fetchMock.mock.calls[0]?.[0]));
    expect(url.pathname).toBe("/api/v1/tenants/");
    expect(Object.fromEntries(url.searchParams)).toEqual({ page: "2", page_size: "20", search: "ac", ordering: "-created_at" });
  });

  it("collects every tenant for the selects, by name, a hundred a page", async () => {
    const fetchMock = mockFetch(() => jsonResponse(200, { count: 1, next: null, previous: null, results: [{ id: 1, name: "A" }] }));
    const tenants = await listAllTenants();
    expect(tenants.map((tenant) => tenant.id)).toEqual([1]);
    const url = new URL(String(fetchMock.mock.calls[0]?.[0]));
    expect(Object.fromEntries(url.searchParams)).toEqual({ page_size: "100", ordering: "name" });
  });

  it("reads and patches tenants/me/ and deletes by id", async () => {
    const fetchMock = mockFetch((_url, init) => (init.method === "DELETE" ? new Response(null, { status: 204 }) : jsonResponse(200, { id: 3 })));
    await getMyTenant();
    await updateMyTenant({ name: "Acme" });
    await deleteTenant(3);
    const calls = fetchMock.mock.calls.map(([url, init]) => [new URL(String(url)).pathname, init?.method ?? "GET", init?.body]);
    expect(calls).toEqual([
      ["/api/v1/tenants/me/", "GET", undefined],
      ["/api/v1/tenants/me/", "PATCH", JSON.stringify({ name: "Acme" })],
      ["/api/v1/tenants/3/", "DELETE", undefined],
    ]);
  });
});
