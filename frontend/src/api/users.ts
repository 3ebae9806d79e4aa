/** User administration (`users/` and its actions), as API.md says. */
import { apiRequest } from "./client";
import type { DetailResponse, Paginated, Role, User } from "./types";

/** The profile fields staff and owners may write besides the account fields. */
export interface UserProfileWrite {
  first_name?: string;
  last_name?: string;
  phone_number?: string;
  bio?: string;
  url?: string;
  company?: string;
  location?: string;
  birth_date?: string | null;
}

export interface UserCreate extends UserProfileWrite {
  username: string;
  email: string;
  role?: Role;
  /** A tenant id; a tenant owner may leave it out (their own tenant is used). */
  tenant?: number | null;
  /** Optional: without it the user sets a password through the link mailed to them. */
  password?: string;
}

export interface UserUpdate extends UserProfileWrite {
  username?: string;
  email?: string;
  role?: Role;
  tenant?: number | null;
}

export interface UserFilters {
  page?: number;
  page_size?: number;
  tenant?: string;
  role?: string;
  /** "true" / "false"; empty for all. */
  is_active?: string;
  search?: string;
  /** `username`, `date_joined`, `last_login`, with `-` for descending; empty for the default (id). */
  ordering?: string;
}

export const userKeys = {
  all: ["users"] as const,
  list: (filters: UserFilters) => ["users", "list", filters] as const,
  detail: (id: number) => ["users", "detail", id] as const,
};

export const ROLES: readonly Role[] = ["superadmin", "admin", "tenant_owner", "subscriber"];

/** The roles a caller may grant (API.md's matrix): the API answers 400 on role for the others. */
export function grantableRoles(caller: Role): Role[] {
  switch (caller) {
    case "superadmin":
      return [...ROLES];
    case "admin":
      return ROLES.filter((role) => role !== "superadmin");
    case "tenant_owner":
      return ["subscriber"];
    default:
      return [];
  }
}

export function isStaffRole(role: Role): boolean {
  return role === "superadmin" || role === "admin";
}

export function listUsers(filters: UserFilters, signal?: AbortSignal): Promise<Paginated<User>> {
  return apiRequest<Paginated<User>>("users/", { query: { ...filters }, signal });
}

export function getUser(id: number, signal?: AbortSignal): Promise<User> {
  return apiRequest<User>(`users/${id}/`, { signal });
}

/** 201 with the full user, `id` included. */
export function createUser(body: UserCreate): Promise<User> {
  return apiRequest<User>("users/", { method: "POST", body });
}

export function updateUser(id: number, changes: UserUpdate): Promise<User> {
  return apiRequest<User>(`users/${id}/`, { method: "PATCH", body: changes });
}

export function deleteUser(id: number): Promise<void> {
  return apiRequest<void>(`users/${id}/`, { method: "DELETE" });
}

/** Deactivation revokes every token of the user. */
export function setUserActive(id: number, isActive: boolean): Promise<User> {
  return apiRequest<User>(`users/${id}/activate/`, { method: "POST", body: { is_active: isActive } });
}

export function assignRole(id: number, role: Role): Promise<User> {
  return apiRequest<User>(`users/${id}/assign-role/`, { method: "POST", body: { role } });
}

/** 200 {"detail": "Password has been set."}; the user's tokens are revoked. */
export function setUserPassword(
  id: number,
  passwords: { new_password1: string; new_password2: string },
): Promise<DetailResponse> {
  return apiRequest<DetailResponse>(`users/${id}/set-password/`, { method: "POST", body: passwords });
}
