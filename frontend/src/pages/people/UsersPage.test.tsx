import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderApp } from "../../test/helpers";
import { BOB, OWNER, ROOT, fakeApi, jsonResponse, lastQuery, makeTenant, makeUser, page, requests } from "./testApi";

const LIST = "/api/v1/users/";
const TENANTS = "/api/v1/tenants/";
const CAROL = makeUser({ id: 12, username: "carol", first_name: "", last_name: "", is_active: false, role: "subscriber" });

function usersApi(me = ROOT) {
  return fakeApi(me, (url) => {
    if (url.pathname === TENANTS) {
      return jsonResponse(200, page([makeTenant(), makeTenant({ id: 4, name: "Globex", slug: "globex" })]));
    }
    if (url.pathname !== LIST) return undefined;
    if (url.searchParams.get("search") === "nobody") return jsonResponse(200, page([]));
    return url.searchParams.get("page") === "2" ? jsonResponse(200, page([CAROL], 22)) : jsonResponse(200, page([BOB, OWNER], 22));
  });
}

describe("users list", () => {
  it("shows a page of users with links, status, role and tenant, and pages", async () => {
    const fetchMock = usersApi();
    const { user, router } = renderApp("/users");
    expect(await screen.findByRole("heading", { name: "Users" })).toBeInTheDocument();
    const table = await screen.findByRole("table", { name: "Users" });
    const bob = within(table).getByRole("link", { name: "bob" });
    expect(bob).toHaveAttribute("href", "/users/11");
    const row = within(bob.closest("tr") as HTMLElement);
    expect(row.getByText("Bob Builder")).toBeInTheDocument();
    expect(row.getByText("bob@acme.test")).toBeInTheDocument();
    expect(row.getByText("Subscriber")).toBeInTheDocument();
    expect(row.getByText("Acme")).toBeInTheDocument();
    expect(row.getByText("Active")).toBeInTheDocument();
    expect(row.getByText("Never")).toBeInTheDocument();
    const alice = within(within(table).getByRole("link", { name: "alice" }).closest("tr") as HTMLElement);
    expect(alice.getByText("2026-11-28 17:34 UTC")).toBeInTheDocument();
    expect(alice.getByText("Tenant owner")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Next" }));
    const carol = await screen.findByRole("link", { name: "carol" });
    expect(within(carol.closest("tr") as HTMLElement).getByText("Inactive")).toBeInTheDocument();
    expect(router.state.location.search).toBe("?page=2");
    expect(lastQuery(fetchMock, LIST)).toMatchObject({ page: "2", page_size: "20" });
  });

  it("sends the tenant, role, status, search and ordering filters to the API", async () => {
    const fetchMock = usersApi();
    const { user, router } = renderApp("/users");
    await screen.findByRole("table", { name: "Users" });
    const tenant = screen.getByLabelText("Tenant");
    await within(tenant).findByRole("option", { name: "Globex" });
    await user.selectOptions(tenant, "Globex");
    await waitFor(() => expect(lastQuery(fetchMock, LIST).tenant).toBe("4"));
    await user.selectOptions(screen.getByLabelText("Role"), "Tenant owner");
    await user.selectOptions(screen.getByLabelText("Status"), "Inactive");
    await user.selectOptions(screen.getByLabelText("Order by"), "Last login, latest first");
    await user.type(screen.getByRole("searchbox", { name: "Search" }), "bo");
    await user.click(screen.getByRole("button", { name: "Search" }));
    await waitFor(() =>
      expect(lastQuery(fetchMock, LIST)).toEqual({
        page: "1",
        page_size: "20",
        tenant: "4",
        role: "tenant_owner",
        is_active: "false",
        search: "bo",
        ordering: "-last_login",
      }),
    );
    expect(new URLSearchParams(router.state.location.search).get("role")).toBe("tenant_owner");
    // The tenant select is fed by the tenants list, asked for in big pages by name.
    expect(requests(fetchMock, "GET", TENANTS)[0]?.query).toEqual({ page_size: "100", ordering: "name" });
  });

  it("starts from the filters in the URL (a tenant page's link to its users)", async () => {
    const fetchMock = usersApi();
    renderApp("/users?tenant=3&ordering=username");
    await screen.findByRole("table", { name: "Users" });
    expect(lastQuery(fetchMock, LIST)).toEqual({ page: "1", page_size: "20", tenant: "3", ordering: "username" });
    await waitFor(() => expect(screen.getByLabelText("Tenant")).toHaveValue("3"));
  });

  it("gives a tenant owner no tenant filter, and says when nobody matches", async () => {
    const fetchMock = usersApi(OWNER);
    const { user } = renderApp("/users?tenant=4");
    await screen.findByRole("table", { name: "Users" });
    expect(screen.queryByLabelText("Tenant")).toBeNull();
    expect(lastQuery(fetchMock, LIST).tenant).toBeUndefined();
    expect(requests(fetchMock, "GET", TENANTS)).toHaveLength(0);
    expect(within(screen.getByLabelText("Role")).queryByRole("option", { name: "Super admin" })).toBeNull();

    await user.type(screen.getByRole("searchbox", { name: "Search" }), "nobody{Enter}");
    expect(await screen.findByText("No users match.")).toBeInTheDocument();
  });

  it("shows the API's message when the list fails", async () => {
    fakeApi(OWNER, (url) => (url.pathname === LIST ? jsonResponse(400, { role: ['"x" is not a valid choice.'] }) : undefined));
    renderApp("/users?role=x");
    expect(await screen.findByRole("alert")).toHaveTextContent('role: "x" is not a valid choice.');
  });
});
