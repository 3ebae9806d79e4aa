/** Lists read whole: a paginated list followed through its `next` links (for selects and short lists). */
import { apiRequest } from "./client";
import type { Paginated } from "./types";

/** At most this many pages are followed (10,000 rows at 100 a page): a bound, not a real limit. */
const MAX_PAGES = 100;

/** Every item of the paginated list that `first` begins, following the `next` links. */
export async function followPages<T>(first: Paginated<T>, signal?: AbortSignal): Promise<T[]> {
  const items: T[] = [...first.results];
  let page = first;
  for (let pages = 1; page.next && pages < MAX_PAGES; pages += 1) {
    page = await apiRequest<Paginated<T>>(page.next, { signal });
    items.push(...page.results);
  }
  return items;
}
