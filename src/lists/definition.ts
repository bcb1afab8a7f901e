import type { PermissionScope } from '../access/grants';
import type { ActionOutcome } from '../audit/perform';
import type { PasswordEpoch } from '../auth/passwords/reset-epoch';
import type { ActionContext } from '../core/context';
import type { Db } from '../db/connect';
import type { ExportFormat } from './export-stream';
import { type Filters, type FilterValues, readFilters, writeFilters } from './filters';
import {
  appendPaging,
  type ListTotal,
  type PageWindow,
  type Paging,
  type PagingLink,
  pageWindow,
  parsePaging,
} from './paging';

/**
 * One declaration per list (users, invitations, the audit log), so that the lists cannot drift
 * apart: its filters (each a URL parameter and the SQL condition it adds), sort keys and the
 * words the announcement uses for them, columns, permission and scope, and hooks for what each
 * list tunes to its size: the count strategy, how a page's rows are found, how its export is
 * audited and, where PostgreSQL writes it, the export's lines. routes.tsx turns a definition into
 * the page, its htmx fragment and the exports; views/components/list.tsx draws the results, the
 * sort headers, the paging links and the filter form. A definition knows nothing of HTML (rows
 * and columns are data), so that other front ends can serve the same lists.
 */

export type SortDir = 'asc' | 'desc';

/** A sort key, and how the announcement names the order ("by last sign-in, newest first"). */
export interface SortKey {
  words(dir: SortDir): string;
}
export const alphabetical = (name: string): SortKey => ({
  words: (dir) => `by ${name}, ${dir === 'asc' ? 'A to Z' : 'Z to A'}`,
});
export const chronological = (name: string): SortKey => ({
  words: (dir) => `by ${name}, ${dir === 'asc' ? 'oldest first' : 'newest first'}`,
});
/** The one order of a list that cannot be sorted otherwise. */
export const fixedOrder = (words: string): SortKey => ({ words: () => words });

export interface Sorting<K extends string> {
  keys: Record<K, SortKey>;
  default: K;
  /** The default's direction; ascending unless said. */
  dir?: SortDir;
}

/** A column shown, with the sort key its header sorts by. */
export interface Column<K extends string> {
  key: string;
  label: string;
  sort?: K;
}

export type ListQuery<F extends Filters, K extends string> = FilterValues<F> &
  Paging & { sort: K; dir: SortDir };

/** What the hooks are given for one request. */
export interface ListCall<F extends Filters> {
  /** The pool the list reads from. */
  db: Db;
  now: Date;
  /** The viewer's: days in filters are the viewer's days. */
  timeZone: string;
  /** The viewer's current project. */
  projectId: string;
  scope: PermissionScope;
  filters: F;
  /**
   * The account's last password reset when the request already read it (with the session): the
   * users list builds its status conditions from it and otherwise reads it itself.
   */
  passwords?: PasswordEpoch;
}

/** One page of rows in walking order, placed in the whole list by pageWindow(). */
export interface Walk<Row> {
  rows: Row[];
  more: boolean;
  backwards: boolean;
  first: string | null;
  last: string | null;
}

export interface ListPage<Row> extends PageWindow {
  rows: Row[];
}

/** A page (with the count's total) or a batch of an export (up to the snapshot its record returned). */
export type RowsFor<S> = { total: ListTotal } | { snapshot: S };

/** The audit event of an export, as perform() takes it: the filter it used, and the format. */
export type ExportEvent = ActionOutcome<undefined> & { after: { format: ExportFormat; filter: string } };

export type ListExport<F extends Filters, K extends string, Row, X extends object, S> = {
  permission: string;
  /**
   * Audits the export: `perform(ctx, '<list>.export', …)` with the event (its line in the table of
   * actions). Its result is the snapshot the rows are read up to.
   */
  record(ctx: ActionContext, event: ExportEvent, call: ListCall<F>): Promise<S>;
} & (
  | /** Columns computed from each row of the list's own pages, in batches. */ {
      columns: Readonly<Record<string, (row: Row) => unknown>>;
    }
  | /** Lines written elsewhere (by PostgreSQL): the header, and every line in batches. */ {
      header: readonly string[];
      lines(call: ListCall<F> & X, q: ListQuery<F, K>, format: ExportFormat): AsyncGenerator<string[]>;
    }
);

export interface ListDefinition<F extends Filters, K extends string, Row, X extends object, S> {
  /** `/name` is the page and its fragment, `/name/export.csv|json` the exports, `name-<day>.csv` the file. */
  name: string;
  /** What the rows are, in the range text: "Showing 1–25 of 41 users". */
  noun: string;
  /** To see the list, and, besides the export's own, to export it. */
  permission: string;
  /**
   * `all`: every row, with access evaluated in the viewer's current project. `granted`: the rows
   * of the projects where the viewer holds `permission` (all of them account-wide).
   */
  scope: 'all' | 'granted';
  /** Reads on the search pool, planned for each request's values (db/connect.ts). */
  searchPool?: boolean;
  filters: F;
  sort: Sorting<K>;
  columns: readonly Column<K>[];
  /** Work a request's count and rows share (looking up an address once). */
  prepare?(call: ListCall<F>, q: ListQuery<F, K>): Promise<X>;
  /** The count strategy: exact, capped, estimated, cached. */
  count(call: ListCall<F> & X, q: ListQuery<F, K>): Promise<ListTotal>;
  /** One page in walking order: `per + 1` rows fetched in the direction asked, then put in list order. */
  rows(call: ListCall<F> & X, q: ListQuery<F, K>, fetch: RowsFor<S>): Promise<Walk<Row>>;
  export: ListExport<F, K, Row, X, S>;
}

export interface List<F extends Filters, K extends string, Row, X extends object, S>
  extends ListDefinition<F, K, Row, X, S> {
  path: string;
  /** More than one sort key: the order is in the URL (`sort=-created`). */
  sortable: boolean;
  parse(params: URLSearchParams): ListQuery<F, K>;
  /** The URL's query string of a view; paging parameters only when given. */
  write(q: ListQuery<F, K>, paging?: PagingLink): URLSearchParams;
  /** The filter and order an export takes (and records): no page, no page size. */
  exportFilter(q: ListQuery<F, K>): URLSearchParams;
  /** The order in words, of the view or of another sort key and direction (a header's hint). */
  order(q: ListQuery<F, K>, sort?: K, dir?: SortDir): string;
}

export function defineList<
  F extends Filters,
  K extends string,
  Row,
  X extends object = object,
  S = undefined,
>(definition: ListDefinition<F, K, Row, X, S>): List<F, K, Row, X, S> {
  const { sort } = definition;
  const defaultDir = sort.dir ?? 'asc';
  const sortable = Object.keys(sort.keys).length > 1;
  const write = (q: ListQuery<F, K>, paging: PagingLink = {}) => {
    const params = writeFilters(definition.filters, q);
    if (sortable && (q.sort !== sort.default || q.dir !== defaultDir))
      params.set('sort', `${q.dir === 'desc' ? '-' : ''}${q.sort}`);
    return appendPaging(params, q.per, paging);
  };
  return {
    ...definition,
    path: `/${definition.name}`,
    sortable,
    parse(params) {
      // Lenient like the filters: an unknown key sorts by the default, keeping the direction asked.
      const asked = params.get('sort') ?? '';
      const key = asked.replace(/^-/, '');
      const order = sortable
        ? {
            sort: Object.hasOwn(sort.keys, key) ? (key as K) : sort.default,
            dir: asked === '' ? defaultDir : asked.startsWith('-') ? ('desc' as const) : ('asc' as const),
          }
        : { sort: sort.default, dir: defaultDir };
      return { ...readFilters(definition.filters, params), ...order, ...parsePaging(params) };
    },
    write,
    exportFilter: (q) => write({ ...q, per: 25 }),
    order: (q, key = q.sort, dir = q.dir) => sort.keys[key].words(dir),
  };
}

/** The page a query asks for, with the total and where it sits in the whole list. */
export async function listPage<F extends Filters, K extends string, Row, X extends object, S>(
  list: List<F, K, Row, X, S>,
  call: ListCall<F>,
  q: ListQuery<F, K>,
): Promise<ListPage<Row>> {
  const full = { ...call, ...((await list.prepare?.(call, q)) as X) };
  const total = await list.count(full, q);
  const { rows, ...walk } = await list.rows(full, q, { total });
  return { rows, ...pageWindow({ paging: q, total, shown: rows.length, ...walk }) };
}
