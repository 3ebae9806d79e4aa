import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { ApiError } from "../../api";
import {
  addPricing,
  createPlan,
  formatPricing,
  listManagedPlans,
  planKeys,
  retirePlan,
  retirePricing,
  updatePlan,
  type Plan,
  type PlanWrite,
  type PricingWrite,
} from "../../api/plans";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { FormAlert } from "../../components/FormAlert";
import { Loading, QueryError } from "../../components/QueryStatus";
import styles from "./billing.module.css";
import { formatMegabytes, formatMinutes } from "./format";
import { AddPricingForm, CreatePlanForm, EditPlanForm } from "./planForms";

/** Staff: every plan (retired ones too), create, edit, add and retire prices, retire plans. */
export function ManagePlansPage() {
  const queryClient = useQueryClient();
  const plans = useQuery({ queryKey: planKeys.managed, queryFn: ({ signal }) => listManagedPlans(signal) });
  const [editing, setEditing] = useState<number | null>(null);
  const [messages, setMessages] = useState<string[]>([]);
  const [done, setDone] = useState<string | null>(null);

  const changed = (message: string) => {
    void queryClient.invalidateQueries({ queryKey: planKeys.all });
    setDone(message);
  };
  const failed = (error: Error) => setMessages(error instanceof ApiError ? error.formMessages : [error.message]);
  const start = () => {
    setMessages([]);
    setDone(null);
  };

  const create = useMutation({
    mutationFn: (body: PlanWrite) => createPlan(body),
    onSuccess: (plan) => changed(`Plan ${plan.name} was created.`),
  });
  const update = useMutation({
    mutationFn: ({ id, changes }: { id: number; changes: Omit<PlanWrite, "pricings"> }) => updatePlan(id, changes),
    onSuccess: (plan) => changed(`Plan ${plan.name} was saved.`),
  });
  const addPrice = useMutation({
    mutationFn: ({ id, body }: { id: number; body: PricingWrite }) => addPricing(id, body),
    onSuccess: (plan) => changed(`A price was added to ${plan.name}.`),
  });
  const retire = useMutation({
    mutationFn: (id: number) => retirePlan(id),
    onSuccess: (plan) => changed(`Plan ${plan.name} was retired.`),
    onError: failed,
  });
  const retirePrice = useMutation({
    mutationFn: ({ planId, pricingId }: { planId: number; pricingId: number }) => retirePricing(planId, pricingId),
    onSuccess: (plan) => changed(`A price of ${plan.name} was retired.`),
    onError: failed,
  });

  const editedPlan = plans.data?.find((plan) => plan.id === editing) ?? null;

  return (
    <section aria-labelledby="manage-plans-title">
      <h1 id="manage-plans-title">Manage plans</h1>
      <p>
        <Link to="/plans">Back to the plans on sale</Link>
      </p>
      <FormAlert messages={messages} />
      {done && (
        <p role="status" className="alert alert-info">
          {done}
        </p>
      )}
      {plans.isPending && <Loading label="Loading the plans…" />}
      {plans.isError && <QueryError title="The plans could not be loaded." error={plans.error} />}
      {plans.data && (
        <div className="table-wrap">
          <table>
            <caption className="muted small">Every plan, retired ones included</caption>
            <thead>
              <tr>
                <th scope="col">Plan</th>
                <th scope="col">Prices</th>
                <th scope="col">Limits</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {plans.data.map((plan) => (
                <PlanRow
                  key={plan.id}
                  plan={plan}
                  busy={retire.isPending || retirePrice.isPending}
                  onEdit={() => {
                    start();
                    setEditing(plan.id);
                  }}
                  onRetire={() => {
                    start();
                    retire.mutate(plan.id);
                  }}
                  onRetirePricing={(pricingId) => {
                    start();
                    retirePrice.mutate({ planId: plan.id, pricingId });
                  }}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editedPlan && (
        <div className={`${styles.section} ${styles.stack}`}>
          <EditPlanForm
            key={`edit-${editedPlan.id}-${editedPlan.updated_at}`}
            plan={editedPlan}
            pending={update.isPending}
            onClose={() => setEditing(null)}
            onSubmit={(changes) => {
              start();
              return update.mutateAsync({ id: editedPlan.id, changes });
            }}
          />
          <AddPricingForm
            key={`price-${editedPlan.id}`}
            plan={editedPlan}
            pending={addPrice.isPending}
            onSubmit={(body) => {
              start();
              return addPrice.mutateAsync({ id: editedPlan.id, body });
            }}
          />
        </div>
      )}
      <div className={styles.section}>
        <CreatePlanForm
          pending={create.isPending}
          onSubmit={(body) => {
            start();
            return create.mutateAsync(body);
          }}
        />
      </div>
    </section>
  );
}

function PlanRow({
  plan,
  busy,
  onEdit,
  onRetire,
  onRetirePricing,
}: {
  plan: Plan;
  busy: boolean;
  onEdit: () => void;
  onRetire: () => void;
  onRetirePricing: (pricingId: number) => void;
}) {
  return (
    <tr>
      <th scope="row">
        {plan.name}
        {plan.default && <span className={styles.badge}> Default</span>}
        <div className="muted small">
          {plan.available ? "On sale" : "Retired"} · {plan.requires_payment ? "Paid" : "Free"}
          {plan.auto_renew ? "" : " · not renewed"}
        </div>
      </th>
      <td>
        {plan.pricings.length === 0 && <span className="muted">None</span>}
        <ul className={styles.pricings}>
          {plan.pricings.map((pricing) => (
            <li key={pricing.id}>
              <span>
                {formatPricing(pricing)}
                {pricing.trial_period_days > 0 && ` (${pricing.trial_period_days}-day trial)`}
                {!pricing.active && <span className="muted"> (retired)</span>}
              </span>
              {pricing.active && (
                <ConfirmDialog
                  trigger={
                    <button
                      type="button"
                      className="danger"
                      disabled={busy}
                      aria-label={`Retire price ${formatPricing(pricing)} of ${plan.name}`}
                    >
                      Retire price
                    </button>
                  }
                  title={`Retire ${formatPricing(pricing)} of ${plan.name}?`}
                  description="Nobody can subscribe at this price any more; current subscribers keep it."
                  confirmLabel="Retire price"
                  onConfirm={() => onRetirePricing(pricing.id)}
                />
              )}
            </li>
          ))}
        </ul>
      </td>
      <td>
        {formatMinutes(plan.daily_time_minutes)}
        <br />
        {formatMegabytes(plan.daily_data_mb)}
      </td>
      <td>
        <div className="actions">
          <button type="button" onClick={onEdit} aria-label={`Edit ${plan.name}`}>
            Edit
          </button>
          {plan.available && (
            <ConfirmDialog
              trigger={
                <button type="button" className="danger" disabled={busy} aria-label={`Retire ${plan.name}`}>
                  Retire
                </button>
              }
              title={`Retire ${plan.name}?`}
              description="It leaves the catalogue and its prices are retired; current subscribers keep it."
              confirmLabel="Retire plan"
              onConfirm={onRetire}
            />
          )}
        </div>
      </td>
    </tr>
  );
}
