/** Previous/next for a DRF page: "Page 2 of 7 (130 items)". */
export function Pagination({
  count,
  page,
  pageSize,
  onPage,
  label = "Pages",
}: {
  count: number;
  page: number;
  pageSize: number;
  onPage: (page: number) => void;
  label?: string;
}) {
  const pages = Math.max(1, Math.ceil(count / pageSize));
  return (
    <nav aria-label={label} className="pagination">
      <button type="button" onClick={() => onPage(page - 1)} disabled={page <= 1}>
        Previous
      </button>
      <span aria-live="polite">
        Page {page} of {pages} ({count} {count === 1 ? "item" : "items"})
      </span>
      <button type="button" onClick={() => onPage(page + 1)} disabled={page >= pages}>
        Next
      </button>
    </nav>
  );
}
