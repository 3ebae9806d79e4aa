import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Link, useParams } from "react-router";
import { z } from "zod";
import { ApiError, isStaff, useCurrentUser } from "../../api";
import {
  capturePayment,
  getPayment,
  getPaymentLogs,
  paymentKeys,
  refundPayment,
  type Payment,
} from "../../api/payments";
import { formatMoney } from "../../api/plans";
import { applyApiError } from "../../components/applyApiError";
import { FormAlert } from "../../components/FormAlert";
import { Loading, QueryError } from "../../components/QueryStatus";
import { TextField } from "../../components/TextField";
import styles from "./billing.module.css";
import { formatDateTime } from "./format";

/** One payment with its log; staff capture a `preauth` payment and refund a `confirmed` one. */
export function PaymentDetailPage() {
  const { paymentId = "" } = useParams();
  const id = /^\d+$/.test(paymentId) ? Number(paymentId) : null;
  if (id === null) {
    return (
      <section aria-labelledby="payment-title">
        <h1 id="payment-title">Payment not found</h1>
        <p>
          <Link to="/payments">All payments</Link>
        </p>
      </section>
    );
  }
  return <PaymentDetail id={id} />;
}

function PaymentDetail({ id }: { id: number }) {
  const user = useCurrentUser();
  const payment = useQuery({ queryKey: paymentKeys.detail(id), queryFn: ({ signal }) => getPayment(id, signal) });
  const logs = useQuery({ queryKey: paymentKeys.logs(id), queryFn: ({ signal }) => getPaymentLogs(id, signal) });
  const staff = user.data ? isStaff(user.data.role) : false;

  return (
    <section aria-labelledby="payment-title">
      <h1 id="payment-title">Payment {id}</h1>
      <p>
        <Link to="/payments">All payments</Link>
      </p>
      {payment.isPending && <Loading label="Loading the payment…" />}
      {payment.isError && <QueryError title="The payment could not be loaded." error={payment.error} />}
      {payment.data && (
        <>
          <dl className="facts">
            <dt>Amount</dt>
            <dd>{formatMoney(payment.data.amount, payment.data.currency)}</dd>
            <dt>Status</dt>
            <dd>{payment.data.status}</dd>
            {payment.data.refunded_amount !== "0.00" && (
              <>
                <dt>Refunded</dt>
                <dd>{formatMoney(payment.data.refunded_amount, payment.data.currency)}</dd>
              </>
            )}
            <dt>Description</dt>
            <dd>{payment.data.description || "—"}</dd>
            {payment.data.order_id && (
              <>
                <dt>Order</dt>
                <dd>{payment.data.order_id}</dd>
              </>
            )}
            <dt>Capture</dt>
            <dd>{payment.data.capture_method}</dd>
            <dt>User</dt>
            <dd>{payment.data.user}</dd>
            <dt>Created</dt>
            <dd>{formatDateTime(payment.data.created_at)}</dd>
            <dt>Updated</dt>
            <dd>{formatDateTime(payment.data.updated_at)}</dd>
            {payment.data.payment_intent_id && (
              <>
                <dt>Stripe</dt>
                <dd>{payment.data.payment_intent_id}</dd>
              </>
            )}
          </dl>
          {staff && <StaffActions payment={payment.data} />}
        </>
      )}
      <section aria-labelledby="log-title" className={styles.section}>
        <h2 id="log-title">Log</h2>
        {logs.isPending && <Loading label="Loading the log…" />}
        {logs.isError && <QueryError title="The log could not be loaded." error={logs.error} />}
        {logs.data && logs.data.length === 0 && <p>Nothing logged yet.</p>}
        {logs.data && logs.data.length > 0 && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Event</th>
                  <th scope="col">Status</th>
                  <th scope="col">Message</th>
                </tr>
              </thead>
              <tbody>
                {logs.data.map((entry) => (
                  <tr key={entry.id}>
                    <td>{formatDateTime(entry.created_at)}</td>
                    <td>{entry.event}</td>
                    <td>
                      {entry.from_status ?? "—"} → {entry.to_status ?? "—"}
                    </td>
                    <td>{entry.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </section>
  );
}

const refundSchema = z.object({
  amount: z
    .string()
    .trim()
    .refine((value) => value === "" || /^\d+(\.\d{1,2})?$/.test(value), "Enter an amount like 12.50, or leave it empty."),
});
type RefundForm = z.infer<typeof refundSchema>;

function StaffActions({ payment }: { payment: Payment }) {
  const queryClient = useQueryClient();
  const [messages, setMessages] = useState<string[]>([]);
  const [done, setDone] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors },
  } = useForm<RefundForm>({ resolver: zodResolver(refundSchema), defaultValues: { amount: "" } });

  const changed = (answer: Payment, message: string) => {
    queryClient.setQueryData(paymentKeys.detail(answer.id), answer);
    void queryClient.invalidateQueries({ queryKey: paymentKeys.logs(answer.id) });
    void queryClient.invalidateQueries({ queryKey: ["payments", "list"] });
    setDone(message);
  };
  const capture = useMutation({
    mutationFn: () => capturePayment(payment.id),
    onSuccess: (answer) => changed(answer, "The payment was captured."),
    onError: (error) => setMessages(error instanceof ApiError ? error.formMessages : [error.message]),
  });
  const refund = useMutation({
    mutationFn: (amount: string) => refundPayment(payment.id, amount || undefined),
    onSuccess: (answer) => {
      reset();
      changed(answer, "The refund was made.");
    },
    onError: (error) => setMessages(applyApiError(error, setError, ["amount"])),
  });

  const start = () => {
    setMessages([]);
    setDone(null);
  };
  const onRefund = handleSubmit((values) => {
    start();
    refund.mutate(values.amount);
  });

  return (
    <section aria-labelledby="actions-title" className={styles.section}>
      <h2 id="actions-title">Staff actions</h2>
      <FormAlert messages={messages} />
      {done && (
        <p role="status" className="alert alert-info">
          {done}
        </p>
      )}
      {payment.status === "preauth" && (
        <div className="actions">
          <button
            type="button"
            className="primary"
            disabled={capture.isPending}
            onClick={() => {
              start();
              capture.mutate();
            }}
          >
            Capture
          </button>
          <span className="muted small">Collects the amount held on the card.</span>
        </div>
      )}
      {payment.status === "confirmed" && (
        <form className="form" aria-label="Refund" onSubmit={onRefund} noValidate>
          <TextField
            label="Refund amount"
            hint={`Leave empty to refund everything not yet refunded (${formatMoney(payment.amount, payment.currency)} paid).`}
            registration={register("amount")}
            error={errors.amount?.message}
          />
          <div className="actions">
            <button type="submit" className="danger" disabled={refund.isPending}>
              Refund
            </button>
          </div>
        </form>
      )}
      {payment.status !== "preauth" && payment.status !== "confirmed" && (
        <p className="muted">Only a preauthorized payment can be captured and only a confirmed one refunded.</p>
      )}
    </section>
  );
}
