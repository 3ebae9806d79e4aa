import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ALICE, META, jsonResponse, mockFetch, renderApp } from "../../test/helpers";

const BOB = { ...ALICE, id: 9, username: "bob", email: "bob@example.test", first_name: "Bob", last_name: "", role: "subscriber", tenant: null };

function registrationApi(answer: () => Response, meta = META) {
  return mockFetch((url) => {
    if (url.pathname === "/api/v1/meta/") return jsonResponse(200, meta);
    if (url.pathname === "/api/v1/auth/registration/") return answer();
    if (url.pathname === "/api/v1/auth/user/") return jsonResponse(200, BOB);
    return jsonResponse(404, { detail: "Not found." });
  });
}

async function fillIn(user: ReturnType<typeof renderApp>["user"], password2 = "long-enough-pw") {
  await user.type(await screen.findByLabelText("Username"), "bob");
  await user.type(screen.getByLabelText("E-mail"), "bob@example.test");
  await user.type(screen.getByLabelText("Password"), "long-enough-pw");
  await user.type(screen.getByLabelText("Confirm password"), password2);
}

describe("registration page", () => {
  it("creates the account, stores the token and opens the dashboard", async () => {
    const fetchMock = registrationApi(() => jsonResponse(201, { key: "r".repeat(40), expires_at: "x", user: BOB }));
    const { user, router } = renderApp("/register");
    expect(await screen.findByRole("heading", { name: "Create an account" })).toBeInTheDocument();
    expect(await screen.findByLabelText("Password")).toHaveAccessibleDescription(/At least 8 characters/);
    await fillIn(user);
    await user.type(screen.getByLabelText("First name"), "Bob");
    await user.click(screen.getByRole("button", { name: "Create account" }));

    expect(await screen.findByRole("heading", { name: "Dashboard" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/");
    expect(window.localStorage.getItem("auth_token")).toBe("r".repeat(40));
    const call = fetchMock.mock.calls.find(([url]) => String(url).endsWith("/auth/registration/"));
    expect(JSON.parse(String(call?.[1]?.body))).toEqual({
      username: "bob",
      email: "bob@example.test",
      password1: "long-enough-pw",
      password2: "long-enough-pw",
      first_name: "Bob",
      last_name: "",
    });
  });

  it("shows the API's field errors next to their fields", async () => {
    registrationApi(() =>
      jsonResponse(400, {
        username: ["A user with that username already exists."],
        password1: ["This password is too common."],
      }),
    );
    const { user } = renderApp("/register");
    await fillIn(user);
    await user.click(screen.getByRole("button", { name: "Create account" }));
    expect(await screen.findByLabelText("Username")).toHaveAccessibleDescription("A user with that username already exists.");
    expect(screen.getByLabelText("Password")).toHaveAccessibleDescription(/This password is too common\./);
    expect(screen.getByLabelText("Password")).toHaveAttribute("aria-invalid", "true");
    expect(window.localStorage.getItem("auth_token")).toBeNull();
  });

  it("shows non_field_errors above the form", async () => {
    registrationApi(() => jsonResponse(400, { non_field_errors: ["The two password fields didn't match."] }));
    const { user } = renderApp("/register");
    await fillIn(user, "something-else");
    await user.click(screen.getByRole("button", { name: "Create account" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The two password fields didn't match.");
  });

  it("says registration is closed when meta says so, and offers no form", async () => {
    const fetchMock = registrationApi(() => jsonResponse(500, {}), { ...META, registration_open: false });
    renderApp("/register");
    expect(await screen.findByText(/Registration is closed\./)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Create account" })).toBeNull();
    expect(screen.queryByLabelText("Username")).toBeNull();
    expect(fetchMock.mock.calls.some(([url]) => String(url).includes("/registration/"))).toBe(false);
  });

  it("shows the API's refusal when registration closed meanwhile", async () => {
    registrationApi(() => jsonResponse(403, { detail: "Registration is closed." }));
    const { user } = renderApp("/register");
    await fillIn(user);
    await user.click(screen.getByRole("button", { name: "Create account" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Registration is closed.");
  });
});
