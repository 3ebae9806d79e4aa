import { describe, expect, it } from "vitest";
import { jsonResponse, mockFetch } from "../test/helpers";
import { assignRole, grantableRoles, setUserActive, setUserPassword } from "./users";

describe("users api", () => {
  it("knows which roles each caller may grant (API.md's matrix)", () => {
    expect(grantableRoles("superadmin")).toEqual(["superadmin", "admin", "tenant_owner", "subscriber"]);
    expect(grantableRoles("admin")).toEqual(["admin", "tenant_owner", "subscriber"]);
    expect(grantableRoles("tenant_owner")).toEqual(["subscriber"]);
    expect(grantableRoles("subscriber")).toEqual([]);
  });

  it("posts the actions to their paths with their bodies", async () => {
    const fetchMock = mockFetch(() => jsonResponse(200, {}));
    await setUserActive(11, false);
    await assignRole(11, "tenant_owner");
    await setUserPassword(11, { new_password1: "a", new_password2: "a" });
    const calls = fetchMock.mock.calls.map(([url, init]) => [new URL(String(url)).pathname, init?.method, JSON.parse(String(init?.body))]);
    expect(calls).toEqual([
      ["/api/v1/users/11/activate/", "POST", { is_active: false }],
      ["/api/v1/users/11/assign-role/", "POST", { role: "tenant_owner" }],
      ["/api/v1/users/11/set-password/", "POST", { new_password1: "a", new_password2: "a" }],
    ]);
  });
});
