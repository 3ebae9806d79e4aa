import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { META, jsonResponse, mockFetch, renderApp } from "../../test/helpers";

function confirmApi(answer: () => Response) {
  return mockFetch((url) => {
    if (url.pathname === "/api/v1/meta/") return jsonResponse(200, META);
    if (url.pathname === "/api/v1/auth/password/reset/confirm/") return answer();
    return jsonResponse(404, { detail: "Not found." });
  });
}

async function choose(user: ReturnType<typeof renderApp>["user"], second = "brand-new-pw") {
  await user.type(screen.getByLabelText("New password"), "brand-new-pw");
  await user.type(screen.getByLabelText("Confirm new password"), second);
  await user.click(screen.getByRole("button", { name: "Set new password" }));
}

describe("reset password page", () => {
  it.each(["/reset-password/Nw/abc-123/", "/reset-password/Nw/abc-123"])(
    "sets the password with the link's uid and token (%s)",
    async (path) => {
      window.localStorage.setItem("auth_token", "old".padEnd(40, "0"));
      const fetchMock = confirmApi(() => jsonResponse(200, { detail: "Password has been reset with the new password." }));
      const { user } = renderApp(path);
      expect(await screen.findByRole("heading", { name: "Choose a new password" })).toBeInTheDocument();
      await choose(user);
      expect(await screen.findByRole("status")).toHaveTextContent("Password has been reset with the new password.");
      expect(screen.getByRole("link", { name: "Sign in with your new password" })).toHaveAttribute("href", "/login");
      // The API revoked every token of the user: this browser's is forgotten too.
      expect(window.localStorage.getItem("auth_token")).toBeNull();
      const call = fetchMock.mock.calls.find(([url]) => String(url).endsWith("/reset/confirm/"));
      expect(JSON.parse(String(call?.[1]?.body))).toEqual({
        uid: "Nw",
        token: "abc-123",
        new_password1: "brand-new-pw",
        new_password2: "brand-new-pw",
      });
      expect((call?.[1]?.headers as Record<string, string>).Authorization).toBeUndefined();
    },
  );

  it("says the link is invalid or expired, with the API's text and a way to ask again", async () => {
    confirmApi(() => jsonResponse(400, { token: ["Invalid value"] }));
    const { user } = renderApp("/reset-password/Nw/used-token/");
    await choose(user);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("This reset link is invalid or has expired; ask for a new one.");
    expect(alert).toHaveTextContent("token: Invalid value");
    expect(screen.getByRole("link", { name: "Ask for a new reset link" })).toHaveAttribute("href", "/forgot-password");
  });

  it("shows the mismatch next to the confirmation field", async () => {
    confirmApi(() => jsonResponse(400, { new_password2: ["The two password fields didn\u2019t match."] }));
    const { user } = renderApp("/reset-password/Nw/abc-123/");
    await choose(user, "other-password");
    expect(await screen.findByText("The two password fields didn\u2019t match.")).toBeInTheDocument();
    expect(screen.getByLabelText("Confirm new password")).toHaveAccessibleDescription("The two password fields didn\u2019t match.");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("shows detail above the form", async () => {
    confirmApi(() => jsonResponse(503, { detail: "Service temporarily unavailable." }));
    const { user } = renderApp("/reset-password/Nw/abc-123/");
    await choose(user);
    expect(await screen.findByRole("alert")).toHaveTextContent("Service temporarily unavailable.");
    expect(screen.queryByText(/This reset link is invalid/)).toBeNull();
  });
});
