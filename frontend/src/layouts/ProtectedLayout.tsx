import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Navigate, NavLink, Outlet, useLocation } from "react-router";
import {
  ApiError,
  ROLE_LABELS,
  canAccess,
  clearToken,
  getSignOutReason,
  logout,
  useCurrentUser,
  useToken,
} from "../api";
import { FormAlert } from "../components/FormAlert";
import { MainLandmark } from "../components/Main";
import type { LoginLocationState } from "../pages/LoginPage";
import { NAV_ITEMS } from "./navItems";
import styles from "./ProtectedLayout.module.css";

/** The signed-in part of the console: without a token, back to /login (remembering where from). */
export function ProtectedLayout() {
  const token = useToken();
  const location = useLocation();
  if (!token) {
    const state: LoginLocationState = { from: location, message: getSignOutReason() ?? undefined };
    return <Navigate to="/login" replace state={state} />;
  }
  return <SignedInShell />;
}

function SignedInShell() {
  const queryClient = useQueryClient();
  const user = useCurrentUser();
  const [logoutError, setLogoutError] = useState<string[] | null>(null);

  const signOut = useMutation({
    mutationFn: (all: boolean) => logout({ all }),
    onSuccess: (answer, all) => {
      queryClient.clear();
      clearToken(all ? "You have been logged out on every device." : answer.detail);
    },
    onError: (error) => {
      // A 401 already cleared the token and returned to /login; anything else leaves us signed in.
      if (error instanceof ApiError && error.status === 401) return;
      setLogoutError(error instanceof ApiError ? error.formMessages : [error.message]);
    },
  });

  return (
    <div className={styles.shell}>
      <header className={styles.header}>
        <span className={styles.brand}>WiWebb</span>
        <nav aria-label="Main" className={styles.nav}>
          {user.data &&
            NAV_ITEMS.filter((item) => canAccess(user.data.role, item.area)).map((item) => (
              <NavLink key={item.to} to={item.to} end={item.end}>
                {item.label}
              </NavLink>
            ))}
        </nav>
        <div className={styles.account}>
          {user.data && (
            <span className={styles.who}>
              {user.data.username} <span className={styles.role}>({ROLE_LABELS[user.data.role]})</span>
            </span>
          )}
          <button type="button" onClick={() => signOut.mutate(false)} disabled={signOut.isPending}>
            Log out
          </button>
          <button type="button" onClick={() => signOut.mutate(true)} disabled={signOut.isPending}>
            Log out everywhere
          </button>
        </div>
      </header>
      {logoutError && <FormAlert messages={logoutError} />}
      <MainLandmark className={styles.main}>
        <Outlet />
      </MainLandmark>
    </div>
  );
}
