import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { accountQueryKeys, changePassword } from "../../api/accounts";
import { applyApiError } from "../../components/applyApiError";
import { FormAlert } from "../../components/FormAlert";
import { NewPasswordFields } from "../../components/NewPasswordFields";
import { SubmitButton } from "../../components/SubmitButton";
import { TextField } from "../../components/TextField";

const schema = z.object({
  old_password: z.string().min(1, "Enter your current password."),
  new_password1: z.string().min(1, "Choose a new password."),
  new_password2: z.string().min(1, "Enter the new password again."),
});
type PasswordForm = z.infer<typeof schema>;
const FIELDS = ["old_password", "new_password1", "new_password2"] as const;
const EMPTY: PasswordForm = { old_password: "", new_password1: "", new_password2: "" };

/** Changes the password; the API signs out every other device, so the devices list is reread. */
export function ChangePasswordForm() {
  const queryClient = useQueryClient();
  const [formMessages, setFormMessages] = useState<string[]>([]);
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors },
  } = useForm<PasswordForm>({ resolver: zodResolver(schema), defaultValues: EMPTY });

  const change = useMutation({
    mutationFn: changePassword,
    onSuccess: () => {
      reset(EMPTY);
      void queryClient.invalidateQueries({ queryKey: accountQueryKeys.tokens });
    },
    onError: (error) => setFormMessages(applyApiError(error, setError, FIELDS)),
  });

  const onSubmit = handleSubmit((values) => {
    setFormMessages([]);
    change.reset();
    change.mutate(values);
  });

  return (
    <section aria-labelledby="change-password-title">
      <h2 id="change-password-title">Change password</h2>
      <form onSubmit={onSubmit} noValidate aria-labelledby="change-password-title" className="form">
        <FormAlert messages={formMessages} />
        {change.isSuccess && (
          <p role="status" className="alert alert-info">
            {change.data.detail} Your other devices have been signed out.
          </p>
        )}
        <TextField
          label="Current password"
          type="password"
          autoComplete="current-password"
          registration={register("old_password")}
          error={errors.old_password?.message}
        />
        <NewPasswordFields
          first={register("new_password1")}
          second={register("new_password2")}
          firstError={errors.new_password1?.message}
          secondError={errors.new_password2?.message}
        />
        <SubmitButton label="Change password" pendingLabel="Saving…" pending={change.isPending} />
      </form>
    </section>
  );
}
