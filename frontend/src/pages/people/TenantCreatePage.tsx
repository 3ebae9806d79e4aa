import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "react-router";
import { createTenant, tenantKeys, type TenantWrite } from "../../api/tenants";
import { RequireArea } from "../../components/RequireArea";
import type { FlashState } from "./fields";
import styles from "./people.module.css";
import { EMPTY_TENANT, TenantForm } from "./TenantForm";

/** `/tenants/new` (staff): a tenant, then its page (where its owner can be added). */
export function TenantCreatePage() {
  return (
    <RequireArea area="tenants">
      <TenantCreate />
    </RequireArea>
  );
}

function TenantCreate() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: (body: TenantWrite) => createTenant(body),
    onSuccess: (tenant) => {
      queryClient.setQueryData(tenantKeys.detail(tenant.id), tenant);
      void queryClient.invalidateQueries({ queryKey: tenantKeys.all, refetchType: "none" });
      const state: FlashState = { message: `Tenant “${tenant.name}” created.` };
      void navigate(`/tenants/${tenant.id}`, { state });
    },
  });

  return (
    <section aria-labelledby="tenant-new-title" className={styles.page}>
      <p>
        <Link to="/tenants">← Tenants</Link>
      </p>
      <h1 id="tenant-new-title">New tenant</h1>
      <TenantForm kind="create" defaults={EMPTY_TENANT} submitLabel="Create tenant" onSubmit={create.mutateAsync} />
    </section>
  );
}
