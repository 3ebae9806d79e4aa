import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { META, jsonResponse, mockFetch, renderApp } from "../../test/helpers";

function resetApi(answer: () => Response) {
  return mockFetch((url) => {
    if (url.pathname === "/api/v1/meta/") return jsonResponse(200, META);
    if (url.pathname === "/api/v1/auth/password/reset/") return answer();
    return jsonResponse(404, { detail: "Not found." });
  });
}

describe("password reset request page", () => {
  it("is linked from the login page", async () => {
    resetApi(() => jsonResponse(500, {}));
    const { user, router } = renderApp("/login");
    await user.click(screen.getByRole("link", { name: "Forgot your password?" }));
    expect(await screen.findByRole("heading", { name: "Reset your password" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/forgot-password");
  });

  it("sends the address and shows the API's answer", async () => {
    const fetchMock = resetApi(() => jsonResponse(200, { detail: "Password reset e-mail has been sent." }));
    const { user } = renderApp("/forgot-password");
    await user.type(screen.getByLabelText("E-mail"), "alice@acme.test");
    await user.click(screen.getByRole("button", { name: "Send reset link" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Password reset e-mail has been sent.");
    expect(screen.queryByRole("button", { name: "Send reset link" })).toBeNull();
    const call = fetchMock.mock.calls.find(([url]) => String(url).endsWith("/auth/password/reset/"));
    expect(JSON.parse(String(call?.[1]?.body))).toEqual({ email: "alice@acme.test" });
  });

  it("shows a field error next to the field and the 429 wait above", async () => {
    let answer = jsonResponse(400, { email: ["Enter a valid email address."] });
    resetApi(() => answer);
    const { user } = renderApp("/forgot-password");
    await user.type(screen.getByLabelText("E-mail"), "not-an-address");
    await user.click(screen.getByRole("button", { name: "Send reset link" }));
    expect(await screen.findByText("Enter a valid email address.")).toBeInTheDocument();
    expect(screen.getByLabelText("E-mail")).toHaveAccessibleDescription("Enter a valid email address.");

    answer = jsonResponse(429, { detail: "Request was throttled. Expected available in 30 seconds." }, { "Retry-After": "30" });
    await user.click(screen.getByRole("button", { name: "Send reset link" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Too many requests. Try again in 30 seconds.");
    expect(screen.getByRole("button", { name: /Wait \d+ seconds/ })).toBeDisabled();
  });
});
