import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { ROLE_LABELS, queryKeys, useCurrentUser, type User } from "../../api";
import { updateProfile } from "../../api/accounts";
import { applyApiError } from "../../components/applyApiError";
import { FormAlert } from "../../components/FormAlert";
import { Loading } from "../../components/QueryStatus";
import { RequireArea } from "../../components/RequireArea";
import { SubmitButton } from "../../components/SubmitButton";
import { TextField } from "../../components/TextField";
import styles from "./accounts.module.css";
import { ChangePasswordForm } from "./ChangePasswordForm";
import { DevicesSection } from "./DevicesSection";

interface ProfileForm {
  first_name: string;
  last_name: string;
  phone_number: string;
  bio: string;
  url: string;
  company: string;
  location: string;
  birth_date: string;
}
const FIELDS = ["first_name", "last_name", "phone_number", "bio", "url", "company", "location", "birth_date"] as const;

function formValues(user: User): ProfileForm {
  return {
    first_name: user.first_name,
    last_name: user.last_name,
    phone_number: user.phone_number,
    bio: user.bio,
    url: user.url,
    company: user.company,
    location: user.location,
    birth_date: user.birth_date ?? "",
  };
}

/** The signed-in user's own page: profile fields, password, and the devices signed in. */
export function ProfilePage() {
  return (
    <RequireArea area="profile">
      <ProfileContent />
    </RequireArea>
  );
}

function ProfileContent() {
  const user = useCurrentUser();
  if (!user.data) return <Loading label="Loading your account…" />;
  const { data } = user;
  return (
    <section aria-labelledby="profile-title" className={styles.stack}>
      <div>
        <h1 id="profile-title">Profile</h1>
        <dl className="facts">
          <dt>Username</dt>
          <dd>{data.username}</dd>
          <dt>E-mail</dt>
          <dd>{data.email ?? "—"}</dd>
          <dt>Role</dt>
          <dd>{ROLE_LABELS[data.role]}</dd>
          {data.tenant && (
            <>
              <dt>Tenant</dt>
              <dd>{data.tenant.name}</dd>
            </>
          )}
        </dl>
        <p className="muted small">Your username and e-mail address are changed by an administrator.</p>
      </div>
      <ProfileDetails user={data} />
      <ChangePasswordForm />
      <DevicesSection />
    </section>
  );
}

function ProfileDetails({ user }: { user: User }) {
  const queryClient = useQueryClient();
  const [formMessages, setFormMessages] = useState<string[]>([]);
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors },
  } = useForm<ProfileForm>({ defaultValues: formValues(user) });

  const save = useMutation({
    mutationFn: (values: ProfileForm) => updateProfile({ ...values, birth_date: values.birth_date || null }),
    onSuccess: (updated) => {
      queryClient.setQueryData(queryKeys.currentUser, updated);
      reset(formValues(updated));
    },
    onError: (error) => setFormMessages(applyApiError(error, setError, FIELDS)),
  });

  const onSubmit = handleSubmit((values) => {
    setFormMessages([]);
    save.reset();
    save.mutate(values);
  });

  return (
    <section aria-labelledby="profile-details-title">
      <h2 id="profile-details-title">Profile details</h2>
      <form onSubmit={onSubmit} noValidate aria-labelledby="profile-details-title" className="form">
        <FormAlert messages={formMessages} />
        {save.isSuccess && (
          <p role="status" className="alert alert-info">
            Your profile has been saved.
          </p>
        )}
        <TextField label="First name" autoComplete="given-name" registration={register("first_name")} error={errors.first_name?.message} />
        <TextField label="Last name" autoComplete="family-name" registration={register("last_name")} error={errors.last_name?.message} />
        <TextField label="Phone number" type="tel" autoComplete="tel" registration={register("phone_number")} error={errors.phone_number?.message} />
        <TextField
          label="Website"
          type="url"
          autoComplete="url"
          hint="A full address, such as https://example.com"
          registration={register("url")}
          error={errors.url?.message}
        />
        <TextField label="Company" autoComplete="organization" registration={register("company")} error={errors.company?.message} />
        <TextField label="Location" registration={register("location")} error={errors.location?.message} />
        <TextField label="Birth date" type="date" autoComplete="bday" registration={register("birth_date")} error={errors.birth_date?.message} />
        <TextField label="Bio" type="textarea" rows={4} registration={register("bio")} error={errors.bio?.message} />
        <SubmitButton label="Save profile" pendingLabel="Saving…" pending={save.isPending} />
      </form>
    </section>
  );
}
