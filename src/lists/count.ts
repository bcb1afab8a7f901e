import { type SelectQueryBuilder, sql } from 'kysely';
import type { Db } from '../db/connect';
import type { Database } from '../db/schema';
import type { ListTotal } from './paging';

/**
 * Count strategies. An exact count(*) over a million rows costs 50-100 ms, which on every
 * request would sink a list page. So large lists count at most COUNT_CAP rows (cheap for narrow
 * filters, and exact below the cap); past the cap they show the planner's estimate as "about N".
 */
export const COUNT_CAP = 10_000;

// biome-ignore lint/suspicious/noExplicitAny: any table, any selection: only its rows are counted
type Rows = SelectQueryBuilder<Database, any, any>;

/**
 * `matching` selects the rows to count; `estimated` (default the same) is the one to EXPLAIN;
 * `cap` how many rows at most are counted.
 */
export async function cappedCount(
  db: Db,
  matching: Rows,
  estimated: Rows = matching,
  cap = COUNT_CAP,
): Promise<ListTotal> {
  const capped = await db
    .selectFrom(
      matching
        .clearSelect()
        .select(sql`1`.as('one'))
        .limit(cap + 1)
        .as('capped'),
    )
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const value = Number(capped.n);
  if (value <= cap) return { value, exact: true };
  return { value: Math.max(await plannerEstimate(db, estimated), cap + 1), exact: false };
}

/** How many rows the planner expects a query to return: 0.5-2 ms, reads no rows. */
export async function plannerEstimate(db: Db, rows: Rows): Promise<number> {
  const compiled = rows.clearSelect().select(sql`1`.as('one')).compile();
  const plan = await db.executeQuery<{ 'QUERY PLAN': unknown }>({
    ...compiled,
    sql: `explain (format json) ${compiled.sql}`,
  });
  const json = plan.rows[0]?.['QUERY PLAN'];
  const parsed = typeof json === 'string' ? JSON.parse(json) : json;
  return Number(parsed?.[0]?.Plan?.['Plan Rows'] ?? 0);
}

/** Every matching row counted: for lists that stay small (thousands of rows at most). */
export async function exactCount(matching: Rows): Promise<ListTotal> {
  const counted = await matching
    .clearSelect()
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return { value: Number(counted.n), exact: true };
}
