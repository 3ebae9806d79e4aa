import type { RouteObject } from "react-router";
import { ProtectedLayout } from "./layouts/ProtectedLayout";
import { RootLayout } from "./layouts/RootLayout";
import { accountRoutes, publicAccountRoutes } from "./pages/accounts/routes";
import { billingRoutes } from "./pages/billing/routes";
import { LoginPage } from "./pages/LoginPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { peopleRoutes } from "./pages/people/routes";
import { RouteErrorPage } from "./pages/RouteErrorPage";

/** Every route has an error boundary, so a failure never leaves a blank page. */
export const routes: RouteObject[] = [
  {
    element: <RootLayout />,
    errorElement: <RouteErrorPage />,
    children: [
      { path: "login", element: <LoginPage />, errorElement: <RouteErrorPage /> },
      ...publicAccountRoutes,
      {
        element: <ProtectedLayout />,
        errorElement: <RouteErrorPage />,
        children: [...accountRoutes, ...peopleRoutes, ...billingRoutes],
      },
      { path: "*", element: <NotFoundPage />, errorElement: <RouteErrorPage /> },
    ],
  },
];
