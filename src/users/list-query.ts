import { type InferResult, type RawBuilder, type SqlBool, sql } from 'kysely';
import { z } from 'zod';
import { type PasswordEpoch, passwordEpoch, passwordUsable } from '../auth/passwords/reset-epoch';
import type { Db } from '../db/connect';
import { fill, placeholder, Shapes } from '../lists/compiled';
import type { ListCall, RowsFor, Walk } from '../lists/definition';
import { applyFilters, filterShape, filterValues } from '../lists/filters';
import { cursorValue, decodeCursor, encodeCursor, isRealInstant } from '../lists/paging';
import type { SortKey, UserFilters, UserListQuery, UsersSql } from './list';
import { type UserStatus, userStatus } from './status';

/**
 * How a users page finds its rows. Few matches: gather them through the filters' indexes and
 * sort them. Many: walk the sort index and test each row, which finds a page long before the end.
 * Walking reads about per / selectivity rows and gathering reads every match, so at a million
 * users the two cost the same near a few thousand matches (measured: 7-10k matches gathered in
 * ~20 ms, the same filters walked in 2-5 ms); the (cached) count tells which side a filter is on.
 */
const GATHER_MAX = 2000;

export type UsersCall = ListCall<UserFilters>;

/** The account's last password reset: as the request read it with the session, else from the database. */
export async function epochOf(call: UsersCall): Promise<PasswordEpoch> {
  return call.passwords ?? passwordEpoch(call.db);
}

/** The users matching the filters (no order, no selection), for a plan. */
export function matchingUsers(
  call: UsersCall,
  q: UserListQuery,
  plan: UsersSql['plan'],
  passwords: PasswordEpoch,
) {
  const context = { now: call.now, projectId: call.projectId, plan, passwords };
  return applyFilters(call.db.selectFrom('users as u'), call.filters, q, context);
}

/** Each sort's expression (the indexes' own), the type its cursor key is cast back to, and its kind. */
export const SORT_SQL = {
  name: { expr: sql`lower(u.name)`, cast: sql`text`, text: true },
  email: { expr: sql`lower(u.email::text)`, cast: sql`text`, text: true },
  last_login: {
    expr: sql`coalesce(u.last_login_at, '-infinity'::timestamptz)`,
    cast: sql`timestamptz`,
    text: false,
  },
  created: { expr: sql`u.created_at`, cast: sql`timestamptz`, text: false },
} as const satisfies Record<SortKey, unknown>;

/** A row's place in the walking order: its sort value as text, and its id. */
export interface Cursor {
  key: string;
  id: string;
}

export const cursorText = (cursor: Cursor) => encodeCursor([cursor.key, cursor.id]);

const uuid = z.uuid();
const TIMESTAMP_KEY = /^(-infinity|\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?)$/;

/** A cursor from the URL, or null when it is not one this sort could have made. */
function cursorOf(text: string | null, sort: SortKey): Cursor | null {
  const parts = decodeCursor(text, 2);
  if (!parts) return null;
  const [key, id] = parts as [string, string];
  if (!uuid.safeParse(id).success) return null;
  if (!SORT_SQL[sort].text && !(TIMESTAMP_KEY.test(key) && (key === '-infinity' || isRealInstant(key))))
    return null;
  return { key, id };
}

/** Rows after the cursor in the walking order: (sort value, id) beyond the cursor's. */
export function pastCursor(
  expr: RawBuilder<unknown>,
  cast: RawBuilder<unknown>,
  cursor: Cursor,
  ascending: boolean,
) {
  const value = cursorValue(cursor.key, cast);
  return ascending
    ? sql<SqlBool>`(${expr}, u.id) > (${value}, ${cursor.id}::uuid)`
    : sql<SqlBool>`(${expr}, u.id) < (${value}, ${cursor.id}::uuid)`;
}

/** Binding `b` grants now, in the project or account-wide. */
export const liveIn = (projectId: string, now: Date) =>
  sql<SqlBool>`(b.project_id is null or b.project_id = ${projectId})
    and (b.expires_at is null or b.expires_at > ${now})`;

/** A binding's label in the list: its role, or the size of its manual set. */
export const bindingLabel = sql<string>`coalesce(r.name::text, 'Manual set (' || coalesce(cardinality(b.permissions), 0) || ')')`;

/**
 * Roles in the project (direct and through teams) and teams of each user on a page, as text[]
 * (the drivers parse text arrays, not citext ones), from correlated subqueries: index lookups
 * for the page's rows only, in the page's round trip. The same two lookups as the role filter's
 * walk, which stays apart: it needs no role name, and joining roles there doubled its cost.
 */
export function decorations(projectId: string, now: Date) {
  const live = liveIn(projectId, now);
  return {
    roles: sql<string[]>`array(select distinct x.label collate "C" from (
        select ${bindingLabel} as label from role_bindings b left join roles r on r.id = b.role_id
          where b.user_id = p.id and ${live}
        union all
        select ${bindingLabel} from team_members m join role_bindings b on b.team_id = m.team_id
          left join roles r on r.id = b.role_id
          where m.user_id = p.id and ${live}) x order by 1)`,
    teams: sql<string[]>`array(select t.name::text from team_members m join teams t on t.id = m.team_id
        where m.user_id = p.id order by t.name)`,
  };
}

/** What a list row and an export line are made from. */
export const USER_COLUMNS = [
  'u.id',
  'u.name',
  'u.email',
  passwordUsable('u').as('has_password'),
  'u.deactivated_at',
  'u.access_expires_at',
  'u.locked_until',
  'u.last_login_at',
  'u.created_at',
  'u.service_account',
  'u.source',
  'u.directory_removed_at',
] as const;

/**
 * One page in the direction asked, plus one row to know whether more follow, with each row's
 * roles and teams: one query. Built with placeholders for the request's values (compiled.ts).
 */
function pageQuery(
  db: Db,
  filters: UserFilters,
  q: UserListQuery,
  plan: UsersSql['plan'],
  cursor: 'after' | 'before' | null,
  passwords: PasswordEpoch,
) {
  const context = {
    now: placeholder<Date>('now'),
    projectId: placeholder<string>('project'),
    plan,
    passwords,
  };
  const sort = SORT_SQL[q.sort];
  // Gathering sorts the matching set by an expression no index has, so that the planner gathers
  // the matches (bitmap scans of the filters) and sorts them, rather than walk the sort index.
  const expr =
    plan === 'walk'
      ? sort.expr
      : sort.text
        ? sql`(${sort.expr} || '')`
        : sql`(${sort.expr} + interval '0 seconds')`;
  // Walking backwards (a previous page, or the last one) reverses the order, then the rows.
  const backwards = cursor === 'before' || (q.last && cursor !== 'after');
  const ascending = (q.dir === 'asc') !== backwards;
  let query = applyFilters(db.selectFrom('users as u'), filters, q, context, true);
  if (cursor) {
    const at = { key: placeholder<string>('cursorKey'), id: placeholder<string>('cursorId') };
    query = query.where(pastCursor(expr, sort.cast, at, ascending));
  }
  const direction = ascending ? 'asc' : 'desc';
  const page = query
    .select([...USER_COLUMNS, sql<string>`${sort.expr}::text`.as('sort_key'), sql`${expr}`.as('sort_value')])
    .orderBy(sql`${expr}`, direction)
    .orderBy('u.id', direction)
    .limit(q.per + 1);
  const extra = decorations(context.projectId, context.now);
  return db
    .selectFrom(page.as('p'))
    .select([
      'p.id',
      'p.name',
      'p.email',
      'p.has_password',
      'p.deactivated_at',
      'p.access_expires_at',
      'p.locked_until',
      'p.last_login_at',
      'p.created_at',
      'p.service_account',
      'p.source',
      'p.directory_removed_at',
      'p.sort_key',
      extra.roles.as('roles'),
      extra.teams.as('teams'),
    ])
    .orderBy('p.sort_value', direction)
    .orderBy('p.id', direction);
}

type PageRow = InferResult<ReturnType<typeof pageQuery>>[number];

/** The page queries compiled so far, by shape. */
const pages = new Shapes(500);

export interface ListedUser {
  id: string;
  name: string;
  email: string;
  status: UserStatus;
  lockedUntil: Date | null;
  roles: string[];
  teams: string[];
  lastLoginAt: Date | null;
  createdAt: Date;
  /** A service account (no password, API tokens only): shown with a badge. */
  serviceAccount: boolean;
  /** Provisioned by the directory ('scim') or created at a first single sign-on ('sso'): a badge too. */
  source: 'scim' | 'sso' | null;
  /** The directory removed them (and so they are deactivated): marked beside their status. */
  directoryRemovedAt: Date | null;
}

function toListed(row: PageRow, now: Date): ListedUser {
  const status = userStatus({ ...row, password_hash: row.has_password ? 'set' : null }, now);
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    status,
    lockedUntil: status === 'Locked' ? row.locked_until : null,
    roles: [...row.roles].sort(),
    teams: row.teams,
    lastLoginAt: row.last_login_at,
    createdAt: row.created_at,
    serviceAccount: row.service_account,
    source: row.source,
    directoryRemovedAt: row.directory_removed_at,
  };
}

export async function userRows(
  call: UsersCall,
  q: UserListQuery,
  fetch: RowsFor<undefined>,
): Promise<Walk<ListedUser>> {
  const plan = 'total' in fetch && fetch.total.exact && fetch.total.value <= GATHER_MAX ? 'gather' : 'walk';
  const after = cursorOf(q.after, q.sort);
  const before = after ? null : cursorOf(q.before, q.sort);
  const cursor = after ?? before;
  const direction = after ? 'after' : before ? 'before' : null;
  const backwards = Boolean(before) || (q.last && !after);
  // The reset's time is a constant of the shape (reset-epoch.ts): a reset makes new shapes.
  const passwords = await epochOf(call);
  const key = JSON.stringify([
    filterShape(call.filters, q),
    q.sort,
    q.dir,
    direction,
    q.last,
    q.per,
    plan,
    passwords,
  ]);
  const shape = pages.get(key, () => pageQuery(call.db, call.filters, q, plan, direction, passwords));
  const values = {
    ...filterValues(call.filters, q, { now: call.now, projectId: call.projectId, plan, passwords }),
    now: call.now,
    project: call.projectId,
    ...(cursor ? { cursorKey: cursor.key, cursorId: cursor.id } : {}),
  };
  const { rows } = await call.db.executeQuery(fill<PageRow>(shape, values));
  const page = rows.slice(0, q.per);
  if (backwards) page.reverse();
  const cursorAt = (row: PageRow | undefined) => (row ? cursorText({ key: row.sort_key, id: row.id }) : null);
  return {
    rows: page.map((row) => toListed(row, call.now)),
    more: rows.length > q.per,
    backwards,
    first: cursorAt(page[0]),
    last: cursorAt(page.at(-1)),
  };
}
