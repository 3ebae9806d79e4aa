import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate } from "react-router";
import { listTenants, tenantKeys, type TenantFilters } from "../../api/tenants";
import { FilterForm } from "../../components/FilterForm";
import { PagedTable } from "../../components/PagedTable";
import { RequireArea } from "../../components/RequireArea";
import { ACTIVE_OPTIONS, Flash, FilterInput, FilterSelect, type Option } from "./fields";
import { activeLabel, formatDate } from "./format";
import { PAGE_SIZE, useDraft, useListParams } from "./listParams";
import styles from "./people.module.css";

const ORDERINGS: readonly Option[] = [
  { value: "", label: "Name, A to Z" },
  { value: "-name", label: "Name, Z to A" },
  { value: "-created_at", label: "Newest first" },
  { value: "created_at", label: "Oldest first" },
];

/** `/tenants` (staff): the tenants, searchable and filterable, a page at a time. */
export function TenantsPage() {
  return (
    <RequireArea area="tenants">
      <TenantList />
    </RequireArea>
  );
}

function TenantList() {
  const navigate = useNavigate();
  const list = useListParams();
  const filters: TenantFilters = {
    page: list.page,
    page_size: PAGE_SIZE,
    search: list.value("search"),
    is_active: list.value("is_active"),
    ordering: list.value("ordering"),
  };
  const tenants = useQuery({ queryKey: tenantKeys.list(filters), queryFn: ({ signal }) => listTenants(filters, signal) });
  const [search, setSearch] = useDraft(list.value("search"));

  return (
    <section aria-labelledby="tenants-title" className={styles.page}>
      <div className={styles.titleRow}>
        <h1 id="tenants-title">Tenants</h1>
        <button type="button" className="primary" onClick={() => void navigate("/tenants/new")}>
          New tenant
        </button>
      </div>
      <Flash />
      <FilterForm label="Filter tenants" onSearch={() => list.setFilters({ search })}>
        <FilterInput label="Search" type="search" value={search} onChange={setSearch} />
        <FilterSelect
          label="Status"
          value={list.value("is_active")}
          options={ACTIVE_OPTIONS}
          onChange={(value) => list.setFilters({ is_active: value })}
        />
        <FilterSelect
          label="Order by"
          value={list.value("ordering")}
          options={ORDERINGS}
          onChange={(value) => list.setFilters({ ordering: value })}
        />
      </FilterForm>
      <PagedTable
        query={tenants}
        label="Tenants"
        columns={["Name", "Slug", "Active", "Users", "Created"]}
        row={(tenant) => (
          <tr key={tenant.id}>
            <td>
              <Link to={`/tenants/${tenant.id}`}>{tenant.name}</Link>
            </td>
            <td>{tenant.slug}</td>
            <td className={tenant.is_active ? undefined : styles.inactive}>{activeLabel(tenant.is_active)}</td>
            <td>{tenant.user_count}</td>
            <td className={styles.nowrap}>
              <time dateTime={tenant.created_at}>{formatDate(tenant.created_at)}</time>
            </td>
          </tr>
        )}
        loadingLabel="Loading tenants…"
        errorTitle="The tenants could not be loaded."
        emptyText="No tenants match."
        page={list.page}
        pageSize={PAGE_SIZE}
        onPage={list.setPage}
        pagesLabel="Tenant pages"
      />
    </section>
  );
}
