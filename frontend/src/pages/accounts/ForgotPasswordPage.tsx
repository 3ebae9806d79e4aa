import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Link } from "react-router";
import { z } from "zod";
import { requestPasswordReset } from "../../api/accounts";
import { applyApiError } from "../../components/applyApiError";
import { FormAlert } from "../../components/FormAlert";
import { PageMain } from "../../components/Main";
import { SubmitButton } from "../../components/SubmitButton";
import { TextField } from "../../components/TextField";
import { useRetryWait } from "../../components/useCountdown";

const schema = z.object({ email: z.string().trim().min(1, "Enter your e-mail address.") });
type ResetRequestForm = z.infer<typeof schema>;

/** Asks for a reset link by e-mail; the API answers the same whether or not the address exists. */
export function ForgotPasswordPage() {
  const [formMessages, setFormMessages] = useState<string[]>([]);
  const [waitLeft, noteWait] = useRetryWait();
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors },
  } = useForm<ResetRequestForm>({ resolver: zodResolver(schema), defaultValues: { email: "" } });

  const send = useMutation({
    mutationFn: (values: ResetRequestForm) => requestPasswordReset(values.email),
    onError: (error) => {
      noteWait(error);
      setFormMessages(applyApiError(error, setError, ["email"]));
    },
  });

  const onSubmit = handleSubmit((values) => {
    setFormMessages([]);
    send.mutate(values);
  });

  return (
    <PageMain>
      <h1>Reset your password</h1>
      {send.isSuccess ? (
        <>
          <p role="status" className="alert alert-info">
            {send.data.detail}
          </p>
          <p>Follow the link in the e-mail to choose a new password. No mail? Check the address and your spam folder.</p>
        </>
      ) : (
        <form onSubmit={onSubmit} noValidate aria-label="Reset your password" className="form">
          <p className="muted">Enter the e-mail address of your account and we will send you a link to choose a new password.</p>
          <FormAlert messages={formMessages} />
          <TextField label="E-mail" type="email" autoComplete="email" registration={register("email")} error={errors.email?.message} />
          <SubmitButton label="Send reset link" pendingLabel="Sending…" pending={send.isPending} waitLeft={waitLeft} />
        </form>
      )}
      <p>
        <Link to="/login">Back to sign in</Link>
      </p>
    </PageMain>
  );
}
