/** Tenants (`tenants/`, `tenants/me/`): wire shapes and calls, as API.md says. */
import { apiRequest } from "./client";
import { followPages } from "./pages";
import type { Paginated } from "./types";

export interface Tenant {
  id: number;
  uuid: string;
  name: string;
  slug: string;
  is_active: boolean;
  description: string;
  email: string | null;
  url: string;
  user_count: number;
  created_at: string;
  updated_at: string;
}

/** What staff may write; `slug` is made from `name` when left out. */
export interface TenantWrite {
  name: string;
  slug?: string;
  is_active?: boolean;
  description?: string;
  email?: string | null;
  url?: string;
}

/** What a tenant owner may change on `tenants/me/`. */
export type MyTenantWrite = Pick<TenantWrite, "name" | "description" | "email" | "url">;

export interface TenantFilters {
  page?: number;
  page_size?: number;
  search?: string;
  /** "true" / "false"; empty for all. */
  is_active?: string;
  /** `name`, `-created_at`, ...; empty for the API's default (`name`). */
  ordering?: string;
}

export const tenantKeys = {
  all: ["tenants"] as const,
  list: (filters: TenantFilters) => ["tenants", "list", filters] as const,
  choices: ["tenants", "choices"] as const,
  detail: (id: number) => ["tenants", "detail", id] as const,
  mine: ["tenants", "me"] as const,
};

export function listTenants(filters: TenantFilters, signal?: AbortSignal): Promise<Paginated<Tenant>> {
  return apiRequest<Paginated<Tenant>>("tenants/", { query: { ...filters }, signal });
}

/** Every tenant, by name, following the pages (for the tenant selects of staff). */
export async function listAllTenants(signal?: AbortSignal): Promise<Tenant[]> {
  return followPages(await listTenants({ page_size: 100, ordering: "name" }, signal), signal);
}

export function getTenant(id: number, signal?: AbortSignal): Promise<Tenant> {
  return apiRequest<Tenant>(`tenants/${id}/`, { signal });
}

export function createTenant(body: TenantWrite): Promise<Tenant> {
  return apiRequest<Tenant>("tenants/", { method: "POST", body });
}

export function updateTenant(id: number, changes: Partial<TenantWrite>): Promise<Tenant> {
  return apiRequest<Tenant>(`tenants/${id}/`, { method: "PATCH", body: changes });
}

/** 204; a tenant that still has users: 400 {"detail": "Cannot delete tenant with existing users."}. */
export function deleteTenant(id: number): Promise<void> {
  return apiRequest<void>(`tenants/${id}/`, { method: "DELETE" });
}

export function getMyTenant(signal?: AbortSignal): Promise<Tenant> {
  return apiRequest<Tenant>("tenants/me/", { signal });
}

export function updateMyTenant(changes: Partial<MyTenantWrite>): Promise<Tenant> {
  return apiRequest<Tenant>("tenants/me/", { method: "PATCH", body: changes });
}
