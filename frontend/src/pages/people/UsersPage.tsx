import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate } from "react-router";
import { ROLE_LABELS, isStaff, useCurrentUser, type Role } from "../../api";
import { ROLES, listUsers, userKeys, type UserFilters } from "../../api/users";
import { FilterForm } from "../../components/FilterForm";
import { PagedTable } from "../../components/PagedTable";
import { QueryError } from "../../components/QueryStatus";
import { RequireArea } from "../../components/RequireArea";
import { ACTIVE_OPTIONS, Flash, FilterInput, FilterSelect, type Option } from "./fields";
import { activeLabel, formatDateTime, fullName } from "./format";
import { PAGE_SIZE, useDraft, useListParams, useTenantFilter } from "./listParams";
import styles from "./people.module.css";

const ORDERINGS: readonly Option[] = [
  { value: "", label: "Default (oldest account first)" },
  { value: "username", label: "Username, A to Z" },
  { value: "-username", label: "Username, Z to A" },
  { value: "-date_joined", label: "Newest first" },
  { value: "date_joined", label: "Oldest first" },
  { value: "-last_login", label: "Last login, latest first" },
  { value: "last_login", label: "Last login, earliest first" },
];

/** `/users` (staff and tenant owners): the users the caller may see, filtered, a page at a time. */
export function UsersPage() {
  return (
    <RequireArea area="users">
      <UserList />
    </RequireArea>
  );
}

function UserList() {
  const navigate = useNavigate();
  const me = useCurrentUser();
  const staff = me.data ? isStaff(me.data.role) : false;
  const list = useListParams();
  const filters: UserFilters = {
    page: list.page,
    page_size: PAGE_SIZE,
    tenant: staff ? list.value("tenant") : "",
    role: list.value("role"),
    is_active: list.value("is_active"),
    search: list.value("search"),
    ordering: list.value("ordering"),
  };
  const users = useQuery({ queryKey: userKeys.list(filters), queryFn: ({ signal }) => listUsers(filters, signal) });
  const { tenants, options: tenantOptions } = useTenantFilter(staff);
  const [search, setSearch] = useDraft(list.value("search"));

  const visibleRoles: readonly Role[] = staff ? ROLES : ["tenant_owner", "subscriber"];
  const roleOptions: Option[] = [
    { value: "", label: "All roles" },
    ...visibleRoles.map((role) => ({ value: role, label: ROLE_LABELS[role] })),
  ];

  return (
    <section aria-labelledby="users-title" className={styles.page}>
      <div className={styles.titleRow}>
        <h1 id="users-title">Users</h1>
        <button type="button" className="primary" onClick={() => void navigate("/users/new")}>
          New user
        </button>
      </div>
      <Flash />
      <FilterForm label="Filter users" onSearch={() => list.setFilters({ search })}>
        <FilterInput label="Search" type="search" value={search} onChange={setSearch} />
        {staff && (
          <FilterSelect
            label="Tenant"
            value={list.value("tenant")}
            options={tenantOptions}
            onChange={(value) => list.setFilters({ tenant: value })}
          />
        )}
        <FilterSelect label="Role" value={list.value("role")} options={roleOptions} onChange={(value) => list.setFilters({ role: value })} />
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
      {tenants.isError && <QueryError title="The tenant filter could not be loaded." error={tenants.error} />}
      <PagedTable
        query={users}
        label="Users"
        columns={["Username", "Name", "E-mail", "Role", "Tenant", "Active", "Last login"]}
        row={(user) => (
          <tr key={user.id}>
            <td>
              <Link to={`/users/${user.id}`}>{user.username}</Link>
            </td>
            <td>{fullName(user)}</td>
            <td>{user.email ?? ""}</td>
            <td>{ROLE_LABELS[user.role] ?? user.role}</td>
            <td>{user.tenant?.name ?? "—"}</td>
            <td className={user.is_active ? undefined : styles.inactive}>{activeLabel(user.is_active)}</td>
            <td className={styles.nowrap}>{formatDateTime(user.last_login, "Never")}</td>
          </tr>
        )}
        loadingLabel="Loading users…"
        errorTitle="The users could not be loaded."
        emptyText="No users match."
        page={list.page}
        pageSize={PAGE_SIZE}
        onPage={list.setPage}
        pagesLabel="User pages"
      />
    </section>
  );
}
