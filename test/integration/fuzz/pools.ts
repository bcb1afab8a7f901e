import { sql } from 'kysely';
import type { TestApp } from '../../helpers/app';
import { makeUser } from '../../helpers/fixtures';
import type { Client } from '../../helpers/http';
import { pick } from './random';
import type { Route } from './routes';
import { BAD_IDS } from './values';

/** Real ids for the path parameters, by kind, and the tokens of the emailed links. */
export const pools = {
  user: [] as string[],
  team: [] as string[],
  role: [] as string[],
  project: [] as string[],
  invitation: [] as string[],
  binding: [] as string[],
  session: [] as string[],
  event: [] as string[],
  token: [] as string[],
};

/**
 * Things for the routes to name: people (one deactivated, one without a password yet), teams
 * with a member, custom roles, projects, open invitations and a set-password link.
 */
export async function makeTargets(t: TestApp, admin: Client) {
  await refreshPools(t, admin);
  const viewerRole = await t.db
    .selectFrom('roles')
    .select('id')
    .where('key', '=', 'viewer')
    .executeTakeFirstOrThrow();
  await admin.post(`/teams/${pools.team[0]}/members`, { email: 'fuzz-target-1@example.com' });
  await admin.post('/users', { name: 'Fuzz New', email: 'fuzz-new@example.com', roleId: viewerRole.id });
  await t.db
    .updateTable('users')
    .set({ deactivated_at: t.clock.now() })
    .where('email', '=', 'fuzz-target-2@example.com')
    .execute();
  await refreshPools(t, admin);
}

/** Fresh ids of everything the routes name, from the database. */
export async function refreshPools(t: TestApp, admin: Client) {
  await replenish(t, admin);
  // In an order that does not depend on the random uuids, so that a seed picks the same rows.
  const ids = async (table: string, order: string) =>
    (
      await sql<{
        id: string;
      }>`select id::text as id from ${sql.table(table)} order by ${sql.raw(order)} limit 40`.execute(t.db)
    ).rows.map((r) => r.id);
  pools.user = await ids('users', 'email');
  pools.team = await ids('teams', 'name');
  pools.role = await ids('roles', 'name');
  pools.project = await ids('projects', 'name');
  pools.invitation = await ids('invitations', 'email, created_at');
  pools.binding = await ids('role_bindings', 'created_at, role_id, project_id, id');
  pools.session = await ids('sessions', 'created_at, id');
  pools.event = await ids('audit_events', 'id desc');
  const tokens = new Set<string>();
  for (const message of t.mailer.messages.slice(-60)) {
    const text = `${message.text ?? ''} ${message.html ?? ''}`;
    for (const m of text.matchAll(/\/(?:invite|set-password|reset-password|unlock)\/([A-Za-z0-9_-]{20,})/g))
      tokens.add(m[1] as string);
  }
  pools.token = [...tokens];
}

let made = 0;
/** A number for the name of a row the fuzzing makes: one count for them all. */
export const nextNumber = () => ++made;

/** Enough people, teams, roles, projects and open invitations for the routes to act on. */
async function replenish(t: TestApp, admin: Client) {
  const count = async (table: string, where = sql`true`) =>
    Number(
      (
        await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where ${where}`.execute(
          t.db,
        )
      ).rows[0]?.n,
    );
  const roles = ['viewer', 'editor', 'co_admin', null] as const;
  // More than a page of 10, some who signed in and some who never did: the lists' cursors.
  for (let n = await count('users'); n < 14; n++) {
    const user = await makeUser(t.db, { role: roles[made % 4], email: `fuzz-target-${++made}@example.com` });
    if (made % 2 === 0)
      await t.db
        .updateTable('users')
        .set({ last_login_at: new Date(t.clock.now().getTime() - made * 60_000) })
        .where('id', '=', user.id)
        .execute();
  }
  for (let n = await count('teams'); n < 2; n++)
    await t.db
      .insertInto('teams')
      .values({ name: `Fuzz team ${++made}` })
      .execute();
  for (let n = await count('projects'); n < 3; n++)
    await t.db
      .insertInto('projects')
      .values({ name: `Fuzz project ${++made}` })
      .execute();
  for (let n = await count('roles', sql`key is null`); n < 2; n++)
    await t.db
      .insertInto('roles')
      .values({ name: `Fuzz role ${++made}`, permissions: ['reports.view'] })
      .execute();
  const open = sql`accepted_at is null and revoked_at is null and declined_at is null and expires_at > now()`;
  if ((await count('invitations', open)) < 2) {
    const project = await t.db.selectFrom('projects').select('id').orderBy('name').executeTakeFirstOrThrow();
    const role = await t.db
      .selectFrom('roles')
      .select('id')
      .where('key', '=', 'viewer')
      .executeTakeFirstOrThrow();
    await admin.post('/invitations', {
      emails: `fuzz-invitee-${++made}@example.com, fuzz-invitee-${++made}@example.com`,
      projectId: project.id,
      roleId: role.id,
      language: 'en',
      message: 'Welcome',
    });
  }
}

/** The pool a path parameter's real values come from, by the route's area. */
export function poolFor(route: Route, param: string): string[] {
  if (param === 'token') return pools.token;
  if (param === 'eventId') return pools.event;
  if (param === 'sessionId') return pools.session;
  if (param === 'userId') return pools.user;
  if (param === 'teamId') return pools.team;
  const area = route.path.split('/')[1];
  if (route.path.startsWith('/access/bindings')) return pools.binding;
  return (
    (
      {
        users: pools.user,
        teams: pools.team,
        roles: pools.role,
        projects: pools.project,
        invitations: pools.invitation,
      } as Record<string, string[]>
    )[area ?? ''] ?? pools.user
  );
}

/** The route's path with real ids from the pools, or malformed ones (when bad, or no pool yet). */
export function pathOf(route: Route, bad: boolean): string {
  let path = route.path;
  for (const param of route.params) {
    const pool = poolFor(route, param);
    const value = bad || pool.length === 0 ? pick(BAD_IDS) : pick(pool);
    path = path.replace(`:${param}`, value);
  }
  if (path.includes('*'))
    path = path.replace('*', pick(['app.css', 'nope.css', '..%2f..%2fpackage.json', '%00', 'x'.repeat(300)]));
  return path;
}
