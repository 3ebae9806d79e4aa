import { describe, expect, it } from "vitest";
import { ALICE, jsonResponse, mockFetch } from "../test/helpers";
import {
  changePassword,
  confirmPasswordReset,
  listTokens,
  register,
  requestPasswordReset,
  revokeToken,
  updateProfile,
} from "./accounts";
import { getToken, setToken } from "./token";

function call(fetchMock: ReturnType<typeof mockFetch>, index = 0) {
  const [url, init] = fetchMock.mock.calls[index] ?? [];
  const headers = (init?.headers ?? {}) as Record<string, string>;
  return {
    path: new URL(String(url)).pathname,
    method: init?.method,
    body: init?.body === undefined ? undefined : (JSON.parse(String(init.body)) as unknown),
    authorization: headers.Authorization,
  };
}

describe("accounts API", () => {
  it("registers without sending a stale token, and stores the new one", async () => {
    setToken("stale");
    const fetchMock = mockFetch(() => jsonResponse(201, { key: "n".repeat(40), expires_at: "x", user: ALICE }));
    const body = { username: "bob", email: "bob@example.test", password1: "pw-123456", password2: "pw-123456" };
    const answer = await register(body);
    expect(call(fetchMock)).toEqual({ path: "/api/v1/auth/registration/", method: "POST", body, authorization: undefined });
    expect(answer.user.username).toBe("alice");
    expect(getToken()).toBe("n".repeat(40));
  });

  it("asks for a reset link and confirms it without credentials", async () => {
    setToken("stale");
    const fetchMock = mockFetch(() => jsonResponse(200, { detail: "ok" }));
    await requestPasswordReset("bob@example.test");
    await confirmPasswordReset({ uid: "Nw", token: "abc-def", new_password1: "a", new_password2: "a" });
    expect(call(fetchMock, 0)).toEqual({
      path: "/api/v1/auth/password/reset/",
      method: "POST",
      body: { email: "bob@example.test" },
      authorization: undefined,
    });
    expect(call(fetchMock, 1)).toEqual({
      path: "/api/v1/auth/password/reset/confirm/",
      method: "POST",
      body: { uid: "Nw", token: "abc-def", new_password1: "a", new_password2: "a" },
      authorization: undefined,
    });
  });

  it("patches the profile, changes the password, lists and revokes tokens with the token", async () => {
    setToken("t".repeat(40));
    const fetchMock = mockFetch((url) => {
      if (url.pathname.endsWith("/tokens/")) return jsonResponse(200, []);
      if (url.pathname.endsWith("/tokens/12/")) return new Response(null, { status: 204 });
      return jsonResponse(200, ALICE);
    });
    await updateProfile({ bio: "Hi", birth_date: null });
    await changePassword({ old_password: "o", new_password1: "n", new_password2: "n" });
    await expect(listTokens()).resolves.toEqual([]);
    await expect(revokeToken(12)).resolves.toBeUndefined();
    const auth = `Token ${"t".repeat(40)}`;
    expect(call(fetchMock, 0)).toEqual({ path: "/api/v1/auth/user/", method: "PATCH", body: { bio: "Hi", birth_date: null }, authorization: auth });
    expect(call(fetchMock, 1)).toEqual({
      path: "/api/v1/auth/password/change/",
      method: "POST",
      body: { old_password: "o", new_password1: "n", new_password2: "n" },
      authorization: auth,
    });
    expect(call(fetchMock, 2)).toMatchObject({ path: "/api/v1/auth/tokens/", method: "GET", authorization: auth });
    expect(call(fetchMock, 3)).toMatchObject({ path: "/api/v1/auth/tokens/12/", method: "DELETE", authorization: auth });
  });
});
