import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Link, useParams } from "react-router";
import { z } from "zod";
import { ApiError, clearToken } from "../../api";
import { confirmPasswordReset } from "../../api/accounts";
import { applyApiError } from "../../components/applyApiError";
import { FormAlert } from "../../components/FormAlert";
import { PageMain } from "../../components/Main";
import { NewPasswordFields } from "../../components/NewPasswordFields";
import { SubmitButton } from "../../components/SubmitButton";
import { useRetryWait } from "../../components/useCountdown";

const schema = z.object({
  new_password1: z.string().min(1, "Choose a new password."),
  new_password2: z.string().min(1, "Enter the new password again."),
});
type NewPasswordForm = z.infer<typeof schema>;

/** The link's own fields: an error on them means the link is wrong, used or expired. */
const LINK_FIELDS = ["uid", "token"];

function linkProblems(error: Error): string[] {
  if (!(error instanceof ApiError)) return [];
  return LINK_FIELDS.flatMap((field) => (error.fieldErrors[field] ?? []).map((message) => `${field}: ${message}`));
}

/** Where the reset mail leads: `/reset-password/{uid}/{token}/`. */
export function ResetPasswordPage() {
  const { uid = "", token = "" } = useParams();
  const queryClient = useQueryClient();
  const [formMessages, setFormMessages] = useState<string[]>([]);
  const [badLink, setBadLink] = useState<string[]>([]);
  const [waitLeft, noteWait] = useRetryWait();
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors },
  } = useForm<NewPasswordForm>({ resolver: zodResolver(schema), defaultValues: { new_password1: "", new_password2: "" } });

  const confirm = useMutation({
    mutationFn: (values: NewPasswordForm) => confirmPasswordReset({ uid, token, ...values }),
    onSuccess: () => {
      // The API has revoked every token of the user, this browser's included.
      queryClient.removeQueries();
      clearToken();
    },
    onError: (error) => {
      noteWait(error);
      const link = linkProblems(error);
      setBadLink(link);
      setFormMessages(applyApiError(error, setError, ["new_password1", "new_password2"]).filter((m) => !link.includes(m)));
    },
  });

  const onSubmit = handleSubmit((values) => {
    setFormMessages([]);
    setBadLink([]);
    confirm.mutate(values);
  });

  return (
    <PageMain>
      <h1>Choose a new password</h1>
      {confirm.isSuccess ? (
        <>
          <p role="status" className="alert alert-info">
            {confirm.data.detail}
          </p>
          <p>
            You have been signed out everywhere. <Link to="/login">Sign in with your new password</Link>
          </p>
        </>
      ) : (
        <>
          {badLink.length > 0 && (
            <div role="alert" className="alert alert-error">
              <p>
                <strong>This reset link is invalid or has expired; ask for a new one.</strong>{" "}
                <Link to="/forgot-password">Ask for a new reset link</Link>
              </p>
              <p className="small">The API said: {badLink.join("; ")}</p>
            </div>
          )}
          <form onSubmit={onSubmit} noValidate aria-label="Choose a new password" className="form">
            <FormAlert messages={formMessages} />
            <NewPasswordFields
              first={register("new_password1")}
              second={register("new_password2")}
              firstError={errors.new_password1?.message}
              secondError={errors.new_password2?.message}
            />
            <SubmitButton label="Set new password" pendingLabel="Saving…" pending={confirm.isPending} waitLeft={waitLeft} />
          </form>
        </>
      )}
    </PageMain>
  );
}
