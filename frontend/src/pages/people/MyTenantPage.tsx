import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { queryKeys } from "../../api";
import { getMyTenant, tenantKeys, updateMyTenant, type TenantWrite } from "../../api/tenants";
import { Loading, QueryError } from "../../components/QueryStatus";
import { RequireArea } from "../../components/RequireArea";
import { activeLabel, formatDateTime } from "./format";
import styles from "./people.module.css";
import { TenantForm, tenantFormValues } from "./TenantForm";

/** `/my-tenant` (tenant owners): their tenant through `tenants/me/`; slug and status read-only. */
export function MyTenantPage() {
  return (
    <RequireArea area="myTenant">
      <MyTenant />
    </RequireArea>
  );
}

function MyTenant() {
  const queryClient = useQueryClient();
  const tenant = useQuery({ queryKey: tenantKeys.mine, queryFn: ({ signal }) => getMyTenant(signal) });
  const save = useMutation({
    mutationFn: ({ name, description, email, url }: TenantWrite) => updateMyTenant({ name, description, email, url }),
    onSuccess: (answer) => {
      queryClient.setQueryData(tenantKeys.mine, answer);
      // The signed-in user's record names their tenant (dashboard, new user form, audit log).
      void queryClient.invalidateQueries({ queryKey: queryKeys.currentUser });
    },
  });

  return (
    <section aria-labelledby="my-tenant-title" className={styles.page}>
      <h1 id="my-tenant-title">My tenant</h1>
      {tenant.isPending ? (
        <Loading label="Loading your tenant…" />
      ) : tenant.isError ? (
        <QueryError title="Your tenant could not be loaded." error={tenant.error} />
      ) : (
        <>
          <dl className="facts">
            <dt>Slug</dt>
            <dd>{tenant.data.slug}</dd>
            <dt>Status</dt>
            <dd>{activeLabel(tenant.data.is_active)}</dd>
            <dt>Users</dt>
            <dd>{tenant.data.user_count}</dd>
            <dt>Created</dt>
            <dd>{formatDateTime(tenant.data.created_at)}</dd>
          </dl>
          <p className="muted small">The slug and the status are managed by the platform's staff.</p>
          <TenantForm
            key={tenant.data.id}
            kind="mine"
            defaults={tenantFormValues(tenant.data)}
            submitLabel="Save tenant"
            savedMessage="Tenant saved."
            onSubmit={save.mutateAsync}
          />
        </>
      )}
    </section>
  );
}
