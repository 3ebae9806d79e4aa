import { act, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderApp } from "../../test/helpers";
import { OWNER, ROOT, fakeApi, jsonResponse, lastQuery, makeTenant, page, requests } from "./testApi";

const ACME = makeTenant();
const GLOBEX = makeTenant({ id: 4, name: "Globex", slug: "globex", is_active: false, user_count: 0 });
const LIST = "/api/v1/tenants/";

describe("tenants list", () => {
  it("shows a page of tenants with links to them, and pages through the URL", async () => {
    const fetchMock = fakeApi(ROOT, (url) => {
      if (url.pathname !== LIST) return undefined;
      return url.searchParams.get("page") === "2"
        ? jsonResponse(200, page([GLOBEX], 21))
        : jsonResponse(200, page([ACME], 21));
    });
    const { user, router } = renderApp("/tenants");
    expect(screen.getByRole("status")).toBeInTheDocument(); // loading
    expect(await screen.findByRole("heading", { name: "Tenants" })).toBeInTheDocument();
    const table = await screen.findByRole("table", { name: "Tenants" });
    const acme = within(table).getByRole("link", { name: "Acme" });
    expect(acme).toHaveAttribute("href", "/tenants/3");
    const row = acme.closest("tr") as HTMLElement;
    expect(within(row).getByText("acme")).toBeInTheDocument();
    expect(within(row).getByText("Active")).toBeInTheDocument();
    expect(within(row).getByText("2026-01-02")).toBeInTheDocument();
    expect(screen.getByText("Page 1 of 2 (21 items)")).toBeInTheDocument();
    expect(lastQuery(fetchMock, LIST)).toMatchObject({ page: "1", page_size: "20" });

    await user.click(screen.getByRole("button", { name: "Next" }));
    const globex = await screen.findByRole("link", { name: "Globex" });
    expect(within(globex.closest("tr") as HTMLElement).getByText("Inactive")).toBeInTheDocument();
    expect(router.state.location.search).toBe("?page=2");
    expect(lastQuery(fetchMock, LIST).page).toBe("2");
  });

  it("sends search, status and ordering to the API, keeps them in the URL and returns to page 1", async () => {
    const fetchMock = fakeApi(ROOT, (url) => (url.pathname === LIST ? jsonResponse(200, page([ACME])) : undefined));
    const { user, router } = renderApp("/tenants?page=3");
    await screen.findByRole("table", { name: "Tenants" });
    expect(lastQuery(fetchMock, LIST).page).toBe("3");

    await user.type(screen.getByRole("searchbox", { name: "Search" }), "ac");
    await user.click(screen.getByRole("button", { name: "Search" }));
    await waitFor(() => expect(lastQuery(fetchMock, LIST)).toMatchObject({ search: "ac", page: "1" }));

    await user.selectOptions(screen.getByLabelText("Status"), "Inactive");
    await waitFor(() => expect(lastQuery(fetchMock, LIST)).toMatchObject({ search: "ac", is_active: "false" }));

    await user.selectOptions(screen.getByLabelText("Order by"), "Newest first");
    await waitFor(() => expect(lastQuery(fetchMock, LIST)).toMatchObject({ is_active: "false", ordering: "-created_at" }));
    expect(Object.fromEntries(new URLSearchParams(router.state.location.search))).toEqual({
      search: "ac",
      is_active: "false",
      ordering: "-created_at",
    });
  });

  it("reads its filters back from the URL (reload, back)", async () => {
    const fetchMock = fakeApi(ROOT, (url) => (url.pathname === LIST ? jsonResponse(200, page([ACME])) : undefined));
    renderApp("/tenants?search=glo&is_active=true&ordering=-name&page=2");
    await screen.findByRole("table", { name: "Tenants" });
    expect(lastQuery(fetchMock, LIST)).toEqual({ page: "2", page_size: "20", search: "glo", is_active: "true", ordering: "-name" });
    expect(screen.getByRole("searchbox", { name: "Search" })).toHaveValue("glo");
    expect(screen.getByLabelText("Status")).toHaveValue("true");
    expect(screen.getByLabelText("Order by")).toHaveValue("-name");
  });

  it("says when no tenant matches, and shows the API's error when the list fails", async () => {
    fakeApi(ROOT, (url) =>
      url.pathname === LIST
        ? url.searchParams.get("search") === "boom"
          ? jsonResponse(404, { detail: "Invalid page." })
          : jsonResponse(200, page([]))
        : undefined,
    );
    const { user } = renderApp("/tenants");
    expect(await screen.findByText("No tenants match.")).toBeInTheDocument();
    await user.type(screen.getByRole("searchbox", { name: "Search" }), "boom{Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent("Invalid page.");
  });

  it("is not offered to a tenant owner", async () => {
    const fetchMock = fakeApi(OWNER, () => undefined);
    renderApp("/tenants");
    expect(await screen.findByRole("heading", { name: "Not available" })).toBeInTheDocument();
    expect(requests(fetchMock, "GET", LIST)).toHaveLength(0);
  });
});

describe("new tenant", () => {
  it("opens from the list's button, creates the tenant and shows its page", async () => {
    const created = makeTenant({ id: 9, name: "Initech", slug: "initech", user_count: 0, email: null, url: "" });
    const fetchMock = fakeApi(ROOT, (url, init) => {
      if (url.pathname === LIST && init.method === "POST") return jsonResponse(201, created);
      if (url.pathname === LIST) return jsonResponse(200, page([ACME]));
      if (url.pathname === "/api/v1/tenants/9/") return jsonResponse(200, created);
      return undefined;
    });
    const { user, router } = renderApp("/tenants");
    await user.click(await screen.findByRole("button", { name: "New tenant" }));
    expect(await screen.findByRole("heading", { name: "New tenant" })).toBeInTheDocument();
    await user.type(screen.getByLabelText("Name"), "Initech");
    await user.type(screen.getByLabelText("Description"), "TPS reports");
    await user.click(screen.getByLabelText("Active"));
    await user.click(screen.getByRole("button", { name: "Create tenant" }));

    expect(await screen.findByRole("heading", { name: "Initech" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/tenants/9");
    expect(screen.getByText("Tenant “Initech” created.")).toBeInTheDocument();
    expect(requests(fetchMock, "POST", LIST)[0]?.body).toEqual({
      name: "Initech",
      description: "TPS reports",
      email: null,
      url: "",
      is_active: false,
    });
  });

  it("announces the creation once: not again on coming back to the page, nor after a reload", async () => {
    const created = makeTenant({ id: 9, name: "Initech", slug: "initech", user_count: 0 });
    fakeApi(ROOT, (url, init) => {
      if (url.pathname === LIST && init.method === "POST") return jsonResponse(201, created);
      if (url.pathname === LIST) return jsonResponse(200, page([ACME]));
      if (url.pathname === "/api/v1/tenants/9/") return jsonResponse(200, created);
      return undefined;
    });
    const { user, router } = renderApp("/tenants/new");
    await user.type(await screen.findByLabelText("Name"), "Initech");
    await user.click(screen.getByRole("button", { name: "Create tenant" }));
    expect(await screen.findByText("Tenant “Initech” created.")).toBeInTheDocument();
    // Shown, but no longer in the history entry that a reload would read again.
    await waitFor(() => expect(router.state.location.state).toBeNull());
    expect(screen.getByText("Tenant “Initech” created.")).toBeInTheDocument();

    await act(() => router.navigate("/tenants"));
    expect(await screen.findByRole("heading", { name: "Tenants" })).toBeInTheDocument();
    await act(() => router.navigate(-1));
    expect(await screen.findByRole("heading", { name: "Initech" })).toBeInTheDocument();
    expect(screen.queryByText("Tenant “Initech” created.")).toBeNull();
  });

  it("shows the API's field errors next to their fields", async () => {
    fakeApi(ROOT, (url, init) =>
      url.pathname === LIST && init.method === "POST"
        ? jsonResponse(400, { slug: ["tenant with this slug already exists."], email: ["Enter a valid email address."] })
        : undefined,
    );
    const { user } = renderApp("/tenants/new");
    await user.type(await screen.findByLabelText("Name"), "Acme");
    await user.type(screen.getByLabelText("Slug"), "acme");
    await user.type(screen.getByLabelText("E-mail"), "not-an-address");
    await user.click(screen.getByRole("button", { name: "Create tenant" }));
    expect(await screen.findByLabelText("Slug")).toHaveAccessibleDescription(
      "Leave empty to make it from the name. tenant with this slug already exists.",
    );
    expect(screen.getByLabelText("E-mail")).toHaveAccessibleDescription("Enter a valid email address.");
    expect(screen.getByLabelText("Slug")).toHaveAttribute("aria-invalid", "true");
  });

  it("asks for a name before calling the API", async () => {
    const fetchMock = fakeApi(ROOT, () => undefined);
    const { user } = renderApp("/tenants/new");
    await user.click(await screen.findByRole("button", { name: "Create tenant" }));
    expect(await screen.findByLabelText("Name")).toHaveAccessibleDescription("Enter a name.");
    expect(requests(fetchMock, "POST", LIST)).toHaveLength(0);
  });
});
