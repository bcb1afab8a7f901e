import { type ListViewer, listCall } from '../lists/call';
import type { List, ListCall } from '../lists/definition';
import type { Filters } from '../lists/filters';
import type { ListTotal } from '../lists/paging';

/**
 * A list's total for a link to it, counted the way the list's own page counts it, so that the
 * number beside a link is the number the list then shows. The link is built from the query
 * object, read back with the list's own parsing, and that query is both written into the link
 * and counted with the list's own hooks (prepare, then count: its cap, estimate and cache) on the
 * pool and in the scope the list's routes use (lists/call.ts).
 */

/** A link's query, as an object: each parameter with one value or several. */
export type LinkQuery = Readonly<Record<string, string | number | ReadonlyArray<string | number>>>;

export interface ListCount {
  /** The list's URL with the query, as the list writes it. */
  href: string;
  /** What the list's count says for it (exact, or an estimate past its cap). */
  total: ListTotal;
}

export type { ListViewer };

// biome-ignore lint/suspicious/noExplicitAny: any list
type AnyList = List<any, any, any, any, any>;

/** Whether the viewer may open the list: its route's guard. */
export const mayOpen = (list: AnyList, viewer: ListViewer) => viewer.permissions.has(list.permission);

function searchParams(query: LinkQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    for (const one of Array.isArray(value) ? value : [value]) params.append(name, String(one));
  }
  return params;
}

/**
 * The link to a list with this query, and the list's total for it. A parameter the list does not
 * read (a typo, a filter renamed) would silently count the unfiltered list: it is refused.
 */
export async function countListed<F extends Filters, K extends string, Row, X extends object, S>(
  list: List<F, K, Row, X, S>,
  viewer: ListViewer,
  query: LinkQuery,
): Promise<ListCount> {
  const q = list.parse(searchParams(query));
  const written = list.write(q);
  for (const name of Object.keys(query)) {
    if (!written.has(name))
      throw new Error(`${list.name} list: ${name}=${String(query[name])} is not a filter`);
  }
  const call: ListCall<F> = listCall(list as unknown as List<F, string, unknown, object, unknown>, viewer);
  const full = { ...call, ...((await list.prepare?.(call, q)) as X) };
  return { href: `${list.path}?${written}`, total: await list.count(full, q) };
}
