import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { Outlet, useLocation, useNavigate } from "react-router";
import { onUnauthorized } from "../api";
import type { LoginLocationState } from "../pages/LoginPage";

/** Listens for the API client's 401s: drop cached data and go to /login with the API's message. */
export function RootLayout() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const location = useLocation();
  const locationRef = useRef(location);
  locationRef.current = location;

  useEffect(
    () =>
      onUnauthorized((error) => {
        queryClient.clear();
        const from = locationRef.current;
        const state: LoginLocationState = {
          message: error.detail ?? error.message,
          from: from.pathname === "/login" ? undefined : from,
        };
        void navigate("/login", { replace: true, state });
      }),
    [navigate, queryClient],
  );

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Outlet />
    </>
  );
}
