import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { deleteTenant, getTenant, tenantKeys, updateTenant, type Tenant, type TenantWrite } from "../../api/tenants";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { FormAlert } from "../../components/FormAlert";
import { Loading, QueryError } from "../../components/QueryStatus";
import { RequireArea } from "../../components/RequireArea";
import { Flash, Notice, type FlashState } from "./fields";
import { activeLabel, errorMessages, formatDateTime } from "./format";
import { parseId } from "./listParams";
import styles from "./people.module.css";
import { TenantForm, tenantFormValues } from "./TenantForm";

/** `/tenants/:id` (staff): a tenant's facts, edit, (de)activate, delete, and adding its owner. */
export function TenantDetailPage() {
  return (
    <RequireArea area="tenants">
      <TenantDetail />
    </RequireArea>
  );
}

function TenantDetail() {
  const id = parseId(useParams().id);
  const tenant = useQuery({
    queryKey: tenantKeys.detail(id ?? 0),
    queryFn: ({ signal }) => getTenant(id ?? 0, signal),
    enabled: id !== null,
  });

  const back = (
    <p>
      <Link to="/tenants">← Tenants</Link>
    </p>
  );
  if (id === null) {
    return (
      <section aria-labelledby="tenant-missing" className={styles.page}>
        {back}
        <h1 id="tenant-missing">Tenant not found</h1>
        <FormAlert messages={["Not found."]} />
      </section>
    );
  }
  if (tenant.isPending) return <Loading label="Loading the tenant…" />;
  if (tenant.isError) {
    return (
      <section aria-labelledby="tenant-missing" className={styles.page}>
        {back}
        <h1 id="tenant-missing">Tenant</h1>
        <QueryError title="The tenant could not be loaded." error={tenant.error} />
      </section>
    );
  }
  return <TenantView tenant={tenant.data} back={back} />;
}

function TenantView({ tenant, back }: { tenant: Tenant; back: ReactNode }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);
  const [actionErrors, setActionErrors] = useState<string[]>([]);

  const saved = (answer: Tenant) => {
    queryClient.setQueryData(tenantKeys.detail(answer.id), answer);
    void queryClient.invalidateQueries({ queryKey: tenantKeys.all, refetchType: "none" });
  };

  const save = useMutation({
    mutationFn: (body: TenantWrite) => updateTenant(tenant.id, body),
    onSuccess: saved,
  });

  const toggle = useMutation({
    mutationFn: (isActive: boolean) => updateTenant(tenant.id, { is_active: isActive }),
    onMutate: () => {
      setNotice(null);
      setActionErrors([]);
    },
    onSuccess: (answer) => {
      saved(answer);
      setNotice(answer.is_active ? "Tenant activated." : "Tenant deactivated. Its users cannot log in.");
    },
    onError: (error) => setActionErrors(errorMessages(error)),
  });

  const remove = useMutation({
    mutationFn: () => deleteTenant(tenant.id),
    onMutate: () => {
      setNotice(null);
      setActionErrors([]);
    },
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: tenantKeys.detail(tenant.id) });
      void queryClient.invalidateQueries({ queryKey: tenantKeys.all });
      const state: FlashState = { message: `Tenant “${tenant.name}” deleted.` };
      void navigate("/tenants", { state });
    },
    onError: (error) => setActionErrors(errorMessages(error)),
  });

  const busy = toggle.isPending || remove.isPending;

  return (
    <section aria-labelledby="tenant-title" className={styles.page}>
      {back}
      <Flash />
      <h1 id="tenant-title">{tenant.name}</h1>
      <dl className="facts">
        <dt>Slug</dt>
        <dd>{tenant.slug}</dd>
        <dt>Status</dt>
        <dd>{activeLabel(tenant.is_active)}</dd>
        <dt>Users</dt>
        <dd>
          {tenant.user_count} (<Link to={`/users?tenant=${tenant.id}`}>show the users</Link>)
        </dd>
        <dt>Created</dt>
        <dd>{formatDateTime(tenant.created_at)}</dd>
        <dt>Updated</dt>
        <dd>{formatDateTime(tenant.updated_at)}</dd>
        <dt>UUID</dt>
        <dd>{tenant.uuid}</dd>
      </dl>

      <h2>Actions</h2>
      <FormAlert messages={actionErrors} />
      {notice && <Notice>{notice}</Notice>}
      <div className="actions">
        <button type="button" disabled={busy} onClick={() => toggle.mutate(!tenant.is_active)}>
          {tenant.is_active ? "Deactivate" : "Activate"}
        </button>
        <Link to={`/users/new?tenant=${tenant.id}&role=tenant_owner`}>Add a tenant owner</Link>
        <ConfirmDialog
          trigger={
            <button type="button" className="danger" disabled={busy}>
              Delete
            </button>
          }
          title={`Delete the tenant “${tenant.name}”?`}
          description="This cannot be undone. A tenant that still has users cannot be deleted."
          confirmLabel="Delete tenant"
          onConfirm={() => remove.mutate()}
        />
      </div>

      <h2>Edit tenant</h2>
      <TenantForm
        key={tenant.id}
        kind="edit"
        defaults={tenantFormValues(tenant)}
        submitLabel="Save tenant"
        savedMessage="Tenant saved."
        onSubmit={save.mutateAsync}
      />
    </section>
  );
}
