import { useId } from "react";
import type { UseFormRegisterReturn } from "react-hook-form";
import styles from "./billing.module.css";

/** A labelled checkbox with an optional hint and the API's error under it. */
export function CheckboxField({
  label,
  registration,
  hint,
  error,
}: {
  label: string;
  registration: UseFormRegisterReturn;
  hint?: string;
  error?: string | undefined;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <span>
        <input
          id={id}
          type="checkbox"
          className={styles.checkbox}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          {...registration}
        />{" "}
        <label htmlFor={id}>{label}</label>
      </span>
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
