import { type Expression, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import type { PermissionScope } from '../access/grants';
import { placeholder } from './compiled';
import type { Param } from './params';

/**
 * A filter of a list: its URL parameter and the condition it adds to the list's query when the
 * parameter is set. `C` is what the list's conditions are given besides the value (the time, the
 * viewer's project and time zone...).
 */
export interface Filter<T, C, B = T> {
  param: Param<T>;
  /** What SQL is given, when it is not the value itself (a search's LIKE pattern, an instant). */
  bind?: (value: T, context: C) => B;
  /**
   * The condition. A list whose queries are compiled once per shape (compiled.ts) passes
   * placeholders for bound values: place `value` in SQL, compute with it in `bind`.
   */
  where: (value: B, context: C) => Expression<SqlBool>;
}

// biome-ignore lint/suspicious/noExplicitAny: each filter has its own value type
export type Filters<C = any> = Readonly<Record<string, Filter<any, C, any>>>;

/** A list's filter values, one field a filter. */
export type FilterValues<F extends Filters> = {
  -readonly [N in keyof F]: F[N] extends Filter<infer T, infer _C, infer _B> ? T : never;
};

/** `filter({ param, bind?, where })` with the list's context fixed, so that each value's type is inferred. */
export const filterFor =
  <C>() =>
  <T, B = T>(filter: Filter<T, C, B>): Filter<T, C, B> =>
    filter;

const entries = <F extends Filters>(filters: F) =>
  Object.entries(filters) as Array<[keyof F & string, Filter<unknown, unknown, unknown>]>;

export function readFilters<F extends Filters>(filters: F, params: URLSearchParams): FilterValues<F> {
  return Object.fromEntries(
    entries(filters).map(([name, f]) => [name, f.param.read(params)]),
  ) as FilterValues<F>;
}

export function writeFilters<F extends Filters>(
  filters: F,
  values: FilterValues<F>,
  into = new URLSearchParams(),
): URLSearchParams {
  for (const [name, f] of entries(filters)) f.param.write(into, values[name]);
  return into;
}

// biome-ignore lint/suspicious/noExplicitAny: any table, any selection
type Query = SelectQueryBuilder<any, any, any>;

/**
 * The query narrowed by each set filter, in the order the list declares them. With
 * `placeholders`, bound values are placeholders named after their filter (compiled.ts), to be
 * filled from filterValues().
 */
export function applyFilters<Q extends Query, F extends Filters>(
  query: Q,
  filters: F,
  values: FilterValues<F>,
  context: F extends Filters<infer C> ? C : never,
  placeholders = false,
): Q {
  let narrowed: Query = query;
  for (const [name, f] of entries(filters)) {
    const value = values[name];
    if (!f.param.isSet(value)) continue;
    const bound = placeholders ? placeholderOf(name, f, value) : f.bind ? f.bind(value, context) : value;
    narrowed = narrowed.where(f.where(bound, context));
  }
  return narrowed as Q;
}

function placeholderOf(name: string, f: Filter<unknown, unknown, unknown>, value: unknown) {
  if (f.param.binds === 'shape') return value;
  if (f.param.binds === 'each') return (value as unknown[]).map((_, i) => placeholder(`filter:${name}:${i}`));
  return placeholder(`filter:${name}`);
}

/** What in the filters changes a query's SQL: the key of its compiled shape. */
export function filterShape<F extends Filters>(filters: F, values: FilterValues<F>): unknown[] {
  return entries(filters).map(([name, f]) => {
    const value = values[name];
    if (f.param.binds === 'shape') return value;
    if (f.param.binds === 'each') return (value as unknown[]).length;
    return f.param.isSet(value);
  });
}

/** The values of the placeholders applyFilters() made, for this request. */
export function filterValues<F extends Filters>(
  filters: F,
  values: FilterValues<F>,
  context: F extends Filters<infer C> ? C : never,
): Record<string, unknown> {
  const filled: Record<string, unknown> = {};
  for (const [name, f] of entries(filters)) {
    const value = values[name];
    if (f.param.binds === 'shape' || !f.param.isSet(value)) continue;
    const bound = f.bind ? f.bind(value, context) : value;
    if (f.param.binds !== 'each') filled[`filter:${name}`] = bound;
    else for (const [i, item] of (bound as unknown[]).entries()) filled[`filter:${name}:${i}`] = item;
  }
  return filled;
}

/** Rows of the projects in a viewer's scope (every row for an account-wide viewer). */
export function withinScope<Q extends Query>(query: Q, scope: PermissionScope, projectColumn: string): Q {
  if (scope.all) return query;
  return (
    scope.projectIds.length > 0
      ? query.where(sql.ref(projectColumn), 'in', scope.projectIds)
      : query.where(sql<SqlBool>`false`)
  ) as Q;
}
