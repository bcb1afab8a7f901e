import { beforeAll, describe, expect, it } from 'vitest';
import { recordExpiredBindings } from '../../src/access/binding-expiry';
import { deleteBinding } from '../../src/access/bindings';
import {
  defaultProjectId,
  effectivePermissions,
  grantsOf,
  permissionsIn,
  projectIds,
} from '../../src/access/grants';
import { BUILTIN_ROLES, PERMISSIONS } from '../../src/access/permissions';
import { lockAccount, RuleError } from '../../src/access/rules';
import { deleteTeam } from '../../src/access/teams';
import { editUser, KEEP_ACCESS } from '../../src/users/edit';
import { databaseKind } from '../helpers/database';
import { actorContext, bind, clientFor, makeUser, resetData, snapshot } from '../helpers/fixtures';
import { setUpApp } from '../helpers/set-up-app';

const t = setUpApp({ resetEach: true });
let projectId: string;
beforeAll(async () => {
  projectId = await defaultProjectId(t.db);
});

async function roleId(name: string) {
  return (await t.db.selectFrom('roles').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
}

async function bindingOf(userId: string) {
  return (
    await t.db
      .selectFrom('role_bindings')
      .select('id')
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow()
  ).id;
}

describe(`built-in roles and the catalog (${databaseKind})`, () => {
  it('nest from Viewer up to Account Admin, and only Account Admin holds account settings', () => {
    const sets = BUILTIN_ROLES.map((r) => new Set(r.permissions));
    for (let i = 1; i < sets.length; i++) {
      for (const key of sets[i - 1] ?? [])
        expect(sets[i]?.has(key), `${BUILTIN_ROLES[i]?.key} has ${key}`).toBe(true);
    }
    expect(BUILTIN_ROLES.filter((r) => r.permissions.includes('account.settings')).map((r) => r.key)).toEqual(
      ['account_admin'],
    );
    expect(BUILTIN_ROLES.find((r) => r.key === 'viewer')?.permissions.every((k) => k.endsWith('.view'))).toBe(
      true,
    );
    for (const p of PERMISSIONS) {
      expect(p.label.length, p.key).toBeGreaterThan(0);
      expect(p.description.length, p.key).toBeGreaterThan(0);
    }
  });

  it('lists every role with description, permission count, people and teams', async () => {
    const admin = await makeUser(t.db, { role: 'account_admin' });
    await makeUser(t.db, { role: 'viewer' });
    const team = await t.db
      .insertInto('teams')
      .values({ name: 'Support' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await bind(t.db, { teamId: team.id, roleKey: 'viewer' });
    const client = await clientFor(t, admin.id);
    const html = await (await client.get('/roles')).text();
    for (const role of BUILTIN_ROLES) expect(html).toContain(role.name);
    const viewerRow = html.slice(html.indexOf('>Viewer<'));
    const viewerPermissions = BUILTIN_ROLES.find((r) => r.key === 'viewer')?.permissions.length;
    expect(viewerRow).toMatch(
      new RegExp(`<td>Built-in</td><td>${viewerPermissions}</td><td>1</td><td>1</td>`),
    );
  });
});

describe('custom roles over HTTP', () => {
  it('a role created and bound changes what the user can reach on the next request; editing it too', async () => {
    const admin = await makeUser(t.db, { role: 'account_admin' });
    const agent = await makeUser(t.db);
    const adminClient = await clientFor(t, admin.id);
    const agentClient = await clientFor(t, agent.id);
    expect((await agentClient.get('/roles')).status).toBe(403);

    const created = await adminClient.request('/roles', {
      method: 'POST',
      body: new URLSearchParams([
        ['name', 'Support agent'],
        ['description', 'Reads users'],
        ['permissions', 'users.view'],
        ['permissions', 'content.view'],
      ]).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(created.status).toBe(303);
    const id = await roleId('Support agent');
    const bound = await adminClient.post('/access/bindings', {
      subject: 'user',
      email: agent.email,
      access: id,
      scope: 'project',
    });
    expect(bound.status).toBe(303);
    expect((await agentClient.get('/roles')).status).toBe(200);

    const edited = await adminClient.post(`/roles/${id}`, {
      name: 'Support agent',
      description: '',
      permissions: 'content.view',
    });
    expect(edited.status).toBe(303);
    expect((await agentClient.get('/roles')).status).toBe(403);
  });

  it('refuses a duplicate name, an empty set and unknown permissions with 422', async () => {
    const admin = await makeUser(t.db, { role: 'account_admin' });
    const client = await clientFor(t, admin.id);
    expect((await client.post('/roles', { name: 'Viewer', permissions: 'content.view' })).status).toBe(422);
    const empty = await client.post('/roles', { name: 'Nothing' });
    expect(empty.status).toBe(422);
    expect(await empty.text()).toContain('Choose at least one permission.');
    expect((await client.post('/roles', { name: 'Bogus', permissions: 'root.everything' })).status).toBe(422);
  });

  it('refuses to grant what the actor does not hold', async () => {
    const admin = await makeUser(t.db, { role: 'admin' });
    const client = await clientFor(t, admin.id);
    const before = await snapshot(t.db);
    const response = await client.post('/roles', { name: 'Escalator', permissions: 'account.settings' });
    expect(response.status).toBe(409);
    expect(await response.text()).toContain('You can only grant permissions you hold');
    expect(await snapshot(t.db)).toBe(before);
  });

  it('deleting a role keeps everyone’s effective permissions identical', async () => {
    const admin = await makeUser(t.db, { role: 'account_admin' });
    const adminClient = await clientFor(t, admin.id);
    await adminClient.request('/roles', {
      method: 'POST',
      body: new URLSearchParams([
        ['name', 'Analyst'],
        ['permissions', 'reports.view'],
        ['permissions', 'reports.edit'],
        ['permissions', 'users.view'],
      ]).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const id = await roleId('Analyst');
    const people = [await makeUser(t.db), await makeUser(t.db), await makeUser(t.db)];
    const other = await t.db
      .insertInto('projects')
      .values({ name: 'Second' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('role_bindings')
      .values({ user_id: people[0]?.id as string, role_id: id, project_id: null })
      .execute();
    await t.db
      .insertInto('role_bindings')
      .values({ user_id: people[1]?.id as string, role_id: id, project_id: other.id })
      .execute();
    const team = await t.db
      .insertInto('teams')
      .values({ name: 'Analysts' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('team_members')
      .values({ team_id: team.id, user_id: people[2]?.id as string })
      .execute();
    await t.db
      .insertInto('role_bindings')
      .values({ team_id: team.id, role_id: id, project_id: projectId })
      .execute();

    const projects = await projectIds(t.db);
    const access = async () =>
      Promise.all(
        people.map(async (p) => {
          const grants = await grantsOf(t.db, p.id, new Date());
          return projects.map((pid) => [...permissionsIn(grants, pid)].sort());
        }),
      );
    const before = await access();
    expect(before.flat(2)).toContain('reports.edit');

    const confirm = await adminClient.get(`/roles/${id}/delete`);
    expect(await confirm.text()).toContain(
      '3 people and 1 team hold this role (3 bindings)'.replace('3 people', '2 people'),
    );
    const deleted = await adminClient.post(`/roles/${id}/delete`, {});
    expect(deleted.status).toBe(303);
    expect(await access()).toEqual(before);
    const manual = await t.db
      .selectFrom('role_bindings')
      .select(['role_id', 'permissions'])
      .where((eb) =>
        eb.or([
          eb(
            'user_id',
            'in',
            people.map((p) => p.id),
          ),
          eb('team_id', '=', team.id),
        ]),
      )
      .execute();
    expect(manual).toHaveLength(3);
    expect(manual.every((b) => b.role_id === null && b.permissions?.length === 3)).toBe(true);
    const event = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'role.delete')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(event.after).toEqual({ convertedBindings: 3 });
  });

  it('does not let anyone change or delete a built-in role, or a role they hold', async () => {
    const admin = await makeUser(t.db, { role: 'account_admin' });
    const client = await clientFor(t, admin.id);
    const viewer = await roleId('Viewer');
    const before = await snapshot(t.db);
    const edit = await client.post(`/roles/${viewer}`, { name: 'Viewer', permissions: 'content.view' });
    expect(edit.status).toBe(409);
    expect(await edit.text()).toContain('Viewer is a built-in role and cannot be changed.');
    // A built-in role has no delete page at all.
    expect((await client.post(`/roles/${viewer}/delete`, {})).status).toBe(404);
    expect(await snapshot(t.db)).toBe(before);
    await client.post('/roles', { name: 'Mine', permissions: 'content.view' });
    const mine = await roleId('Mine');
    await t.db
      .insertInto('role_bindings')
      .values({ user_id: admin.id, role_id: mine, project_id: null })
      .execute();
    const refused = await client.post(`/roles/${mine}`, { name: 'Mine', permissions: 'content.edit' });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('You cannot change a role you hold');
  });
});

describe('rank, self and the last admin', () => {
  it('a Co-admin is refused on an Admin, with the rule named, and nothing changes', async () => {
    const coAdmin = await makeUser(t.db, { role: 'co_admin' });
    const admin = await makeUser(t.db, { role: 'admin' });
    const client = await clientFor(t, coAdmin.id);
    const before = await snapshot(t.db);
    const removal = await client.post(`/access/bindings/${await bindingOf(admin.id)}/delete`, {});
    expect(removal.status).toBe(409);
    expect(await removal.text()).toContain('has access you do not have');
    const grant = await client.post('/access/bindings', {
      subject: 'user',
      email: admin.email,
      access: await roleId('Viewer'),
    });
    expect(grant.status).toBe(409);
    expect(await snapshot(t.db)).toBe(before);
  });

  it('an Admin cannot touch an Account Admin, but can an equal Admin', async () => {
    const admin = await makeUser(t.db, { role: 'admin' });
    const owner = await makeUser(t.db, { role: 'account_admin' });
    const peer = await makeUser(t.db, { role: 'admin' });
    const client = await clientFor(t, admin.id);
    expect((await client.post(`/access/bindings/${await bindingOf(owner.id)}/delete`, {})).status).toBe(409);
    expect((await client.post(`/access/bindings/${await bindingOf(peer.id)}/delete`, {})).status).toBe(303);
  });

  it('nobody changes their own bindings', async () => {
    const owner = await makeUser(t.db, { role: 'account_admin' });
    await makeUser(t.db, { role: 'account_admin' });
    const client = await clientFor(t, owner.id);
    const response = await client.post(`/access/bindings/${await bindingOf(owner.id)}/delete`, {});
    expect(response.status).toBe(409);
    expect(await response.text()).toContain('You cannot change your own roles or permissions.');
  });

  it('the last account manager cannot be unbound, on any path', async () => {
    const owner = await makeUser(t.db, { role: 'account_admin' });
    const cli = { ...t.system, actor: { kind: 'system' as const, label: 'cli' } };
    await expect(deleteBinding(cli, await bindingOf(owner.id))).rejects.toMatchObject({ rule: 'last-admin' });
    // Also through a team: deleting the team that carries the last admin's access.
    await t.db.deleteFrom('role_bindings').execute();
    const team = await t.db
      .insertInto('teams')
      .values({ name: 'Owners' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db.insertInto('team_members').values({ team_id: team.id, user_id: owner.id }).execute();
    await bind(t.db, { teamId: team.id, roleKey: 'account_admin' });
    await expect(deleteTeam(cli, team.id)).rejects.toBeInstanceOf(RuleError);
    expect(await t.db.selectFrom('teams').select('id').execute()).toHaveLength(1);
  });

  it(`two Account Admins demoting each other at once always leave one (${databaseKind === 'postgres' ? 50 : 10} times)`, async () => {
    const rounds = databaseKind === 'postgres' ? 50 : 10;
    for (let round = 0; round < rounds; round++) {
      await resetData(t.db);
      const a = await makeUser(t.db, { role: 'account_admin' });
      const b = await makeUser(t.db, { role: 'account_admin' });
      const [ctxA, ctxB] = [await actorContext(t, a), await actorContext(t, b)];
      const results = await Promise.allSettled([
        deleteBinding(ctxA, await bindingOf(b.id)),
        deleteBinding(ctxB, await bindingOf(a.id)),
      ]);
      expect(
        results.filter((r) => r.status === 'fulfilled'),
        `round ${round}`,
      ).toHaveLength(1);
      const remaining = await t.db.selectFrom('role_bindings').select('user_id').execute();
      expect(remaining, `round ${round}`).toHaveLength(1);
    }
  });
});

describe('editing people without a global lock', () => {
  it(`two Account Admins ending each other's access through the edit form at once always leave one (${databaseKind === 'postgres' ? 30 : 5} times)`, async () => {
    const rounds = databaseKind === 'postgres' ? 30 : 5;
    const tomorrow = new Date(t.clock.now().getTime() + 86_400_000).toISOString().slice(0, 10);
    for (let round = 0; round < rounds; round++) {
      await resetData(t.db);
      const a = await makeUser(t.db, { role: 'account_admin', name: 'Admin A' });
      const b = await makeUser(t.db, { role: 'account_admin', name: 'Admin B' });
      const [ctxA, ctxB] = [await actorContext(t, a), await actorContext(t, b)];
      // As the edit form sends it: the values it showed, and an access end for the other admin.
      const endAccess = (ctx: typeof ctxA, target: { id: string; name: string }) =>
        editUser(ctx, target.id, projectId, {
          name: target.name,
          language: 'en',
          until: tomorrow,
          roleId: KEEP_ACCESS,
          teamIds: [],
          was: { until: '', roleId: KEEP_ACCESS, teamIds: [] },
        });
      const results = await Promise.allSettled([endAccess(ctxA, b), endAccess(ctxB, a)]);
      expect(
        results.filter((r) => r.status === 'fulfilled'),
        `round ${round}`,
      ).toHaveLength(1);
      const ending = await t.db
        .selectFrom('users')
        .select('id')
        .where('access_expires_at', 'is not', null)
        .execute();
      expect(ending, `round ${round}`).toHaveLength(1);
    }
  });

  it('a name-only edit from the form does not wait for the account lock', async () => {
    const admin = await makeUser(t.db, { role: 'account_admin', name: 'Admin C' });
    const person = await makeUser(t.db, { role: 'viewer', name: 'Before' });
    const ctx = await actorContext(t, admin);
    // Someone holds the account row (a serialized change in progress): the rename goes through anyway.
    await t.db.transaction().execute(async (tx) => {
      await lockAccount(tx);
      if (databaseKind === 'postgres') {
        const renamed = await editUser(ctx, person.id, projectId, {
          name: 'After',
          language: 'en',
          until: '',
          roleId: KEEP_ACCESS,
          teamIds: [],
          was: { until: '', roleId: KEEP_ACCESS, teamIds: [] },
        });
        expect(renamed.changed).toEqual(expect.arrayContaining(['name']));
      }
    });
  });
});

describe('bindings', () => {
  it('an expired binding stops granting at its expiry, before any job runs; the job then audits it once', async () => {
    const user = await makeUser(t.db);
    const soon = new Date(t.clock.now().getTime() + 60_000);
    await bind(t.db, { userId: user.id, roleKey: 'viewer', projectId, expiresAt: soon });
    const client = await clientFor(t, user.id);
    expect((await effectivePermissions(t.db, user.id, projectId, t.clock.now())).has('content.view')).toBe(
      true,
    );
    t.clock.advance(61_000);
    expect((await effectivePermissions(t.db, user.id, projectId, t.clock.now())).size).toBe(0);
    expect((await client.get('/')).status).toBe(200);
    expect(
      await t.db.selectFrom('audit_events').select('id').where('action', '=', 'binding.expired').execute(),
    ).toHaveLength(0);
    expect(await recordExpiredBindings(t.system)).toBe(1);
    expect(await recordExpiredBindings(t.system)).toBe(0);
    const event = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'binding.expired')
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({ target_label: user.email, reason: 'access period ended' });
  });

  it('"Create role binding" adds an existing user by email, in this project or account-wide, until a date', async () => {
    const admin = await makeUser(t.db, { role: 'account_admin' });
    const user = await makeUser(t.db);
    const client = await clientFor(t, admin.id);
    const unknown = await client.post('/access/bindings', {
      subject: 'user',
      email: 'ghost@example.com',
      access: await roleId('Viewer'),
    });
    expect(unknown.status).toBe(422);
    expect(await unknown.text()).toContain('There is no user with the email ghost@example.com');
    const past = await client.post('/access/bindings', {
      subject: 'user',
      email: user.email,
      access: await roleId('Viewer'),
      until: '2001-01-01',
    });
    expect(past.status).toBe(422);
    const ok = await client.post('/access/bindings', {
      subject: 'user',
      email: user.email.toUpperCase(),
      access: await roleId('Editor'),
      scope: 'account',
      until: '2999-12-31',
    });
    expect(ok.status).toBe(303);
    const binding = await t.db
      .selectFrom('role_bindings')
      .selectAll()
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(binding.project_id).toBeNull();
    expect(binding.expires_at?.toISOString()).toBe('3000-01-01T00:00:00.000Z');
    const twice = await client.post('/access/bindings', {
      subject: 'user',
      email: user.email,
      access: await roleId('Editor'),
      scope: 'account',
    });
    expect(twice.status).toBe(409);
    const page = await (await client.get('/access')).text();
    expect(page).toContain(user.name);
    expect(page).toContain('2999-12-31');
    const event = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'binding.create')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(event.after).toMatchObject({ role: 'Editor', scope: 'account' });
  });

  it('a role change on a binding applies on the next request, and is audited with before and after', async () => {
    const admin = await makeUser(t.db, { role: 'account_admin' });
    const user = await makeUser(t.db, { role: 'co_admin', projectId });
    const adminClient = await clientFor(t, admin.id);
    const userClient = await clientFor(t, user.id);
    expect((await userClient.get('/access')).status).toBe(200);
    const id = await bindingOf(user.id);
    const page = await adminClient.get(`/access/bindings/${id}`);
    expect(await page.text()).toContain(`Change access of ${user.name}`);
    const changed = await adminClient.post(`/access/bindings/${id}`, {
      access: await roleId('Viewer'),
      until: '',
    });
    expect(changed.status).toBe(303);
    expect((await userClient.get('/access')).status).toBe(403);
    const event = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'binding.update')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(event.before).toMatchObject({ role: 'Co-admin' });
    expect(event.after).toMatchObject({ role: 'Viewer' });
  });

  it('a manual permission set grants exactly its permissions', async () => {
    const admin = await makeUser(t.db, { role: 'account_admin' });
    const user = await makeUser(t.db);
    const client = await clientFor(t, admin.id);
    const response = await client.request('/access/bindings', {
      method: 'POST',
      body: new URLSearchParams([
        ['subject', 'user'],
        ['email', user.email],
        ['access', 'manual'],
        ['permissions', 'code.view'],
        ['permissions', 'reports.view'],
      ]).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.status).toBe(303);
    expect([...(await effectivePermissions(t.db, user.id, projectId, new Date()))].sort()).toEqual([
      'code.view',
      'reports.view',
    ]);
  });
});

describe('teams', () => {
  it('team bindings apply to members; a team admin adds and removes members and nothing more', async () => {
    const owner = await makeUser(t.db, { role: 'account_admin' });
    const lead = await makeUser(t.db, { role: 'viewer' });
    const newcomer = await makeUser(t.db);
    const ownerClient = await clientFor(t, owner.id);
    const created = await ownerClient.post('/teams', { name: 'Writers', description: 'They write' });
    expect(created.status).toBe(303);
    const team = await t.db
      .selectFrom('teams')
      .select('id')
      .where('name', '=', 'Writers')
      .executeTakeFirstOrThrow();
    await ownerClient.post('/access/bindings', {
      subject: 'team',
      teamId: team.id,
      access: await roleId('Viewer'),
      scope: 'project',
    });
    expect(
      (await ownerClient.post(`/teams/${team.id}/members`, { email: lead.email, admin: 'on' })).status,
    ).toBe(303);

    const leadClient = await clientFor(t, lead.id);
    const home = await (await leadClient.get('/')).text();
    expect(home).toContain('Teams you administer');
    expect(home).toContain(`href="/teams/${team.id}"`);
    expect((await leadClient.get(`/teams/${team.id}`)).status).toBe(200);
    expect((await leadClient.post(`/teams/${team.id}/members`, { email: newcomer.email })).status).toBe(303);
    expect((await effectivePermissions(t.db, newcomer.id, projectId, new Date())).has('content.view')).toBe(
      true,
    );

    const before = await snapshot(t.db);
    expect((await leadClient.post(`/teams/${team.id}`, { name: 'Renamed' })).status).toBe(403);
    expect(
      (await leadClient.post(`/teams/${team.id}/members/${newcomer.id}/admin`, { admin: 'true' })).status,
    ).toBe(403);
    expect((await leadClient.post(`/teams/${team.id}/delete`, {})).status).toBe(403);
    expect(
      (await leadClient.post(`/teams/${team.id}/members`, { email: 'x@example.com', admin: 'on' })).status,
    ).toBe(403);
    expect(await snapshot(t.db)).toBe(before);

    expect((await leadClient.post(`/teams/${team.id}/members/${newcomer.id}/remove`, {})).status).toBe(303);
    expect((await effectivePermissions(t.db, newcomer.id, projectId, new Date())).size).toBe(0);

    const other = await t.db
      .insertInto('teams')
      .values({ name: 'Others' })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect((await leadClient.get(`/teams/${other.id}`)).status).toBe(403);
    expect((await leadClient.post(`/teams/${other.id}/members`, { email: newcomer.email })).status).toBe(403);
  });

  it('a team admin cannot add someone who outranks them', async () => {
    const lead = await makeUser(t.db, { role: 'viewer' });
    const admin = await makeUser(t.db, { role: 'admin' });
    const team = await t.db
      .insertInto('teams')
      .values({ name: 'Readers' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('team_members')
      .values({ team_id: team.id, user_id: lead.id, is_admin: true })
      .execute();
    const client = await clientFor(t, lead.id);
    const response = await client.post(`/teams/${team.id}/members`, { email: admin.email });
    expect(response.status).toBe(409);
    expect(await response.text()).toContain('has access you do not have');
  });

  it('nobody adds people to a team that grants more than they hold', async () => {
    const admin = await makeUser(t.db, { role: 'admin' });
    const newcomer = await makeUser(t.db);
    const team = await t.db
      .insertInto('teams')
      .values({ name: 'Owners' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await bind(t.db, { teamId: team.id, roleKey: 'account_admin' });
    const client = await clientFor(t, admin.id);
    const before = await snapshot(t.db);
    const response = await client.post(`/teams/${team.id}/members`, { email: newcomer.email });
    expect(response.status).toBe(409);
    expect(await response.text()).toContain(
      'Members of this team get permissions you do not hold (account.settings, applications.manage)',
    );
    expect(await snapshot(t.db)).toBe(before);
  });
});

describe('projects', () => {
  it('creates, renames, refuses to delete with bindings unless confirmed, and never deletes the last one', async () => {
    const owner = await makeUser(t.db, { role: 'account_admin' });
    const client = await clientFor(t, owner.id);
    const only = await client.post(`/projects/${projectId}/delete`, { removeBindings: 'yes' });
    expect(only.status).toBe(409);
    expect(await only.text()).toContain('there must always be at least one');

    expect((await client.post('/projects', { name: 'Europe' })).status).toBe(303);
    const europe = await t.db
      .selectFrom('projects')
      .select('id')
      .where('name', '=', 'Europe')
      .executeTakeFirstOrThrow();
    expect((await client.post('/projects', { name: 'europe' })).status).toBe(422);
    expect((await client.post(`/projects/${europe.id}`, { name: 'EU' })).status).toBe(303);
    const user = await makeUser(t.db);
    await bind(t.db, { userId: user.id, roleKey: 'viewer', projectId: europe.id });

    const refused = await client.post(`/projects/${europe.id}/delete`, {});
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('still has 1 role binding');
    const confirmPage = await (await client.get(`/projects/${europe.id}/delete`)).text();
    expect(confirmPage).toContain('EU has 1 role binding');
    expect((await client.post(`/projects/${europe.id}/delete`, { removeBindings: 'yes' })).status).toBe(303);
    expect(
      await t.db.selectFrom('role_bindings').select('id').where('user_id', '=', user.id).execute(),
    ).toEqual([]);
  });

  it('the switcher changes the project that permissions are evaluated in', async () => {
    const user = await makeUser(t.db);
    const second = await t.db
      .insertInto('projects')
      .values({ name: 'Second' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await bind(t.db, { userId: user.id, roleKey: 'co_admin', projectId: second.id });
    await bind(t.db, { userId: user.id, roleKey: 'viewer', projectId });
    const client = await clientFor(t, user.id);
    expect((await client.get('/access')).status).toBe(403);
    const home = await (await client.get('/')).text();
    expect(home).toContain('Second');
    const switched = await client.post('/project', { projectId: second.id, returnTo: '/access' });
    expect(switched.headers.get('location')).toBe('/access');
    expect((await client.get('/access')).status).toBe(200);
    const stranger = await t.db
      .insertInto('projects')
      .values({ name: 'Hidden' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await client.post('/project', { projectId: stranger.id, returnTo: '/' });
    expect((await client.get('/access')).status).toBe(200);
  });
});

describe('effective access view', () => {
  it('shows, per project, each permission and where it comes from, with expiry', async () => {
    const admin = await makeUser(t.db, { role: 'account_admin' });
    const user = await makeUser(t.db, { name: 'Grace Hopper' });
    await bind(t.db, { userId: user.id, roleKey: 'viewer', projectId: null });
    const team = await t.db
      .insertInto('teams')
      .values({ name: 'Editors' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db.insertInto('team_members').values({ team_id: team.id, user_id: user.id }).execute();
    await bind(t.db, {
      teamId: team.id,
      roleKey: 'editor',
      projectId,
      expiresAt: new Date('2999-06-01T00:00:00Z'),
    });
    const client = await clientFor(t, admin.id);
    const html = await (await client.get(`/users/${user.id}/access`)).text();
    expect(html).toContain('<h1>Access of Grace Hopper</h1>');
    expect(html).toContain('Viewer (direct role, whole account)');
    expect(html).toContain('Editor via team Editors (team role, this project, until 2999-05-31)');
    expect((await client.get('/users/not-a-uuid/access')).status).toBe(404);
  });
});

describe('scope, time and bookkeeping edges', () => {
  it('account-level objects need the permission in every project, not just the current one', async () => {
    const second = await t.db
      .insertInto('projects')
      .values({ name: 'Second' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await makeUser(t.db, { role: 'account_admin' });
    const local = await makeUser(t.db, { role: 'admin', projectId });
    const client = await clientFor(t, local.id);
    const before = await snapshot(t.db);
    expect((await client.post(`/projects/${second.id}`, { name: 'Renamed' })).status).toBe(403);
    expect((await client.post(`/projects/${second.id}/delete`, { removeBindings: 'yes' })).status).toBe(403);
    expect((await client.post('/projects', { name: 'Third' })).status).toBe(403);
    expect((await client.post('/teams', { name: 'Local team' })).status).toBe(403);
    expect((await client.post('/roles', { name: 'Local role', permissions: 'content.view' })).status).toBe(
      403,
    );
    expect(await snapshot(t.db)).toBe(before);
  });

  it('access you grant cannot outlast your own', async () => {
    await makeUser(t.db, { role: 'account_admin' });
    const temp = await makeUser(t.db);
    await bind(t.db, { userId: temp.id, roleKey: 'co_admin', expiresAt: new Date('2990-01-01T00:00:00Z') });
    const target = await makeUser(t.db);
    const client = await clientFor(t, temp.id);
    const viewer = await roleId('Viewer');
    const forever = await client.post('/access/bindings', {
      subject: 'user',
      email: target.email,
      access: viewer,
    });
    expect(forever.status).toBe(409);
    expect(await forever.text()).toContain('ends on 2990-01-01; access you grant cannot last longer');
    const later = await client.post('/access/bindings', {
      subject: 'user',
      email: target.email,
      access: viewer,
      until: '2995-01-01',
    });
    expect(later.status).toBe(409);
    const sooner = await client.post('/access/bindings', {
      subject: 'user',
      email: target.email,
      access: viewer,
      until: '2989-12-31',
    });
    expect(sooner.status).toBe(303);
  });

  it('refuses impossible and far-future dates with 422', async () => {
    const admin = await makeUser(t.db, { role: 'account_admin' });
    const user = await makeUser(t.db);
    const client = await clientFor(t, admin.id);
    for (const until of ['9999-12-31', '2024-02-31', '2024-13-01', '31/12/2030']) {
      const response = await client.post('/access/bindings', {
        subject: 'user',
        email: user.email,
        access: await roleId('Viewer'),
        until,
      });
      expect(response.status, until).toBe(422);
    }
  });

  it('editing a role acts on its holders: nobody can weaken the role of someone above them', async () => {
    await makeUser(t.db, { role: 'account_admin' });
    const admin = await makeUser(t.db, { role: 'admin' });
    const owner = await makeUser(t.db, { role: 'account_admin' });
    const role = await t.db
      .insertInto('roles')
      .values({ name: 'Shared', permissions: ['content.view', 'content.edit'] })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('role_bindings')
      .values({ user_id: owner.id, role_id: role.id, project_id: null })
      .execute();
    const client = await clientFor(t, admin.id);
    const response = await client.post(`/roles/${role.id}`, { name: 'Shared', permissions: 'content.view' });
    expect(response.status).toBe(409);
    expect(await response.text()).toContain('has access you do not have');
  });

  it('a manager who never set a password does not keep the account manageable', async () => {
    const active = await makeUser(t.db, { role: 'account_admin' });
    const pending = await t.db
      .insertInto('users')
      .values({ email: 'pending@example.com', name: 'Pending' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await bind(t.db, { userId: pending.id, roleKey: 'account_admin' });
    const cli = { ...t.system, actor: { kind: 'system' as const, label: 'cli' } };
    await expect(deleteBinding(cli, await bindingOf(active.id))).rejects.toMatchObject({
      rule: 'last-admin',
    });
  });

  it('records refusals by the rules as denied events, and account-level events without a project', async () => {
    const coAdmin = await makeUser(t.db, { role: 'co_admin' });
    const admin = await makeUser(t.db, { role: 'admin' });
    await (await clientFor(t, coAdmin.id)).post(`/access/bindings/${await bindingOf(admin.id)}/delete`, {});
    const denied = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(denied).toMatchObject({ action: 'binding.delete', outcome: 'denied', actor_label: coAdmin.email });
    expect(denied.reason).toMatch(/^rank: /);

    const owner = await makeUser(t.db, { role: 'account_admin' });
    await (await clientFor(t, owner.id)).post('/roles', {
      name: 'Account level',
      permissions: 'content.view',
    });
    const created = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'role.create')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(created.project_id).toBeNull();
  });

  it('the effective access view shows only projects where the viewer may see users', async () => {
    const second = await t.db
      .insertInto('projects')
      .values({ name: 'Second' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const viewer = await makeUser(t.db, { role: 'co_admin', projectId });
    const subject = await makeUser(t.db, { name: 'Subject Person' });
    await bind(t.db, { userId: subject.id, roleKey: 'viewer', projectId: second.id });
    const html = await (await (await clientFor(t, viewer.id)).get(`/users/${subject.id}/access`)).text();
    expect(html).toContain('Default project');
    expect(html).not.toContain('>Second<');
  });
});
