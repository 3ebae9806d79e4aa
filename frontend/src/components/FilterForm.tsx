import type { FormEvent, ReactNode } from "react";

/** A list's filter bar: a search landmark whose Search button (or Enter) applies the typed filters. */
export function FilterForm({ label, onSearch, children }: { label: string; onSearch: () => void; children: ReactNode }) {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onSearch();
  };
  return (
    <form role="search" aria-label={label} className="filters" onSubmit={submit}>
      {children}
      <button type="submit">Search</button>
    </form>
  );
}
