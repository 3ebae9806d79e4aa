import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderApp } from "../../test/helpers";
import { OWNER, ROOT, fakeApi, jsonResponse, lastQuery, makeEntry, makeTenant, page, requests } from "./testApi";

const LOG = "/api/v1/audit-logs/";

function auditApi(me = ROOT) {
  return fakeApi(me, (url) => {
    if (url.pathname === "/api/v1/tenants/") return jsonResponse(200, page([makeTenant(), makeTenant({ id: 4, name: "Globex" })]));
    if (url.pathname !== LOG) return undefined;
    if (url.searchParams.get("action") === "tenant_deleted") return jsonResponse(200, page([]));
    if (url.searchParams.get("page") === "2") {
      return jsonResponse(200, page([makeEntry({ id: 2, action: "login_failed", actor: null, target: null, tenant: null, details: {} })], 21));
    }
    return jsonResponse(200, page([makeEntry()], 21));
  });
}

describe("audit log", () => {
  it("shows entries with actor, target, tenant and compact details, and pages", async () => {
    const fetchMock = auditApi();
    const { user } = renderApp("/audit-log");
    expect(await screen.findByRole("heading", { name: "Audit log" })).toBeInTheDocument();
    const table = await screen.findByRole("table", { name: "Audit log" });
    const row = within(within(table).getAllByRole("row")[1] as HTMLElement);
    expect(row.getByText("2026-11-28 17:34 UTC")).toBeInTheDocument();
    expect(row.getByText("user_created")).toBeInTheDocument();
    expect(row.getByText("alice (#7)")).toBeInTheDocument();
    expect(row.getByText("bob (#11)")).toBeInTheDocument();
    expect(await row.findByText("Acme")).toBeInTheDocument();
    expect(row.getByText("role: subscriber; invited: true")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Next" }));
    expect(await screen.findByRole("cell", { name: "login_failed" })).toBeInTheDocument();
    expect(lastQuery(fetchMock, LOG)).toEqual({ page: "2", page_size: "20" });
  });

  it("sends action, actor, target, tenant and the days as ISO bounds", async () => {
    const fetchMock = auditApi();
    const { user, router } = renderApp("/audit-log");
    await screen.findByRole("table", { name: "Audit log" });
    const action = screen.getByLabelText("Action");
    expect(within(action).getAllByRole("option")).toHaveLength(16); // "All actions" and 15 actions, plan changes included
    await user.selectOptions(action, "role_changed");
    await waitFor(() => expect(lastQuery(fetchMock, LOG).action).toBe("role_changed"));
    const tenant = screen.getByLabelText("Tenant");
    await within(tenant).findByRole("option", { name: "Globex" });
    await user.selectOptions(tenant, "Globex");
    await user.type(screen.getByLabelText("Actor (user id)"), "7");
    await user.type(screen.getByLabelText("Target (user id)"), "11");
    fireEvent.change(screen.getByLabelText("Since"), { target: { value: "2026-11-01" } });
    fireEvent.change(screen.getByLabelText("Until"), { target: { value: "2026-11-30" } });
    await user.click(screen.getByRole("button", { name: "Search" }));
    await waitFor(() =>
      expect(lastQuery(fetchMock, LOG)).toEqual({
        page: "1",
        page_size: "20",
        action: "role_changed",
        actor: "7",
        target: "11",
        tenant: "4",
        since: "2026-11-01T00:00:00Z",
        until: "2026-11-30T23:59:59.999999Z",
      }),
    );
    expect(Object.fromEntries(new URLSearchParams(router.state.location.search))).toEqual({
      action: "role_changed",
      tenant: "4",
      actor: "7",
      target: "11",
      since: "2026-11-01",
      until: "2026-11-30",
    });
  });

  it("reads its filters from the URL and says when no entry matches", async () => {
    const fetchMock = auditApi();
    renderApp("/audit-log?action=tenant_deleted&since=2026-01-05");
    expect(await screen.findByText("No entries match.")).toBeInTheDocument();
    expect(lastQuery(fetchMock, LOG)).toEqual({
      page: "1",
      page_size: "20",
      action: "tenant_deleted",
      since: "2026-01-05T00:00:00Z",
    });
    expect(screen.getByLabelText("Since")).toHaveValue("2026-01-05");
  });

  it("gives a tenant owner no tenant filter, and names their tenant", async () => {
    const fetchMock = auditApi(OWNER);
    renderApp("/audit-log?tenant=4");
    const table = await screen.findByRole("table", { name: "Audit log" });
    expect(screen.queryByLabelText("Tenant")).toBeNull();
    expect(within(table).getByText("Acme")).toBeInTheDocument();
    expect(lastQuery(fetchMock, LOG).tenant).toBeUndefined();
    expect(requests(fetchMock, "GET", "/api/v1/tenants/")).toHaveLength(0);
  });

  it("shows the API's message for a bad filter", async () => {
    fakeApi(OWNER, (url) => (url.pathname === LOG ? jsonResponse(400, { since: ["Enter a valid date/time."] }) : undefined));
    renderApp("/audit-log?since=yesterday");
    expect(await screen.findByRole("alert")).toHaveTextContent("since: Enter a valid date/time.");
  });
});
