import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import type { Paginated } from "../api/types";
import { Pagination } from "./Pagination";
import { Loading, QueryError } from "./QueryStatus";

/**
 * One page of a DRF list as a table: loading, the query's error, an empty text, or the rows
 * (`row` renders each `<tr>` with its key) with previous/next under them.
 */
export function PagedTable<T>({
  query,
  label,
  columns,
  row,
  loadingLabel,
  errorTitle,
  emptyText,
  page,
  pageSize,
  onPage,
  pagesLabel,
}: {
  query: UseQueryResult<Paginated<T>>;
  /** The table's accessible name. */
  label: string;
  columns: readonly string[];
  row: (item: T) => ReactNode;
  loadingLabel: string;
  errorTitle: string;
  emptyText: string;
  page: number;
  pageSize: number;
  onPage: (page: number) => void;
  pagesLabel: string;
}) {
  if (query.isPending) return <Loading label={loadingLabel} />;
  if (query.isError) return <QueryError title={errorTitle} error={query.error} />;
  if (query.data.results.length === 0) return <p>{emptyText}</p>;
  return (
    <>
      <div className="table-wrap">
        <table aria-label={label}>
          <thead>
            <tr>
              {columns.map((column) => (
                <th key={column} scope="col">
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>{query.data.results.map(row)}</tbody>
        </table>
      </div>
      <Pagination count={query.data.count} page={page} pageSize={pageSize} onPage={onPage} label={pagesLabel} />
    </>
  );
}
