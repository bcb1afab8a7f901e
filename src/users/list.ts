import { type Expression, type SqlBool, sql } from 'kysely';
import { perform } from '../audit/perform';
import { type PasswordEpoch, passwordCondition } from '../auth/passwords/reset-epoch';
import type { Db } from '../db/connect';
import { alphabetical, chronological, defineList, type ListQuery, listPage } from '../lists/definition';
import type { ExportFormat } from '../lists/export-stream';
import { filterFor } from '../lists/filters';
import { containsPattern } from '../lists/paging';
import { integer, manyOf, oneOf, text, uuid, uuids } from '../lists/params';
import { countUsers } from './list-count';
import { EXPORT_HEADER, exportLines as exportUserLines } from './list-export';
import { type ListedUser, userRows } from './list-query';
import type { UserStatus } from './status';

/**
 * The users list: everyone, or the deactivated (a tab), searched by name or email and filtered
 * by role, status, team, access level, last sign-in, access or a role ending soon, two-factor
 * authentication and source; sorted by name, email, last sign-in or creation. Its rows are found
 * by a plan tuned for a million users (list-query.ts), counted with a cap and a cache
 * (list-count.ts), and exported by PostgreSQL (list-export.ts).
 */

export type { ListedUser };

export const STATUS_KEYS = {
  active: 'Active',
  password_not_set: 'Password not set',
  locked: 'Locked',
  access_expired: 'Access expired',
  deactivated: 'Deactivated',
} as const satisfies Record<string, UserStatus>;
export type StatusKey = keyof typeof STATUS_KEYS;

export const ACCESS_LEVELS = {
  account: 'Account-wide',
  team: 'Via a team',
  unassigned: 'Unassigned',
} as const;

/**
 * Where a person came from: made in Gatehouse (console, invitation, CLI: no source), provisioned
 * by the company directory (SCIM), or created at a first single sign-on.
 */
export const USER_SOURCES = {
  gatehouse: 'Made in Gatehouse',
  scim: 'Directory',
  sso: 'Single sign-on',
} as const;
export type SourceKey = keyof typeof USER_SOURCES;

/**
 * The `ending` filter (a number of days): people whose own access (users.access_expires_at) or
 * one of whose live role bindings, direct or through a team, in any project, ends after now and
 * within that many days. `label` names the control, `text` a chosen value, `choices` the days a
 * control offers (any whole number from `min` to `max` is read from the URL).
 */
export const ENDING_WITHIN = {
  param: 'ending',
  label: 'Access or a role ends within',
  text: (days: number) => `Access or a role ends within ${days} ${days === 1 ? 'day' : 'days'}`,
  choices: [7, 14, 30, 90],
  min: 1,
  max: 366,
} as const;

/** The `two_factor` filter: whether the person has an authenticator (TOTP) enrolled. */
export const TWO_FACTOR_STATES = {
  on: 'Two-factor authentication set up',
  off: 'No two-factor authentication',
} as const;
export type TwoFactorKey = keyof typeof TWO_FACTOR_STATES;

/** What the filters are given: the request's time and project, and how the query finds its rows. */
export interface UsersSql {
  now: Date;
  /** The last "Reset all passwords", written into the status filters' SQL (reset-epoch.ts). */
  passwords: PasswordEpoch;
  projectId: string;
  /**
   * `walk`: a page walks the sort index and tests each row against the binding filters, cheap
   * when it needs only a few matches. `gather`: the matching ids are built once as a set, for
   * counts and for filters that match few users (list-query.ts).
   */
  plan: 'walk' | 'gather';
}

const filter = filterFor<UsersSql>();
const DAY_MS = 86_400_000;

/** The SQL of each status, in the priority order of userStatus(). */
function statusCondition(status: StatusKey, now: Date, passwords: PasswordEpoch): Expression<SqlBool> {
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
      return sql<SqlBool>`${notDeactivated} and ${notExpired} and ${notLocked} and ${passwordCondition('u', passwords, false)}`;
    case 'active':
      return sql<SqlBool>`${notDeactivated} and ${notExpired} and ${notLocked} and ${passwordCondition('u', passwords, true)}`;
  }
}

/**
 * Whether u is reached by an unexpired binding matching `condition`, directly or through a team.
 * Walking: tested per row through the indexes on role_bindings.user_id and team_members.user_id,
 * as one EXISTS over a UNION ALL (with two EXISTS joined by OR, PostgreSQL hashes the team side
 * once, reading every membership). Gathering: the reached ids as a set computed once (a
 * correlated EXISTS with an OR over teams made PostgreSQL walk the bindings per user).
 */
function reached(condition: Expression<SqlBool>, { now, plan }: UsersSql) {
  const live = sql<SqlBool>`(b.expires_at is null or b.expires_at > ${now})`;
  return plan === 'walk'
    ? sql<SqlBool>`exists (select 1 from role_bindings b where b.user_id = u.id and ${live} and ${condition}
        union all
        select 1 from team_members m join role_bindings b on b.team_id = m.team_id where m.user_id = u.id
          and ${live} and ${condition})`
    : sql<SqlBool>`u.id in (select b.user_id from role_bindings b
          where b.user_id is not null and ${live} and ${condition}
        union
        select m.user_id from team_members m join role_bindings b on b.team_id = m.team_id
          where ${live} and ${condition})`;
}

/** Combined with AND, in this order in the URL and in the query. */
const USER_FILTERS = {
  tab: filter({
    param: oneOf('tab', ['users', 'deactivated'] as const, 'users'),
    where: (tab) => sql<SqlBool>`u.deactivated_at is ${tab === 'deactivated' ? sql`not null` : sql`null`}`,
  }),
  q: filter({
    param: text('q', 200),
    bind: containsPattern,
    // The same expressions as the trigram indexes, so that they are used.
    where: (pattern) => sql<SqlBool>`(lower(u.name) like ${pattern} or lower(u.email::text) like ${pattern})`,
  }),
  roles: filter({
    param: uuids('role', 20),
    where: (roles, context) =>
      reached(
        sql`b.role_id in (${sql.join(roles)}) and (b.project_id is null or b.project_id = ${context.projectId})`,
        context,
      ),
  }),
  statuses: filter({
    param: manyOf('status', STATUS_KEYS),
    where: (statuses, { now, passwords }) =>
      sql<SqlBool>`(${sql.join(
        statuses.map((s) => statusCondition(s, now, passwords)),
        sql` or `,
      )})`,
  }),
  team: filter({
    param: uuid('team'),
    where: (team) =>
      sql<SqlBool>`exists (select 1 from team_members m where m.team_id = ${team} and m.user_id = u.id)`,
  }),
  access: filter({
    param: oneOf('access', ACCESS_LEVELS),
    where: (access, context) => {
      if (access === 'account') return reached(sql`b.project_id is null`, context);
      if (access === 'team') return sql<SqlBool>`u.id in (select m.user_id from team_members m)`;
      return sql<SqlBool>`not exists (select 1 from team_members m where m.user_id = u.id)
        and not exists (select 1 from role_bindings b where b.user_id = u.id
          and (b.expires_at is null or b.expires_at > ${context.now}))`;
    },
  }),
  inactiveDays: filter({
    param: integer('inactive', 1, 36_500),
    // Not signed in for N days: signed in before this instant, or never.
    bind: (days, { now }) => new Date(now.getTime() - (days ?? 0) * DAY_MS),
    where: (since) => sql<SqlBool>`(u.last_login_at is null or u.last_login_at < ${since})`,
  }),
  endingDays: filter({
    param: integer(ENDING_WITHIN.param, ENDING_WITHIN.min, ENDING_WITHIN.max),
    // Ends after now and by this instant: the person's access, or a live binding reaching them.
    bind: (days, { now }) => new Date(now.getTime() + (days ?? 0) * DAY_MS),
    where: (until, context) =>
      sql<SqlBool>`((u.access_expires_at > ${context.now} and u.access_expires_at <= ${until})
        or ${reached(sql`b.expires_at <= ${until}`, context)})`,
  }),
  twoFactor: filter({
    param: oneOf('two_factor', TWO_FACTOR_STATES),
    // A constant of the query's shape (oneOf binds by shape): one SQL per state.
    where: (state) =>
      state === 'on' ? sql<SqlBool>`u.totp_secret is not null` : sql<SqlBool>`u.totp_secret is null`,
  }),
  source: filter({
    param: oneOf('source', USER_SOURCES),
    // A constant of the query's shape (oneOf binds by shape): one SQL per source.
    where: (source) =>
      source === 'gatehouse' ? sql<SqlBool>`u.source is null` : sql<SqlBool>`u.source = ${sql.lit(source)}`,
  }),
};
export type UserFilters = typeof USER_FILTERS;

const SORTS = {
  name: alphabetical('name'),
  email: alphabetical('email'),
  last_login: chronological('last sign-in'),
  created: chronological('date created'),
};
export type SortKey = keyof typeof SORTS;

export type UserListQuery = ListQuery<UserFilters, SortKey>;

export const userList = defineList({
  name: 'users',
  noun: 'users',
  permission: 'users.view',
  scope: 'all',
  searchPool: true,
  filters: USER_FILTERS,
  sort: { keys: SORTS, default: 'name' },
  columns: [
    { key: 'name', label: 'Name', sort: 'name' },
    { key: 'email', label: 'Email', sort: 'email' },
    { key: 'roles', label: 'Roles' },
    { key: 'status', label: 'Status' },
    { key: 'teams', label: 'Teams' },
    { key: 'last_login', label: 'Last sign-in', sort: 'last_login' },
    { key: 'created', label: 'Created', sort: 'created' },
  ],
  count: countUsers,
  rows: userRows,
  export: {
    permission: 'users.export',
    record: (ctx, event) => perform(ctx, 'users.export', async () => event),
    header: EXPORT_HEADER,
    lines: (call, q, format) => exportUserLines(call, q, format),
  },
});

export type UserPage = Awaited<ReturnType<typeof listUsers>>;

export const parseUserListQuery = (params: URLSearchParams) => userList.parse(params);

/** One page of the list outside a request (the benchmarks). */
export const listUsers = (db: Db, q: UserListQuery, projectId: string, now: Date) =>
  listPage(userList, { db, now, projectId, timeZone: 'UTC', scope: { all: true }, filters: USER_FILTERS }, q);

/** Every matching user's export line in list order, in batches of about `batch`. */
export const exportLines = (
  db: Db,
  q: UserListQuery,
  projectId: string,
  now: Date,
  format: ExportFormat,
  batch?: number,
) =>
  exportUserLines(
    { db, now, projectId, timeZone: 'UTC', scope: { all: true }, filters: USER_FILTERS },
    q,
    format,
    batch,
  );

export { forgetUserCounts } from './list-count';
