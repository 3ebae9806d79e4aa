import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { User } from "../../api";
import { renderApp } from "../../test/helpers";
import { ADMIN, BOB, OWNER, ROOT, fakeApi, jsonResponse, makeTenant, makeUser, page, requests } from "./testApi";

const BOB_URL = "/api/v1/users/11/";

/** Bob, kept by the fake API so each action's answer shows in the next read. */
function bobApi(me: User = OWNER, overrides: Partial<Record<"assign" | "password" | "delete" | "patch", () => Response>> = {}) {
  let bob: User = BOB;
  return fakeApi(me, (url, init) => {
    const body = init.body ? (JSON.parse(String(init.body)) as Record<string, unknown>) : {};
    if (url.pathname === "/api/v1/tenants/") return jsonResponse(200, page([makeTenant(), makeTenant({ id: 4, name: "Globex" })]));
    if (url.pathname === `${BOB_URL}activate/`) {
      bob = { ...bob, is_active: body.is_active as boolean };
      return jsonResponse(200, bob);
    }
    if (url.pathname === `${BOB_URL}assign-role/`) {
      if (overrides.assign) return overrides.assign();
      bob = { ...bob, role: body.role as User["role"] };
      return jsonResponse(200, bob);
    }
    if (url.pathname === `${BOB_URL}set-password/`) {
      return overrides.password?.() ?? jsonResponse(200, { detail: "Password has been set." });
    }
    if (url.pathname === BOB_URL && init.method === "DELETE") return overrides.delete?.() ?? new Response(null, { status: 204 });
    if (url.pathname === BOB_URL && init.method === "PATCH") {
      if (overrides.patch) return overrides.patch();
      bob = { ...bob, ...body, tenant: "tenant" in body ? makeTenant({ id: body.tenant as number, name: "Globex" }) : bob.tenant } as User;
      return jsonResponse(200, bob);
    }
    if (url.pathname === BOB_URL) return jsonResponse(200, bob);
    if (url.pathname === "/api/v1/users/") return jsonResponse(200, page([]));
    return undefined;
  });
}

/** The value of a fact in the page's description list. */
function fact(term: string): HTMLElement {
  return screen.getByText(term, { selector: "dt" }).nextElementSibling as HTMLElement;
}

describe("user page", () => {
  it("shows the user under their username", async () => {
    bobApi();
    renderApp("/users/11");
    expect(await screen.findByRole("heading", { level: 1, name: "bob" })).toBeInTheDocument();
    expect(screen.getByText("Bob Builder")).toBeInTheDocument();
    expect(fact("Role")).toHaveTextContent("Subscriber");
    expect(fact("Tenant")).toHaveTextContent("Acme");
    expect(fact("Status")).toHaveTextContent("Active");
    expect(fact("Last login")).toHaveTextContent("Never");
  });

  it("deactivates and reactivates the user", async () => {
    const fetchMock = bobApi();
    const { user } = renderApp("/users/11");
    await user.click(await screen.findByRole("button", { name: "Deactivate" }));
    expect(await screen.findByRole("button", { name: "Activate" })).toBeInTheDocument();
    expect(screen.getByText("User deactivated. Their sessions have ended.")).toBeInTheDocument();
    expect(fact("Status")).toHaveTextContent("Inactive");
    await user.click(screen.getByRole("button", { name: "Activate" }));
    expect(await screen.findByRole("button", { name: "Deactivate" })).toBeInTheDocument();
    expect(screen.getByText("User activated.")).toBeInTheDocument();
    expect(requests(fetchMock, "POST", `${BOB_URL}activate/`).map((call) => call.body)).toEqual([
      { is_active: false },
      { is_active: true },
    ]);
  });

  it("shows the API's refusal of an action above the buttons", async () => {
    fakeApi(ADMIN, (url) => {
      if (url.pathname === "/api/v1/tenants/") return jsonResponse(200, page([]));
      if (url.pathname === `${BOB_URL}activate/`) return jsonResponse(403, { detail: "You do not have permission to perform this action." });
      if (url.pathname === BOB_URL) return jsonResponse(200, BOB);
      return undefined;
    });
    const { user } = renderApp("/users/11");
    await user.click(await screen.findByRole("button", { name: "Deactivate" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("You do not have permission to perform this action.");
  });

  it("assigns a role, with the role options of the caller and the API's role error under the field", async () => {
    const fetchMock = bobApi(ADMIN);
    const { user } = renderApp("/users/11");
    const role = await screen.findByLabelText("Role");
    expect(within(role).getAllByRole("option").map((option) => option.textContent)).toEqual([
      "Platform admin",
      "Tenant owner",
      "Subscriber",
    ]);
    await user.selectOptions(role, "Tenant owner");
    await user.click(screen.getByRole("button", { name: "Assign role" }));
    expect(await screen.findByText("Role: Tenant owner.")).toBeInTheDocument();
    expect(fact("Role")).toHaveTextContent("Tenant owner");
    expect(requests(fetchMock, "POST", `${BOB_URL}assign-role/`)[0]?.body).toEqual({ role: "tenant_owner" });
  });

  it("shows a role refusal under the Role field", async () => {
    bobApi(OWNER, { assign: () => jsonResponse(400, { role: ["TenantOwner can only assign the Subscriber role."] }) });
    const { user } = renderApp("/users/11");
    const role = await screen.findByLabelText("Role");
    expect(within(role).getAllByRole("option").map((option) => option.textContent)).toEqual(["Subscriber"]);
    await user.click(screen.getByRole("button", { name: "Assign role" }));
    expect(await screen.findByLabelText("Role")).toHaveAccessibleDescription("TenantOwner can only assign the Subscriber role.");
  });

  it("sets a password and says so; the API's mismatch goes under the confirmation", async () => {
    let answer = jsonResponse(400, { new_password2: ["The two password fields didn’t match."] });
    const fetchMock = bobApi(OWNER, { password: () => answer });
    const { user } = renderApp("/users/11");
    await user.type(await screen.findByLabelText("New password"), "correct horse 1");
    await user.type(screen.getByLabelText("Confirm new password"), "correct horse 2");
    await user.click(screen.getByRole("button", { name: "Set password" }));
    expect(await screen.findByLabelText("Confirm new password")).toHaveAccessibleDescription("The two password fields didn’t match.");

    answer = jsonResponse(200, { detail: "Password has been set." });
    await user.clear(screen.getByLabelText("Confirm new password"));
    await user.type(screen.getByLabelText("Confirm new password"), "correct horse 1");
    await user.click(screen.getByRole("button", { name: "Set password" }));
    expect(await screen.findByText("Password has been set.")).toBeInTheDocument();
    expect(screen.getByLabelText("New password")).toHaveValue("");
    expect(requests(fetchMock, "POST", `${BOB_URL}set-password/`)[1]?.body).toEqual({
      new_password1: "correct horse 1",
      new_password2: "correct horse 1",
    });
  });

  it("saves edits with PATCH (a staff caller can move the user to another tenant)", async () => {
    const fetchMock = bobApi(ROOT);
    const { user } = renderApp("/users/11");
    const first = await screen.findByLabelText("First name");
    await user.clear(first);
    await user.type(first, "Robert");
    await user.selectOptions(screen.getByLabelText("Tenant"), "Globex");
    await user.click(screen.getByRole("button", { name: "Save user" }));
    expect(await screen.findByText("User saved.")).toBeInTheDocument();
    expect(fact("Tenant")).toHaveTextContent("Globex");
    expect(screen.getByLabelText("Tenant")).toHaveValue("4");
    expect(requests(fetchMock, "PATCH", BOB_URL)[0]?.body).toEqual({
      username: "bob",
      email: "bob@acme.test",
      first_name: "Robert",
      last_name: "Builder",
      phone_number: "",
      company: "",
      location: "",
      url: "",
      bio: "",
      birth_date: null,
      tenant: 4,
    });
  });

  it("shows the user's own tenant in the Tenant select even when the cached choices predate it", async () => {
    const initech = makeTenant({ id: 9, name: "Initech", slug: "initech" });
    const dave = makeUser({ id: 21, username: "dave", role: "subscriber", tenant: initech });
    fakeApi(ROOT, (url) => {
      if (url.pathname === "/api/v1/tenants/") return jsonResponse(200, page([makeTenant()])); // cached before Initech
      if (url.pathname === "/api/v1/users/21/") return jsonResponse(200, dave);
      if (url.pathname === "/api/v1/users/") return jsonResponse(200, page([dave]));
      return undefined;
    });
    const { user } = renderApp("/users");
    await user.click(await screen.findByRole("link", { name: "dave" }));
    expect(await screen.findByRole("heading", { level: 1, name: "dave" })).toBeInTheDocument();
    expect(screen.getByLabelText("Tenant")).toHaveValue("9");
    expect(within(screen.getByLabelText("Tenant")).getByRole("option", { selected: true })).toHaveTextContent("Initech");
  });

  it("shows PATCH field errors next to the fields; a tenant owner sends no tenant", async () => {
    const fetchMock = bobApi(OWNER, { patch: () => jsonResponse(400, { email: ["A user with that email already exists."] }) });
    const { user } = renderApp("/users/11");
    expect(await screen.findByLabelText("E-mail")).toHaveValue("bob@acme.test");
    expect(screen.queryByLabelText("Tenant")).toBeNull();
    await user.click(screen.getByRole("button", { name: "Save user" }));
    expect(await screen.findByLabelText("E-mail")).toHaveAccessibleDescription("A user with that email already exists.");
    expect(requests(fetchMock, "PATCH", BOB_URL)[0]?.body).not.toHaveProperty("tenant");
  });

  it("deletes after confirmation and returns to the list", async () => {
    const fetchMock = bobApi();
    const { user, router } = renderApp("/users/11");
    await user.click(await screen.findByRole("button", { name: "Delete" }));
    await user.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Delete user" }));
    expect(await screen.findByText("User “bob” deleted.")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/users");
    expect(requests(fetchMock, "DELETE", BOB_URL)).toHaveLength(1);
  });

  it("stays on the user and shows why when the API refuses the deletion", async () => {
    const refusal = "Cannot delete user with an active subscription.";
    bobApi(ADMIN, { delete: () => jsonResponse(400, { detail: refusal }) });
    const { user, router } = renderApp("/users/11");
    await user.click(await screen.findByRole("button", { name: "Delete" }));
    await user.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Delete user" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(refusal);
    expect(router.state.location.pathname).toBe("/users/11");
    expect(screen.getByRole("heading", { name: "bob" })).toBeInTheDocument();
  });

  it("offers no action a role may never take: an admin on a super admin, anyone on themselves", async () => {
    const boss = makeUser({ ...ROOT, id: 11 });
    fakeApi(ADMIN, (url) => {
      if (url.pathname === "/api/v1/tenants/") return jsonResponse(200, page([]));
      return url.pathname === BOB_URL ? jsonResponse(200, boss) : undefined;
    });
    const first = renderApp("/users/11");
    expect(await screen.findByText("Platform admins cannot change a super admin.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Deactivate" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Save user" })).toBeNull();
    first.unmount();

    fakeApi(ADMIN, (url) => {
      if (url.pathname === "/api/v1/tenants/") return jsonResponse(200, page([]));
      return url.pathname === "/api/v1/users/2/" ? jsonResponse(200, ADMIN) : undefined;
    });
    renderApp("/users/2");
    expect(await screen.findByRole("button", { name: "Save user" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Deactivate" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Delete" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Assign role" })).toBeNull();
  });

  it("says Not found. for a user out of reach", async () => {
    fakeApi(OWNER, () => undefined);
    renderApp("/users/99");
    expect(await screen.findByRole("alert")).toHaveTextContent("Not found.");
  });
});
