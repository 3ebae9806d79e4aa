import { useQuery } from "@tanstack/react-query";
import { lazy, Suspense, useId, useState } from "react";
import { Link } from "react-router";
import { ROLE_LABELS, canAccess, useCurrentUser, type User } from "../../api";
import { dashboardQueryKeys, formatMoney, formatMonth, getDashboardStats, type DashboardStats } from "../../api/dashboard";
import { Loading, QueryError } from "../../components/QueryStatus";
import styles from "./accounts.module.css";

// Chart.js is the console's largest dependency: loaded only when a dashboard with figures opens.
const DashboardChart = lazy(() => import("./DashboardChart").then((module) => ({ default: module.DashboardChart })));

/** Everyone's start page: who is signed in, and the `dashboard/stats/` figures for the roles that have them. */
export function DashboardPage() {
  const user = useCurrentUser();
  if (user.isPending) return <Loading label="Loading your account…" />;
  if (user.isError) return <QueryError title="Your account could not be loaded." error={user.error} />;

  const { data } = user;
  const name = [data.first_name, data.last_name].filter(Boolean).join(" ") || data.username;
  return (
    <section aria-labelledby="dashboard-title">
      <h1 id="dashboard-title">Dashboard</h1>
      <p>Welcome, {name}.</p>
      <AccountFacts user={data} />
      {canAccess(data.role, "dashboardStats") ? <StatsPanel /> : <SubscriberWelcome />}
    </section>
  );
}

function AccountFacts({ user }: { user: User }) {
  return (
    <dl className="facts">
      <dt>Username</dt>
      <dd>{user.username}</dd>
      <dt>Role</dt>
      <dd>{ROLE_LABELS[user.role] ?? user.role}</dd>
      {user.email && (
        <>
          <dt>E-mail</dt>
          <dd>{user.email}</dd>
        </>
      )}
      {user.tenant && (
        <>
          <dt>Tenant</dt>
          <dd>{user.tenant.name}</dd>
        </>
      )}
    </dl>
  );
}

/** Subscribers have no figures (the API answers 403), so they are never asked for. */
function SubscriberWelcome() {
  return (
    <section aria-labelledby="start-title">
      <h2 id="start-title">Get started</h2>
      <ul>
        <li>
          <Link to="/subscription">My subscription</Link>: your plan, its status and its limits.
        </li>
        <li>
          <Link to="/plans">Plans</Link>: what you can subscribe to.
        </li>
      </ul>
    </section>
  );
}

function StatsPanel() {
  const stats = useQuery({ queryKey: dashboardQueryKeys.stats, queryFn: ({ signal }) => getDashboardStats(signal) });
  if (stats.isPending) return <Loading label="Loading the figures…" />;
  if (stats.isError) return <QueryError title="The dashboard figures could not be loaded." error={stats.error} />;
  return <Stats stats={stats.data} />;
}

const FIGURES: readonly { key: keyof Omit<DashboardStats, "series">; label: string; money?: boolean }[] = [
  { key: "total_tenants", label: "Tenants" },
  { key: "total_users", label: "Users" },
  { key: "active_users", label: "Active users" },
  { key: "active_subscriptions", label: "Active subscriptions" },
  { key: "monthly_revenue", label: "Monthly revenue", money: true },
];

const COUNT = new Intl.NumberFormat("en-US");

function Stats({ stats }: { stats: DashboardStats }) {
  const tableId = useId();
  const [showTable, setShowTable] = useState(false);
  return (
    <>
      <section aria-labelledby="figures-title">
        <h2 id="figures-title">Figures</h2>
        <dl className={styles.figures}>
          {FIGURES.map(({ key, label, money }) => (
            <div key={key} className={styles.figure}>
              <dt>{label}</dt>
              <dd>{money ? formatMoney(stats[key]) : COUNT.format(stats[key])}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section aria-labelledby="series-title">
        <h2 id="series-title">Subscriptions and revenue</h2>
        {stats.series.length === 0 ? (
          <p className="muted">No months to show yet.</p>
        ) : (
          <>
            <Suspense fallback={<Loading label="Loading the chart…" />}>
              <DashboardChart series={stats.series} describedBy={tableId} />
            </Suspense>
            <p>
              <button type="button" aria-expanded={showTable} aria-controls={tableId} onClick={() => setShowTable(!showTable)}>
                {showTable ? "Hide the figures table" : "Show the figures as a table"}
              </button>
            </p>
            {/* Always in the accessibility tree: screen readers read the chart's figures here. */}
            <div id={tableId} className={showTable ? "table-wrap" : styles.visuallyHidden}>
              <table>
                <caption>Subscriptions and revenue by month</caption>
                <thead>
                  <tr>
                    <th scope="col">Month</th>
                    <th scope="col">New subscriptions</th>
                    <th scope="col">Revenue</th>
                  </tr>
                </thead>
                <tbody>
                  {stats.series.map((month) => (
                    <tr key={month.month}>
                      <th scope="row">{formatMonth(month.month)}</th>
                      <td>{COUNT.format(month.new_subscriptions)}</td>
                      <td>{formatMoney(month.revenue)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>
    </>
  );
}
