import { beforeAll, describe, expect, it } from 'vitest';
import { builtinRoleId, defaultProjectId } from '../../src/access/grants';
import { SESSION_COOKIE } from '../../src/auth/sessions/sessions';
import { editUser } from '../../src/users/edit';
import { userStatus } from '../../src/users/status';
import { databaseKind } from '../helpers/database';
import { bind, clientFor, FIXTURE_PASSWORD, makeUser, snapshot } from '../helpers/fixtures';
import { Client } from '../helpers/http';
import { setUpApp } from '../helpers/set-up-app';

const t = setUpApp({ resetEach: true, settings: { allow_manual_links: true } });
let projectId: string;
beforeAll(async () => {
  projectId = await defaultProjectId(t.db);
});

const roleId = (key: string) => builtinRoleId(t.db, key);
const row = (id: string) =>
  t.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const linkIn = (text: string) => /\/set-password\/[A-Za-z0-9_-]{43}/.exec(text)?.[0] ?? '';

/** An admin's client, and a Viewer of the project who is in team Red (team Blue exists too). */
async function viewerInRed() {
  const admin = await makeUser(t.db, { role: 'account_admin' });
  const user = await makeUser(t.db, { role: 'viewer', projectId });
  const [red, blue] = await t.db
    .insertInto('teams')
    .values([{ name: 'Red' }, { name: 'Blue' }])
    .returning('id')
    .execute();
  if (!red || !blue) throw new Error('teams not created');
  await t.db.insertInto('team_members').values({ team_id: red.id, user_id: user.id }).execute();
  return { user, red, blue, client: await clientFor(t, admin.id) };
}

describe('user status', () => {
  it('is derived in the order Deactivated, Access expired, Locked, Password not set, Active', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const past = new Date('2029-01-01T00:00:00Z');
    const future = new Date('2031-01-01T00:00:00Z');
    const base = { deactivated_at: null, access_expires_at: null, locked_until: null, password_hash: 'h' };
    expect(
      userStatus({ ...base, deactivated_at: past, access_expires_at: past, password_hash: null }, now),
    ).toBe('Deactivated');
    expect(userStatus({ ...base, access_expires_at: past, locked_until: future }, now)).toBe(
      'Access expired',
    );
    expect(userStatus({ ...base, locked_until: future, password_hash: null }, now)).toBe('Locked');
    expect(userStatus({ ...base, locked_until: past, password_hash: null }, now)).toBe('Password not set');
    expect(userStatus({ ...base, access_expires_at: future }, now)).toBe('Active');
  });
});

describe(`per-user actions (${databaseKind})`, () => {
  it('creates a user without a password, emails a set-password link, and shows it to send manually', async () => {
    const admin = await makeUser(t.db, { role: 'account_admin' });
    const client = await clientFor(t, admin.id);
    const response = await client.post('/users', {
      name: 'Grace Hopper',
      email: 'Grace@Example.com',
      roleId: await roleId('editor'),
    });
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('Send manually');
    const mail = t.mailer.messages.at(-1);
    expect(mail?.to).toBe('Grace@Example.com');
    expect(mail?.subject).toBe('Set your password for Gatehouse');
    expect(linkIn(page)).toBe(linkIn(mail?.text ?? ''));
    const user = await t.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', 'grace@example.com')
      .executeTakeFirstOrThrow();
    expect(userStatus(user, new Date())).toBe('Password not set');
    const binding = await t.db
      .selectFrom('role_bindings')
      .selectAll()
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(binding.project_id).toBe(projectId);
    const html = await (await client.get(`/users/${user.id}`)).text();
    expect(html).toContain('Password not set');
    expect(html).toContain('User created');

    const invitee = new Client(t.app);
    const set = await invitee.post(linkIn(mail?.text ?? ''), {
      password: 'a brand new passphrase',
      confirm: 'a brand new passphrase',
    });
    expect(set.status).toBe(303);
    expect((await invitee.signIn('grace@example.com', 'a brand new passphrase')).status).toBe(303);

    expect(
      (
        await client.post('/users', {
          name: 'Again',
          email: 'GRACE@example.com',
          roleId: await roleId('viewer'),
        })
      ).status,
    ).toBe(422);
  });

  it('hides the manual link when the account setting forbids it', async () => {
    await t.db.updateTable('account_settings').set({ allow_manual_links: false }).execute();
    const admin = await makeUser(t.db, { role: 'account_admin' });
    const response = await (await clientFor(t, admin.id)).post('/users', {
      name: 'Quiet',
      email: 'quiet@example.com',
      roleId: await roleId('viewer'),
    });
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).not.toContain('Send manually');
    expect(linkIn(page)).toBe('');
    expect(t.mailer.messages).toHaveLength(1);
  });

  it('deactivation ends sessions at once and blocks sign-in; reactivation restores it', async () => {
    const admin = await makeUser(t.db, { role: 'account_admin' });
    const user = await makeUser(t.db, { role: 'viewer' });
    const userClient = await clientFor(t, user.id);
    const client = await clientFor(t, admin.id);
    expect((await userClient.get('/')).status).toBe(200);
    expect((await client.post(`/users/${user.id}/deactivate`, {})).status).toBe(303);
    expect(await t.db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).toEqual(
      [],
    );
    expect((await userClient.get('/')).status).toBe(303);
    expect((await new Client(t.app).signIn(user.email, FIXTURE_PASSWORD)).status).toBe(401);
    expect(await (await client.get(`/users/${user.id}`)).text()).toContain('Deactivated');
    expect((await client.post(`/users/${user.id}/deactivate`, {})).status).toBe(409);
    expect((await client.post(`/users/${user.id}/reactivate`, {})).status).toBe(303);
    expect((await new Client(t.app).signIn(user.email, FIXTURE_PASSWORD)).status).toBe(303);
  });

  it('deletes for good after a confirmation that names the user', async () => {
    const admin = await makeUser(t.db, { role: 'account_admin' });
    const user = await makeUser(t.db, { role: 'viewer', name: 'Doomed Person' });
    const client = await clientFor(t, admin.id);
    const confirm = await (await client.get(`/users/${user.id}/delete`)).text();
    expect(confirm).toContain('Delete Doomed Person?');
    expect(confirm).toContain(user.email);
    expect((await client.post(`/users/${user.id}/delete`, {})).status).toBe(303);
    expect(await t.db.selectFrom('users').select('id').where('id', '=', user.id).execute()).toEqual([]);
    expect((await client.get(`/users/${user.id}`)).status).toBe(404);
  });

  it('a reset stops the current password at once, ends sessions, and emails a one-hour link', async () => {
    const admin = await makeUser(t.db, { role: 'account_admin' });
    const user = await makeUser(t.db, { role: 'viewer' });
    const userClient = await clientFor(t, user.id);
    const client = await clientFor(t, admin.id);
    const response = await client.post(`/users/${user.id}/reset-password`, {});
    expect(response.status).toBe(200);
    expect((await userClient.get('/')).status).toBe(303);
    expect((await new Client(t.app).signIn(user.email, FIXTURE_PASSWORD)).status).toBe(401);
    const mail = t.mailer.messages.at(-1);
    expect(mail?.subject).toBe('Your Gatehouse password was reset');
    const token = await t.db
      .selectFrom('one_time_tokens')
      .selectAll()
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(token.expires_at.getTime() - token.created_at.getTime()).toBe(3_600_000);
    const reset = new Client(t.app);
    expect(
      (
        await reset.post(linkIn(mail?.text ?? ''), {
          password: 'my fresh passphrase',
          confirm: 'my fresh passphrase',
        })
      ).status,
    ).toBe(303);
    expect((await new Client(t.app).signIn(user.email, 'my fresh passphrase')).status).toBe(303);
    const event = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'user.password_reset')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(event.after).toMatchObject({ password: 'reset', manualLinkShown: true });
  });

  it('resends the set-password email with a new link (the old one stops working), only before a password is set', async () => {
    const admin = await makeUser(t.db, { role: 'account_admin' });
    const client = await clientFor(t, admin.id);
    await client.post('/users', {
      name: 'Newbie',
      email: 'newbie@example.com',
      roleId: await roleId('viewer'),
    });
    const first = linkIn(t.mailer.messages.at(-1)?.text ?? '');
    const user = await t.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'newbie@example.com')
      .executeTakeFirstOrThrow();
    expect((await client.post(`/users/${user.id}/resend`, {})).status).toBe(200);
    const second = linkIn(t.mailer.messages.at(-1)?.text ?? '');
    expect(second).not.toBe(first);
    expect((await new Client(t.app).get(first)).status).toBe(404);
    expect((await new Client(t.app).get(second)).status).toBe(200);
    const other = await makeUser(t.db, { role: 'viewer' });
    expect((await client.post(`/users/${other.id}/resend`, {})).status).toBe(409);
  });

  it('unlocks a locked user and signs a user out everywhere', async () => {
    const admin = await makeUser(t.db, { role: 'account_admin' });
    const user = await makeUser(t.db, { role: 'viewer' });
    await t.db
      .updateTable('users')
      .set({ locked_until: new Date(Date.now() + 3_600_000), failed_login_count: 10 })
      .where('id', '=', user.id)
      .execute();
    const client = await clientFor(t, admin.id);
    expect(await (await client.get(`/users/${user.id}`)).text()).toContain('Locked until');
    expect((await client.post(`/users/${user.id}/unlock`, { reason: 'Verified by phone' })).status).toBe(303);
    expect((await row(user.id)).locked_until).toBeNull();
    const a = await clientFor(t, user.id);
    const b = await clientFor(t, user.id);
    expect((await client.post(`/users/${user.id}/sign-out`, {})).status).toBe(303);
    expect((await a.get('/')).status).toBe(303);
    expect((await b.get('/')).status).toBe(303);
    expect(a.cookies.has(SESSION_COOKIE)).toBe(false);
  });

  it('sets and clears an access end date; after it the user cannot sign in and shows Access expired', async () => {
    const admin = await makeUser(t.db, { role: 'account_admin' });
    const user = await makeUser(t.db, { role: 'viewer' });
    const client = await clientFor(t, admin.id);
    const details = { name: user.name, language: 'en', roleId: 'keep' };
    const past = await client.post(`/users/${user.id}/edit`, { ...details, until: '2001-01-01' });
    expect(past.status).toBe(422);
    expect(await past.text()).toContain('Choose a date that is not in the past.');
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect((await client.post(`/users/${user.id}/edit`, { ...details, until: tomorrow })).status).toBe(303);
    const userClient = await clientFor(t, user.id);
    expect((await userClient.get('/')).status).toBe(200);
    t.clock.advance(3 * 86_400_000);
    try {
      expect((await userClient.get('/')).status).toBe(303);
      expect((await new Client(t.app).signIn(user.email, FIXTURE_PASSWORD)).status).toBe(401);
      const admin2 = await clientFor(t, admin.id);
      expect(await (await admin2.get(`/users/${user.id}`)).text()).toContain('Access expired');
      // The end now in the past stays as it is while other details change.
      const renamed = await admin2.post(`/users/${user.id}/edit`, {
        ...details,
        name: 'Late Name',
        until: tomorrow,
      });
      expect(renamed.status).toBe(303);
      expect(await row(user.id)).toMatchObject({ name: 'Late Name' });
      expect((await row(user.id)).access_expires_at).not.toBeNull();
    } finally {
      t.clock.advance(-3 * 86_400_000);
    }
    expect((await client.post(`/users/${user.id}/edit`, { ...details, until: '' })).status).toBe(303);
    expect((await row(user.id)).access_expires_at).toBeNull();
  });

  it('edits name and language but never the email', async () => {
    const admin = await makeUser(t.db, { role: 'account_admin' });
    const user = await makeUser(t.db, { role: 'viewer' });
    const client = await clientFor(t, admin.id);
    const page = await (await client.get(`/users/${user.id}/edit`)).text();
    expect(page).toContain(`Edit ${user.name}`);
    expect(page).toContain('The email address cannot be changed.');
    expect(
      (
        await client.post(`/users/${user.id}/edit`, {
          name: 'New Name',
          language: 'fr',
          roleId: 'keep',
          email: 'hijack@example.com',
        })
      ).status,
    ).toBe(303);
    expect(await row(user.id)).toMatchObject({ name: 'New Name', language: 'fr', email: user.email });
    const before = await snapshot(t.db);
    const bad = await client.post(`/users/${user.id}/edit`, { name: '', language: 'xx', roleId: 'keep' });
    expect(bad.status).toBe(422);
    const text = await bad.text();
    expect(text).toContain('Enter a name.');
    expect(text).toContain('Choose a language from the list.');
    expect(await snapshot(t.db)).toBe(before);
  });

  it('changes role and teams in the edit dialog, in one audited change', async () => {
    const { user, blue, client } = await viewerInRed();
    const response = await client.post(`/users/${user.id}/edit`, {
      name: user.name,
      language: 'en',
      until: '',
      roleId: await roleId('editor'),
      teamIds: [blue.id],
    });
    expect(response.status).toBe(303);
    const bindings = await t.db
      .selectFrom('role_bindings')
      .select('role_id')
      .where('user_id', '=', user.id)
      .where('project_id', '=', projectId)
      .execute();
    expect(bindings).toEqual([{ role_id: await roleId('editor') }]);
    const teams = await t.db
      .selectFrom('team_members')
      .select('team_id')
      .where('user_id', '=', user.id)
      .execute();
    expect(teams).toEqual([{ team_id: blue.id }]);
    const events = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'user.edit')
      .where('target_id', '=', user.id)
      .execute();
    expect(events).toHaveLength(1);
    expect(events[0]?.after).toMatchObject({ projectRole: 'Editor', teamsJoined: ['Blue'] });
    expect(events[0]?.before).toMatchObject({ projectRoles: ['Viewer'], teamsLeft: ['Red'] });

    // "No role of their own" removes the project binding; an unknown team changes nothing.
    expect(
      (await client.post(`/users/${user.id}/edit`, { name: user.name, language: 'en', roleId: '' })).status,
    ).toBe(303);
    expect(
      await t.db.selectFrom('role_bindings').select('id').where('user_id', '=', user.id).execute(),
    ).toEqual([]);
    const before = await snapshot(t.db);
    const unknown = await client.post(`/users/${user.id}/edit`, {
      name: user.name,
      language: 'en',
      roleId: 'keep',
      teamIds: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknown.status).toBe(422);
    expect(await unknown.text()).toContain('Choose teams from the list.');
    expect(await snapshot(t.db)).toBe(before);
  });

  it('saves only what the dialog changed: what another admin did meanwhile stays', async () => {
    const { user, red, blue, client } = await viewerInRed();
    // The dialog opens: it shows Red ticked, Viewer, no end, and sends that back as it was.
    const dialog = await (await client.get(`/users/${user.id}/edit`)).text();
    expect(dialog).toContain(`name="teamIdsWas" value="${red.id}"`);
    // Meanwhile another admin adds Blue and makes them an Editor.
    await t.db
      .insertInto('team_members')
      .values({ team_id: blue.id ?? '', user_id: user.id })
      .execute();
    await t.db
      .updateTable('role_bindings')
      .set({ role_id: await roleId('editor') })
      .where('user_id', '=', user.id)
      .execute();
    const response = await client.post(`/users/${user.id}/edit`, {
      name: 'Renamed',
      language: 'en',
      until: '',
      roleId: await roleId('viewer'),
      teamIds: [red.id],
      opened: '1',
      untilWas: '',
      roleIdWas: await roleId('viewer'),
      teamIdsWas: [red.id],
    });
    expect(response.status).toBe(303);
    expect((await row(user.id)).name).toBe('Renamed');
    const teams = await t.db
      .selectFrom('team_members')
      .select('team_id')
      .where('user_id', '=', user.id)
      .execute();
    expect(teams.map((r) => r.team_id).sort()).toEqual([red.id, blue.id].sort());
    const bindings = await t.db
      .selectFrom('role_bindings')
      .select('role_id')
      .where('user_id', '=', user.id)
      .execute();
    expect(bindings).toEqual([{ role_id: await roleId('editor') }]);
  });

  it('adds people to teams only when the team grants nothing the actor lacks; keeps the last admin', async () => {
    const owner = await makeUser(t.db, { role: 'account_admin' });
    // Manages people and teams account-wide, and may only view the product.
    const manager = await makeUser(t.db);
    const role = await t.db
      .insertInto('roles')
      .values({
        name: 'People manager',
        permissions: [
          'users.view',
          'users.manage',
          'teams.manage',
          'content.view',
          'code.view',
          'reports.view',
        ],
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('role_bindings')
      .values({ user_id: manager.id, role_id: role.id, project_id: null })
      .execute();
    const user = await makeUser(t.db, { role: 'viewer', projectId });
    const [readers, editors] = await t.db
      .insertInto('teams')
      .values([{ name: 'Readers' }, { name: 'Editors' }])
      .returning('id')
      .execute();
    await bind(t.db, { teamId: readers?.id, roleKey: 'viewer' });
    await bind(t.db, { teamId: editors?.id, roleKey: 'editor' });
    const client = await clientFor(t, manager.id);
    const details = { name: user.name, language: 'en', roleId: 'keep' };
    const joined = await client.post(`/users/${user.id}/edit`, { ...details, teamIds: readers?.id ?? '' });
    expect(joined.status).toBe(303);
    const before = await snapshot(t.db);
    const escalation = await client.post(`/users/${user.id}/edit`, {
      ...details,
      teamIds: editors?.id ?? '',
    });
    expect(escalation.status).toBe(409);
    expect(await escalation.text()).toContain('you cannot add members');
    expect(await snapshot(t.db)).toBe(before);
    // From the command line (no rank), an end date on the only account admin is refused.
    const cli = { ...t.system, actor: { kind: 'system' as const, label: 'cli' } };
    await expect(
      editUser(cli, owner.id, projectId, { name: owner.name, language: 'en', until: '2999-01-01' }),
    ).rejects.toMatchObject({ rule: 'last-admin' });
    expect(await snapshot(t.db)).toBe(before);
  });

  it('refuses team changes to someone who may manage users but not teams, and your own access', async () => {
    const coAdmin = await makeUser(t.db, { role: 'co_admin' });
    const user = await makeUser(t.db, { role: 'viewer', projectId });
    const red = await t.db
      .insertInto('teams')
      .values({ name: 'Red' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const before = await snapshot(t.db);
    const client = await clientFor(t, coAdmin.id);
    const denied = await client.post(`/users/${user.id}/edit`, {
      name: user.name,
      language: 'en',
      roleId: 'keep',
      teamIds: red.id,
    });
    expect(denied.status).toBe(403);
    const own = await client.post(`/users/${coAdmin.id}/edit`, {
      name: coAdmin.name,
      language: 'en',
      roleId: await roleId('viewer'),
    });
    expect(own.status).toBe(409);
    expect(await own.text()).toContain('You cannot change your own roles.');
    const ownAccess = await client.post(`/users/${coAdmin.id}/edit`, {
      name: coAdmin.name,
      language: 'en',
      roleId: 'keep',
      until: '2999-01-01',
    });
    expect(ownAccess.status).toBe(409);
    expect(await snapshot(t.db)).toBe(before);
    // Their own name they may change.
    expect(
      (await client.post(`/users/${coAdmin.id}/edit`, { name: 'Me Renamed', language: 'en', roleId: 'keep' }))
        .status,
    ).toBe(303);
  });

  it('refuses, with the rule named and nothing changed: yourself, someone above you, the last admin', async () => {
    const owner = await makeUser(t.db, { role: 'account_admin' });
    const coAdmin = await makeUser(t.db, { role: 'co_admin' });
    const admin = await makeUser(t.db, { role: 'admin' });
    const before = await snapshot(t.db);
    const self = await (await clientFor(t, owner.id)).post(`/users/${owner.id}/deactivate`, {});
    expect(self.status).toBe(409);
    expect(await self.text()).toContain('You cannot change your own account this way.');
    const above = await (await clientFor(t, coAdmin.id)).post(`/users/${admin.id}/delete`, {});
    expect(above.status).toBe(409);
    expect(await above.text()).toContain('has access you do not have');
    const cli = { ...t.system, actor: { kind: 'system' as const, label: 'cli' } };
    const { deactivateUser } = await import('../../src/users/lifecycle');
    await expect(deactivateUser(cli, owner.id)).rejects.toMatchObject({ rule: 'last-admin' });
    const { resetPassword } = await import('../../src/users/security');
    await expect(resetPassword(cli, owner.id)).rejects.toMatchObject({ rule: 'last-admin' });
    expect(await snapshot(t.db)).toBe(before);
  });
});
