import { useQuery } from "@tanstack/react-query";
import { ROLE_LABELS, getCurrentUser, queryKeys } from "../../api";
import { FormAlert } from "../../components/FormAlert";

/** A placeholder dashboard: who is signed in, with which role (the stats come later). */
export function DashboardPage() {
  const user = useQuery({ queryKey: queryKeys.currentUser, queryFn: ({ signal }) => getCurrentUser(signal) });

  if (user.isPending) {
    return (
      <p role="status" aria-live="polite">
        Loading your account…
      </p>
    );
  }
  if (user.isError) return <FormAlert title="Your account could not be loaded." messages={[user.error.message]} />;

  const { data } = user;
  const name = [data.first_name, data.last_name].filter(Boolean).join(" ") || data.username;
  return (
    <section aria-labelledby="dashboard-title">
      <h1 id="dashboard-title">Dashboard</h1>
      <p>Welcome, {name}.</p>
      <dl className="facts">
        <dt>Username</dt>
        <dd>{data.username}</dd>
        <dt>Role</dt>
        <dd>{ROLE_LABELS[data.role] ?? data.role}</dd>
        {data.email && (
          <>
            <dt>E-mail</dt>
            <dd>{data.email}</dd>
          </>
        )}
        {data.tenant && (
          <>
            <dt>Tenant</dt>
            <dd>{data.tenant.name}</dd>
          </>
        )}
      </dl>
    </section>
  );
}
