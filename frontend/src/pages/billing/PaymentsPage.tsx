import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { Link, useSearchParams } from "react-router";
import { formatMoney } from "../../api/plans";
import { listPayments, paymentKeys, type PaymentFilters, type PaymentStatus } from "../../api/payments";
import { Pagination } from "../../components/Pagination";
import { Loading, QueryError } from "../../components/QueryStatus";
import { formatDateTime } from "./format";

const PAGE_SIZE = 20;
const STATUSES: readonly PaymentStatus[] = ["waiting", "preauth", "confirmed", "rejected", "refunded", "error"];

function pageOf(text: string | null): number {
  const page = Number.parseInt(text ?? "1", 10);
  return Number.isFinite(page) && page > 0 ? page : 1;
}

/** The payments the caller may read (their own; a tenant's for its owner; all for staff), paginated. */
export function PaymentsPage() {
  const [params, setParams] = useSearchParams();
  const statusId = useId();
  const page = pageOf(params.get("page"));
  const status = (STATUSES as readonly string[]).includes(params.get("status") ?? "")
    ? (params.get("status") as PaymentStatus)
    : "";
  const filters: PaymentFilters = { page, page_size: PAGE_SIZE, status };
  const payments = useQuery({
    queryKey: paymentKeys.list(filters),
    queryFn: ({ signal }) => listPayments(filters, signal),
    placeholderData: keepPreviousData,
  });

  const update = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value === "" || (key === "page" && value === "1")) next.delete(key);
      else next.set(key, value);
    }
    setParams(next);
  };

  return (
    <section aria-labelledby="payments-title">
      <h1 id="payments-title">Payments</h1>
      <div className="field">
        <label htmlFor={statusId}>Status</label>
        <select id={statusId} value={status} onChange={(event) => update({ status: event.target.value, page: "1" })}>
          <option value="">All</option>
          {STATUSES.map((choice) => (
            <option key={choice} value={choice}>
              {choice}
            </option>
          ))}
        </select>
      </div>
      {payments.isPending && <Loading label="Loading the payments…" />}
      {payments.isError && <QueryError title="The payments could not be loaded." error={payments.error} />}
      {payments.data && payments.data.count === 0 && <p>No payments.</p>}
      {payments.data && payments.data.count > 0 && (
        <>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Payment</th>
                  <th scope="col">Amount</th>
                  <th scope="col">Status</th>
                  <th scope="col">Description</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {payments.data.results.map((payment) => (
                  <tr key={payment.id}>
                    <td>
                      <Link to={`/payments/${payment.id}`} aria-label={`Payment ${payment.id}`}>
                        #{payment.id}
                      </Link>
                    </td>
                    <td>{formatMoney(payment.amount, payment.currency)}</td>
                    <td>{payment.status}</td>
                    <td>{payment.description}</td>
                    <td>{formatDateTime(payment.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination
            count={payments.data.count}
            page={page}
            pageSize={PAGE_SIZE}
            onPage={(next) => update({ page: String(next) })}
            label="Payment pages"
          />
        </>
      )}
    </section>
  );
}
