import { ApiError } from "../api";
import { FormAlert } from "./FormAlert";

/** A loading state announced to screen readers. */
export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <p role="status" aria-live="polite" className="loading">
      {label}
    </p>
  );
}

/** A failed query: the API's messages (or the error's) under a title. */
export function QueryError({ error, title }: { error: Error; title: string }) {
  const messages = error instanceof ApiError ? error.formMessages : [error.message];
  return <FormAlert title={title} messages={messages} />;
}
