import type { RouteObject } from "react-router";
import { ProtectedLayout } from "./layouts/ProtectedLayout";
import { RootLayout } from "./layouts/RootLayout";
import { DashboardPage } from "./pages/DashboardPage";
import { LoginPage } from "./pages/LoginPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { RouteErrorPage } from "./pages/RouteErrorPage";

/** Every route has an error boundary, so a failure never leaves a blank page. */
export const routes: RouteObject[] = [
  {
    element: <RootLayout />,
    errorElement: <RouteErrorPage />,
    children: [
      { path: "login", element: <LoginPage />, errorElement: <RouteErrorPage /> },
      {
        element: <ProtectedLayout />,
        errorElement: <RouteErrorPage />,
        children: [{ index: true, element: <DashboardPage />, errorElement: <RouteErrorPage /> }],
      },
      { path: "*", element: <NotFoundPage />, errorElement: <RouteErrorPage /> },
    ],
  },
];
