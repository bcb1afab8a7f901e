import { describe, expect, it } from 'vitest';
import { defaultProjectId } from '../../src/access/grants';
import { addTeamMember, removeTeamMember, setTeamAdmin } from '../../src/access/team-members';
import { deleteTeam, updateTeam } from '../../src/access/teams';
import { createApiToken } from '../../src/api/tokens';
import type { ActionContext } from '../../src/core/context';
import { ConflictError } from '../../src/core/errors';
import { editUser } from '../../src/users/edit';
import { forgetUserCounts } from '../../src/users/list';
import { databaseKind } from '../helpers/database';
import { actorContext, clientFor, makeUser, snapshot } from '../helpers/fixtures';
import type { Client } from '../helpers/http';
import { setUpApp } from '../helpers/set-up-app';

const t = setUpApp({ resetEach: true });

const REMOVED_AT = new Date('2026-11-20T12:00:00Z');
const SIGNED_IN_AT = new Date('2026-11-25T09:30:00Z');
const REFUSAL =
  'Your company directory manages the name and members of team Engineering: change them in the directory.';

/**
 * What the directory and single sign-on leave in the database, written directly: Dora provisioned
 * by the directory, Remy removed by it, Sam created at a first sign-on through Okta, Manny made in
 * Gatehouse; team Engineering pushed by the directory (Dora and Sam, from it), team Support made
 * here (Manny by hand, Sam from Okta's group claim).
 */
async function seed() {
  const admin = await makeUser(t.db, { role: 'account_admin', name: 'Ada Admin', email: 'ada@example.com' });
  const manny = await makeUser(t.db, { name: 'Manny Manual', email: 'manny@example.com' });
  const provider = await t.db
    .insertInto('identity_providers')
    .values({ name: 'Okta', kind: 'oidc', issuer: 'https://idp.example.com', client_id: 'x' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const [dora, remy, sam] = await t.db
    .insertInto('users')
    .values([
      { name: 'Dora Directory', email: 'dora@example.com', source: 'scim', external_id: 'dir-0001' },
      {
        name: 'Remy Removed',
        email: 'remy@example.com',
        source: 'scim',
        external_id: 'dir-0002',
        deactivated_at: REMOVED_AT,
        directory_removed_at: REMOVED_AT,
      },
      { name: 'Sam Signon', email: 'sam@example.com', source: 'sso' },
    ])
    .returning(['id', 'name', 'email'])
    .execute();
  if (!dora || !remy || !sam) throw new Error('users not created');
  await t.db
    .insertInto('user_identities')
    .values({ provider_id: provider.id, subject: 'okta|sam', user_id: sam.id, last_sign_in_at: SIGNED_IN_AT })
    .execute();
  const engineering = await t.db
    .insertInto('teams')
    .values({ name: 'Engineering', source: 'scim', external_id: 'grp-eng' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const support = await t.db
    .insertInto('teams')
    .values({ name: 'Support' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await t.db
    .insertInto('team_members')
    .values([
      { team_id: engineering.id, user_id: dora.id, source: 'scim' },
      { team_id: engineering.id, user_id: sam.id, source: 'scim' },
      { team_id: support.id, user_id: manny.id },
      { team_id: support.id, user_id: sam.id, source: 'sso', source_provider_id: provider.id },
    ])
    .execute();
  forgetUserCounts();
  return {
    admin,
    manny,
    dora,
    remy,
    sam,
    provider: provider.id,
    engineering: engineering.id,
    support: support.id,
    client: await clientFor(t, admin.id),
  };
}

const html = async (client: Client, path: string) => {
  const response = await client.get(path);
  expect(response.status, path).toBe(200);
  return response.text();
};

/** The names of a users list page, each with the badges beside it. */
async function listed(client: Client, path: string): Promise<string[]> {
  const page = await html(client, path);
  return [...page.matchAll(/<th scope="row"><a href="\/users\/[0-9a-f-]+">([^<]*)<\/a>(.*?)<\/th>/g)].map(
    (m) =>
      [m[1], ...[...(m[2] ?? '').matchAll(/<span class="badge">([^<]*)<\/span>/g)].map((b) => b[1])].join(
        ' | ',
      ),
  );
}

describe(`where people came from, in the console (${databaseKind})`, () => {
  it('the user page shows the source, the directory id, the removal and the linked sign-on identities', async () => {
    const { client, dora, remy, sam, manny } = await seed();
    const doraPage = await html(client, `/users/${dora.id}`);
    expect(doraPage).toContain('<dt>Source</dt><dd>Provisioned by the directory (SCIM)</dd>');
    expect(doraPage).toContain('<dt>Directory ID</dt><dd><code>dir-0001</code></dd>');
    expect(doraPage).not.toContain('Removed by the directory');

    const remyPage = await html(client, `/users/${remy.id}`);
    expect(remyPage).toContain('<span class="badge badge-deactivated">Deactivated</span>');
    expect(remyPage).toMatch(/Removed by the directory on <time datetime="[^"]+">2026-11-20<\/time>/);
    expect(remyPage).toContain('an admin may delete them for good');
    expect(remyPage).toContain('Provisioned by the directory (SCIM)');

    const samPage = await html(client, `/users/${sam.id}`);
    expect(samPage).toContain('Created at first single sign-on through Okta');
    expect(samPage).toContain('<dt>Single sign-on</dt>');
    expect(samPage).toMatch(/Okta: last sign-in <time datetime="2026-11-25T09:30:00.000Z">/);
    expect(samPage).not.toContain('Directory ID');

    const mannyPage = await html(client, `/users/${manny.id}`);
    for (const absent of [
      '<dt>Source</dt>',
      'Directory ID',
      '<dt>Single sign-on</dt>',
      'Removed by the directory',
    ])
      expect(mannyPage).not.toContain(absent);
  });

  it('the users list badges directory and sign-on people, marks the removed, filters and exports by source', async () => {
    const { client } = await seed();
    expect(await listed(client, '/users')).toEqual([
      'Ada Admin',
      'Dora Directory | Directory',
      'Manny Manual',
      'Sam Signon | SSO',
    ]);
    const deactivated = await html(client, '/users?tab=deactivated');
    expect(deactivated).toContain('Remy Removed</a> <span class="badge">Directory</span>');
    expect(deactivated).toMatch(
      /<span class="badge badge-deactivated">Deactivated<\/span> Removed by the directory on <time datetime="[^"]+">2026-11-20<\/time>/,
    );

    // The filter: a group of choices in the toolbar's "More filters" menu, in the URL, applied to
    // the page and to the export.
    const page = await html(client, '/users');
    expect(page).toContain('<legend>Source</legend>');
    for (const [value, label] of [
      ['', 'Any'],
      ['gatehouse', 'Made in Gatehouse'],
      ['scim', 'Directory'],
      ['sso', 'Single sign-on'],
    ])
      expect(page).toMatch(
        new RegExp(`<input type="radio" name="source" value="${value}"[^>]*/> ${label}</label>`),
      );
    expect(await listed(client, '/users?source=scim')).toEqual(['Dora Directory | Directory']);
    expect(await listed(client, '/users?source=sso')).toEqual(['Sam Signon | SSO']);
    expect(await listed(client, '/users?source=gatehouse')).toEqual(['Ada Admin', 'Manny Manual']);
    expect(await listed(client, '/users?tab=deactivated&source=scim')).toEqual(['Remy Removed | Directory']);
    expect(await listed(client, '/users?tab=deactivated&source=gatehouse')).toEqual([]);
    // An unknown source reads as unset, as other filters do.
    expect((await listed(client, '/users?source=ldap')).length).toBe(4);
    expect(await html(client, '/users?source=sso&q=sam')).toContain(
      '<input type="radio" name="source" value="sso" checked=""/>',
    );

    const json = JSON.parse(await html(client, '/users/export.json?source=scim'));
    expect(json.map((r: { name: string; source: string }) => [r.name, r.source])).toEqual([
      ['Dora Directory', 'Directory'],
    ]);
    const all = JSON.parse(await html(client, '/users/export.json'));
    expect(Object.fromEntries(all.map((r: { name: string; source: string }) => [r.name, r.source]))).toEqual({
      'Ada Admin': 'Made in Gatehouse',
      'Dora Directory': 'Directory',
      'Manny Manual': 'Made in Gatehouse',
      'Sam Signon': 'Single sign-on',
    });
    const csv = (await html(client, '/users/export.csv?tab=deactivated')).trimEnd().split('\r\n');
    expect(csv[0]).toBe('"id","name","email","roles","status","teams","last_sign_in","created","source"');
    expect(csv.length).toBe(2);
    expect(csv[1]).toContain('"Remy Removed","remy@example.com","","Deactivated"');
    expect(csv[1]?.endsWith(',"Directory"')).toBe(true);
  });
});

describe(`directory teams in the console (${databaseKind})`, () => {
  it('the team pages show each membership’s source, the directory’s note, and no change by hand', async () => {
    const { client, engineering, support } = await seed();
    const teams = await html(client, '/teams');
    expect(teams).toContain('>Engineering</a> <span class="badge">Managed by the directory</span>');
    expect(teams).toMatch(/>Support<\/a><\/th>/);

    const directory = await html(client, `/teams/${engineering}`);
    expect(directory).toContain(
      'This team is managed by your company directory (SCIM): its name and members change there.',
    );
    expect(directory).toContain('<code>grp-eng</code>');
    expect(directory.match(/<td>From the directory<\/td>/g)?.length).toBe(2);
    for (const control of [
      'Add member',
      'Edit team',
      'Delete team',
      '/remove"',
      'Make team admin',
      '<th scope="col">Actions</th>',
    ])
      expect(directory, control).not.toContain(control);

    const manual = await html(client, `/teams/${support}`);
    expect(manual).not.toContain('managed by your company directory');
    expect(manual).toMatch(/Manny Manual<\/th><td>manny@example.com<\/td><td>Added by hand<\/td>/);
    expect(manual).toMatch(/Sam Signon<\/th><td>sam@example.com<\/td><td>From single sign-on \(Okta\)<\/td>/);
    expect(manual).toContain('their next sign-in through that provider adds them back');
    for (const control of ['Add member', 'Edit team', 'Delete team Support', '/remove"'])
      expect(manual, control).toContain(control);
  });

  it('refuses adding, removing, promoting, renaming and deleting on a directory team by hand (409), changing nothing', async () => {
    const { client, admin, manny, dora, engineering } = await seed();
    const before = await snapshot(t.db);
    const refused: Array<[string, () => Promise<Response>]> = [
      ['add', () => client.post(`/teams/${engineering}/members`, { email: manny.email })],
      ['remove', () => client.post(`/teams/${engineering}/members/${dora.id}/remove`, {})],
      ['admin', () => client.post(`/teams/${engineering}/members/${dora.id}/admin`, { admin: 'true' })],
      ['rename', () => client.post(`/teams/${engineering}`, { name: 'Renamed', description: '' })],
      ['delete', () => client.post(`/teams/${engineering}/delete`, {})],
      ['delete page', () => client.get(`/teams/${engineering}/delete`)],
      ['remove page', () => client.get(`/teams/${engineering}/members/${dora.id}/remove`)],
    ];
    for (const [what, send] of refused) {
      const response = await send();
      expect(response.status, what).toBe(409);
      const text = await response.text();
      expect(text, what).toContain(REFUSAL);
      expect(text, what).toContain('This team is managed by your company directory (SCIM)');
    }
    expect(await snapshot(t.db)).toBe(before);

    // The domain functions refuse whoever acts: an admin, or the system.
    const contexts: ActionContext[] = [await actorContext(t, admin), t.system];
    for (const ctx of contexts) {
      await expect(addTeamMember(ctx, engineering, { email: manny.email })).rejects.toThrow(ConflictError);
      await expect(removeTeamMember(ctx, engineering, dora.id)).rejects.toThrow(REFUSAL);
      await expect(setTeamAdmin(ctx, engineering, dora.id, true)).rejects.toThrow(ConflictError);
      await expect(updateTeam(ctx, engineering, { name: 'Renamed' })).rejects.toThrow(ConflictError);
      await expect(deleteTeam(ctx, engineering)).rejects.toThrow(ConflictError);
    }
    expect(await snapshot(t.db)).toBe(before);

    // The API, through the same functions: 409 problems.
    const { token } = await createApiToken(t.system, { ownerId: admin.id, name: 'test token' });
    const api = (path: string, init: RequestInit = {}) =>
      t.app.request(path, {
        ...init,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
    for (const response of [
      await api(`/api/v1/teams/${engineering}/members`, {
        method: 'POST',
        body: JSON.stringify({ email: manny.email }),
      }),
      await api(`/api/v1/teams/${engineering}/members/${dora.id}`, { method: 'DELETE' }),
      await api(`/api/v1/teams/${engineering}`, { method: 'DELETE' }),
    ]) {
      expect(response.status).toBe(409);
      expect(await response.json()).toMatchObject({
        type: 'urn:gatehouse:problem:conflict',
        detail: REFUSAL,
      });
    }
    const after = JSON.parse(await snapshot(t.db));
    const was = JSON.parse(before);
    for (const table of ['users', 'teams', 'team_members', 'role_bindings'])
      expect(after[table]).toEqual(was[table]);
  });

  it('still binds roles to a directory team; a membership from single sign-on on a team of ours is removed by hand', async () => {
    const { client, engineering, support, sam } = await seed();
    const viewer = await t.db
      .selectFrom('roles')
      .select('id')
      .where('key', '=', 'viewer')
      .executeTakeFirstOrThrow();
    const bound = await client.post('/access/bindings', {
      subject: 'team',
      teamId: engineering,
      access: viewer.id,
      scope: 'project',
    });
    expect(bound.status).toBe(303);
    const binding = await t.db
      .selectFrom('role_bindings')
      .selectAll()
      .where('team_id', '=', engineering)
      .executeTakeFirstOrThrow();
    expect(binding).toMatchObject({ role_id: viewer.id, project_id: await defaultProjectId(t.db) });
    expect(await html(client, `/teams/${engineering}`)).toContain('Viewer, in ');

    const removed = await client.post(`/teams/${support}/members/${sam.id}/remove`, {});
    expect(removed.status).toBe(303);
    const left = await t.db
      .selectFrom('team_members')
      .select('team_id')
      .where('user_id', '=', sam.id)
      .execute();
    expect(left.map((m) => m.team_id)).toEqual([engineering]);
  });

  it('the user edit dialog shows directory teams unchangeable and keeps those memberships on saving', async () => {
    const { client, admin, dora, manny, engineering, support } = await seed();
    const dialog = await html(client, `/users/${dora.id}/edit`);
    expect(dialog).toContain(`<input type="hidden" name="teamIds" value="${engineering}"/>`);
    expect(dialog).toContain(
      `<input type="checkbox" value="${engineering}" checked="" disabled=""/> Engineering (managed by the directory)`,
    );
    expect(dialog).toContain(`<input type="checkbox" name="teamIds" value="${support}"/> Support`);
    expect(dialog).toContain('Teams managed by the directory are shown as they are');
    // Someone outside the directory team sees its box unticked, with nothing sent for it.
    const mannyDialog = await html(client, `/users/${manny.id}/edit`);
    expect(mannyDialog).toContain(`<input type="checkbox" value="${engineering}" disabled=""/>`);
    expect(mannyDialog).not.toContain(`name="teamIds" value="${engineering}"`);

    // Saved as the browser sends it (the disabled box sends nothing, the hidden field does): Support joined.
    const form = {
      name: 'Dora D. Directory',
      language: 'en',
      roleId: 'keep',
      opened: '1',
      untilWas: '',
      roleIdWas: '',
    };
    const saved = await client.post(`/users/${dora.id}/edit`, {
      ...form,
      teamIdsWas: [engineering],
      teamIds: [engineering, support],
    });
    expect(saved.status).toBe(303);
    const memberships = await t.db
      .selectFrom('team_members')
      .select(['team_id', 'source'])
      .where('user_id', '=', dora.id)
      .orderBy('source')
      .execute();
    expect(memberships).toEqual([
      { team_id: support, source: 'manual' },
      { team_id: engineering, source: 'scim' },
    ]);

    // Leaving (or joining) a directory team there is refused, and nothing changes.
    const before = await snapshot(t.db);
    const leave = await client.post(`/users/${dora.id}/edit`, {
      ...form,
      name: 'Dora Gone',
      teamIdsWas: [engineering, support],
      teamIds: [support],
    });
    expect(leave.status).toBe(409);
    expect(await leave.text()).toContain(REFUSAL);
    const join = await client.post(`/users/${manny.id}/edit`, {
      ...form,
      name: manny.name,
      teamIdsWas: [support],
      teamIds: [support, engineering],
    });
    expect(join.status).toBe(409);
    const projectId = await defaultProjectId(t.db);
    await expect(
      editUser(await actorContext(t, admin), manny.id, projectId, {
        name: manny.name,
        language: 'en',
        teamIds: [engineering],
      }),
    ).rejects.toThrow(ConflictError);
    expect(await snapshot(t.db)).toBe(before);
  });
});
