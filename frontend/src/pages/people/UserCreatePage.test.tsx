import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { User } from "../../api";
import { renderApp } from "../../test/helpers";
import { ADMIN, OWNER, ROOT, fakeApi, jsonResponse, makeTenant, makeUser, page, requests } from "./testApi";

const LIST = "/api/v1/users/";

function createApi(me: User, answer: (body: Record<string, unknown>) => Response) {
  return fakeApi(me, (url, init) => {
    if (url.pathname === "/api/v1/tenants/") {
      return jsonResponse(200, page([makeTenant(), makeTenant({ id: 5, name: "Initech", slug: "initech" })]));
    }
    if (url.pathname === LIST && init.method === "POST") return answer(JSON.parse(String(init.body)) as Record<string, unknown>);
    if (url.pathname === "/api/v1/users/21/") return jsonResponse(200, makeUser({ id: 21, username: "dave", role: "subscriber" }));
    return undefined;
  });
}

function roleOptions(): string[] {
  return within(screen.getByLabelText("Role"))
    .getAllByRole("option")
    .map((option) => option.textContent ?? "");
}

describe("new user", () => {
  it("offers the roles each caller may grant", async () => {
    createApi(ROOT, () => jsonResponse(500, {}));
    const first = renderApp("/users/new");
    await screen.findByLabelText("Role");
    expect(roleOptions()).toEqual(["Super admin", "Platform admin", "Tenant owner", "Subscriber"]);
    first.unmount();

    createApi(ADMIN, () => jsonResponse(500, {}));
    const second = renderApp("/users/new");
    await screen.findByLabelText("Role");
    expect(roleOptions()).toEqual(["Platform admin", "Tenant owner", "Subscriber"]);
    second.unmount();

    createApi(OWNER, () => jsonResponse(500, {}));
    renderApp("/users/new");
    await screen.findByLabelText("Role");
    expect(roleOptions()).toEqual(["Subscriber"]);
    // A tenant owner's users join the owner's tenant: shown, not chosen.
    expect(screen.getByLabelText("Tenant")).toHaveValue("Acme");
    expect(screen.getByLabelText("Tenant")).toHaveAttribute("readonly");
  });

  it("lets a tenant page preselect the tenant and the owner role, and creates the owner", async () => {
    const fetchMock = createApi(ADMIN, () => jsonResponse(201, makeUser({ id: 21, username: "dave", role: "tenant_owner" })));
    const { user, router } = renderApp("/users/new?tenant=5&role=tenant_owner");
    expect(await screen.findByRole("heading", { name: "New user" })).toBeInTheDocument();
    expect(await screen.findByLabelText("Role")).toHaveValue("tenant_owner");
    expect(screen.getByLabelText("Tenant")).toHaveValue("5");
    expect(screen.getByLabelText("Password")).toHaveAccessibleDescription("Leave empty: the user sets it through a reset link");

    await user.type(screen.getByLabelText("Username"), "dave");
    await user.type(screen.getByLabelText("E-mail"), "dave@initech.test");
    await user.type(screen.getByLabelText("First name"), "Dave");
    await user.click(screen.getByRole("button", { name: "Create user" }));

    expect(await screen.findByRole("heading", { level: 1, name: "dave" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/users/21");
    expect(screen.getByText(/User “dave” created\. They set their password through the link e-mailed to them\./)).toBeInTheDocument();
    expect(requests(fetchMock, "POST", LIST)[0]?.body).toEqual({
      username: "dave",
      email: "dave@initech.test",
      first_name: "Dave",
      last_name: "",
      role: "tenant_owner",
      tenant: 5,
    });
  });

  it("preselects a tenant created after the tenant choices were cached (Add a tenant owner)", async () => {
    const globex = makeTenant({ id: 9, name: "Globex", slug: "globex", user_count: 0 });
    let created = false;
    fakeApi(ADMIN, (url, init) => {
      if (url.pathname === "/api/v1/tenants/" && init.method === "POST") {
        created = true;
        return jsonResponse(201, globex);
      }
      if (url.pathname === "/api/v1/tenants/") return jsonResponse(200, page(created ? [makeTenant(), globex] : [makeTenant()]));
      if (url.pathname === "/api/v1/tenants/9/") return jsonResponse(200, globex);
      if (url.pathname === LIST) return jsonResponse(200, page([]));
      return undefined;
    });
    // The users list caches the tenant choices (Acme only), then the tenant is created.
    const { user } = renderApp("/users");
    expect(await screen.findByRole("option", { name: "Acme" })).toBeInTheDocument();
    await user.click(screen.getByRole("link", { name: "Tenants" }));
    await user.click(await screen.findByRole("button", { name: "New tenant" }));
    await user.type(await screen.findByLabelText("Name"), "Globex");
    await user.click(screen.getByRole("button", { name: "Create tenant" }));
    await user.click(await screen.findByRole("link", { name: "Add a tenant owner" }));
    expect(await screen.findByLabelText("Role")).toHaveValue("tenant_owner");
    expect(screen.getByLabelText("Tenant")).toHaveValue("9");
  });

  it("sends a tenant owner's subscriber without a tenant, with the password when given", async () => {
    const fetchMock = createApi(OWNER, () => jsonResponse(201, makeUser({ id: 21, username: "dave", role: "subscriber" })));
    const { user } = renderApp("/users/new");
    await user.type(await screen.findByLabelText("Username"), "dave");
    await user.type(screen.getByLabelText("E-mail"), "dave@acme.test");
    await user.type(screen.getByLabelText("Password"), "correct horse battery");
    await user.click(screen.getByRole("button", { name: "Create user" }));
    expect(await screen.findByText("User “dave” created.")).toBeInTheDocument();
    expect(requests(fetchMock, "POST", LIST)[0]?.body).toEqual({
      username: "dave",
      email: "dave@acme.test",
      first_name: "",
      last_name: "",
      role: "subscriber",
      password: "correct horse battery",
    });
  });

  it("leaves the tenant out for a staff role", async () => {
    const fetchMock = createApi(ROOT, () => jsonResponse(201, makeUser({ id: 21, username: "dave", role: "admin", tenant: null })));
    const { user } = renderApp("/users/new?tenant=5");
    await user.selectOptions(await screen.findByLabelText("Role"), "Platform admin");
    expect(screen.queryByLabelText("Tenant")).toBeNull();
    await user.type(screen.getByLabelText("Username"), "dave");
    await user.type(screen.getByLabelText("E-mail"), "dave@wiwebb.test");
    await user.click(screen.getByRole("button", { name: "Create user" }));
    await screen.findByText(/User “dave” created\./);
    expect(requests(fetchMock, "POST", LIST)[0]?.body).not.toHaveProperty("tenant");
  });

  it("shows the API's field errors next to their fields, the role's included", async () => {
    createApi(ADMIN, () =>
      jsonResponse(400, {
        username: ["A user with that username already exists."],
        role: ["Platform Admin cannot assign SuperAdmin role."],
        tenant: ["This field is required."],
        password: ["This password is too short. It must contain at least 8 characters."],
      }),
    );
    const { user } = renderApp("/users/new?role=tenant_owner");
    await user.type(await screen.findByLabelText("Username"), "alice");
    await user.type(screen.getByLabelText("E-mail"), "alice@acme.test");
    await user.type(screen.getByLabelText("Password"), "short");
    await user.click(screen.getByRole("button", { name: "Create user" }));
    expect(await screen.findByLabelText("Username")).toHaveAccessibleDescription("A user with that username already exists.");
    expect(screen.getByLabelText("Role")).toHaveAccessibleDescription("Platform Admin cannot assign SuperAdmin role.");
    expect(screen.getByLabelText("Tenant")).toHaveAccessibleDescription("This field is required.");
    expect(screen.getByLabelText("Password")).toHaveAccessibleDescription(
      "Leave empty: the user sets it through a reset link This password is too short. It must contain at least 8 characters.",
    );
  });

  it("shows a tenant owner the tenant refusal under the fixed tenant, and a detail above the form", async () => {
    let answer = jsonResponse(400, { tenant: ["TenantOwner can only manage users in their own tenant."] });
    createApi(OWNER, () => answer);
    const { user } = renderApp("/users/new");
    await user.type(await screen.findByLabelText("Username"), "dave");
    await user.type(screen.getByLabelText("E-mail"), "dave@acme.test");
    await user.click(screen.getByRole("button", { name: "Create user" }));
    expect(await screen.findByText("TenantOwner can only manage users in their own tenant.")).toHaveClass("field-error");

    answer = jsonResponse(403, { detail: "You do not have permission to perform this action." });
    await user.click(screen.getByRole("button", { name: "Create user" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("You do not have permission to perform this action.");
  });
});
