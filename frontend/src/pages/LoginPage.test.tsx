import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ALICE, META, jsonResponse, mockFetch, renderApp } from "../test/helpers";

function loginApi(loginAnswer: () => Response, meta = META) {
  return mockFetch((url) => {
    if (url.pathname === "/api/v1/meta/") return jsonResponse(200, meta);
    if (url.pathname === "/api/v1/auth/login/") return loginAnswer();
    if (url.pathname === "/api/v1/auth/user/") return jsonResponse(200, ALICE);
    return jsonResponse(404, { detail: "Not found." });
  });
}

describe("login page", () => {
  it("shows the API's field errors next to their fields and non_field_errors above", async () => {
    loginApi(() =>
      jsonResponse(400, {
        username: ["Ensure this field has no more than 150 characters."],
        password: ["This field may not be blank."],
        non_field_errors: ["Unable to log in with provided credentials."],
      }),
    );
    const { user } = renderApp("/login");
    await user.type(screen.getByLabelText("Username or e-mail"), "alice");
    await user.type(screen.getByLabelText("Password"), "wrong-password");
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByLabelText("Username or e-mail")).toHaveAccessibleDescription(
      "Ensure this field has no more than 150 characters.",
    );
    expect(screen.getByLabelText("Password")).toHaveAccessibleDescription("This field may not be blank.");
    expect(screen.getByLabelText("Password")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByRole("alert")).toHaveTextContent("Unable to log in with provided credentials.");
    expect(window.localStorage.getItem("auth_token")).toBeNull();
  });

  it("shows non_field_errors above the form when the credentials are wrong", async () => {
    loginApi(() => jsonResponse(400, { non_field_errors: ["Unable to log in with provided credentials."] }));
    const { user } = renderApp("/login");
    await user.type(screen.getByLabelText("Username or e-mail"), "alice");
    await user.type(screen.getByLabelText("Password"), "wrong-password");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Unable to log in with provided credentials.");
  });

  it("checks the fields before calling the API", async () => {
    const fetchMock = loginApi(() => jsonResponse(500, {}));
    const { user } = renderApp("/login");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("Enter your username or e-mail address.")).toBeInTheDocument();
    expect(screen.getByText("Enter your password.")).toBeInTheDocument();
    expect(fetchMock.mock.calls.some(([url]) => String(url).includes("/auth/login/"))).toBe(false);
  });

  it("stores the token, sends the identifier as username and opens the dashboard", async () => {
    const fetchMock = loginApi(() => jsonResponse(200, { key: "a".repeat(40), expires_at: "2026-12-05T00:00:00Z", user: ALICE }));
    const { user, router } = renderApp("/login");
    await user.type(screen.getByLabelText("Username or e-mail"), "alice@acme.test");
    await user.type(screen.getByLabelText("Password"), "correct horse");
    await user.keyboard("{Enter}");

    expect(await screen.findByRole("heading", { name: "Dashboard" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/");
    expect(window.localStorage.getItem("auth_token")).toBe("a".repeat(40));
    expect(screen.getByText("Tenant owner")).toBeInTheDocument();
    const loginCall = fetchMock.mock.calls.find(([url]) => String(url).includes("/auth/login/"));
    expect(JSON.parse(String(loginCall?.[1]?.body))).toEqual({ username: "alice@acme.test", password: "correct horse" });
  });

  it("shows the wait from Retry-After on 429 and holds the button until then", async () => {
    loginApi(() =>
      jsonResponse(429, { detail: "Request was throttled. Expected available in 60 seconds." }, { "Retry-After": "60" }),
    );
    const { user } = renderApp("/login");
    await user.type(screen.getByLabelText("Username or e-mail"), "alice");
    await user.type(screen.getByLabelText("Password"), "whatever1");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Too many requests. Try again in 60 seconds.");
    expect(screen.getByRole("button", { name: /Wait \d+ seconds/ })).toBeDisabled();
  });

  it("links to registration only when meta says it is open", async () => {
    loginApi(() => jsonResponse(500, {}), { ...META, registration_open: true });
    const open = renderApp("/login");
    expect(await open.findByRole("link", { name: "Create one" })).toHaveAttribute("href", "/register");
    open.unmount();

    loginApi(() => jsonResponse(500, {}), { ...META, registration_open: false, version: "9.9.9" });
    const closed = renderApp("/login");
    expect(await closed.findByText("API version 9.9.9")).toBeInTheDocument();
    expect(closed.queryByRole("link", { name: "Create one" })).toBeNull();
  });

  it("sends a signed-in visitor on to the dashboard", async () => {
    window.localStorage.setItem("auth_token", "b".repeat(40));
    loginApi(() => jsonResponse(500, {}));
    const { router } = renderApp("/login");
    expect(await screen.findByRole("heading", { name: "Dashboard" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/");
  });
});
