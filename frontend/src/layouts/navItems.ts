import type { Area } from "../api";

/** The main navigation: each link shown only to the roles its area allows. */
export const NAV_ITEMS: readonly { to: string; label: string; area: Area; end?: boolean }[] = [
  { to: "/", label: "Dashboard", area: "dashboard", end: true },
  { to: "/tenants", label: "Tenants", area: "tenants" },
  { to: "/my-tenant", label: "My tenant", area: "myTenant" },
  { to: "/users", label: "Users", area: "users" },
  { to: "/audit-log", label: "Audit log", area: "auditLog" },
  { to: "/plans", label: "Plans", area: "plans" },
  { to: "/subscription", label: "My subscription", area: "subscription" },
  { to: "/payments", label: "Payments", area: "payments" },
  { to: "/profile", label: "Profile", area: "profile" },
];
