import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderApp } from "../../test/helpers";
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
