import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ALICE, META, jsonResponse, mockFetch, renderApp } from "../test/helpers";

describe("protected layout", () => {
  it("redirects to /login without a token, and returns to the page asked for after login", async () => {
    mockFetch((url) => {
      if (url.pathname === "/api/v1/meta/") return jsonResponse(200, META);
      if (url.pathname === "/api/v1/auth/login/") return jsonResponse(200, { key: "c".repeat(40), expires_at: "x", user: ALICE });
      if (url.pathname === "/api/v1/auth/user/") return jsonResponse(200, ALICE);
      return jsonResponse(404, { detail: "Not found." });
    });
    const { router, user } = renderApp("/?tab=1");
    expect(await screen.findByRole("heading", { name: "Sign in to WiWebb" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");

    await user.type(screen.getByLabelText("Username or e-mail"), "alice");
    await user.type(screen.getByLabelText("Password"), "correct horse");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await screen.findByRole("heading", { name: "Dashboard" });
    expect(router.state.location.pathname).toBe("/");
    expect(router.state.location.search).toBe("?tab=1");
  });

  it("shows the current user and role with a token", async () => {
    window.localStorage.setItem("auth_token", "d".repeat(40));
    const fetchMock = mockFetch(() => jsonResponse(200, { ...ALICE, role: "admin", tenant: null }));
    renderApp("/");
    expect(await screen.findByText("Welcome, Alice Liddell.")).toBeInTheDocument();
    expect(screen.getByText("Platform admin")).toBeInTheDocument();
    expect(screen.getByRole("main")).toBeInTheDocument();
    const headers = fetchMock.mock.calls[0]?.[1]?.headers as Record<string, string>;
    expect(headers.Authorization).toBe(`Token ${"d".repeat(40)}`);
  });

  it("returns to /login with the API's message when a call answers 401", async () => {
    window.localStorage.setItem("auth_token", "e".repeat(40));
    mockFetch((url) => {
      if (url.pathname === "/api/v1/meta/") return jsonResponse(200, META);
      return jsonResponse(401, { detail: "Invalid token." });
    });
    const { router } = renderApp("/");
    expect(await screen.findByText("Invalid token.")).toHaveAttribute("role", "status");
    expect(screen.getByRole("heading", { name: "Sign in to WiWebb" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
    expect(window.localStorage.getItem("auth_token")).toBeNull();
  });

  it("logs out: revokes the token, forgets it and returns to /login", async () => {
    window.localStorage.setItem("auth_token", "f".repeat(40));
    const fetchMock = mockFetch((url) => {
      if (url.pathname === "/api/v1/meta/") return jsonResponse(200, META);
      if (url.pathname === "/api/v1/auth/logout/") return jsonResponse(200, { detail: "Successfully logged out." });
      return jsonResponse(200, ALICE);
    });
    const { router, user } = renderApp("/");
    await user.click(await screen.findByRole("button", { name: "Log out" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Successfully logged out.");
    expect(router.state.location.pathname).toBe("/login");
    expect(window.localStorage.getItem("auth_token")).toBeNull();
    const call = fetchMock.mock.calls.find(([url]) => String(url).endsWith("/auth/logout/"));
    expect(call?.[1]?.body).toBeUndefined();
  });

  it("logs out everywhere with {all: true}", async () => {
    window.localStorage.setItem("auth_token", "g".repeat(40));
    const fetchMock = mockFetch((url) => {
      if (url.pathname === "/api/v1/meta/") return jsonResponse(200, META);
      if (url.pathname === "/api/v1/auth/logout/") return jsonResponse(200, { detail: "Successfully logged out." });
      return jsonResponse(200, ALICE);
    });
    const { user } = renderApp("/");
    await user.click(await screen.findByRole("button", { name: "Log out everywhere" }));
    expect(await screen.findByRole("status")).toHaveTextContent("You have been logged out on every device.");
    const call = fetchMock.mock.calls.find(([url]) => String(url).endsWith("/auth/logout/"));
    expect(JSON.parse(String(call?.[1]?.body))).toEqual({ all: true });
  });

  it("stays signed in and says why when logout fails", async () => {
    window.localStorage.setItem("auth_token", "h".repeat(40));
    mockFetch((url) => {
      if (url.pathname === "/api/v1/auth/logout/") return jsonResponse(503, { detail: "Service temporarily unavailable." });
      if (url.pathname === "/api/v1/dashboard/stats/") {
        return jsonResponse(200, { total_tenants: 1, total_users: 1, active_users: 1, active_subscriptions: 0, monthly_revenue: 0, series: [] });
      }
      return jsonResponse(200, ALICE);
    });
    const { user, router } = renderApp("/");
    await user.click(await screen.findByRole("button", { name: "Log out" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Service temporarily unavailable.");
    await waitFor(() => expect(router.state.location.pathname).toBe("/"));
    expect(window.localStorage.getItem("auth_token")).toBe("h".repeat(40));
  });
});
