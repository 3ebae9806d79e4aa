import type { RouteObject } from "react-router";

/** Tenants, my tenant, users and the audit log. */
export const peopleRoutes: RouteObject[] = [];
