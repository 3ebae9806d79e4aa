import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useLocation } from "react-router";
import { ApiError } from "../../api";
import { formatMoney, formatPricing, getCatalogue, planKeys } from "../../api/plans";
import {
  cancelSubscription,
  getInvoices,
  getLimits,
  getSubscriptionStatus,
  isLive,
  resumeSubscription,
  subscriptionKeys,
  type Subscription,
} from "../../api/subscriptions";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { FormAlert } from "../../components/FormAlert";
import { Loading, QueryError } from "../../components/QueryStatus";
import styles from "./billing.module.css";
import { formatDate, formatMegabytes, formatMinutes } from "./format";
import type { SubscribedState } from "./PlansPage";

/** The caller's subscription: status, period, cancel/resume, daily limits and invoices. */
export function SubscriptionPage() {
  const location = useLocation();
  const state = (location.state ?? {}) as SubscribedState;
  const status = useQuery({ queryKey: subscriptionKeys.status, queryFn: ({ signal }) => getSubscriptionStatus(signal) });

  return (
    <section aria-labelledby="subscription-title">
      <h1 id="subscription-title">My subscription</h1>
      {state.message && (
        <p role="status" className="alert alert-info">
          {state.message}
        </p>
      )}
      {status.isPending && <Loading label="Loading your subscription…" />}
      {status.isError && <QueryError title="Your subscription could not be loaded." error={status.error} />}
      {status.isSuccess && status.data === null && (
        <p>
          You have no subscription. <Link to="/plans">See the plans</Link>
        </p>
      )}
      {status.data && <SubscriptionDetails subscription={status.data} />}
      <LimitsSection />
      {status.data && <InvoicesSection />}
    </section>
  );
}

function SubscriptionDetails({ subscription }: { subscription: Subscription }) {
  const queryClient = useQueryClient();
  const catalogue = useQuery({ queryKey: planKeys.catalogue, queryFn: ({ signal }) => getCatalogue(signal) });
  const limits = useQuery({ queryKey: subscriptionKeys.limits, queryFn: ({ signal }) => getLimits(signal) });
  const [messages, setMessages] = useState<string[]>([]);

  const plan = catalogue.data?.find((candidate) => candidate.id === subscription.plan);
  const pricing = plan?.pricings.find((candidate) => candidate.id === subscription.pricing);
  const planName =
    plan?.name ?? (limits.data?.plan_id === subscription.plan ? limits.data.plan_name : null) ?? `Plan ${subscription.plan}`;

  const onChanged = (answer: Subscription) => {
    queryClient.setQueryData(subscriptionKeys.status, answer);
    void queryClient.invalidateQueries({ queryKey: subscriptionKeys.limits });
  };
  const onFailed = (error: Error) => setMessages(error instanceof ApiError ? error.formMessages : [error.message]);
  const cancel = useMutation({
    mutationFn: () => cancelSubscription(subscription.id),
    onSuccess: onChanged,
    onError: onFailed,
  });
  const resume = useMutation({ mutationFn: resumeSubscription, onSuccess: onChanged, onError: onFailed });
  const busy = cancel.isPending || resume.isPending;
  const live = isLive(subscription);
  // Free is local (no Stripe subscription): cancelling ends it at once. A plan that does not renew
  // (Day Pass) is set to end with its period from the start: there is nothing to resume.
  const free = subscription.subscription_id === null;
  const renews = plan?.auto_renew !== false;

  return (
    <div className={styles.stack}>
      <FormAlert messages={messages} />
      <dl className="facts">
        <dt>Plan</dt>
        <dd>
          {planName}
          {pricing && <span className="muted"> ({formatPricing(pricing)})</span>}
        </dd>
        <dt>Current period</dt>
        <dd>
          {formatDate(subscription.current_period_start)} – {formatDate(subscription.current_period_end)}
        </dd>
        {subscription.trial_end && (
          <>
            <dt>Trial ends</dt>
            <dd>{formatDate(subscription.trial_end)}</dd>
          </>
        )}
      </dl>
      <p>
        <strong>Status: {subscription.status}</strong>
      </p>
      {live && subscription.cancel_at_period_end && (
        <p className="alert alert-info">
          Cancels at the end of the period ({formatDate(subscription.current_period_end)}).
        </p>
      )}
      {live && (
        <div className="actions">
          {subscription.cancel_at_period_end ? (
            renews && (
            <button
              type="button"
              onClick={() => {
                setMessages([]);
                resume.mutate();
              }}
              disabled={busy}
            >
              Resume subscription
            </button>
            )
          ) : (
            <ConfirmDialog
              trigger={
                <button type="button" className="danger" disabled={busy}>
                  Cancel subscription
                </button>
              }
              title="Cancel your subscription?"
              description={
                free
                  ? "It ends now; you can choose a plan again at any time."
                  : `It stays on until the end of the period (${formatDate(
                      subscription.current_period_end,
                    )}) and is not renewed after it.`
              }
              confirmLabel="Cancel subscription"
              onConfirm={() => {
                setMessages([]);
                cancel.mutate();
              }}
            />
          )}
          <Link to="/plans">See the plans</Link>
        </div>
      )}
      {!live && (
        <p>
          <Link to="/plans">Choose a plan</Link>
        </p>
      )}
    </div>
  );
}

function LimitsSection() {
  const limits = useQuery({ queryKey: subscriptionKeys.limits, queryFn: ({ signal }) => getLimits(signal) });
  return (
    <section aria-labelledby="limits-title" className={styles.section}>
      <h2 id="limits-title">Daily limits</h2>
      {limits.isPending && <Loading label="Loading your limits…" />}
      {limits.isError && <QueryError title="Your limits could not be loaded." error={limits.error} />}
      {limits.data && (
        <dl className="facts">
          <dt>From plan</dt>
          <dd>{limits.data.plan_name ?? "None"}</dd>
          <dt>Time</dt>
          <dd>{formatMinutes(limits.data.daily_time_minutes)}</dd>
          <dt>Data</dt>
          <dd>{formatMegabytes(limits.data.daily_data_mb)}</dd>
        </dl>
      )}
    </section>
  );
}

function InvoicesSection() {
  const invoices = useQuery({ queryKey: subscriptionKeys.invoices, queryFn: ({ signal }) => getInvoices(signal) });
  return (
    <section aria-labelledby="invoices-title" className={styles.section}>
      <h2 id="invoices-title">Invoices</h2>
      {invoices.isPending && <Loading label="Loading your invoices…" />}
      {invoices.isError && <QueryError title="Your invoices could not be loaded." error={invoices.error} />}
      {invoices.data && invoices.data.length === 0 && <p>No invoices yet.</p>}
      {invoices.data && invoices.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Invoice</th>
                <th scope="col">Period</th>
                <th scope="col">Amount due</th>
                <th scope="col">Paid</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {invoices.data.map((invoice) => (
                <tr key={invoice.id}>
                  <td>
                    {invoice.hosted_invoice_url ? (
                      <a href={invoice.hosted_invoice_url} target="_blank" rel="noreferrer">
                        {invoice.number ?? invoice.id}
                      </a>
                    ) : (
                      (invoice.number ?? invoice.id)
                    )}
                  </td>
                  <td>
                    {formatDate(invoice.period_start)} – {formatDate(invoice.period_end)}
                  </td>
                  <td>{formatMoney(invoice.amount_due, invoice.currency)}</td>
                  <td>{formatMoney(invoice.amount_paid, invoice.currency)}</td>
                  <td>{invoice.status ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
