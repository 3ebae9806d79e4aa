import { describe, expect, it } from "vitest";
import { jsonResponse, mockFetch } from "../test/helpers";
import { AUDIT_ACTIONS, listAuditLog } from "./auditLog";

describe("audit log api", () => {
  it("lists the actions API.md names and the plan changes the API records", () => {
    expect(AUDIT_ACTIONS).toHaveLength(15);
    expect(AUDIT_ACTIONS).toContain("activation_changed");
    // Recorded by the plan catalogue (staff's plan management): filterable like the others.
    expect(AUDIT_ACTIONS).toEqual(expect.arrayContaining(["plan_created", "plan_updated", "plan_retired"]));
  });

  it("sends the filters as query parameters, skipping empty ones", async () => {
    const fetchMock = mockFetch(() => jsonResponse(200, { count: 0, next: null, previous: null, results: [] }));
    await listAuditLog({ page: 1, action: "role_changed", actor: "7", target: "", since: "2026-11-01T00:00:00Z" });
    const url = new URL(String(fetchMock.mock.calls[0]?.[0]));
    expect(url.pathname).toBe("/api/v1/audit-logs/");
    expect(Object.fromEntries(url.searchParams)).toEqual({ page: "1", action: "role_changed", actor: "7", since: "2026-11-01T00:00:00Z" });
  });
});
