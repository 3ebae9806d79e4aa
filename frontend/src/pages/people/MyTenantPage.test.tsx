import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { mockFetch, renderApp } from "../../test/helpers";
import { ADMIN, OWNER, fakeApi, jsonResponse, makeTenant, requests } from "./testApi";

const ME = "/api/v1/tenants/me/";

describe("my tenant", () => {
  it("shows slug and status read-only and saves name, description, e-mail and website", async () => {
    const tenant = makeTenant();
    const fetchMock = fakeApi(OWNER, (url, init) => {
      if (url.pathname !== ME) return undefined;
      if (init.method === "PATCH") return jsonResponse(200, { ...tenant, ...(JSON.parse(String(init.body)) as object) });
      return jsonResponse(200, tenant);
    });
    const { user } = renderApp("/my-tenant");
    expect(await screen.findByRole("heading", { name: "My tenant" })).toBeInTheDocument();
    const name = await screen.findByLabelText("Name");
    expect(name).toHaveValue("Acme");
    expect(screen.getByText("acme")).toBeInTheDocument();
    expect(screen.getByText("Active")).toBeInTheDocument();
    expect(screen.queryByLabelText("Slug")).toBeNull();
    expect(screen.queryByLabelText("Active")).toBeNull();

    await user.clear(name);
    await user.type(name, "Acme Anvils");
    await user.clear(screen.getByLabelText("E-mail"));
    await user.click(screen.getByRole("button", { name: "Save tenant" }));
    expect(await screen.findByText("Tenant saved.")).toBeInTheDocument();
    expect(requests(fetchMock, "PATCH", ME)[0]?.body).toEqual({
      name: "Acme Anvils",
      description: "Anvils",
      email: null,
      url: "https://acme.test",
    });
  });

  it("renames the tenant everywhere the signed-in user's tenant is shown", async () => {
    let tenant = makeTenant();
    window.localStorage.setItem("auth_token", "f".repeat(40));
    mockFetch((url, init) => {
      if (url.pathname === "/api/v1/auth/user/") {
        return jsonResponse(200, { ...OWNER, tenant: { id: tenant.id, uuid: tenant.uuid, name: tenant.name, slug: tenant.slug } });
      }
      if (url.pathname === ME && init.method === "PATCH") {
        tenant = { ...tenant, ...(JSON.parse(String(init.body)) as object) };
        return jsonResponse(200, tenant);
      }
      if (url.pathname === ME) return jsonResponse(200, tenant);
      if (url.pathname === "/api/v1/dashboard/stats/") {
        return jsonResponse(200, { total_tenants: 1, total_users: 2, active_users: 2, active_subscriptions: 0, monthly_revenue: 0, series: [] });
      }
      return jsonResponse(404, { detail: "Not found." });
    });
    const { user } = renderApp("/my-tenant");
    const name = await screen.findByLabelText("Name");
    await user.clear(name);
    await user.type(name, "Acme Anvils");
    await user.click(screen.getByRole("button", { name: "Save tenant" }));
    expect(await screen.findByText("Tenant saved.")).toBeInTheDocument();
    await user.click(screen.getByRole("link", { name: "Dashboard" }));
    expect(await screen.findByRole("heading", { name: "Dashboard" })).toBeInTheDocument();
    const tenantFact = screen.getByText("Tenant", { selector: "dt" }).nextElementSibling;
    await waitFor(() => expect(tenantFact).toHaveTextContent("Acme Anvils"));
  });

  it("shows the API's field errors next to the fields", async () => {
    fakeApi(OWNER, (url, init) => {
      if (url.pathname !== ME) return undefined;
      if (init.method === "PATCH") return jsonResponse(400, { name: ["This field may not be blank."] });
      return jsonResponse(200, makeTenant());
    });
    const { user } = renderApp("/my-tenant");
    await user.type(await screen.findByLabelText("Name"), " 2");
    await user.click(screen.getByRole("button", { name: "Save tenant" }));
    expect(await screen.findByLabelText("Name")).toHaveAccessibleDescription("This field may not be blank.");
  });

  it("shows the API's refusal when the tenant cannot be read", async () => {
    fakeApi(OWNER, (url) =>
      url.pathname === ME ? jsonResponse(403, { detail: "Only TenantOwner with a tenant can access this endpoint." }) : undefined,
    );
    renderApp("/my-tenant");
    expect(await screen.findByRole("alert")).toHaveTextContent("Only TenantOwner with a tenant can access this endpoint.");
  });

  it("is only for tenant owners", async () => {
    const fetchMock = fakeApi(ADMIN, () => undefined);
    renderApp("/my-tenant");
    expect(await screen.findByRole("heading", { name: "Not available" })).toBeInTheDocument();
    expect(requests(fetchMock, "GET", ME)).toHaveLength(0);
  });
});
