/** Wire shapes from API.md. */

export type Role = "superadmin" | "admin" | "tenant_owner" | "subscriber";

export const ROLE_LABELS: Record<Role, string> = {
  superadmin: "Super admin",
  admin: "Platform admin",
  tenant_owner: "Tenant owner",
  subscriber: "Subscriber",
};

export interface TenantRef {
  id: number;
  uuid: string;
  name: string;
  slug: string;
}

export interface User {
  id: number;
  username: string;
  email: string | null;
  first_name: string;
  last_name: string;
  role: Role;
  tenant: TenantRef | null;
  is_active: boolean;
  is_staff: boolean;
  is_superuser: boolean;
  last_login: string | null;
  date_joined: string;
  password_updated: string | null;
  phone_number: string;
  bio: string;
  url: string;
  company: string;
  location: string;
  birth_date: string | null;
}

/** DRF's PageNumberPagination envelope; `next`/`previous` are absolute URLs or null. */
export interface Paginated<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export interface Meta {
  version: string;
  registration_open: boolean;
  stripe_public_key: string | null;
  /** Where the console loads Stripe.js from (localstripe's stand-in in development). */
  stripe_js_url: string | null;
  password_min_length: number;
}

export interface LoginResponse {
  key: string;
  expires_at: string;
  user: User;
}

export interface DetailResponse {
  detail: string;
}
