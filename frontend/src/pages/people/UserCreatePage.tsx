import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useForm } from "react-hook-form";
import { Link, useNavigate, useSearchParams } from "react-router";
import { z } from "zod";
import { ROLE_LABELS, isStaff, useCurrentUser, type Role, type User } from "../../api";
import { listAllTenants, tenantKeys, type Tenant } from "../../api/tenants";
import { createUser, grantableRoles, isStaffRole, userKeys, type UserCreate } from "../../api/users";
import { applyApiError } from "../../components/applyApiError";
import { FormAlert } from "../../components/FormAlert";
import { Loading, QueryError } from "../../components/QueryStatus";
import { RequireArea } from "../../components/RequireArea";
import { SelectField } from "../../components/SelectField";
import { TextField } from "../../components/TextField";
import { ReadOnlyField, type FlashState } from "./fields";
import styles from "./people.module.css";

const schema = z.object({
  username: z.string().trim().min(1, "Enter a username."),
  email: z.string().trim().min(1, "Enter an e-mail address."),
  first_name: z.string().trim(),
  last_name: z.string().trim(),
  role: z.string(),
  tenant: z.string(),
  password: z.string(),
});
type UserCreateForm = z.infer<typeof schema>;
const KNOWN = ["username", "email", "first_name", "last_name", "role", "tenant", "password"] as const;

const PASSWORD_HINT = "Leave empty: the user sets it through a reset link";

/** `/users/new` (staff and tenant owners); `?tenant=ID&role=tenant_owner` preselects. */
export function UserCreatePage() {
  return (
    <RequireArea area="users">
      <UserCreateLoader />
    </RequireArea>
  );
}

function UserCreateLoader() {
  const me = useCurrentUser();
  const staff = me.data ? isStaff(me.data.role) : false;
  const tenants = useQuery({ queryKey: tenantKeys.choices, queryFn: ({ signal }) => listAllTenants(signal), enabled: staff });
  if (!me.data) return null;
  return (
    <section aria-labelledby="user-new-title" className={styles.page}>
      <p>
        <Link to="/users">← Users</Link>
      </p>
      <h1 id="user-new-title">New user</h1>
      {staff && tenants.isPending ? (
        <Loading label="Loading the tenants…" />
      ) : staff && tenants.isError ? (
        <QueryError title="The tenants could not be loaded." error={tenants.error} />
      ) : (
        <UserCreateFormView me={me.data} tenants={tenants.data ?? []} />
      )}
    </section>
  );
}

/** The body for `users/`: a tenant owner's users go to their own tenant (left out, as the API allows). */
function userCreateBody(values: UserCreateForm, caller: Role): UserCreate {
  const role = values.role as Role;
  const body: UserCreate = {
    username: values.username,
    email: values.email,
    first_name: values.first_name,
    last_name: values.last_name,
    role,
  };
  if (isStaff(caller) && !isStaffRole(role)) body.tenant = values.tenant === "" ? null : Number(values.tenant);
  if (values.password !== "") body.password = values.password;
  return body;
}

function UserCreateFormView({ me, tenants }: { me: User; tenants: Tenant[] }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const [formMessages, setFormMessages] = useState<string[]>([]);
  const staff = isStaff(me.role);
  const roles = grantableRoles(me.role);
  const wantedRole = params.get("role") as Role | null;
  const wantedTenant = params.get("tenant") ?? "";

  const {
    register,
    handleSubmit,
    setError,
    setValue,
    getValues,
    watch,
    formState: { errors, isSubmitting },
  } = useForm<UserCreateForm>({
    resolver: zodResolver(schema),
    defaultValues: {
      username: "",
      email: "",
      first_name: "",
      last_name: "",
      role: wantedRole && roles.includes(wantedRole) ? wantedRole : roles.includes("subscriber") ? "subscriber" : (roles[0] ?? ""),
      tenant: tenants.some((tenant) => String(tenant.id) === wantedTenant) ? wantedTenant : "",
      password: "",
    },
  });

  // The tenant a tenant page preselects may be newer than the cached choices (just created): it is
  // selected when the refetched choices bring it, unless a tenant has been chosen meanwhile.
  const wantedKnown = tenants.some((tenant) => String(tenant.id) === wantedTenant);
  useEffect(() => {
    if (wantedKnown && getValues("tenant") === "") setValue("tenant", wantedTenant);
  }, [wantedKnown, wantedTenant, getValues, setValue]);

  const create = useMutation({
    mutationFn: (body: UserCreate) => createUser(body),
    onSuccess: (user, body) => {
      queryClient.setQueryData(userKeys.detail(user.id), user);
      void queryClient.invalidateQueries({ queryKey: userKeys.all, refetchType: "none" });
      void queryClient.invalidateQueries({ queryKey: tenantKeys.all, refetchType: "none" });
      const state: FlashState = {
        message: body.password
          ? `User “${user.username}” created.`
          : `User “${user.username}” created. They set their password through the link e-mailed to them.`,
      };
      void navigate(`/users/${user.id}`, { state });
    },
  });

  const submit = handleSubmit(async (values) => {
    setFormMessages([]);
    try {
      await create.mutateAsync(userCreateBody(values, me.role));
    } catch (error) {
      setFormMessages(applyApiError(error as Error, setError, KNOWN));
    }
  });

  const role = watch("role") as Role;
  return (
    <form onSubmit={submit} noValidate className="form" aria-label="New user">
      <FormAlert messages={formMessages} />
      <TextField label="Username" registration={register("username")} error={errors.username?.message} autoComplete="off" />
      <TextField label="E-mail" type="email" registration={register("email")} error={errors.email?.message} autoComplete="off" />
      <TextField label="First name" registration={register("first_name")} error={errors.first_name?.message} autoComplete="off" />
      <TextField label="Last name" registration={register("last_name")} error={errors.last_name?.message} autoComplete="off" />
      <SelectField
        label="Role"
        registration={register("role")}
        options={roles.map((value) => ({ value, label: ROLE_LABELS[value] }))}
        error={errors.role?.message}
      />
      {staff ? (
        isStaffRole(role) ? (
          <p className="muted small">Platform staff belong to no tenant.</p>
        ) : (
          <SelectField
            label="Tenant"
            registration={register("tenant")}
            options={[
              { value: "", label: "No tenant" },
              ...tenants.map((tenant) => ({ value: String(tenant.id), label: tenant.name })),
            ]}
            error={errors.tenant?.message}
          />
        )
      ) : (
        <>
          <ReadOnlyField label="Tenant" value={me.tenant?.name ?? ""} hint="Your users join your own tenant." />
          {errors.tenant?.message && <p className="field-error">{errors.tenant.message}</p>}
        </>
      )}
      <TextField
        label="Password"
        type="password"
        autoComplete="new-password"
        hint={PASSWORD_HINT}
        registration={register("password")}
        error={errors.password?.message}
      />
      <div className="actions">
        <button type="submit" className="primary" disabled={isSubmitting}>
          Create user
        </button>
      </div>
    </form>
  );
}
