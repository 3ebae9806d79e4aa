import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { queryKeys, type User } from "../../api";
import { ALICE, META, jsonResponse, mockFetch, renderApp } from "../../test/helpers";

const THIS_DEVICE = {
  id: 4,
  created: "2026-11-20T10:00:00Z",
  last_used: "2026-11-28T17:00:00Z",
  expires_at: "2026-11-27T10:00:00Z",
  user_agent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/131",
  prefix: "a1b2c3d4",
  current: true,
};
const PHONE = { ...THIS_DEVICE, id: 5, user_agent: "WiWebbMobile/2.1 (Android 15)", prefix: "e5f6a7b8", current: false, last_used: null };

type Handler = (url: URL, init: RequestInit) => Response | undefined;

/** The signed-in Alice with two devices; `extra` answers the calls a test is about. */
function profileApi(extra: Handler = () => undefined) {
  window.localStorage.setItem("auth_token", "a1b2c3d4".padEnd(40, "0"));
  let devices = [THIS_DEVICE, PHONE];
  return mockFetch((url, init) => {
    const answer = extra(url, init);
    if (answer) return answer;
    if (url.pathname === "/api/v1/meta/") return jsonResponse(200, META);
    if (url.pathname === "/api/v1/auth/user/") return jsonResponse(200, ALICE);
    if (url.pathname === "/api/v1/auth/tokens/") return jsonResponse(200, devices);
    const revoked = /\/auth\/tokens\/(\d+)\/$/.exec(url.pathname);
    if (revoked && init.method === "DELETE") {
      devices = devices.filter((device) => device.id !== Number(revoked[1]));
      return new Response(null, { status: 204 });
    }
    return jsonResponse(404, { detail: "Not found." });
  });
}

function calls(fetchMock: ReturnType<typeof mockFetch>, path: string, method = "GET") {
  return fetchMock.mock.calls.filter(([url, init]) => new URL(String(url)).pathname === path && (init?.method ?? "GET") === method);
}

describe("profile page", () => {
  it("shows username and e-mail read-only and saves the profile fields, updating the current user", async () => {
    const saved: User = { ...ALICE, first_name: "Alicia", bio: "Down the rabbit hole.", birth_date: "1990-05-04" };
    const fetchMock = profileApi((url, init) =>
      url.pathname === "/api/v1/auth/user/" && init.method === "PATCH" ? jsonResponse(200, saved) : undefined,
    );
    const { user, queryClient } = renderApp("/profile");
    expect(await screen.findByRole("heading", { name: "Profile", level: 1 })).toBeInTheDocument();
    expect(screen.getByText("alice@acme.test")).toBeInTheDocument();
    expect(screen.queryByRole("textbox", { name: /E-mail|Username/ })).toBeNull();

    const firstName = await screen.findByLabelText("First name");
    expect(firstName).toHaveValue("Alice");
    await user.clear(firstName);
    await user.type(firstName, "Alicia");
    await user.type(screen.getByLabelText("Bio"), "Down the rabbit hole.");
    await user.type(screen.getByLabelText("Birth date"), "1990-05-04");
    await user.click(screen.getByRole("button", { name: "Save profile" }));

    expect(await screen.findByText("Your profile has been saved.")).toBeInTheDocument();
    const [patch] = calls(fetchMock, "/api/v1/auth/user/", "PATCH");
    expect(JSON.parse(String(patch?.[1]?.body))).toEqual({
      first_name: "Alicia",
      last_name: "Liddell",
      phone_number: "",
      bio: "Down the rabbit hole.",
      url: "",
      company: "",
      location: "",
      birth_date: "1990-05-04",
    });
    expect(queryClient.getQueryData<User>(queryKeys.currentUser)?.first_name).toBe("Alicia");
  });

  it("shows the API's field errors next to the fields and detail above", async () => {
    profileApi((url, init) =>
      url.pathname === "/api/v1/auth/user/" && init.method === "PATCH"
        ? jsonResponse(400, { url: ["Enter a valid URL."], birth_date: ["Date has wrong format."], detail: "Check the fields." })
        : undefined,
    );
    const { user } = renderApp("/profile");
    await user.type(await screen.findByLabelText("Website"), "not a url");
    await user.click(screen.getByRole("button", { name: "Save profile" }));
    expect(await screen.findByText("Enter a valid URL.")).toBeInTheDocument();
    expect(screen.getByLabelText("Website")).toHaveAccessibleDescription(/Enter a valid URL\./);
    expect(screen.getByLabelText("Birth date")).toHaveAccessibleDescription("Date has wrong format.");
    expect(screen.getByRole("alert")).toHaveTextContent("Check the fields.");
  });

  it("changes the password and rereads the devices (the others are signed out)", async () => {
    const fetchMock = profileApi((url) =>
      url.pathname === "/api/v1/auth/password/change/" ? jsonResponse(200, { detail: "New password has been saved." }) : undefined,
    );
    const { user } = renderApp("/profile");
    expect(await screen.findByRole("heading", { name: "Change password" })).toBeInTheDocument();
    await screen.findByText("e5f6a7b8…");
    await user.type(screen.getByLabelText("Current password"), "old-password");
    await user.type(screen.getByLabelText("New password"), "new-password-1");
    await user.type(screen.getByLabelText("Confirm new password"), "new-password-1");
    await user.click(screen.getByRole("button", { name: "Change password" }));

    expect(await screen.findByText(/New password has been saved\./)).toBeInTheDocument();
    const [change] = calls(fetchMock, "/api/v1/auth/password/change/", "POST");
    expect(JSON.parse(String(change?.[1]?.body))).toEqual({
      old_password: "old-password",
      new_password1: "new-password-1",
      new_password2: "new-password-1",
    });
    expect(screen.getByLabelText("Current password")).toHaveValue("");
    await waitFor(() => expect(calls(fetchMock, "/api/v1/auth/tokens/").length).toBe(2));
  });

  it("shows a wrong current password next to its field", async () => {
    profileApi((url) =>
      url.pathname === "/api/v1/auth/password/change/"
        ? jsonResponse(400, { old_password: ["Your old password was entered incorrectly. Please enter it again."] })
        : undefined,
    );
    const { user } = renderApp("/profile");
    await user.type(await screen.findByLabelText("Current password"), "wrong");
    await user.type(screen.getByLabelText("New password"), "new-password-1");
    await user.type(screen.getByLabelText("Confirm new password"), "new-password-1");
    await user.click(screen.getByRole("button", { name: "Change password" }));
    expect(await screen.findByText("Your old password was entered incorrectly. Please enter it again.")).toBeInTheDocument();
    expect(screen.getByLabelText("Current password")).toHaveAttribute("aria-invalid", "true");
  });

  it("lists the devices and revokes another one after confirmation", async () => {
    const fetchMock = profileApi();
    const { user } = renderApp("/profile");
    const devices = within(await screen.findByRole("region", { name: "Devices" }));
    const phoneRow = (await devices.findByText("e5f6a7b8…")).closest("tr") as HTMLElement;
    const thisRow = devices.getByText("a1b2c3d4…").closest("tr") as HTMLElement;
    expect(within(thisRow).getByText("This device")).toBeInTheDocument();
    expect(within(phoneRow).queryByText("This device")).toBeNull();
    expect(within(phoneRow).getByText("WiWebbMobile/2.1 (Android 15)")).toBeInTheDocument();

    await user.click(within(phoneRow).getByRole("button", { name: "Revoke" }));
    const dialog = await screen.findByRole("dialog", { name: "Revoke this device?" });
    expect(calls(fetchMock, "/api/v1/auth/tokens/5/", "DELETE")).toHaveLength(0);
    await user.click(within(dialog).getByRole("button", { name: "Revoke" }));

    expect(await screen.findByText("The device with key e5f6a7b8… has been signed out.")).toBeInTheDocument();
    expect(calls(fetchMock, "/api/v1/auth/tokens/5/", "DELETE")).toHaveLength(1);
    await waitFor(() => expect(screen.queryByText("e5f6a7b8…")).toBeNull());
    expect(window.localStorage.getItem("auth_token")).not.toBeNull();
  });

  it("revoking this device logs out", async () => {
    const fetchMock = profileApi();
    const { user, router } = renderApp("/profile");
    const thisRow = (await screen.findByText("a1b2c3d4…")).closest("tr") as HTMLElement;
    await user.click(within(thisRow).getByRole("button", { name: "Revoke" }));
    await user.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Revoke" }));

    expect(await screen.findByRole("heading", { name: "Sign in to WiWebb" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
    expect(screen.getByText("You have been logged out on this device.")).toBeInTheDocument();
    expect(window.localStorage.getItem("auth_token")).toBeNull();
    expect(calls(fetchMock, "/api/v1/auth/tokens/4/", "DELETE")).toHaveLength(1);
  });
});
