import type { ReactNode } from "react";
import { canAccess, useCurrentUser, type Area } from "../api";
import { Loading, QueryError } from "./QueryStatus";

/** Renders a page only for the roles that may open its area; others read why, not a 403 list. */
export function RequireArea({ area, children }: { area: Area; children: ReactNode }) {
  const user = useCurrentUser();
  if (user.isPending) return <Loading label="Loading your account…" />;
  if (user.isError) return <QueryError title="Your account could not be loaded." error={user.error} />;
  if (!canAccess(user.data.role, area)) {
    return (
      <section aria-labelledby="forbidden-title">
        <h1 id="forbidden-title">Not available</h1>
        <p>Your role cannot open this page.</p>
      </section>
    );
  }
  return <>{children}</>;
}
