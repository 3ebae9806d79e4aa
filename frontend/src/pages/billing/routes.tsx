import type { RouteObject } from "react-router";

/** Plans (and their management for staff), my subscription, payments. */
export const billingRoutes: RouteObject[] = [];
