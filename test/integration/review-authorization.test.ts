import { beforeEach, describe, expect, it } from 'vitest';
import { builtinRoleId, defaultProjectId } from '../../src/access/grants';
import { bind, clientFor, enrolTotp, FIXTURE_PASSWORD, makeUser } from '../helpers/fixtures';
import { Client } from '../helpers/http';
import { setUpApp } from '../helpers/set-up-app';
import { settingsForm } from '../helpers/settings-form';

// The outside review's authorization findings: invitations scoped to the viewer's projects, an
// invitation only as good as its inviter's right to grant it, a recent password for every path
// to admin rights and for weaker settings, and the user page's events in the viewer's audit scope.

const t = setUpApp({ resetEach: true, settings: { require_two_factor: false, allow_manual_links: true } });
let projectA: string;
let projectB: string;
beforeEach(async () => {
  projectA = await defaultProjectId(t.db);
  projectB = (
    await t.db.insertInto('projects').values({ name: 'Project B' }).returning('id').executeTakeFirstOrThrow()
  ).id;
});

const tokenIn = (text: string) => /\/invite\/([A-Za-z0-9_-]{43})/.exec(text)?.[1] ?? '';
const invitation = (email: string) =>
  t.db.selectFrom('invitations').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
const events = (action: string) =>
  t.db.selectFrom('audit_events').selectAll().where('action', '=', action).orderBy('id').execute();

async function invite(client: Client, email: string, projectId: string, roleKey = 'editor') {
  const response = await client.post('/invitations', {
    emails: email,
    projectId,
    roleId: await builtinRoleId(t.db, roleKey),
    language: 'en',
    message: 'A personal note',
  });
  expect(response.status, await response.clone().text()).toBe(200);
  return invitation(email);
}

/** A Co-admin of project A only: invitations.manage there, and nowhere else. */
async function projectAdmin() {
  const me = await makeUser(t.db, { role: 'co_admin', projectId: projectA });
  return { me, client: await clientFor(t, me.id) };
}

describe('invitations are scoped to the viewer’s projects', () => {
  it('lists, exports and opens only invitations to projects where the viewer holds invitations.manage', async () => {
    const admin = await clientFor(t, (await makeUser(t.db, { role: 'account_admin' })).id);
    const inA = await invite(admin, 'in-a@example.com', projectA);
    const inB = await invite(admin, 'in-b@example.com', projectB);
    const { client } = await projectAdmin();

    const list = await (await client.get('/invitations')).text();
    expect(list).toContain('in-a@example.com');
    expect(list).not.toContain('in-b@example.com');
    for (const format of ['csv', 'json']) {
      const exported = await (await client.get(`/invitations/export.${format}`)).text();
      expect(exported).toContain('in-a@example.com');
      expect(exported).not.toContain('in-b@example.com');
    }
    expect((await client.get(`/invitations/${inA.id}`)).status).toBe(200);
    for (const path of ['', '/edit', '/resend', '/revoke']) {
      const response = await client.get(`/invitations/${inB.id}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.text()).not.toContain('A personal note');
    }
    for (const path of ['/resend', '/revoke'])
      expect((await client.post(`/invitations/${inB.id}${path}`, {})).status).toBe(404);
    expect(
      (await client.post(`/invitations/${inB.id}/edit`, { projectId: projectA, roleId: inB.role_id ?? '' }))
        .status,
    ).toBe(404);
    expect(await invitation('in-b@example.com')).toMatchObject({ revoked_at: null, project_id: projectB });
    // An Account Admin sees both.
    const all = await (await admin.get('/invitations')).text();
    expect(all).toContain('in-a@example.com');
    expect(all).toContain('in-b@example.com');
  });
});

describe('an invitation outlives its inviter’s right to grant it', () => {
  it('refuses acceptance when the inviter can no longer grant the role there, and creates no one', async () => {
    const { me, client } = await projectAdmin();
    const open = await invite(client, 'late@example.com', projectA);
    const token = tokenIn(t.mailer.messages.at(-1)?.text ?? '');
    // The inviter's access ends behind the application's back (no sweep ran): checked at use.
    await t.db
      .updateTable('role_bindings')
      .set({ expires_at: new Date(t.clock.now().getTime() - 1000) })
      .where('user_id', '=', me.id)
      .execute();
    const invitee = new Client(t.app);
    const page = await invitee.get(`/invite/${token}`);
    expect(page.status).toBe(410);
    expect(await page.text()).toContain('This invitation is no longer valid');
    const signUp = await invitee.post(`/invite/${token}/sign-up`, {
      name: 'Late Person',
      password: 'correct horse battery staple',
      confirm: 'correct horse battery staple',
    });
    expect(signUp.status).toBe(410);
    expect(
      await t.db.selectFrom('users').select('id').where('email', '=', 'late@example.com').execute(),
    ).toEqual([]);
    expect((await invitation('late@example.com')).accepted_at).toBeNull();
    expect(open.id).toBeTruthy();
  });

  it('still lets an existing user accept while the inviter may grant, and not after', async () => {
    const { me, client } = await projectAdmin();
    const member = await makeUser(t.db, { role: 'viewer', projectId: projectB });
    await invite(client, member.email, projectA, 'viewer');
    const token = tokenIn(t.mailer.messages.at(-1)?.text ?? '');
    await t.db.updateTable('users').set({ deactivated_at: t.clock.now() }).where('id', '=', me.id).execute();
    const accepting = await clientFor(t, member.id);
    const refused = await accepting.post(`/invite/${token}/accept`, {});
    expect(refused.status).toBe(410);
    const bindings = await t.db
      .selectFrom('role_bindings')
      .select('project_id')
      .where('user_id', '=', member.id)
      .execute();
    expect(bindings).toEqual([{ project_id: projectB }]);
  });

  it('revokes the open invitations of an inviter who is deactivated, deleted or loses the right to invite, one event each', async () => {
    const admin = await clientFor(t, (await makeUser(t.db, { role: 'account_admin' })).id);
    // Deactivated.
    const first = await projectAdmin();
    await invite(first.client, 'one@example.com', projectA);
    await invite(first.client, 'two@example.com', projectA);
    expect((await admin.post(`/users/${first.me.id}/deactivate`, {})).status).toBe(303);
    for (const email of ['one@example.com', 'two@example.com'])
      expect((await invitation(email)).revoked_at).not.toBeNull();
    // Deleted.
    const second = await projectAdmin();
    await invite(second.client, 'three@example.com', projectA);
    expect((await admin.post(`/users/${second.me.id}/delete`, {})).status).toBe(303);
    expect((await invitation('three@example.com')).revoked_at).not.toBeNull();
    // Their binding changed to a role without invitations.manage.
    const third = await projectAdmin();
    await invite(third.client, 'four@example.com', projectA, 'viewer');
    const binding = await t.db
      .selectFrom('role_bindings')
      .select('id')
      .where('user_id', '=', third.me.id)
      .executeTakeFirstOrThrow();
    const changed = await admin.post(`/access/bindings/${binding.id}`, {
      access: await builtinRoleId(t.db, 'viewer'),
      until: '',
    });
    expect(changed.status, await changed.clone().text()).toBe(303);
    expect((await invitation('four@example.com')).revoked_at).not.toBeNull();
    // An inviter who keeps the right keeps their invitation.
    const fourth = await projectAdmin();
    await invite(fourth.client, 'five@example.com', projectA);
    expect((await invitation('five@example.com')).revoked_at).toBeNull();

    const revoked = await events('invitation.revoke');
    expect(revoked.map((e) => e.target_label).sort()).toEqual([
      'four@example.com',
      'one@example.com',
      'three@example.com',
      'two@example.com',
    ]);
    expect(revoked.find((e) => e.target_label === 'one@example.com')?.reason).toBe(
      'the inviter was deactivated',
    );
    expect(revoked.find((e) => e.target_label === 'three@example.com')?.reason).toBe(
      'the inviter was deleted',
    );
    expect(revoked.find((e) => e.target_label === 'four@example.com')?.reason).toMatch(
      /^the inviter can no longer grant this role/,
    );
  });
});

describe('a recent password for every path to admin rights and for weaker settings', () => {
  /** An Account Admin whose password was proved 11 minutes ago. */
  async function staleAdmin() {
    const admin = await makeUser(t.db, { role: 'account_admin' });
    // With 2FA, so that an account requiring it lets them in.
    await enrolTotp(t, admin.id);
    const client = await clientFor(t, admin.id);
    t.clock.advance(11 * 60_000);
    return client;
  }
  const toConfirm = (response: Response) => {
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^\/account\/confirm\?next=/);
  };
  async function teamGranting(roleKey: string) {
    const team = await t.db
      .insertInto('teams')
      .values({ name: `Team ${roleKey} ${Math.random()}` })
      .returning('id')
      .executeTakeFirstOrThrow();
    await bind(t.db, { teamId: team.id, roleKey });
    return team.id;
  }

  it('asks for it before adding a member, making a team admin or editing teams where the team grants users.manage', async () => {
    const client = await staleAdmin();
    const user = await makeUser(t.db, { name: 'Plain Person' });
    const adminTeam = await teamGranting('co_admin');
    const plainTeam = await teamGranting('viewer');
    toConfirm(await client.post(`/teams/${adminTeam}/members`, { email: user.email }));
    toConfirm(
      await client.post(`/users/${user.id}/edit`, { name: user.name, language: 'en', teamIds: [adminTeam] }),
    );
    expect(
      await t.db.selectFrom('team_members').select('team_id').where('user_id', '=', user.id).execute(),
    ).toEqual([]);
    // A team without admin rights needs nothing more.
    expect((await client.post(`/teams/${plainTeam}/members`, { email: user.email })).status).toBe(303);
    // Made a member directly, then made team admin of the admin team: asked for.
    await t.db.insertInto('team_members').values({ team_id: adminTeam, user_id: user.id }).execute();
    toConfirm(await client.post(`/teams/${adminTeam}/members/${user.id}/admin`, { admin: 'true' }));
    expect(
      (await client.post(`/teams/${plainTeam}/members/${user.id}/admin`, { admin: 'true' })).status,
    ).toBe(303);
  });

  it('asks for it before "Reset all passwords"', async () => {
    const client = await staleAdmin();
    const other = await makeUser(t.db, { role: 'viewer' });
    toConfirm(await client.post('/users/reset-all', {}));
    expect(
      (
        await t.db
          .selectFrom('users')
          .select('password_hash')
          .where('id', '=', other.id)
          .executeTakeFirstOrThrow()
      ).password_hash,
    ).not.toBeNull();
  });

  it('asks for it on the settings form before saving settings that weaken security, keeping what was typed', async () => {
    const client = await staleAdmin();
    await t.db
      .updateTable('account_settings')
      .set({ require_two_factor: true, allow_manual_links: false })
      .execute();
    const current = settingsForm({ require_two_factor: 'on', allow_manual_links: '' });
    for (const weaker of [
      { require_two_factor: '' },
      { password_min_length: '10' },
      { lockout_threshold: '20' },
      { lockout_account_threshold: '100', lockout_threshold: '10' },
      { allow_manual_links: 'on' },
    ]) {
      await t.db.updateTable('account_settings').set({ lockout_account_threshold: 50 }).execute();
      const form = { ...current, lockout_account_threshold: '50', ...weaker, account_name: 'Typed name' };
      const response = await client.post('/settings', form);
      expect(response.status, JSON.stringify(weaker)).toBe(403);
      const html = await response.text();
      expect(html).toContain('These changes weaken security: enter your password to save them.');
      expect(html).toContain('value="Typed name"');
      expect(html).toContain('name="confirm_password"');
    }
    const settings = () => t.db.selectFrom('account_settings').selectAll().executeTakeFirstOrThrow();
    expect((await settings()).account_name).toBe('Gatehouse');
    // Stronger settings need nothing more.
    const stronger = await client.post('/settings', {
      ...current,
      lockout_account_threshold: '50',
      password_min_length: '14',
    });
    expect(stronger.status).toBe(303);
    // A wrong password: refused, nothing saved; the right one saves.
    const form = {
      ...current,
      lockout_account_threshold: '50',
      password_min_length: '14',
      require_two_factor: '',
    };
    const wrong = await client.post('/settings', { ...form, confirm_password: 'not my password' });
    expect(wrong.status).toBe(401);
    expect((await settings()).require_two_factor).toBe(true);
    const right = await client.post('/settings', { ...form, confirm_password: FIXTURE_PASSWORD });
    expect(right.status).toBe(303);
    expect((await settings()).require_two_factor).toBe(false);
  });
});

describe('the user page’s events follow the viewer’s audit scope', () => {
  it('shows none without audit.view, a project’s only to a project viewer, and all to an account-wide one', async () => {
    const person = await makeUser(t.db, { role: 'viewer', projectId: projectA, name: 'Watched Person' });
    expect((await new Client(t.app).signIn(person.email, FIXTURE_PASSWORD)).status).toBe(303);
    const admin = await makeUser(t.db, { role: 'account_admin' });
    const adminClient = await clientFor(t, admin.id);
    // An event about them in project A.
    expect((await adminClient.post(`/users/${person.id}/sign-out`, {})).status).toBe(303);
    const inProject = await events('user.sign_out_everywhere');
    expect(inProject[0]?.project_id).toBe(projectA);

    const page = async (client: Client) => (await client.get(`/users/${person.id}`)).text();
    const all = await page(adminClient);
    expect(all).toContain('Recent activity');
    expect(all).toContain(`/audit/events/${inProject[0]?.id}`);
    const signIn = (await events('auth.sign_in'))[0];
    expect(all).toContain(`/audit/events/${signIn?.id}`);

    // users.view and audit.view in project A only: that project's events, not the sign-in.
    const auditor = await t.db
      .insertInto('roles')
      .values({ name: 'Project auditor', permissions: ['users.view', 'audit.view'] })
      .returning('id')
      .executeTakeFirstOrThrow();
    const projectViewer = await makeUser(t.db);
    await t.db
      .insertInto('role_bindings')
      .values({ user_id: projectViewer.id, role_id: auditor.id, project_id: projectA })
      .execute();
    const scoped = await page(await clientFor(t, projectViewer.id));
    expect(scoped).toContain(`/audit/events/${inProject[0]?.id}`);
    expect(scoped).not.toContain(`/audit/events/${signIn?.id}`);

    // users.view without audit.view: no events at all.
    const lister = await t.db
      .insertInto('roles')
      .values({ name: 'Lister', permissions: ['users.view'] })
      .returning('id')
      .executeTakeFirstOrThrow();
    const plainViewer = await makeUser(t.db);
    await t.db
      .insertInto('role_bindings')
      .values({ user_id: plainViewer.id, role_id: lister.id, project_id: null })
      .execute();
    const none = await page(await clientFor(t, plainViewer.id));
    expect(none).toContain('Watched Person');
    expect(none).not.toContain('Recent activity');
    expect(none).not.toContain('/audit/events/');
  });
});
