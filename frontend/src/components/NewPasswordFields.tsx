import type { UseFormRegisterReturn } from "react-hook-form";
import { TextField } from "./TextField";

/** The "New password" and "Confirm new password" pair of a form that sets a password. */
export function NewPasswordFields({
  first,
  second,
  firstError,
  secondError,
}: {
  first: UseFormRegisterReturn;
  second: UseFormRegisterReturn;
  firstError?: string | undefined;
  secondError?: string | undefined;
}) {
  return (
    <>
      <TextField label="New password" type="password" autoComplete="new-password" registration={first} error={firstError} />
      <TextField
        label="Confirm new password"
        type="password"
        autoComplete="new-password"
        registration={second}
        error={secondError}
      />
    </>
  );
}
