import type { RouteObject } from "react-router";
import { RouteErrorPage } from "../RouteErrorPage";
import { DashboardPage } from "./DashboardPage";

/** Sign-up and password recovery: reachable without a token (register, forgot-password, reset-password). */
export const publicAccountRoutes: RouteObject[] = [];

/** The signed-in user's own pages: the dashboard (index) and the profile. */
export const accountRoutes: RouteObject[] = [
  { index: true, element: <DashboardPage />, errorElement: <RouteErrorPage /> },
];
