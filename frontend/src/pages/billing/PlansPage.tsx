import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { ApiError, canAccess, useCurrentUser } from "../../api";
import { formatPricing, getCatalogue, planKeys, type Plan, type Pricing } from "../../api/plans";
import { newIdempotencyKey, subscribe, subscriptionKeys } from "../../api/subscriptions";
import { FormAlert } from "../../components/FormAlert";
import { Loading, QueryError } from "../../components/QueryStatus";
import styles from "./billing.module.css";
import { CardCheckout } from "./CardCheckout";
import { formatMegabytes, formatMinutes } from "./format";

/** What /subscription shows after a subscription was made here. */
export interface SubscribedState {
  message?: string;
}

/** "Subscribe to Premium", with the price when a plan has more than one. */
function subscribeLabel(plan: Plan, pricing: Pricing): string {
  return plan.pricings.length > 1
    ? `Subscribe to ${plan.name} at ${formatPricing(pricing)}`
    : `Subscribe to ${plan.name}`;
}

/** The plan catalogue with a Subscribe button per price: Free plans at once, paid ones with a card. */
export function PlansPage() {
  const user = useCurrentUser();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const catalogue = useQuery({ queryKey: planKeys.catalogue, queryFn: ({ signal }) => getCatalogue(signal) });
  const [checkout, setCheckout] = useState<{ plan: Plan; pricing: Pricing } | null>(null);
  const [messages, setMessages] = useState<string[]>([]);

  const openSubscription = (plan: Plan) => {
    const state: SubscribedState = { message: `You are subscribed to ${plan.name}.` };
    void navigate("/subscription", { state });
  };

  const subscribeFree = useMutation({
    mutationFn: ({ pricing }: { plan: Plan; pricing: Pricing }) =>
      subscribe({ pricing_id: pricing.id }, newIdempotencyKey()),
    onSuccess: (_answer, { plan }) => {
      void queryClient.invalidateQueries({ queryKey: subscriptionKeys.all });
      openSubscription(plan);
    },
    onError: (error) => setMessages(error instanceof ApiError ? error.formMessages : [error.message]),
  });

  const choose = (plan: Plan, pricing: Pricing) => {
    setMessages([]);
    if (plan.requires_payment) {
      setCheckout({ plan, pricing });
    } else {
      setCheckout(null);
      subscribeFree.mutate({ plan, pricing });
    }
  };

  return (
    <section aria-labelledby="plans-title">
      <h1 id="plans-title">Plans</h1>
      {user.data && canAccess(user.data.role, "planAdmin") && (
        <p>
          <Link to="/plans/manage">Manage plans</Link>
        </p>
      )}
      <FormAlert messages={messages} />
      {checkout && (
        <CardCheckout
          key={checkout.pricing.id}
          plan={checkout.plan}
          pricing={checkout.pricing}
          onSubscribed={() => openSubscription(checkout.plan)}
          onClose={() => setCheckout(null)}
        />
      )}
      {catalogue.isPending && <Loading label="Loading the plans…" />}
      {catalogue.isError && <QueryError title="The plans could not be loaded." error={catalogue.error} />}
      {catalogue.data && catalogue.data.length === 0 && <p>No plan is on sale at the moment.</p>}
      {catalogue.data && catalogue.data.length > 0 && (
        <ul className={styles.planGrid} aria-label="Plans on sale">
          {catalogue.data.map((plan) => (
            <li key={plan.id}>
              <article className={styles.planCard} aria-labelledby={`plan-${plan.id}`}>
                <h2 id={`plan-${plan.id}`}>
                  {plan.name}
                  {plan.default && <span className={styles.badge}>Default</span>}
                </h2>
                {plan.description && <p>{plan.description}</p>}
                <dl className="facts">
                  <dt>Time</dt>
                  <dd>{formatMinutes(plan.daily_time_minutes)}</dd>
                  <dt>Data</dt>
                  <dd>{formatMegabytes(plan.daily_data_mb)}</dd>
                  <dt>Renewal</dt>
                  <dd>{plan.auto_renew ? "Renews until cancelled" : "One period, not renewed"}</dd>
                  <dt>Payment</dt>
                  <dd>{plan.requires_payment ? "Card" : "None needed"}</dd>
                </dl>
                {plan.pricings.length === 0 ? (
                  <p className="muted">No price on sale.</p>
                ) : (
                  <ul className={styles.pricings} aria-label={`Prices of ${plan.name}`}>
                    {plan.pricings.map((pricing) => (
                      <li key={pricing.id}>
                        <span>
                          <span className={styles.price}>{formatPricing(pricing)}</span>
                          {pricing.trial_period_days > 0 && (
                            <span className="muted small"> ({pricing.trial_period_days}-day free trial)</span>
                          )}
                        </span>
                        <button
                          type="button"
                          className="primary"
                          aria-label={subscribeLabel(plan, pricing)}
                          disabled={subscribeFree.isPending}
                          onClick={() => choose(plan, pricing)}
                        >
                          Subscribe
                        </button>
                      </li>
                    ))}
                  </ul>
                )}
              </article>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
