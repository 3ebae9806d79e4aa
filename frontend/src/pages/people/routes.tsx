import type { RouteObject } from "react-router";
import { RouteErrorPage } from "../RouteErrorPage";
import { AuditLogPage } from "./AuditLogPage";
import { MyTenantPage } from "./MyTenantPage";
import { TenantCreatePage } from "./TenantCreatePage";
import { TenantDetailPage } from "./TenantDetailPage";
import { TenantsPage } from "./TenantsPage";
import { UserCreatePage } from "./UserCreatePage";
import { UserDetailPage } from "./UserDetailPage";
import { UsersPage } from "./UsersPage";

/** Tenants, my tenant, users and the audit log. */
export const peopleRoutes: RouteObject[] = [
  { path: "tenants", element: <TenantsPage />, errorElement: <RouteErrorPage /> },
  { path: "tenants/new", element: <TenantCreatePage />, errorElement: <RouteErrorPage /> },
  { path: "tenants/:id", element: <TenantDetailPage />, errorElement: <RouteErrorPage /> },
  { path: "my-tenant", element: <MyTenantPage />, errorElement: <RouteErrorPage /> },
  { path: "users", element: <UsersPage />, errorElement: <RouteErrorPage /> },
  { path: "users/new", element: <UserCreatePage />, errorElement: <RouteErrorPage /> },
  { path: "users/:id", element: <UserDetailPage />, errorElement: <RouteErrorPage /> },
  { path: "audit-log", element: <AuditLogPage />, errorElement: <RouteErrorPage /> },
];
