import { type RawBuilder, sql } from 'kysely';

/**
 * Keyset paging: page sizes, the paging parameters of the URL, cursors, and where a fetched page
 * sits in the whole list. Keyset paging has no offset, so the index of the first row shown
 * travels in the URL (`pos`), and a deep page costs what the first does.
 */

export const PAGE_SIZES = [10, 25, 50, 100] as const;
export type PageSize = (typeof PAGE_SIZES)[number];

export interface Paging {
  per: PageSize;
  /** Keyset position: rows after or before a row, or the last page. */
  after: string | null;
  before: string | null;
  last: boolean;
  /** 1-based index of the first row shown. */
  pos: number;
}

/** Lenient: a stale or hand-edited URL falls back to the first page of 25. */
export function parsePaging(params: URLSearchParams): Paging {
  const per = Number(params.get('per'));
  const pos = Number(params.get('pos'));
  return {
    per: (PAGE_SIZES as readonly number[]).includes(per) ? (per as PageSize) : 25,
    after: params.get('after') || null,
    before: params.get('before') || null,
    last: params.get('page') === 'last',
    pos: Number.isInteger(pos) && pos > 0 ? pos : 1,
  };
}

export interface PagingLink {
  after?: string | undefined;
  before?: string | undefined;
  last?: boolean;
  pos?: number;
}

/** Appends the page size (when not the default) and a paging position to a view's parameters. */
export function appendPaging(p: URLSearchParams, per: PageSize, paging: PagingLink = {}): URLSearchParams {
  if (per !== 25) p.set('per', String(per));
  if (paging.after) p.set('after', paging.after);
  if (paging.before) p.set('before', paging.before);
  if (paging.last) p.set('page', 'last');
  if (paging.pos && paging.pos > 1) p.set('pos', String(paging.pos));
  return p;
}

/** Paging back at the start: the filter an export records, and where an export begins. */
export const FIRST_PAGE = { after: null, before: null, last: false, pos: 1 } as const;

/**
 * Every row of a list, a page at a time, in list order (exports): `fetch` is given the cursor
 * of the last row so far, null at first.
 */
export async function* everyPage<T>(
  fetch: (after: string | null) => Promise<{ rows: T[]; more: boolean; last: string | null }>,
): AsyncGenerator<T[]> {
  let after: string | null = null;
  for (;;) {
    const page = await fetch(after);
    if (page.rows.length > 0) yield page.rows;
    if (!page.more || !page.last) return;
    after = page.last;
  }
}

/** A row's place in the walking order, opaque in the URL. */
export function encodeCursor(parts: readonly string[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** The parts of a cursor, or null when the text is not a cursor of `length` strings. */
export function decodeCursor(text: string | null, length: number): string[] | null {
  if (!text || text.length > 4000) return null;
  try {
    const parts: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(parts) || parts.length !== length) return null;
    if (!parts.every((p) => typeof p === 'string' && !p.includes('\u0000') && p.length <= 1000)) return null;
    return parts as string[];
  } catch {
    return null;
  }
}

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?:Z|[+-](\d{2})(?::?(\d{2}))?)$/;

/**
 * A timestamp inside a cursor names a real instant: every field in range (no 2026-02-31, no hour
 * 24), a year from 1 to 9999, an offset within ±15:59. The app writes its cursors, so anything
 * else was made by hand: PostgreSQL would refuse it (22007, 22008), JavaScript roll it over to
 * another day, or the drivers fail on an invalid Date. Each list's cursorOf checks its timestamp
 * parts with this, and a cursor that fails is ignored (the first page), like any stale one.
 */
export function isRealInstant(text: string): boolean {
  const m = INSTANT.exec(text);
  if (!m) return false;
  const [y, mo, d, h, mi, s, oh = 0, om = 0] = m.slice(1).map((x) => Number(x ?? 0)) as number[];
  const day = new Date(0);
  day.setUTCFullYear(y as number, (mo as number) - 1, d);
  return (
    (y as number) >= 1 &&
    day.getUTCFullYear() === y &&
    day.getUTCMonth() === (mo as number) - 1 &&
    day.getUTCDate() === d &&
    (h as number) <= 23 &&
    (mi as number) <= 59 &&
    (s as number) <= 59 &&
    oh <= 15 &&
    om <= 59
  );
}

/**
 * A timestamp column as a cursor writes it: ISO 8601 in UTC with microseconds, as text. A
 * JavaScript Date keeps milliseconds, and rows sharing one would be skipped or repeated.
 */
export const cursorTime = (column: RawBuilder<unknown>) =>
  sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * A cursor's time or sort key back in a query, as `type`. Sent as text and cast in SQL: a bare
 * cast would make PostgreSQL type the parameter itself, and postgres.js then turns the text into
 * a Date, which drops the microseconds and cannot hold -infinity (a 500 on the next page).
 */
export const cursorValue = (text: string, type: RawBuilder<unknown> = sql`timestamptz`) =>
  sql`cast(cast(${text} as text) as ${type})`;

/** A LIKE pattern for text anywhere in a lower-cased value, with the wildcards typed escaped. */
export const containsPattern = (text: string) =>
  `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export interface ListTotal {
  value: number;
  /** False when the value is an estimate. */
  exact: boolean;
}

/** Where a page sits in the list, for the range text and the pagination links. */
export interface PageWindow {
  total: ListTotal;
  pos: number;
  /** Cursors of the first and last rows shown. */
  first: string | null;
  last: string | null;
  hasPrevious: boolean;
  hasNext: boolean;
}

/**
 * A page fetched `per + 1` rows at a time in the walking direction (backwards for `before` and
 * the last page, then put back in order): `more` says whether the extra row was there.
 */
export function pageWindow(input: {
  paging: Paging;
  total: ListTotal;
  shown: number;
  more: boolean;
  backwards: boolean;
  first: string | null;
  last: string | null;
}): PageWindow {
  const { paging, total, shown, more, backwards } = input;
  const atStart = !paging.after && !paging.before && !paging.last;
  // Walking back to the very start (no more rows before) means row 1, whatever the URL said.
  const pos = paging.last
    ? Math.max(1, total.value - shown + 1)
    : atStart || (backwards && !more)
      ? 1
      : paging.pos;
  return {
    total,
    pos,
    first: input.first,
    last: input.last,
    hasPrevious: backwards ? more : !atStart && pos > 1,
    hasNext: backwards ? !paging.last : more,
  };
}
