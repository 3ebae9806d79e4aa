import { useId } from "react";
import type { UseFormRegisterReturn } from "react-hook-form";

interface TextFieldProps {
  label: string;
  registration: UseFormRegisterReturn;
  error?: string | undefined;
  /** An input type, or "textarea" for several lines. */
  type?: "text" | "email" | "password" | "tel" | "url" | "date" | "textarea";
  autoComplete?: string;
  hint?: string;
  /** The textarea's height in lines. */
  rows?: number;
}

/** A labelled input (or textarea) whose error sits right under it and is announced with it. */
export function TextField({ label, registration, error, type = "text", autoComplete, hint, rows = 3 }: TextFieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  const common = {
    id,
    autoComplete,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy,
    ...registration,
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
      {type === "textarea" ? <textarea rows={rows} {...common} /> : <input type={type} {...common} />}
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
