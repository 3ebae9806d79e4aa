import { useId } from "react";
import type { UseFormRegisterReturn } from "react-hook-form";
import styles from "./accounts.module.css";

interface ProfileFieldProps {
  label: string;
  registration: UseFormRegisterReturn;
  error?: string | undefined;
  /** An input type, or "textarea" for several lines. */
  type?: "text" | "tel" | "url" | "date" | "textarea";
  autoComplete?: string;
  hint?: string;
}

/** A labelled profile control (input of any type, or textarea) with its error right under it. */
export function ProfileField({ label, registration, error, type = "text", autoComplete, hint }: ProfileFieldProps) {
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
      {type === "textarea" ? (
        <textarea rows={4} className={styles.textarea} {...common} />
      ) : (
        <input type={type} {...common} />
      )}
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
