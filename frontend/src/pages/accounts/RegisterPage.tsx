import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Link, Navigate, useNavigate } from "react-router";
import { z } from "zod";
import { getMeta, queryKeys, useToken } from "../../api";
import { register as registerAccount } from "../../api/accounts";
import { applyApiError } from "../../components/applyApiError";
import { FormAlert } from "../../components/FormAlert";
import { PageMain } from "../../components/Main";
import { Loading, QueryError } from "../../components/QueryStatus";
import { SubmitButton } from "../../components/SubmitButton";
import { TextField } from "../../components/TextField";
import { useRetryWait } from "../../components/useCountdown";

// Only what must be there; the API judges the rest (password rules, matching, uniqueness) and says so.
const schema = z.object({
  username: z.string().trim().min(1, "Choose a username."),
  email: z.string().trim().min(1, "Enter your e-mail address."),
  password1: z.string().min(1, "Choose a password."),
  password2: z.string().min(1, "Enter the password again."),
  first_name: z.string().trim(),
  last_name: z.string().trim(),
});
type RegistrationForm = z.infer<typeof schema>;
const FIELDS = ["username", "email", "password1", "password2", "first_name", "last_name"] as const;

/** Sign-up for a subscriber account, when the API's meta says registration is open. */
export function RegisterPage() {
  const token = useToken();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const meta = useQuery({ queryKey: queryKeys.meta, queryFn: ({ signal }) => getMeta(signal) });
  const [formMessages, setFormMessages] = useState<string[]>([]);
  const [waitLeft, noteWait] = useRetryWait();

  const {
    register,
    handleSubmit,
    setError,
    formState: { errors },
  } = useForm<RegistrationForm>({
    resolver: zodResolver(schema),
    defaultValues: { username: "", email: "", password1: "", password2: "", first_name: "", last_name: "" },
  });

  const signUp = useMutation({
    mutationFn: (values: RegistrationForm) => registerAccount(values),
    onSuccess: (answer) => {
      queryClient.setQueryData(queryKeys.currentUser, answer.user);
      void navigate("/", { replace: true });
    },
    onError: (error) => {
      noteWait(error);
      setFormMessages(applyApiError(error, setError, FIELDS));
    },
  });

  if (token && !signUp.isPending) return <Navigate to="/" replace />;

  const onSubmit = handleSubmit((values) => {
    setFormMessages([]);
    signUp.mutate(values);
  });

  let body;
  if (meta.isPending) body = <Loading />;
  else if (meta.isError) body = <QueryError title="The sign-up settings could not be loaded." error={meta.error} />;
  else if (!meta.data.registration_open) {
    body = (
      <p role="status" className="alert alert-info">
        Registration is closed. Ask an administrator of your organisation for an account.
      </p>
    );
  } else {
    const minLength = meta.data.password_min_length;
    body = (
      <form onSubmit={onSubmit} noValidate aria-label="Create an account" className="form">
        <FormAlert messages={formMessages} />
        <TextField label="Username" autoComplete="username" registration={register("username")} error={errors.username?.message} />
        <TextField label="E-mail" type="email" autoComplete="email" registration={register("email")} error={errors.email?.message} />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          hint={`At least ${minLength} characters, not only digits, not a common password.`}
          registration={register("password1")}
          error={errors.password1?.message}
        />
        <TextField
          label="Confirm password"
          type="password"
          autoComplete="new-password"
          registration={register("password2")}
          error={errors.password2?.message}
        />
        <TextField
          label="First name"
          autoComplete="given-name"
          hint="Optional"
          registration={register("first_name")}
          error={errors.first_name?.message}
        />
        <TextField
          label="Last name"
          autoComplete="family-name"
          hint="Optional"
          registration={register("last_name")}
          error={errors.last_name?.message}
        />
        <SubmitButton label="Create account" pendingLabel="Creating your account…" pending={signUp.isPending} waitLeft={waitLeft} />
      </form>
    );
  }

  return (
    <PageMain>
      <h1>Create an account</h1>
      {body}
      <p>
        Already have an account? <Link to="/login">Sign in</Link>
      </p>
    </PageMain>
  );
}
