import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import type { Tenant, TenantWrite } from "../../api/tenants";
import { applyApiError } from "../../components/applyApiError";
import { CheckboxField } from "../../components/CheckboxField";
import { FormAlert } from "../../components/FormAlert";
import { TextField } from "../../components/TextField";
import { Notice } from "./fields";

const schema = z.object({
  name: z.string().trim().min(1, "Enter a name."),
  slug: z.string().trim(),
  description: z.string(),
  email: z.string().trim(),
  url: z.string().trim(),
  is_active: z.boolean(),
});
export type TenantFormValues = z.infer<typeof schema>;

/** Which fields a form shows: staff create (all), staff edit (no Active: its own buttons), owner. */
export type TenantFormKind = "create" | "edit" | "mine";

const KNOWN = ["name", "slug", "description", "email", "url", "is_active"] as const;

export const EMPTY_TENANT: TenantFormValues = {
  name: "",
  slug: "",
  description: "",
  email: "",
  url: "",
  is_active: true,
};

export function tenantFormValues(tenant: Tenant): TenantFormValues {
  return {
    name: tenant.name,
    slug: tenant.slug,
    description: tenant.description,
    email: tenant.email ?? "",
    url: tenant.url,
    is_active: tenant.is_active,
  };
}

/** The body for the API: a blank e-mail is null; a blank slug is left out (made from the name). */
export function tenantBody(values: TenantFormValues, kind: TenantFormKind): TenantWrite {
  const body: TenantWrite = {
    name: values.name,
    description: values.description,
    email: values.email === "" ? null : values.email,
    url: values.url,
  };
  if (kind !== "mine" && values.slug !== "") body.slug = values.slug;
  if (kind === "create") body.is_active = values.is_active;
  return body;
}

/**
 * The tenant form of the three pages. `onSubmit` calls the API and resolves with the saved tenant;
 * its errors land next to the fields (or above the form), and an edit form then shows `savedMessage`.
 */
export function TenantForm({
  kind,
  defaults,
  submitLabel,
  savedMessage,
  onSubmit,
}: {
  kind: TenantFormKind;
  defaults: TenantFormValues;
  submitLabel: string;
  savedMessage?: string;
  onSubmit: (body: TenantWrite) => Promise<Tenant>;
}) {
  const [formMessages, setFormMessages] = useState<string[]>([]);
  const [saved, setSaved] = useState(false);
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors, isSubmitting },
  } = useForm<TenantFormValues>({ resolver: zodResolver(schema), defaultValues: defaults });

  const submit = handleSubmit(async (values) => {
    setFormMessages([]);
    setSaved(false);
    try {
      const tenant = await onSubmit(tenantBody(values, kind));
      reset(tenantFormValues(tenant));
      setSaved(true);
    } catch (error) {
      setFormMessages(applyApiError(error as Error, setError, KNOWN));
    }
  });

  return (
    <form onSubmit={submit} noValidate className="form" aria-label={submitLabel}>
      <FormAlert messages={formMessages} />
      {saved && savedMessage && <Notice>{savedMessage}</Notice>}
      <TextField label="Name" registration={register("name")} error={errors.name?.message} autoComplete="organization" />
      {kind !== "mine" && (
        <TextField
          label="Slug"
          registration={register("slug")}
          error={errors.slug?.message}
          hint={kind === "create" ? "Leave empty to make it from the name." : undefined}
        />
      )}
      <TextField type="textarea" label="Description" registration={register("description")} error={errors.description?.message} />
      <TextField label="E-mail" type="email" registration={register("email")} error={errors.email?.message} autoComplete="email" />
      <TextField label="Website" registration={register("url")} error={errors.url?.message} autoComplete="url" />
      {kind === "create" && <CheckboxField label="Active" registration={register("is_active")} error={errors.is_active?.message} />}
      <div className="actions">
        <button type="submit" className="primary" disabled={isSubmitting}>
          {submitLabel}
        </button>
      </div>
    </form>
  );
}
