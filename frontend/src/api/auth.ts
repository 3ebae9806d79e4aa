/** Meta and the auth endpoints the console's foundation needs. */
import { apiRequest } from "./client";
import { setToken } from "./token";
import type { DetailResponse, LoginResponse, Meta, User } from "./types";

export const queryKeys = {
  meta: ["meta"] as const,
  currentUser: ["auth", "user"] as const,
};

export function getMeta(signal?: AbortSignal): Promise<Meta> {
  return apiRequest<Meta>("meta/", { auth: false, signal });
}

export type LoginCredentials =
  | { username: string; password: string }
  | { email: string; password: string };

/** Logs in with a username or an e-mail address and stores the new token. */
export async function login(credentials: LoginCredentials): Promise<LoginResponse> {
  const answer = await apiRequest<LoginResponse>("auth/login/", {
    method: "POST",
    body: credentials,
    auth: false,
  });
  setToken(answer.key);
  return answer;
}

/** Revokes the presented token, or with `all` every token of the caller. */
export function logout(options: { all?: boolean } = {}): Promise<DetailResponse> {
  return apiRequest<DetailResponse>("auth/logout/", {
    method: "POST",
    body: options.all ? { all: true } : undefined,
  });
}

export function getCurrentUser(signal?: AbortSignal): Promise<User> {
  return apiRequest<User>("auth/user/", { signal });
}
