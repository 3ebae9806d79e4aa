/** The signed-in user's own account (profile, password, devices) and sign-up / password recovery. */
import { apiRequest } from "./client";
import { setToken } from "./token";
import type { DetailResponse, LoginResponse, User } from "./types";

export const accountQueryKeys = {
  tokens: ["auth", "tokens"] as const,
};

export interface RegistrationBody {
  username: string;
  email: string;
  password1: string;
  password2: string;
  first_name?: string;
  last_name?: string;
}

/** Creates a subscriber account (201 when registration is open, 403 when closed) and stores its token. */
export async function register(body: RegistrationBody): Promise<LoginResponse> {
  const answer = await apiRequest<LoginResponse>("auth/registration/", { method: "POST", body, auth: false });
  setToken(answer.key);
  return answer;
}

/** Always answers "Password reset e-mail has been sent.", whether or not the address exists. */
export function requestPasswordReset(email: string): Promise<DetailResponse> {
  return apiRequest<DetailResponse>("auth/password/reset/", { method: "POST", body: { email }, auth: false });
}

export interface PasswordResetConfirmBody {
  uid: string;
  token: string;
  new_password1: string;
  new_password2: string;
}

/** Sets the password from a reset link's uid and token; the API revokes every token of the user. */
export function confirmPasswordReset(body: PasswordResetConfirmBody): Promise<DetailResponse> {
  return apiRequest<DetailResponse>("auth/password/reset/confirm/", { method: "POST", body, auth: false });
}

/** The fields of `auth/user/` a user may change themselves (e-mail, role, tenant... are read-only). */
export type ProfileChanges = Partial<
  Pick<User, "first_name" | "last_name" | "phone_number" | "bio" | "url" | "company" | "location" | "birth_date">
>;

export function updateProfile(changes: ProfileChanges): Promise<User> {
  return apiRequest<User>("auth/user/", { method: "PATCH", body: changes });
}

export interface PasswordChangeBody {
  old_password: string;
  new_password1: string;
  new_password2: string;
}

/** Changes the caller's password; the API revokes every other token of the user. */
export function changePassword(body: PasswordChangeBody): Promise<DetailResponse> {
  return apiRequest<DetailResponse>("auth/password/change/", { method: "POST", body });
}

/** One live token of the caller: a signed-in device. `prefix` is the key's first 8 characters. */
export interface DeviceToken {
  id: number;
  created: string;
  last_used: string | null;
  expires_at: string;
  user_agent: string;
  prefix: string;
  current: boolean;
}

/** The caller's live tokens (a plain array, not a page). */
export function listTokens(signal?: AbortSignal): Promise<DeviceToken[]> {
  return apiRequest<DeviceToken[]>("auth/tokens/", { signal });
}

export function revokeToken(id: number): Promise<void> {
  return apiRequest<void>(`auth/tokens/${id}/`, { method: "DELETE" });
}
