import type { RouteObject } from "react-router";
import { RouteErrorPage } from "../RouteErrorPage";
import { DashboardPage } from "./DashboardPage";
import { ForgotPasswordPage } from "./ForgotPasswordPage";
import { ProfilePage } from "./ProfilePage";
import { RegisterPage } from "./RegisterPage";
import { ResetPasswordPage } from "./ResetPasswordPage";

/** Sign-up and password recovery: reachable without a token (register, forgot-password, reset-password). */
export const publicAccountRoutes: RouteObject[] = [
  { path: "register", element: <RegisterPage />, errorElement: <RouteErrorPage /> },
  { path: "forgot-password", element: <ForgotPasswordPage />, errorElement: <RouteErrorPage /> },
  // The reset mail links to /reset-password/{uid}/{token}/; the router matches it with or without the slash.
  { path: "reset-password/:uid/:token", element: <ResetPasswordPage />, errorElement: <RouteErrorPage /> },
];

/** The signed-in user's own pages: the dashboard (index) and the profile. */
export const accountRoutes: RouteObject[] = [
  { index: true, element: <DashboardPage />, errorElement: <RouteErrorPage /> },
  { path: "profile", element: <ProfilePage />, errorElement: <RouteErrorPage /> },
];
