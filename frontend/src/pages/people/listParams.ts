import { useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useState } from "react";
import { useSearchParams } from "react-router";
import { listAllTenants, tenantKeys } from "../../api/tenants";
import type { Option } from "./fields";

/** Rows per page of the people lists. */
export const PAGE_SIZE = 20;

function parsePage(value: string | null): number {
  const page = value && /^\d+$/.test(value) ? Number.parseInt(value, 10) : 1;
  return page >= 1 ? page : 1;
}

/**
 * A list's page and filters, kept in the URL's search params so reload, back and shared links
 * show the same list. Changing a filter returns to page 1; each change is a history entry.
 */
export function useListParams() {
  const [params, setParams] = useSearchParams();
  const page = parsePage(params.get("page"));

  const value = useCallback((name: string) => params.get(name) ?? "", [params]);

  const setFilters = useCallback(
    (changes: Record<string, string>) => {
      setParams((current) => {
        const next = new URLSearchParams(current);
        for (const [name, raw] of Object.entries(changes)) {
          const trimmed = raw.trim();
          if (trimmed === "") next.delete(name);
          else next.set(name, trimmed);
        }
        next.delete("page");
        return next;
      });
    },
    [setParams],
  );

  const setPage = useCallback(
    (number: number) => {
      setParams((current) => {
        const next = new URLSearchParams(current);
        if (number <= 1) next.delete("page");
        else next.set("page", String(number));
        return next;
      });
    },
    [setParams],
  );

  return { page, value, setFilters, setPage };
}

/** A list's Tenant filter (staff only): every tenant, loaded once, and the filter's choices. */
export function useTenantFilter(staff: boolean) {
  const tenants = useQuery({ queryKey: tenantKeys.choices, queryFn: ({ signal }) => listAllTenants(signal), enabled: staff });
  const options: Option[] = [
    { value: "", label: tenants.isPending ? "All tenants (loading…)" : "All tenants" },
    ...(tenants.data ?? []).map((tenant) => ({ value: String(tenant.id), label: tenant.name })),
  ];
  return { tenants, options };
}

/** A text filter being typed: follows the URL (back, reload) until it is submitted. */
export function useDraft(committed: string): [string, (value: string) => void] {
  const [draft, setDraft] = useState(committed);
  useEffect(() => setDraft(committed), [committed]);
  return [draft, setDraft];
}

/** The numeric `:id` of a detail route, or null when it is not one. */
export function parseId(raw: string | undefined): number | null {
  return raw && /^\d+$/.test(raw) ? Number.parseInt(raw, 10) : null;
}
