import { beforeAll, describe, expect, it } from 'vitest';
import { builtinRoleId, defaultProjectId } from '../../src/access/grants';
import { builtinRole } from '../../src/access/permissions';
import { getSettings } from '../../src/account/read-settings';
import { settingsValues } from '../../src/account/settings';
import { sha256 } from '../../src/auth/tokens';
import { encryptSecret } from '../../src/auth/two-factor/secret-box';
import { newTotpSecret } from '../../src/auth/two-factor/totp';
import type { TestApp } from '../helpers/app';
import { databaseKind } from '../helpers/database';
import { clientFor, FIXTURE_PASSWORD, makeUser, resetData, snapshot } from '../helpers/fixtures';
import { Client } from '../helpers/http';
import { setUpApp } from '../helpers/set-up-app';

/**
 * Every state-changing route x each built-in role and anonymous x a target above, equal to and
 * below the actor. The expectation is computed here from the rules, independently of the code:
 * allowed when the actor holds the route's permission and, where the route acts on a person,
 * holds everything that person holds. A denied request changes nothing.
 */
const ROLES = ['viewer', 'editor', 'publisher', 'co_admin', 'admin', 'account_admin'] as const;
type Role = (typeof ROLES)[number];
type Actor = Role | 'anonymous';

const perms = (role: Role | null) => new Set(role ? (builtinRole(role)?.permissions ?? []) : []);
const covers = (actor: Role, target: Role | null) => [...perms(target)].every((k) => perms(actor).has(k));

interface Fixture {
  t: TestApp;
  target: { id: string; email: string } | null;
  projectId: string;
}

interface RouteCase {
  route: string;
  permission: string;
  /** Acts on a person: the rank rule applies. */
  acts: boolean;
  /** Whether an allowed request changes the rows the snapshot covers. */
  changesData?: boolean;
  /** The target must have a binding to act on (so a role-less target is no case). */
  needsBinding?: boolean;
  /** An allowed request answers with a page (200) rather than a redirect (303). */
  okStatus?: number;
  /** A bulk action: the rank rule skips the person and its page (where the request goes) says so. */
  skipsInsteadOfRefusing?: boolean;
  prepare(f: Fixture): Promise<{ path: string; form: Record<string, string> }>;
}

async function customRole(f: Fixture) {
  return f.t.db
    .insertInto('roles')
    .values({ name: `Custom ${Math.random()}`, permissions: ['content.view'] })
    .returning('id')
    .executeTakeFirstOrThrow();
}
async function team(f: Fixture, withTarget = false) {
  const row = await f.t.db
    .insertInto('teams')
    .values({ name: `Team ${Math.random()}` })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (withTarget && f.target)
    await f.t.db.insertInto('team_members').values({ team_id: row.id, user_id: f.target.id }).execute();
  return row;
}
async function spareProject(f: Fixture) {
  return f.t.db
    .insertInto('projects')
    .values({ name: `Spare ${Math.random()}` })
    .returning('id')
    .executeTakeFirstOrThrow();
}
async function invitation(f: Fixture) {
  return f.t.db
    .insertInto('invitations')
    .values({
      email: `invited-${Math.random()}@example.com`,
      project_id: f.projectId,
      role_id: await builtinRoleId(f.t.db, 'viewer'),
      role_name: 'Viewer',
      invited_by_label: 'owner@example.com',
      language: 'en',
      token_hash: sha256(String(Math.random())),
      sent_at: new Date(),
      expires_at: new Date(Date.now() + 86_400_000),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}
async function targetBinding(f: Fixture) {
  const row = await f.t.db
    .selectFrom('role_bindings')
    .select('id')
    .where('user_id', '=', f.target?.id ?? '')
    .executeTakeFirstOrThrow();
  return row.id;
}

const CASES: RouteCase[] = [
  {
    route: 'POST /logout',
    permission: 'signed-in',
    acts: false,
    changesData: false,
    prepare: async () => ({ path: '/logout', form: {} }),
  },
  {
    route: 'POST /project',
    permission: 'signed-in',
    acts: false,
    changesData: false,
    prepare: async (f) => ({
      path: '/project',
      form: { projectId: (await spareProject(f)).id, returnTo: '/' },
    }),
  },
  {
    route: 'POST /roles',
    permission: 'roles.manage',
    acts: false,
    prepare: async () => ({ path: '/roles', form: { name: 'Matrix role', permissions: 'content.view' } }),
  },
  {
    route: 'POST /roles/:id',
    permission: 'roles.manage',
    acts: false,
    prepare: async (f) => ({
      path: `/roles/${(await customRole(f)).id}`,
      form: { name: 'Renamed role', permissions: 'content.view' },
    }),
  },
  {
    route: 'POST /roles/:id/delete',
    permission: 'roles.manage',
    acts: false,
    prepare: async (f) => ({ path: `/roles/${(await customRole(f)).id}/delete`, form: {} }),
  },
  {
    route: 'POST /projects',
    permission: 'projects.manage',
    acts: false,
    prepare: async () => ({ path: '/projects', form: { name: 'Matrix' } }),
  },
  {
    route: 'POST /projects/:id',
    permission: 'projects.manage',
    acts: false,
    prepare: async (f) => ({
      path: `/projects/${(await spareProject(f)).id}`,
      form: { name: 'Renamed project' },
    }),
  },
  {
    route: 'POST /projects/:id/delete',
    permission: 'projects.manage',
    acts: false,
    prepare: async (f) => ({ path: `/projects/${(await spareProject(f)).id}/delete`, form: {} }),
  },
  {
    route: 'POST /teams',
    permission: 'teams.manage',
    acts: false,
    prepare: async () => ({ path: '/teams', form: { name: 'Matrix team' } }),
  },
  {
    route: 'POST /teams/:id',
    permission: 'teams.manage',
    acts: false,
    prepare: async (f) => ({ path: `/teams/${(await team(f)).id}`, form: { name: 'Renamed team' } }),
  },
  {
    route: 'POST /teams/:id/delete',
    permission: 'teams.manage',
    acts: false,
    prepare: async (f) => ({ path: `/teams/${(await team(f)).id}/delete`, form: {} }),
  },
  {
    route: 'POST /teams/:id/members',
    permission: 'teams.manage',
    acts: true,
    prepare: async (f) => ({
      path: `/teams/${(await team(f)).id}/members`,
      form: { email: f.target?.email ?? '' },
    }),
  },
  {
    route: 'POST /teams/:id/members/:userId/remove',
    permission: 'teams.manage',
    acts: true,
    prepare: async (f) => ({
      path: `/teams/${(await team(f, true)).id}/members/${f.target?.id}/remove`,
      form: {},
    }),
  },
  {
    route: 'POST /teams/:id/members/:userId/admin',
    permission: 'teams.manage',
    acts: true,
    prepare: async (f) => ({
      path: `/teams/${(await team(f, true)).id}/members/${f.target?.id}/admin`,
      form: { admin: 'true' },
    }),
  },
  {
    route: 'POST /access/bindings',
    permission: 'users.manage',
    acts: true,
    prepare: async (f) => ({
      path: '/access/bindings',
      form: {
        subject: 'user',
        email: f.target?.email ?? '',
        access: await builtinRoleId(f.t.db, 'viewer'),
        scope: 'project',
        until: '2999-01-01',
      },
    }),
  },
  {
    route: 'POST /access/bindings/:id',
    permission: 'users.manage',
    acts: true,
    needsBinding: true,
    prepare: async (f) => ({
      path: `/access/bindings/${await targetBinding(f)}`,
      form: { access: await builtinRoleId(f.t.db, 'viewer') },
    }),
  },
  {
    route: 'POST /access/bindings/:id/delete',
    permission: 'users.manage',
    acts: true,
    needsBinding: true,
    prepare: async (f) => ({ path: `/access/bindings/${await targetBinding(f)}/delete`, form: {} }),
  },
  {
    route: 'POST /users',
    permission: 'users.manage',
    acts: false,
    okStatus: 200,
    prepare: async (f) => ({
      path: '/users',
      form: {
        name: 'Matrix Person',
        email: `matrix-${Math.random()}@example.com`,
        roleId: await builtinRoleId(f.t.db, 'viewer'),
      },
    }),
  },
  {
    route: 'POST /users/:id/edit (name, language)',
    permission: 'users.manage',
    acts: true,
    prepare: async (f) => ({
      path: `/users/${f.target?.id}/edit`,
      form: { name: 'Renamed Person', language: 'de', roleId: 'keep' },
    }),
  },
  {
    route: 'POST /users/:id/edit (access period, role)',
    permission: 'users.manage',
    acts: true,
    prepare: async (f) => ({
      path: `/users/${f.target?.id}/edit`,
      form: {
        name: 'Renamed Person',
        language: 'en',
        until: '2999-01-01',
        roleId: await builtinRoleId(f.t.db, 'viewer'),
      },
    }),
  },
  {
    route: 'POST /users/:id/deactivate',
    permission: 'users.manage',
    acts: true,
    prepare: async (f) => ({ path: `/users/${f.target?.id}/deactivate`, form: {} }),
  },
  {
    route: 'POST /users/:id/reactivate',
    permission: 'users.manage',
    acts: true,
    prepare: async (f) => {
      await f.t.db
        .updateTable('users')
        .set({ deactivated_at: new Date() })
        .where('id', '=', f.target?.id ?? '')
        .execute();
      return { path: `/users/${f.target?.id}/reactivate`, form: {} };
    },
  },
  {
    route: 'POST /users/:id/unlock',
    permission: 'users.manage',
    acts: true,
    prepare: async (f) => {
      const lockedUntil = new Date(Date.now() + 3_600_000);
      await f.t.db
        .updateTable('users')
        .set({ locked_until: lockedUntil })
        .where('id', '=', f.target?.id ?? '')
        .execute();
      return { path: `/users/${f.target?.id}/unlock`, form: { reason: 'Confirmed by phone' } };
    },
  },
  {
    route: 'POST /users/:id/reset-two-factor',
    permission: 'users.manage',
    acts: true,
    prepare: async (f) => {
      await f.t.db
        .updateTable('users')
        .set({ totp_secret: encryptSecret(f.t.config.secretKey, newTotpSecret()) })
        .where('id', '=', f.target?.id ?? '')
        .execute();
      return { path: `/users/${f.target?.id}/reset-two-factor`, form: { reason: 'Lost phone' } };
    },
  },
  {
    route: 'POST /users/:id/sign-out',
    permission: 'users.manage',
    acts: true,
    changesData: false,
    prepare: async (f) => ({ path: `/users/${f.target?.id}/sign-out`, form: {} }),
  },
  {
    route: 'POST /users/:id/resend',
    permission: 'users.manage',
    acts: true,
    changesData: false,
    okStatus: 200,
    prepare: async (f) => {
      await f.t.db
        .updateTable('users')
        .set({ password_hash: null })
        .where('id', '=', f.target?.id ?? '')
        .execute();
      return { path: `/users/${f.target?.id}/resend`, form: {} };
    },
  },
  {
    route: 'POST /users/:id/reset-password',
    permission: 'users.manage',
    acts: true,
    okStatus: 200,
    prepare: async (f) => ({ path: `/users/${f.target?.id}/reset-password`, form: {} }),
  },
  {
    route: 'POST /users/:id/delete',
    permission: 'users.manage',
    acts: true,
    prepare: async (f) => ({ path: `/users/${f.target?.id}/delete`, form: {} }),
  },
  {
    route: 'POST /users/bulk/preview',
    permission: 'users.manage',
    acts: false,
    changesData: false,
    okStatus: 200,
    prepare: async (f) => {
      const other = await f.t.db
        .insertInto('users')
        .values({ email: `bulk-${Math.random()}@example.com`, name: 'Bulk Person' })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { path: '/users/bulk/preview', form: { action: 'deactivate', ids: other.id } };
    },
  },
  {
    route: 'POST /users/bulk',
    permission: 'users.manage',
    acts: true,
    // A person the actor may not act on is skipped: the action runs, and changes nothing.
    skipsInsteadOfRefusing: true,
    prepare: async (f) => ({ path: '/users/bulk', form: { action: 'deactivate', ids: f.target?.id ?? '' } }),
  },
  {
    route: 'POST /invitations',
    permission: 'invitations.manage',
    acts: false,
    okStatus: 200,
    prepare: async (f) => ({
      path: '/invitations',
      form: {
        emails: 'newcomer@example.com',
        projectId: f.projectId,
        roleId: await builtinRoleId(f.t.db, 'viewer'),
        language: 'en',
      },
    }),
  },
  {
    route: 'POST /invitations/:id/resend',
    permission: 'invitations.manage',
    acts: false,
    okStatus: 200,
    prepare: async (f) => ({ path: `/invitations/${(await invitation(f)).id}/resend`, form: {} }),
  },
  {
    route: 'POST /invitations/:id/revoke',
    permission: 'invitations.manage',
    acts: false,
    prepare: async (f) => ({ path: `/invitations/${(await invitation(f)).id}/revoke`, form: {} }),
  },
  {
    route: 'POST /invitations/:id/edit',
    permission: 'invitations.manage',
    acts: false,
    prepare: async (f) => ({
      path: `/invitations/${(await invitation(f)).id}/edit`,
      form: { projectId: f.projectId, roleId: await builtinRoleId(f.t.db, 'editor') },
    }),
  },
  {
    route: 'POST /settings',
    permission: 'account.settings',
    acts: false,
    prepare: async (f) => ({
      path: '/settings',
      form: {
        ...Object.fromEntries(
          Object.entries(settingsValues(await getSettings(f.t.db))).map(([k, v]) => [k, String(v)]),
        ),
        require_two_factor: '',
        allow_manual_links: 'on',
        account_name: `Renamed ${Math.random()}`,
      },
    }),
  },
  {
    route: 'POST /account/profile',
    permission: 'signed-in',
    acts: false,
    prepare: async () => ({ path: '/account/profile', form: { name: 'A new name', language: 'fr' } }),
  },
  {
    route: 'POST /account/password',
    permission: 'signed-in',
    acts: false,
    prepare: async () => ({
      path: '/account/password',
      form: {
        current: FIXTURE_PASSWORD,
        password: 'an entirely new passphrase',
        confirm: 'an entirely new passphrase',
      },
    }),
  },
  {
    route: 'POST /account/two-factor',
    permission: 'signed-in',
    acts: false,
    prepare: async () => ({ path: '/account/two-factor', form: {} }),
  },
  {
    route: 'POST /account/sessions/end-others',
    permission: 'signed-in',
    acts: false,
    changesData: false,
    prepare: async () => ({ path: '/account/sessions/end-others', form: {} }),
  },
  {
    route: 'POST /users/reset-all',
    permission: 'account.settings',
    acts: false,
    prepare: async () => ({ path: '/users/reset-all', form: {} }),
  },
];

function targetsFor(actor: Actor, acts: boolean): Array<{ level: string; role: Role | null }> {
  if (!acts) return [{ level: 'none', role: null }];
  if (actor === 'anonymous') return [{ level: 'any', role: 'viewer' }];
  const i = ROLES.indexOf(actor);
  const above = ROLES[i + 1];
  return [
    ...(above ? [{ level: 'above', role: above }] : []),
    { level: 'equal', role: actor },
    { level: 'below', role: ROLES[i - 1] ?? 'viewer' },
  ].map((x) => (x.level === 'below' && i === 0 ? { level: 'below', role: null } : x)) as Array<{
    level: string;
    role: Role | null;
  }>;
}

const t = setUpApp();
let projectId: string;
beforeAll(async () => {
  projectId = await defaultProjectId(t.db);
});

describe(`authorization matrix (${databaseKind})`, () => {
  for (const routeCase of CASES) {
    it(`${routeCase.route}: every role and anonymous, on targets above, equal and below`, async () => {
      const outcomes: string[] = [];
      for (const actor of [...ROLES, 'anonymous'] as Actor[]) {
        for (const target of targetsFor(actor, routeCase.acts)) {
          if (routeCase.needsBinding && target.role === null) continue;
          await resetData(t.db);
          // A bystander who keeps the account manageable whatever the case does.
          await makeUser(t.db, { role: 'account_admin', email: 'owner@example.com' });
          const actorUser = actor === 'anonymous' ? null : await makeUser(t.db, { role: actor });
          const targetUser = routeCase.acts ? await makeUser(t.db, { role: target.role, projectId }) : null;
          const request = await routeCase.prepare({ t, target: targetUser, projectId });
          const client = actorUser ? await clientFor(t, actorUser.id) : new Client(t.app);
          const before = await snapshot(t.db);
          const response = await client.post(request.path, request.form);
          const after = await snapshot(t.db);

          const allowed =
            actor !== 'anonymous' &&
            (routeCase.permission === 'signed-in' || perms(actor).has(routeCase.permission)) &&
            (!routeCase.acts || covers(actor, target.role));
          const label = `${routeCase.route} by ${actor} on ${target.level} (${target.role ?? 'no role'})`;
          if (allowed) {
            expect(response.status, `${label}: ${await response.clone().text()}`).toBe(
              routeCase.okStatus ?? 303,
            );
            expect(response.headers.get('location') ?? '', label).not.toMatch(/^\/login(\?next=|$)/);
            if (routeCase.changesData !== false) expect(after, `${label} changed nothing`).not.toBe(before);
          } else if (
            routeCase.skipsInsteadOfRefusing &&
            actor !== 'anonymous' &&
            perms(actor).has(routeCase.permission)
          ) {
            expect(response.status, label).toBe(303);
            const page = await client.get(response.headers.get('location') ?? '');
            expect(await page.text(), label).toContain('skipped or refused');
            expect(after, `${label} changed data`).toBe(before);
          } else {
            expect([303, 403, 409], label).toContain(response.status);
            if (response.status === 303) expect(response.headers.get('location'), label).toMatch(/^\/login/);
            expect(after, `${label} changed data`).toBe(before);
          }
          outcomes.push(`${actor}/${target.level}:${allowed ? 'allow' : 'deny'}`);
        }
      }
      expect(outcomes.some((o) => o.endsWith('allow'))).toBe(true);
      expect(outcomes.some((o) => o.endsWith('deny'))).toBe(true);
    });
  }
});
