import { useQuery } from "@tanstack/react-query";
import { isStaff, useCurrentUser } from "../../api";
import { AUDIT_ACTIONS, auditKeys, listAuditLog, type AuditFilters } from "../../api/auditLog";
import { FilterForm } from "../../components/FilterForm";
import { PagedTable } from "../../components/PagedTable";
import { QueryError } from "../../components/QueryStatus";
import { RequireArea } from "../../components/RequireArea";
import { FilterInput, FilterSelect, type Option } from "./fields";
import { dayBound, formatDateTime, formatDetails } from "./format";
import { PAGE_SIZE, useDraft, useListParams, useTenantFilter } from "./listParams";
import styles from "./people.module.css";

const ACTION_OPTIONS: readonly Option[] = [
  { value: "", label: "All actions" },
  ...AUDIT_ACTIONS.map((action) => ({ value: action, label: action })),
];

/** `/audit-log` (staff and tenant owners): newest first, filtered by action, people, tenant and days. */
export function AuditLogPage() {
  return (
    <RequireArea area="auditLog">
      <AuditLog />
    </RequireArea>
  );
}

function AuditLog() {
  const me = useCurrentUser();
  const staff = me.data ? isStaff(me.data.role) : false;
  const list = useListParams();
  const since = list.value("since");
  const until = list.value("until");
  const filters: AuditFilters = {
    page: list.page,
    page_size: PAGE_SIZE,
    action: list.value("action"),
    actor: list.value("actor"),
    target: list.value("target"),
    tenant: staff ? list.value("tenant") : "",
    since: since && dayBound(since, "start"),
    until: until && dayBound(until, "end"),
  };
  const entries = useQuery({ queryKey: auditKeys.list(filters), queryFn: ({ signal }) => listAuditLog(filters, signal) });
  const { tenants, options: tenantOptions } = useTenantFilter(staff);

  const [actor, setActor] = useDraft(list.value("actor"));
  const [target, setTarget] = useDraft(list.value("target"));
  const [sinceDraft, setSince] = useDraft(since);
  const [untilDraft, setUntil] = useDraft(until);

  const tenantNames = new Map<number, string>((tenants.data ?? []).map((tenant) => [tenant.id, tenant.name]));
  if (me.data?.tenant) tenantNames.set(me.data.tenant.id, me.data.tenant.name);

  return (
    <section aria-labelledby="audit-title" className={styles.page}>
      <h1 id="audit-title">Audit log</h1>
      <FilterForm label="Filter the audit log" onSearch={() => list.setFilters({ actor, target, since: sinceDraft, until: untilDraft })}>
        <FilterSelect
          label="Action"
          value={list.value("action")}
          options={ACTION_OPTIONS}
          onChange={(value) => list.setFilters({ action: value })}
        />
        <FilterInput label="Actor (user id)" type="number" value={actor} onChange={setActor} />
        <FilterInput label="Target (user id)" type="number" value={target} onChange={setTarget} />
        {staff && (
          <FilterSelect
            label="Tenant"
            value={list.value("tenant")}
            options={tenantOptions}
            onChange={(value) => list.setFilters({ tenant: value })}
          />
        )}
        <FilterInput label="Since" type="date" value={sinceDraft} onChange={setSince} />
        <FilterInput label="Until" type="date" value={untilDraft} onChange={setUntil} />
      </FilterForm>
      <p className="muted small">Days run from midnight to midnight UTC; both ends are included.</p>
      {tenants.isError && <QueryError title="The tenant filter could not be loaded." error={tenants.error} />}
      <PagedTable
        query={entries}
        label="Audit log"
        columns={["Time", "Action", "Actor", "Target", "Tenant", "Details"]}
        row={(entry) => (
          <tr key={entry.id}>
            <td className={styles.nowrap}>
              <time dateTime={entry.timestamp}>{formatDateTime(entry.timestamp)}</time>
            </td>
            <td>{entry.action}</td>
            <td>{entry.actor ? `${entry.actor.username} (#${entry.actor.id})` : "—"}</td>
            <td>{entry.target ? `${entry.target.username} (#${entry.target.id})` : "—"}</td>
            <td>{entry.tenant === null ? "—" : (tenantNames.get(entry.tenant) ?? `#${entry.tenant}`)}</td>
            <td className={styles.details}>{formatDetails(entry.details)}</td>
          </tr>
        )}
        loadingLabel="Loading the audit log…"
        errorTitle="The audit log could not be loaded."
        emptyText="No entries match."
        page={list.page}
        pageSize={PAGE_SIZE}
        onPage={list.setPage}
        pagesLabel="Audit log pages"
      />
    </section>
  );
}
