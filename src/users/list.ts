import {
  type Compilable,
  CompiledQuery,
  type ControlledTransaction,
  type Expression,
  type InferResult,
  type RawBuilder,
  type SqlBool,
  sql,
} from 'kysely';
import { z } from 'zod';
import { Semaphore } from '../auth/semaphore';
import { onChange } from '../core/changes';
import { canStream, type Db } from '../db/connect';
import type { Database } from '../db/schema';
import { cappedCount } from '../lists/count';
import type { ExportFormat } from '../lists/export-stream';
import {
  appendPaging,
  containsPattern,
  cursorValue,
  decodeCursor,
  encodeCursor,
  isRealInstant,
  type ListTotal,
  type PageWindow,
  type Paging,
  type PagingLink,
  pageWindow,
  parsePaging,
  textParam,
} from '../lists/paging';
import { type UserStatus, userStatus } from './status';

/**
 * The users list: search, filters, sort, keyset paging and counts, shared by the page and the
 * export. Everything it reads comes from the query string, so a URL reproduces the view.
 */

export const STATUS_KEYS = {
  active: 'Active',
  password_not_set: 'Password not set',
  locked: 'Locked',
  access_expired: 'Access expired',
  deactivated: 'Deactivated',
} as const satisfies Record<string, UserStatus>;
export type StatusKey = keyof typeof STATUS_KEYS;

export const SORTS = ['name', 'email', 'last_login', 'created'] as const;
export type SortKey = (typeof SORTS)[number];
export const ACCESS_LEVELS = {
  account: 'Account-wide',
  team: 'Via a team',
  unassigned: 'Unassigned',
} as const;

export interface UserListQuery extends Paging {
  tab: 'users' | 'deactivated';
  q: string;
  roles: string[];
  statuses: StatusKey[];
  team: string | null;
  access: keyof typeof ACCESS_LEVELS | null;
  inactiveDays: number | null;
  sort: SortKey;
  dir: 'asc' | 'desc';
}

const uuid = z.uuid();

/** Lenient on purpose: a stale or hand-edited URL shows the list with the parts that make sense. */
export function parseUserListQuery(params: URLSearchParams): UserListQuery {
  const all = (name: string) => params.getAll(name).filter((v) => v !== '');
  const one = (name: string) => params.get(name) ?? '';
  const inactive = Number(one('inactive'));
  const sort = one('sort').replace(/^-/, '');
  return {
    tab: one('tab') === 'deactivated' ? 'deactivated' : 'users',
    q: textParam(params, 'q', 200),
    roles: all('role')
      .filter((r) => uuid.safeParse(r).success)
      .slice(0, 20),
    statuses: all('status').filter((s): s is StatusKey => Object.hasOwn(STATUS_KEYS, s)),
    team: uuid.safeParse(one('team')).success ? one('team') : null,
    access: Object.hasOwn(ACCESS_LEVELS, one('access'))
      ? (one('access') as keyof typeof ACCESS_LEVELS)
      : null,
    inactiveDays: Number.isInteger(inactive) && inactive > 0 && inactive <= 36_500 ? inactive : null,
    sort: (SORTS as readonly string[]).includes(sort) ? (sort as SortKey) : 'name',
    dir: one('sort').startsWith('-') ? 'desc' : 'asc',
    ...parsePaging(params),
  };
}

/** The query string of a view; paging parameters only when given. */
export function listParams(q: UserListQuery, paging: PagingLink = {}): URLSearchParams {
  const p = new URLSearchParams();
  if (q.tab !== 'users') p.set('tab', q.tab);
  if (q.q) p.set('q', q.q);
  for (const r of q.roles) p.append('role', r);
  for (const s of q.statuses) p.append('status', s);
  if (q.team) p.set('team', q.team);
  if (q.access) p.set('access', q.access);
  if (q.inactiveDays) p.set('inactive', String(q.inactiveDays));
  if (q.sort !== 'name' || q.dir !== 'asc') p.set('sort', `${q.dir === 'desc' ? '-' : ''}${q.sort}`);
  return appendPaging(p, q.per, paging);
}

const usersTable = (db: Db) => db.selectFrom('users as u');
type UsersQuery = ReturnType<typeof usersTable>;

/** The SQL of each status, in the priority order of userStatus(). */
function statusCondition(status: StatusKey, now: Date): Expression<SqlBool> {
  const notDeactivated = sql<SqlBool>`u.deactivated_at is null`;
  const notExpired = sql<SqlBool>`(u.access_expires_at is null or u.access_expires_at > ${now})`;
  const notLocked = sql<SqlBool>`(u.locked_until is null or u.locked_until <= ${now})`;
  switch (status) {
    case 'deactivated':
      return sql<SqlBool>`u.deactivated_at is not null`;
    case 'access_expired':
      return sql<SqlBool>`${notDeactivated} and u.access_expires_at <= ${now}`;
    case 'locked':
      return sql<SqlBool>`${notDeactivated} and ${notExpired} and u.locked_until > ${now}`;
    case 'password_not_set':
      return sql<SqlBool>`${notDeactivated} and ${notExpired} and ${notLocked} and u.password_hash is null`;
    case 'active':
      return sql<SqlBool>`${notDeactivated} and ${notExpired} and ${notLocked} and u.password_hash is not null`;
  }
}

/**
 * The ids of users an unexpired binding reaches (directly or through a team), as a set computed
 * once: a correlated EXISTS with an OR over teams made PostgreSQL walk the bindings per user.
 */
function usersReachedBy(condition: Expression<SqlBool>, now: Date) {
  return sql`(select b.user_id from role_bindings b
      where b.user_id is not null and (b.expires_at is null or b.expires_at > ${now}) and ${condition}
    union
    select m.user_id from team_members m join role_bindings b on b.team_id = m.team_id
      where (b.expires_at is null or b.expires_at > ${now}) and ${condition})`;
}

/**
 * Whether u is reached by a binding matching `condition`, tested per row through the indexes on
 * role_bindings.user_id and team_members.user_id: cheap when a page walks users in sort order and
 * needs only a few matches. One EXISTS over a UNION ALL: with two EXISTS joined by OR,
 * PostgreSQL hashes the team side once, reading every membership.
 */
function reachedBy(condition: Expression<SqlBool>, now: Date) {
  return sql<SqlBool>`exists (select 1 from role_bindings b where b.user_id = u.id
        and (b.expires_at is null or b.expires_at > ${now}) and ${condition}
    union all
    select 1 from team_members m join role_bindings b on b.team_id = m.team_id where m.user_id = u.id
        and (b.expires_at is null or b.expires_at > ${now}) and ${condition})`;
}

/** "Not signed in for N days": sign-ins before this instant. */
const inactiveSince = (now: Date, days: number) => new Date(now.getTime() - days * 86_400_000);

/**
 * Search and filters, combined with AND; no order or limit. A page walks the sort index and
 * tests the binding filters per row; a count builds the set of matching ids once instead.
 */
function filtered(
  db: Db,
  q: UserListQuery,
  projectId: string,
  now: Date,
  mode: 'page' | 'count' = 'page',
): UsersQuery {
  const reached = (condition: Expression<SqlBool>) =>
    mode === 'page' ? reachedBy(condition, now) : sql<SqlBool>`u.id in ${usersReachedBy(condition, now)}`;
  let query: UsersQuery = usersTable(db);
  query = query.where(
    q.tab === 'deactivated'
      ? sql<SqlBool>`u.deactivated_at is not null`
      : sql<SqlBool>`u.deactivated_at is null`,
  );
  if (q.q) {
    // The same expressions as the trigram indexes, so they are used (performance.md).
    const pattern = containsPattern(q.q);
    query = query.where(
      sql<SqlBool>`(lower(u.name) like ${pattern} or lower(u.email::text) like ${pattern})`,
    );
  }
  if (q.statuses.length > 0) {
    query = query.where((eb) => eb.or(q.statuses.map((s) => statusCondition(s, now))));
  }
  if (q.roles.length > 0) {
    const inScope = sql<SqlBool>`b.role_id in (${sql.join(q.roles)}) and (b.project_id is null or b.project_id = ${projectId})`;
    query = query.where(reached(inScope));
  }
  if (q.team) {
    query = query.where(
      sql<SqlBool>`exists (select 1 from team_members m where m.team_id = ${q.team} and m.user_id = u.id)`,
    );
  }
  if (q.access === 'account') {
    query = query.where(reached(sql<SqlBool>`b.project_id is null`));
  } else if (q.access === 'team') {
    query = query.where(sql<SqlBool>`u.id in (select m.user_id from team_members m)`);
  } else if (q.access === 'unassigned') {
    query = query.where(
      sql<SqlBool>`not exists (select 1 from team_members m where m.user_id = u.id)
        and not exists (select 1 from role_bindings b where b.user_id = u.id and (b.expires_at is null or b.expires_at > ${now}))`,
    );
  }
  if (q.inactiveDays) {
    const since = inactiveSince(now, q.inactiveDays);
    query = query.where(sql<SqlBool>`(u.last_login_at is null or u.last_login_at < ${since})`);
  }
  return query;
}

const SORT_SQL = {
  name: { expr: sql`lower(u.name)`, cast: sql`text`, text: true },
  email: { expr: sql`lower(u.email::text)`, cast: sql`text`, text: true },
  last_login: {
    expr: sql`coalesce(u.last_login_at, '-infinity'::timestamptz)`,
    cast: sql`timestamptz`,
    text: false,
  },
  created: { expr: sql`u.created_at`, cast: sql`timestamptz`, text: false },
} as const;

interface Cursor {
  key: string;
  id: string;
}

const cursorText = (cursor: Cursor) => encodeCursor([cursor.key, cursor.id]);

const TIMESTAMP_KEY = /^(-infinity|\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?)$/;

/** Rows after the cursor in the walking order: (sort value, id) beyond the cursor's. */
function pastCursor(
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
}

/** Binding `b` grants now, in the project or account-wide. */
const liveIn = (projectId: string, now: Date) =>
  sql<SqlBool>`(b.project_id is null or b.project_id = ${projectId})
    and (b.expires_at is null or b.expires_at > ${now})`;

/** A binding's label in the list: its role, or the size of its manual set. */
const bindingLabel = sql<string>`coalesce(r.name::text, 'Manual set (' || coalesce(cardinality(b.permissions), 0) || ')')`;

/**
 * Roles in the project (direct and through teams) and teams of each user on a page, as text[]
 * (the drivers parse text arrays, not citext ones), from correlated subqueries: index lookups
 * for the page's rows only, in the page's round trip. The same two lookups as reachedBy(), which
 * stays apart: it needs no role name, and joining roles there doubled the role filter's cost.
 */
function decorations(projectId: string, now: Date) {
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
const USER_COLUMNS = [
  'u.id',
  'u.name',
  'u.email',
  sql<boolean>`u.password_hash is not null`.as('has_password'),
  'u.deactivated_at',
  'u.access_expires_at',
  'u.locked_until',
  'u.last_login_at',
  'u.created_at',
] as const;

/**
 * One page in the direction asked, plus one row to know whether more follow, with each row's
 * roles and teams: one query.
 */
function pageQuery(
  db: Db,
  q: UserListQuery,
  projectId: string,
  now: Date,
  limit: number,
  mode: 'page' | 'count' = 'page',
) {
  const sort = SORT_SQL[q.sort];
  // Sorting the matching set: an expression no index has, so the planner gathers the matches
  // (bitmap scans of the filters) and sorts them, rather than walk the sort index past millions.
  const expr =
    mode === 'page'
      ? sort.expr
      : sort.text
        ? sql`(${sort.expr} || '')`
        : sql`(${sort.expr} + interval '0 seconds')`;
  const after = cursorOf(q.after, q.sort);
  const before = after ? null : cursorOf(q.before, q.sort);
  // Walking backwards (a previous page, or the last one) reverses the order, then the rows.
  const backwards = Boolean(before) || (q.last && !after);
  const ascending = (q.dir === 'asc') !== backwards;
  let query = filtered(db, q, projectId, now, mode);
  const cursor = after ?? before;
  if (cursor) query = query.where(pastCursor(expr, sort.cast, cursor, ascending));
  const direction = ascending ? 'asc' : 'desc';
  const page = query
    .select([...USER_COLUMNS, sql<string>`${sort.expr}::text`.as('sort_key'), sql`${expr}`.as('sort_value')])
    .orderBy(sql`${expr}`, direction)
    .orderBy('u.id', direction)
    .limit(limit + 1);
  const extra = decorations(projectId, now);
  const withDecorations = db
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
      'p.sort_key',
      extra.roles.as('roles'),
      extra.teams.as('teams'),
    ])
    .orderBy('p.sort_value', direction)
    .orderBy('p.id', direction);
  return withDecorations;
}

/**
 * The page queries compiled so far, by shape: which filters are set, sort, direction, cursor,
 * size and strategy decide the SQL; the values only fill its parameters. Building a page query
 * with Kysely cost ~0.8 ms of CPU per request under load, more than running it (measured with
 * `npm run bench:ladder`). Each shape is built once from stand-in values, and each parameter that
 * is one of them is filled from the request; any other parameter is a constant of the shape.
 */
const compiledPages = new Map<string, { sql: string; slots: Slot[] }>();
type Slot =
  | { value: unknown }
  | { from: 'pattern' | 'now' | 'since' | 'project' | 'team' | 'cursorKey' | 'cursorId' }
  | { role: number };

const STAND_IN = {
  text: 'zzstandinzz',
  now: new Date(Date.UTC(1999, 0, 1, 0, 0, 0, 123)),
  project: '00000000-0000-4000-8000-00000000a001',
  team: '00000000-0000-4000-8000-00000000a002',
  cursorId: '00000000-0000-4000-8000-00000000a003',
  role: (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '9')}`,
  // Valid for every sort: cursorOf checks timestamp keys.
  cursorKey: '1999-01-01 00:00:00.123457+00',
};

function compilePage(
  db: Db,
  q: UserListQuery,
  limit: number,
  mode: 'page' | 'count',
  cursor: 'after' | 'before' | null,
) {
  const standInCursor = cursorText({ key: STAND_IN.cursorKey, id: STAND_IN.cursorId });
  const standIn: UserListQuery = {
    ...q,
    q: q.q ? STAND_IN.text : '',
    roles: q.roles.map((_, i) => STAND_IN.role(i)),
    team: q.team ? STAND_IN.team : null,
    after: cursor === 'after' ? standInCursor : null,
    before: cursor === 'before' ? standInCursor : null,
  };
  const compiled = pageQuery(db, standIn, STAND_IN.project, STAND_IN.now, limit, mode).compile();
  const since = q.inactiveDays ? inactiveSince(STAND_IN.now, q.inactiveDays).getTime() : null;
  const named = new Map<unknown, Slot>([
    [containsPattern(STAND_IN.text), { from: 'pattern' }],
    [STAND_IN.project, { from: 'project' }],
    [STAND_IN.team, { from: 'team' }],
    [STAND_IN.cursorKey, { from: 'cursorKey' }],
    [STAND_IN.cursorId, { from: 'cursorId' }],
    ...standIn.roles.map((id, i): [string, Slot] => [id, { role: i }]),
  ]);
  const slots = compiled.parameters.map((value): Slot => {
    if (value instanceof Date) {
      if (value.getTime() === STAND_IN.now.getTime()) return { from: 'now' };
      if (value.getTime() === since) return { from: 'since' };
      throw new Error(`page query: a time parameter that is not the request's (${value.toISOString()})`);
    }
    const slot = named.get(value);
    if (slot) return slot;
    if (typeof value === 'string' && value.includes('standin'))
      throw new Error('page query: an unmapped parameter');
    return { value };
  });
  return { sql: compiled.sql, slots };
}

async function fetchPage(
  db: Db,
  q: UserListQuery,
  projectId: string,
  now: Date,
  limit: number,
  mode: 'page' | 'count' = 'page',
) {
  const after = cursorOf(q.after, q.sort);
  const before = after ? null : cursorOf(q.before, q.sort);
  const cursor = after ?? before;
  const backwards = Boolean(before) || (q.last && !after);
  const shape = JSON.stringify([
    q.tab,
    Boolean(q.q),
    q.statuses,
    q.roles.length,
    Boolean(q.team),
    q.access,
    q.inactiveDays,
    q.sort,
    q.dir,
    after ? 'after' : before ? 'before' : null,
    q.last,
    limit,
    mode,
  ]);
  let entry = compiledPages.get(shape);
  if (!entry) {
    if (compiledPages.size >= 500) compiledPages.clear();
    entry = compilePage(db, q, limit, mode, after ? 'after' : before ? 'before' : null);
    compiledPages.set(shape, entry);
  }
  const values = {
    pattern: containsPattern(q.q),
    now,
    since: q.inactiveDays ? inactiveSince(now, q.inactiveDays) : null,
    project: projectId,
    team: q.team,
    cursorKey: cursor?.key,
    cursorId: cursor?.id,
  };
  const parameters = entry.slots.map((slot) =>
    'value' in slot ? slot.value : 'role' in slot ? q.roles[slot.role] : values[slot.from],
  );
  const result = await db.executeQuery<PageRow>(CompiledQuery.raw(entry.sql, parameters));
  const rows = result.rows;
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  if (backwards) page.reverse();
  return { page, more, backwards };
}

type PageRow = InferResult<ReturnType<typeof pageQuery>>[number];

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
  };
}

/** `exact` is false when the count passed the cap and the value is the planner's estimate. */
export type UserTotal = ListTotal;

/**
 * The count strategy: capped, then estimated (list-count.ts). Each answer is kept for
 * COUNT_TTL_MS per filter, so paging through one result set counts once. App instances keep
 * their own cache; a total a few seconds old is acceptable.
 */
const COUNT_TTL_MS = 30_000;
const counts = new Map<string, { total: UserTotal; at: number }>();

export async function countUsers(db: Db, q: UserListQuery, projectId: string, now: Date): Promise<UserTotal> {
  const key = JSON.stringify([projectId, listParams({ ...q, sort: 'name', dir: 'asc', per: 25 }).toString()]);
  const cached = counts.get(key);
  if (cached && Date.now() - cached.at < COUNT_TTL_MS) return cached.total;
  const total = await cappedCount(
    db,
    filtered(db, q, projectId, now).select(sql`1`.as('one')),
    filtered(db, q, projectId, now, 'count').select(sql`1`.as('one')),
  );
  if (counts.size > 500) counts.clear();
  counts.set(key, { total, at: Date.now() });
  return total;
}

/** Tests and writes that change the user set can drop cached totals. */
export function forgetUserCounts() {
  counts.clear();
}
onChange(forgetUserCounts);

export interface UserPage extends PageWindow {
  users: ListedUser[];
}

/**
 * How a page finds its rows. Few matches: gather them through the filters' indexes and sort them.
 * Many: walk the sort index and test each row, which finds a page long before the end. Walking
 * reads about per / selectivity rows and gathering reads every match, so at a million users the
 * two cost the same near a few thousand matches (measured: 7-10k matches gathered in ~20 ms, the
 * same filters walked in 2-5 ms); the (cached) count tells which side a filter is on.
 */
const GATHER_MAX = 2000;
const strategy = (total: UserTotal) => (total.exact && total.value <= GATHER_MAX ? 'count' : 'page');

export async function listUsers(db: Db, q: UserListQuery, projectId: string, now: Date): Promise<UserPage> {
  const total = await countUsers(db, q, projectId, now);
  const fetched = await fetchPage(db, q, projectId, now, q.per, strategy(total));
  const { page, more, backwards } = fetched;
  const firstRow = page[0];
  const lastRow = page.at(-1);
  return {
    users: page.map((row) => toListed(row, now)),
    ...pageWindow({
      paging: q,
      total,
      shown: page.length,
      more,
      backwards,
      first: firstRow ? cursorText({ key: firstRow.sort_key, id: firstRow.id }) : null,
      last: lastRow ? cursorText({ key: lastRow.sort_key, id: lastRow.id }) : null,
    }),
  };
}

/** A CSV cell in SQL, as csvCell() makes it: quoted, and a formula-like start neutralised. */
function sqlCsvCell(value: RawBuilder<string>) {
  return sql<string>`'"' || replace(case when left(${value}, 1) in ('=', '+', '-', '@', chr(9), chr(13))
      then '''' || ${value} else ${value} end, '"', '""') || '"'`;
}

/** As Date.prototype.toISOString() writes it. */
const isoTime = (column: RawBuilder<unknown>) =>
  sql<string | null>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** userStatus() in SQL, over the export's row `p`. */
function sqlStatus(now: Date) {
  return sql<string>`case when p.deactivated_at is not null then 'Deactivated'
      when p.access_expires_at <= ${now} then 'Access expired'
      when p.locked_until > ${now} then 'Locked'
      when not p.has_password then 'Password not set'
      else 'Active' end`;
}

/**
 * One exported user as a line of CSV or a JSON object, written by PostgreSQL: the server then
 * only passes text on, instead of parsing a dozen columns per row into objects and writing them
 * out again (half the time and most of the memory of a million-row export).
 */
function exportLine(
  format: ExportFormat,
  now: Date,
  roles: RawBuilder<string[]>,
  teams: RawBuilder<string[]>,
) {
  const lastSignIn = isoTime(sql`p.last_login_at`);
  const created = isoTime(sql`p.created_at`);
  if (format === 'json') {
    return sql<string>`json_build_object('id', p.id, 'name', p.name, 'email', p.email::text,
        'roles', ${roles}, 'status', ${sqlStatus(now)}, 'teams', ${teams},
        'last_sign_in', ${lastSignIn}, 'created', ${created})::text`;
  }
  const cells = [
    sql<string>`p.id::text`,
    sql<string>`p.name`,
    sql<string>`p.email::text`,
    sql<string>`array_to_string(${roles}, '; ')`,
    sqlStatus(now),
    sql<string>`array_to_string(${teams}, '; ')`,
    sql<string>`coalesce(${lastSignIn}, '')`,
    sql<string>`${created}`,
  ].map(sqlCsvCell);
  return sql<string>`concat_ws(',', ${sql.join(cells)}) || chr(13) || chr(10)`;
}

/**
 * Every matching user's export line, in list order, as one query: users scanned once and joined
 * to their roles and teams aggregated once (hash joins), rather than two index lookups per user.
 * One query is also one snapshot. With `batch`, one keyset batch that looks up each row's roles
 * and teams instead (for PGlite, which cannot read a query through a cursor).
 */
function exportQuery(
  db: Db,
  q: UserListQuery,
  projectId: string,
  now: Date,
  format: ExportFormat,
  batch?: { after: Cursor | null; limit: number },
) {
  const sort = SORT_SQL[q.sort];
  let users = filtered(db, q, projectId, now, batch ? 'page' : 'count').select([
    ...USER_COLUMNS,
    sql<string>`${sort.expr}::text`.as('sort_key'),
    sql`${sort.expr}`.as('sort_value'),
  ]);
  if (batch) {
    const { after, limit } = batch;
    if (after) users = users.where(pastCursor(sort.expr, sort.cast, after, q.dir === 'asc'));
    users = users.orderBy(sql`${sort.expr}`, q.dir).orderBy('u.id', q.dir).limit(limit);
    const extra = decorations(projectId, now);
    return db
      .selectFrom(users.as('p'))
      .select(['p.id', 'p.sort_key', exportLine(format, now, extra.roles, extra.teams).as('line')])
      .orderBy('p.sort_value', q.dir)
      .orderBy('p.id', q.dir);
  }
  const live = liveIn(projectId, now);
  const direct = db
    .selectFrom('role_bindings as b')
    .leftJoin('roles as r', 'r.id', 'b.role_id')
    .select(['b.user_id', bindingLabel.as('label')])
    .where('b.user_id', 'is not', null)
    .where(live);
  const viaTeams = db
    .selectFrom('team_members as m')
    .innerJoin('role_bindings as b', 'b.team_id', 'm.team_id')
    .leftJoin('roles as r', 'r.id', 'b.role_id')
    .select(['m.user_id', bindingLabel.as('label')])
    .where(live);
  const roles = db
    .selectFrom(direct.unionAll(viaTeams).as('x'))
    .select([
      'x.user_id',
      sql<string[]>`array_agg(distinct x.label collate "C" order by x.label collate "C")`.as('roles'),
    ])
    .groupBy('x.user_id');
  const teams = db
    .selectFrom('team_members as m')
    .innerJoin('teams as t', 't.id', 'm.team_id')
    .select(['m.user_id', sql<string[]>`array_agg(t.name::text order by t.name)`.as('teams')])
    .groupBy('m.user_id');
  // Sorted first, rendered after: lines computed below the sort would make it carry (and spill
  // to disk) every line; the outer ORDER BY matches the inner one, so PostgreSQL does not sort again.
  const sorted = db
    .selectFrom(users.as('u'))
    .leftJoin(roles.as('dr'), 'dr.user_id', 'u.id')
    .leftJoin(teams.as('dt'), 'dt.user_id', 'u.id')
    .selectAll('u')
    .select([
      sql<string[]>`coalesce(dr.roles, '{}')`.as('roles'),
      sql<string[]>`coalesce(dt.teams, '{}')`.as('teams'),
    ])
    .orderBy('u.sort_value', q.dir)
    .orderBy('u.id', q.dir);
  return db
    .selectFrom(sorted.as('p'))
    .select(['p.id', 'p.sort_key', exportLine(format, now, sql`p.roles`, sql`p.teams`).as('line')])
    .orderBy('p.sort_value', q.dir)
    .orderBy('p.id', q.dir);
}

/** Exports reading at once per process; more wait their turn (the search pool has 5 connections). */
const exportSlots = new Semaphore(2);

/**
 * A query's lines through a server-side cursor, batch by batch, each fetched only when the last
 * one has gone out: postgres.js's own cursor let the heap grow past 250 MB on a million rows.
 * The read holds a connection of the search pool for its whole length, so only a few run at once,
 * and a client that stops reading gives it back: PostgreSQL ends a transaction idle for a minute.
 * Sorting a million rows needs more than the default 4 MB of work_mem to stay in memory.
 */
async function* cursorLines(
  db: Db,
  query: Compilable<{ line: string }>,
  batch: number,
): AsyncGenerator<string[]> {
  const release = await exportSlots.acquire();
  let tx: ControlledTransaction<Database>;
  try {
    tx = await db.startTransaction().setAccessMode('read only').execute();
  } catch (error) {
    release();
    throw error;
  }
  let committed = false;
  try {
    await sql`set local idle_in_transaction_session_timeout = '60s'`.execute(tx);
    await sql`set local statement_timeout = '120s'`.execute(tx);
    await sql`set local work_mem = '64MB'`.execute(tx);
    await sql`declare export_rows no scroll cursor for ${query}`.execute(tx);
    for (;;) {
      const { rows } = await sql<{ line: string }>`fetch forward ${sql.lit(batch)} from export_rows`.execute(
        tx,
      );
      if (rows.length > 0) yield rows.map((r) => r.line);
      if (rows.length < batch) break;
    }
    await tx.commit().execute();
    committed = true;
  } finally {
    try {
      if (!committed) await tx.rollback().execute();
    } finally {
      release();
    }
  }
}

/**
 * Every matching user's export line, in list order, in batches of about `batch`. On PostgreSQL
 * one query read through a cursor; on PGlite, keyset batches.
 */
export async function* exportLines(
  db: Db,
  q: UserListQuery,
  projectId: string,
  now: Date,
  format: ExportFormat,
  batch = 1000,
): AsyncGenerator<string[]> {
  if (canStream(db)) {
    yield* cursorLines(db, exportQuery(db, q, projectId, now, format), batch);
    return;
  }
  let after: Cursor | null = null;
  for (;;) {
    const rows = await exportQuery(db, q, projectId, now, format, { after, limit: batch }).execute();
    if (rows.length > 0) yield rows.map((r) => r.line);
    const last = rows.at(-1);
    if (rows.length < batch || !last) return;
    after = { key: last.sort_key, id: last.id };
  }
}
