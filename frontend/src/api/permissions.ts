/**
 * Which console areas each role may open, from API.md's permission matrix. The API enforces the
 * matrix; the console only hides what a role can never use, so nobody meets a page of 403s.
 */
import type { Role } from "./types";

export type Area =
  | "dashboard"
  | "dashboardStats"
  | "tenants"
  | "myTenant"
  | "users"
  | "auditLog"
  | "plans"
  | "planAdmin"
  | "subscription"
  | "payments"
  | "profile";

const STAFF: Role[] = ["superadmin", "admin"];
const EVERYONE: Role[] = ["superadmin", "admin", "tenant_owner", "subscriber"];

export const AREA_ROLES: Record<Area, readonly Role[]> = {
  /** Everyone has a dashboard; the `dashboard/stats/` numbers are for `dashboardStats` roles. */
  dashboard: EVERYONE,
  dashboardStats: ["superadmin", "admin", "tenant_owner"],
  tenants: STAFF,
  myTenant: ["tenant_owner"],
  users: ["superadmin", "admin", "tenant_owner"],
  auditLog: ["superadmin", "admin", "tenant_owner"],
  plans: EVERYONE,
  planAdmin: STAFF,
  subscription: EVERYONE,
  payments: EVERYONE,
  profile: EVERYONE,
};

export function canAccess(role: Role, area: Area): boolean {
  return AREA_ROLES[area].includes(role);
}

export function isStaff(role: Role): boolean {
  return STAFF.includes(role);
}
