/** The forms of a user's page: edit (PATCH), assign role, set password. */
import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { ROLE_LABELS, type Role, type User } from "../../api";
import type { Tenant } from "../../api/tenants";
import { assignRole, grantableRoles, setUserPassword, updateUser, userKeys, type UserUpdate } from "../../api/users";
import { applyApiError } from "../../components/applyApiError";
import { FormAlert } from "../../components/FormAlert";
import { NewPasswordFields } from "../../components/NewPasswordFields";
import { SelectField } from "../../components/SelectField";
import { TextField } from "../../components/TextField";
import { Notice } from "./fields";

function useUserSaved() {
  const queryClient = useQueryClient();
  return (user: User) => {
    queryClient.setQueryData(userKeys.detail(user.id), user);
    void queryClient.invalidateQueries({ queryKey: userKeys.all, refetchType: "none" });
  };
}

const editSchema = z.object({
  username: z.string().trim().min(1, "Enter a username."),
  email: z.string().trim().min(1, "Enter an e-mail address."),
  first_name: z.string().trim(),
  last_name: z.string().trim(),
  tenant: z.string(),
  phone_number: z.string().trim(),
  company: z.string().trim(),
  location: z.string().trim(),
  url: z.string().trim(),
  birth_date: z.string(),
  bio: z.string(),
});
type EditForm = z.infer<typeof editSchema>;
const EDIT_FIELDS = [
  "username",
  "email",
  "first_name",
  "last_name",
  "tenant",
  "phone_number",
  "company",
  "location",
  "url",
  "birth_date",
  "bio",
] as const;

function editValues(user: User): EditForm {
  return {
    username: user.username,
    email: user.email ?? "",
    first_name: user.first_name,
    last_name: user.last_name,
    tenant: user.tenant ? String(user.tenant.id) : "",
    phone_number: user.phone_number,
    company: user.company,
    location: user.location,
    url: user.url,
    birth_date: user.birth_date ?? "",
    bio: user.bio,
  };
}

/** The tenant select's options: the user's own tenant always among them, even when the cached
 * choices are older than it (else the select would show "No tenant" for a user who has one). */
function tenantOptions(tenants: Tenant[], user: User): { value: string; label: string }[] {
  const choices: { id: number; name: string }[] = [...tenants];
  if (user.tenant && !tenants.some((tenant) => tenant.id === user.tenant?.id)) choices.push(user.tenant);
  return [{ value: "", label: "No tenant" }, ...choices.map((tenant) => ({ value: String(tenant.id), label: tenant.name }))];
}

/**
 * PATCH of the writable fields. `tenants` is given when the caller is staff and the user is not:
 * then the tenant can be changed; otherwise it is left out of the body.
 */
export function UserEditForm({ user, tenants }: { user: User; tenants: Tenant[] | null }) {
  const onSaved = useUserSaved();
  const [formMessages, setFormMessages] = useState<string[]>([]);
  const [saved, setSaved] = useState(false);
  const {
    register,
    handleSubmit,
    setError,
    reset,
    setValue,
    formState: { errors, isSubmitting },
  } = useForm<EditForm>({ resolver: zodResolver(editSchema), defaultValues: editValues(user) });

  // A role change elsewhere on the page can move the user out of (or into) a tenant.
  const tenantId = user.tenant ? String(user.tenant.id) : "";
  useEffect(() => setValue("tenant", tenantId), [setValue, tenantId]);

  const save = useMutation({ mutationFn: (changes: UserUpdate) => updateUser(user.id, changes), onSuccess: onSaved });

  const submit = handleSubmit(async (values) => {
    setFormMessages([]);
    setSaved(false);
    const { tenant, birth_date, ...rest } = values;
    const changes: UserUpdate = { ...rest, birth_date: birth_date === "" ? null : birth_date };
    if (tenants) changes.tenant = tenant === "" ? null : Number(tenant);
    try {
      const answer = await save.mutateAsync(changes);
      reset(editValues(answer));
      setSaved(true);
    } catch (error) {
      setFormMessages(applyApiError(error as Error, setError, EDIT_FIELDS));
    }
  });

  return (
    <form onSubmit={submit} noValidate className="form" aria-label="Edit user">
      <FormAlert messages={formMessages} />
      {saved && <Notice>User saved.</Notice>}
      <TextField label="Username" registration={register("username")} error={errors.username?.message} autoComplete="off" />
      <TextField label="E-mail" type="email" registration={register("email")} error={errors.email?.message} autoComplete="off" />
      <TextField label="First name" registration={register("first_name")} error={errors.first_name?.message} autoComplete="off" />
      <TextField label="Last name" registration={register("last_name")} error={errors.last_name?.message} autoComplete="off" />
      {tenants && (
        <SelectField
          label="Tenant"
          registration={register("tenant")}
          options={tenantOptions(tenants, user)}
          error={errors.tenant?.message}
        />
      )}
      <TextField label="Phone number" registration={register("phone_number")} error={errors.phone_number?.message} autoComplete="off" />
      <TextField label="Company" registration={register("company")} error={errors.company?.message} autoComplete="off" />
      <TextField label="Location" registration={register("location")} error={errors.location?.message} autoComplete="off" />
      <TextField label="Website" registration={register("url")} error={errors.url?.message} autoComplete="off" />
      <TextField type="date" label="Birth date" registration={register("birth_date")} error={errors.birth_date?.message} />
      <TextField type="textarea" label="Bio" registration={register("bio")} error={errors.bio?.message} />
      <div className="actions">
        <button type="submit" className="primary" disabled={isSubmitting}>
          Save user
        </button>
      </div>
    </form>
  );
}

const roleSchema = z.object({ role: z.string().min(1, "Choose a role.") });
type RoleForm = z.infer<typeof roleSchema>;

/** `users/{id}/assign-role/`: the options are the roles the caller may grant. */
export function AssignRoleForm({ user, caller }: { user: User; caller: Role }) {
  const onSaved = useUserSaved();
  const [formMessages, setFormMessages] = useState<string[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const roles = grantableRoles(caller);
  const options = (roles.includes(user.role) ? roles : [user.role, ...roles]).map((value) => ({
    value,
    label: ROLE_LABELS[value],
  }));
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<RoleForm>({ resolver: zodResolver(roleSchema), defaultValues: { role: user.role } });

  const assign = useMutation({ mutationFn: (role: Role) => assignRole(user.id, role), onSuccess: onSaved });

  const submit = handleSubmit(async ({ role }) => {
    setFormMessages([]);
    setNotice(null);
    try {
      const answer = await assign.mutateAsync(role as Role);
      setNotice(`Role: ${ROLE_LABELS[answer.role]}.`);
    } catch (error) {
      setFormMessages(applyApiError(error as Error, setError, ["role"]));
    }
  });

  return (
    <form onSubmit={submit} noValidate className="form" aria-label="Assign role">
      <FormAlert messages={formMessages} />
      {notice && <Notice>{notice}</Notice>}
      <SelectField label="Role" registration={register("role")} options={options} error={errors.role?.message} />
      <div className="actions">
        <button type="submit" disabled={isSubmitting}>
          Assign role
        </button>
      </div>
    </form>
  );
}

const passwordSchema = z.object({
  new_password1: z.string().min(1, "Enter the new password."),
  new_password2: z.string().min(1, "Enter the new password again."),
});
type PasswordForm = z.infer<typeof passwordSchema>;

/** `users/{id}/set-password/`: the API checks the pair and the password rules. */
export function SetPasswordForm({ user }: { user: User }) {
  const queryClient = useQueryClient();
  const [formMessages, setFormMessages] = useState<string[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors, isSubmitting },
  } = useForm<PasswordForm>({ resolver: zodResolver(passwordSchema), defaultValues: { new_password1: "", new_password2: "" } });

  const setPassword = useMutation({
    mutationFn: (values: PasswordForm) => setUserPassword(user.id, values),
    // password_updated changed: read the user again.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: userKeys.detail(user.id) }),
  });

  const submit = handleSubmit(async (values) => {
    setFormMessages([]);
    setNotice(null);
    try {
      const answer = await setPassword.mutateAsync(values);
      reset();
      setNotice(answer.detail);
    } catch (error) {
      setFormMessages(applyApiError(error as Error, setError, ["new_password1", "new_password2"]));
    }
  });

  return (
    <form onSubmit={submit} noValidate className="form" aria-label="Set password">
      <FormAlert messages={formMessages} />
      {notice && <Notice>{notice}</Notice>}
      <NewPasswordFields
        first={register("new_password1")}
        second={register("new_password2")}
        firstError={errors.new_password1?.message}
        secondError={errors.new_password2?.message}
      />
      <div className="actions">
        <button type="submit" disabled={isSubmitting}>
          Set password
        </button>
      </div>
    </form>
  );
}
