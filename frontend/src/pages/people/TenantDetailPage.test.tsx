import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Tenant } from "../../api/tenants";
import { renderApp } from "../../test/helpers";
import { ADMIN, fakeApi, jsonResponse, makeTenant, page, requests } from "./testApi";

const DETAIL = "/api/v1/tenants/3/";

/** A tenant the fake API keeps, so a PATCH shows up in the next read. */
function tenantApi(deleteAnswer: () => Response = () => new Response(null, { status: 204 })) {
  let tenant: Tenant = makeTenant();
  return fakeApi(ADMIN, (url, init) => {
    if (url.pathname === "/api/v1/tenants/") return jsonResponse(200, page([]));
    if (url.pathname !== DETAIL) return undefined;
    if (init.method === "PATCH") {
      const changes = JSON.parse(String(init.body)) as Partial<Tenant>;
      if (changes.url === "nope") return jsonResponse(400, { url: ["Enter a valid URL."] });
      tenant = { ...tenant, ...changes };
      return jsonResponse(200, tenant);
    }
    if (init.method === "DELETE") return deleteAnswer();
    return jsonResponse(200, tenant);
  });
}

describe("tenant page", () => {
  it("shows the tenant with its name as heading and offers to add its owner", async () => {
    tenantApi();
    renderApp("/tenants/3");
    expect(await screen.findByRole("heading", { level: 1, name: "Acme" })).toBeInTheDocument();
    expect(screen.getByText("acme")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Add a tenant owner" })).toHaveAttribute(
      "href",
      "/users/new?tenant=3&role=tenant_owner",
    );
    expect(screen.getByRole("link", { name: "show the users" })).toHaveAttribute("href", "/users?tenant=3");
  });

  it("deactivates and activates the tenant with PATCH is_active", async () => {
    const fetchMock = tenantApi();
    const { user } = renderApp("/tenants/3");
    await user.click(await screen.findByRole("button", { name: "Deactivate" }));
    expect(await screen.findByRole("button", { name: "Activate" })).toBeInTheDocument();
    expect(screen.getByText("Tenant deactivated. Its users cannot log in.")).toBeInTheDocument();
    expect(screen.getByText("Inactive")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Activate" }));
    expect(await screen.findByRole("button", { name: "Deactivate" })).toBeInTheDocument();
    expect(requests(fetchMock, "PATCH", DETAIL).map((call) => call.body)).toEqual([{ is_active: false }, { is_active: true }]);
  });

  it("shows the API's refusal to delete a tenant that still has users", async () => {
    const fetchMock = tenantApi(() => jsonResponse(400, { detail: "Cannot delete tenant with existing users." }));
    const { user, router } = renderApp("/tenants/3");
    await user.click(await screen.findByRole("button", { name: "Delete" }));
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByText("Delete the tenant “Acme”?")).toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Delete tenant" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("Cannot delete tenant with existing users.");
    expect(router.state.location.pathname).toBe("/tenants/3");
    expect(requests(fetchMock, "DELETE", DETAIL)).toHaveLength(1);
  });

  it("deletes an empty tenant after confirmation and returns to the list saying so", async () => {
    const fetchMock = tenantApi();
    const { user, router } = renderApp("/tenants/3");
    await user.click(await screen.findByRole("button", { name: "Delete" }));
    await user.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Cancel" }));
    expect(requests(fetchMock, "DELETE", DETAIL)).toHaveLength(0);

    await user.click(screen.getByRole("button", { name: "Delete" }));
    await user.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Delete tenant" }));
    expect(await screen.findByText("Tenant “Acme” deleted.")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/tenants");
    expect(requests(fetchMock, "DELETE", DETAIL)).toHaveLength(1);
  });

  it("saves edits with PATCH and shows field errors next to the fields", async () => {
    const fetchMock = tenantApi();
    const { user } = renderApp("/tenants/3");
    const name = await screen.findByLabelText("Name");
    await user.clear(name);
    await user.type(name, "Acme Corp");
    const website = screen.getByLabelText("Website");
    await user.clear(website);
    await user.type(website, "nope");
    await user.click(screen.getByRole("button", { name: "Save tenant" }));
    expect(await screen.findByLabelText("Website")).toHaveAccessibleDescription("Enter a valid URL.");

    await user.clear(screen.getByLabelText("Website"));
    await user.click(screen.getByRole("button", { name: "Save tenant" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Acme Corp" })).toBeInTheDocument();
    expect(screen.getByText("Tenant saved.")).toBeInTheDocument();
    expect(requests(fetchMock, "PATCH", DETAIL)[1]?.body).toEqual({
      name: "Acme Corp",
      slug: "acme",
      description: "Anvils",
      email: "ops@acme.test",
      url: "",
    });
    expect(screen.queryByLabelText("Active")).toBeNull(); // (de)activation has its own buttons
  });

  it("says Not found. for a tenant out of reach", async () => {
    fakeApi(ADMIN, () => undefined);
    renderApp("/tenants/99");
    expect(await screen.findByRole("alert")).toHaveTextContent("Not found.");
    await waitFor(() => expect(screen.getByRole("link", { name: "← Tenants" })).toBeInTheDocument());
  });
});
