/** Controls of the people pages the shared components do not cover: a read-only field, list filters, notices. */
import { useEffect, useId, useState, type ReactNode } from "react";
import { useLocation, useNavigate } from "react-router";
import styles from "./people.module.css";

/** A read-only value shown as a labelled field (a tenant owner's fixed tenant). */
export function ReadOnlyField({ label, value, hint }: { label: string; value: string; hint?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      )}
      <input id={id} type="text" value={value} readOnly aria-describedby={hint ? `${id}-hint` : undefined} />
    </div>
  );
}

export interface Option {
  value: string;
  label: string;
}

/** The choices of an `is_active` filter. */
export const ACTIVE_OPTIONS: readonly Option[] = [
  { value: "", label: "All" },
  { value: "true", label: "Active" },
  { value: "false", label: "Inactive" },
];

/** A list filter's select: applies as soon as it changes. */
export function FilterSelect({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: string;
  options: readonly Option[];
  onChange: (value: string) => void;
}) {
  const id = useId();
  const known = options.some((option) => option.value === value);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
        {/* A value from the URL that the options do not (yet) list stays visible, not silently "All". */}
        {!known && <option value={value}>{value}</option>}
      </select>
    </div>
  );
}

/** A list filter's input: applied with the form's Search button. */
export function FilterInput({
  label,
  value,
  onChange,
  type = "text",
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  type?: "text" | "search" | "number" | "date";
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={type}
        value={value}
        min={type === "number" ? 1 : undefined}
        inputMode={type === "number" ? "numeric" : undefined}
        onChange={(event) => onChange(event.target.value)}
      />
    </div>
  );
}

/** What a page hands to the next one after an action ("Tenant deleted."). */
export interface FlashState {
  message?: string;
}

/**
 * The message a previous page left in the navigation state, announced politely. It is shown for
 * this visit only: it is taken out of the history entry at once, so a reload, or coming back to
 * the entry later, does not announce it again.
 */
export function Flash() {
  const location = useLocation();
  const navigate = useNavigate();
  const incoming = (location.state as FlashState | null)?.message;
  // The message taken out of the entry, and the key of the entry that replaced it (null until then).
  const [kept, setKept] = useState<{ message: string; key: string | null } | null>(null);
  const { pathname, search, hash, key } = location;
  useEffect(() => {
    if (incoming) {
      setKept({ message: incoming, key: null });
      void navigate({ pathname, search, hash }, { replace: true, state: null });
    } else {
      setKept((last) => (last && last.key === null ? { ...last, key } : last));
    }
  }, [incoming, navigate, pathname, search, hash, key]);
  const message = incoming ?? (kept && (kept.key === null || kept.key === key) ? kept.message : undefined);
  if (!message) return null;
  return <Notice>{message}</Notice>;
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <p role="status" className={`alert alert-info ${styles.status}`}>
      {children}
    </p>
  );
}
