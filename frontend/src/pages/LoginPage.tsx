import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Link, Navigate, useLocation, useNavigate, type Location } from "react-router";
import { z } from "zod";
import { getMeta, login, queryKeys, useToken } from "../api";
import { applyApiError } from "../components/applyApiError";
import { FormAlert } from "../components/FormAlert";
import { SubmitButton } from "../components/SubmitButton";
import { TextField } from "../components/TextField";
import { useRetryWait } from "../components/useCountdown";
import { PageMain } from "../components/Main";

/** What other pages hand to /login: where to return after signing in, and why we are here. */
export interface LoginLocationState {
  from?: Location | undefined;
  message?: string | undefined;
}

const schema = z.object({
  identifier: z.string().trim().min(1, "Enter your username or e-mail address."),
  password: z.string().min(1, "Enter your password."),
});
type LoginForm = z.infer<typeof schema>;

/** The API's field names for each form field (the identifier is sent as `username`). */
const FIELD_FOR: Record<string, keyof LoginForm> = {
  username: "identifier",
  email: "identifier",
  password: "password",
};

function returnPath(from: Location | undefined): string {
  if (!from || from.pathname === "/login") return "/";
  return `${from.pathname}${from.search}${from.hash}`;
}

export function LoginPage() {
  const token = useToken();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const state = (location.state ?? {}) as LoginLocationState;
  const meta = useQuery({ queryKey: queryKeys.meta, queryFn: ({ signal }) => getMeta(signal) });
  const [formMessages, setFormMessages] = useState<string[]>([]);
  const [waitLeft, noteWait] = useRetryWait();

  const {
    register,
    handleSubmit,
    setError,
    formState: { errors },
  } = useForm<LoginForm>({ resolver: zodResolver(schema), defaultValues: { identifier: "", password: "" } });

  const signIn = useMutation({
    mutationFn: (values: LoginForm) => login({ username: values.identifier, password: values.password }),
    onSuccess: (answer) => {
      queryClient.setQueryData(queryKeys.currentUser, answer.user);
      void navigate(returnPath(state.from), { replace: true });
    },
    onError: (error) => {
      noteWait(error);
      setFormMessages(applyApiError(error, setError, [], FIELD_FOR));
    },
  });

  if (token && !signIn.isPending) return <Navigate to={returnPath(state.from)} replace />;

  const onSubmit = handleSubmit((values) => {
    setFormMessages([]);
    signIn.mutate(values);
  });

  return (
    <PageMain>
      <h1>Sign in to WiWebb</h1>
      {state.message && (
        <p role="status" className="alert alert-info">
          {state.message}
        </p>
      )}
      <form onSubmit={onSubmit} noValidate aria-label="Sign in" className="form">
        <FormAlert messages={formMessages} />
        <TextField
          label="Username or e-mail"
          autoComplete="username"
          registration={register("identifier")}
          error={errors.identifier?.message}
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="current-password"
          registration={register("password")}
          error={errors.password?.message}
        />
        <SubmitButton label="Sign in" pendingLabel="Signing in…" pending={signIn.isPending} waitLeft={waitLeft} />
      </form>
      <p>
        <Link to="/forgot-password">Forgot your password?</Link>
      </p>
      {meta.data?.registration_open && (
        <p>
          No account yet? <Link to="/register">Create one</Link>
        </p>
      )}
      {meta.data && <p className="muted small">API version {meta.data.version}</p>}
    </PageMain>
  );
}
