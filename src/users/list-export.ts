import { type RawBuilder, sql } from 'kysely';
import { type PasswordEpoch, passwordEpoch } from '../auth/passwords/reset-epoch';
import { canStream } from '../db/connect';
import { cursorLines, isoTime, sqlCsvCell } from '../lists/export-sql';
import type { ExportFormat } from '../lists/export-stream';
import type { UserListQuery } from './list';
import {
  bindingLabel,
  type Cursor,
  decorations,
  liveIn,
  matchingUsers,
  pastCursor,
  SORT_SQL,
  USER_COLUMNS,
  type UsersCall,
} from './list-query';

/**
 * The users export, written by PostgreSQL (lists/export-sql.ts). Before: 30 s and 368 MB for a
 * million users; now about 14 s and under 200 MB (`npm run bench`).
 */

export const EXPORT_HEADER = [
  'id',
  'name',
  'email',
  'roles',
  'status',
  'teams',
  'last_sign_in',
  'created',
  'source',
];

/** userStatus() in SQL, over the export's row `p`. */
function sqlStatus(now: Date) {
  return sql<string>`case when p.deactivated_at is not null then 'Deactivated'
      when p.access_expires_at <= ${now} then 'Access expired'
      when p.locked_until > ${now} then 'Locked'
      when not p.has_password then 'Password not set'
      else 'Active' end`;
}

/** Where the person came from, as the list's Source filter names it (USER_SOURCES). */
const sqlSource = sql<string>`case p.source when 'scim' then 'Directory' when 'sso' then 'Single sign-on'
      else 'Made in Gatehouse' end`;

/** One exported user as a line of CSV or a JSON object, with the columns of EXPORT_HEADER. */
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
        'last_sign_in', ${lastSignIn}, 'created', ${created}, 'source', ${sqlSource})::text`;
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
    sqlSource,
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
  call: UsersCall,
  q: UserListQuery,
  format: ExportFormat,
  passwords: PasswordEpoch,
  batch?: { after: Cursor | null; limit: number },
) {
  const { db, now, projectId } = call;
  const sort = SORT_SQL[q.sort];
  let users = matchingUsers(call, q, batch ? 'walk' : 'gather', passwords).select([
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

/**
 * Every matching user's export line, in list order, in batches of about `batch`. On PostgreSQL
 * one query read through a cursor; on PGlite, keyset batches.
 */
export async function* exportLines(
  call: UsersCall,
  q: UserListQuery,
  format: ExportFormat,
  batch = 1000,
): AsyncGenerator<string[]> {
  const passwords = await passwordEpoch(call.db);
  if (canStream(call.db)) {
    yield* cursorLines(call.db, exportQuery(call, q, format, passwords), batch);
    return;
  }
  let after: Cursor | null = null;
  for (;;) {
    const rows = await exportQuery(call, q, format, passwords, { after, limit: batch }).execute();
    if (rows.length > 0) yield rows.map((r) => r.line);
    const last = rows.at(-1);
    if (rows.length < batch || !last) return;
    after = { key: last.sort_key, id: last.id };
  }
}
