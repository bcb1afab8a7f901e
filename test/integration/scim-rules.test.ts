import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { directoryToken, scim } from '../fixtures/scim/directory';
import { databaseKind } from '../helpers/database';
import { bind, makeUser, snapshot } from '../helpers/fixtures';
import { setUpApp } from '../helpers/set-up-app';

const t = setUpApp({ resetEach: true });

// Nothing the directory sends is a fault of ours.
afterEach(() => {
  expect(t.errors).toEqual([]);
});

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const deactivate = { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] };

let owner: { id: string; email: string };
beforeEach(async () => {
  owner = await makeUser(t.db, { role: 'account_admin', email: 'owner@example.com' });
});

/** The refused attempts the audit trail records for the directory. */
const denied = (action: string) =>
  t.db
    .selectFrom('audit_events')
    .select(['actor_label', 'reason'])
    .where('action', '=', action)
    .where('outcome', '=', 'denied')
    .orderBy('id', 'desc')
    .executeTakeFirst();

describe(`SCIM and the access rules (${databaseKind})`, () => {
  it('no escalation: a directory whose owner lacks what a team grants cannot add members to it', async () => {
    // The token's owner is an Admin: no account.settings.
    const { token, name } = await directoryToken(t, { role: 'admin', name: 'Entra provisioning' });
    const { body: person } = await scim(t, token, 'POST', '/Users', { userName: 'pat@example.com' });
    const { body: group } = await scim(t, token, 'POST', '/Groups', { displayName: 'Account admins' });
    // An admin of Gatehouse binds the directory's team to Account Admin.
    await bind(t.db, { teamId: group.id, roleKey: 'account_admin' });
    const before = await snapshot(t.db);
    for (const [method, body] of [
      [
        'PATCH',
        { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: person.id }] }] },
      ],
      ['PUT', { displayName: 'Account admins', members: [{ value: person.id }] }],
    ] as const) {
      const answer = await scim(t, token, method, `/Groups/${group.id}`, body);
      expect([method, answer.status]).toEqual([method, 403]);
      expect(answer.body.detail).toMatch(
        /Members of this team get permissions you do not hold \(.*account\.settings/,
      );
    }
    // Nor can it make a new team with members and have them bound: a new team grants nothing, so
    // that is allowed; the escalation is refused whenever the team grants more than the owner holds.
    expect(await snapshot(t.db)).toBe(before);
    const event = await denied('directory.team_update');
    expect(event?.actor_label).toBe(`directory: ${name}`);
    expect(event?.reason).toMatch(/^no-escalation: /);
    // A team whose grants the owner holds takes the member.
    const { body: readers } = await scim(t, token, 'POST', '/Groups', { displayName: 'Readers' });
    await bind(t.db, { teamId: readers.id, roleKey: 'viewer' });
    const ok = await scim(t, token, 'PATCH', `/Groups/${readers.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: person.id }] }],
    });
    expect(ok.status).toBe(204);
  });

  it('rank: the directory cannot deactivate, remove or change someone who outranks its token’s owner', async () => {
    const { token } = await directoryToken(t, { role: 'admin' });
    const boss = await makeUser(t.db, { role: 'account_admin', email: 'boss@example.com' });
    const before = await snapshot(t.db);
    const cases = [
      ['PATCH', deactivate],
      ['PATCH', { Operations: [{ op: 'Replace', path: 'active', value: 'False' }] }],
      ['PUT', { userName: 'attacker@example.com' }],
      ['DELETE', undefined],
    ] as const;
    for (const [method, body] of cases) {
      const answer = await scim(t, token, method, `/Users/${boss.id}`, body);
      expect([method, answer.status]).toEqual([method, 403]);
      expect(answer.body.detail).toBe(
        'boss@example.com has access you do not have, so you cannot change their access.',
      );
    }
    expect(await snapshot(t.db)).toBe(before);
    expect((await denied('directory.user_update'))?.reason).toMatch(/^rank: /);
    expect((await denied('directory.user_remove'))?.reason).toMatch(/^rank: /);
    // Someone it outranks: deactivated.
    const viewer = await makeUser(t.db, { role: 'viewer', email: 'viewer@example.com' });
    expect((await scim(t, token, 'PATCH', `/Users/${viewer.id}`, deactivate)).body.active).toBe(false);
  });

  it('a token narrowed to directory.provision outranks only people who hold nothing', async () => {
    const { token } = await directoryToken(t, {
      role: 'account_admin',
      permissions: ['directory.provision'],
    });
    const viewer = await makeUser(t.db, { role: 'viewer', email: 'viewer@example.com' });
    const nobody = await makeUser(t.db, { email: 'nobody@example.com' });
    expect((await scim(t, token, 'PATCH', `/Users/${viewer.id}`, deactivate)).status).toBe(403);
    expect((await scim(t, token, 'PATCH', `/Users/${nobody.id}`, deactivate)).status).toBe(200);
  });

  it('never leaves the account without a manager', async () => {
    // An Account Admin service account outranks everyone, but owner@ is the only manager.
    const { token } = await directoryToken(t, { role: 'account_admin' });
    const before = await snapshot(t.db);
    const answer = await scim(t, token, 'PATCH', `/Users/${owner.id}`, deactivate);
    expect(answer.status).toBe(403);
    expect(answer.body.detail).toMatch(/without an active person who can manage users and settings/);
    expect((await scim(t, token, 'DELETE', `/Users/${owner.id}`)).status).toBe(403);
    // Their team's removal neither.
    const { body: admins } = await scim(t, token, 'POST', '/Groups', { displayName: 'Admins' });
    await t.db
      .insertInto('team_members')
      .values({ team_id: admins.id, user_id: owner.id, source: 'scim' })
      .execute();
    await t.db.deleteFrom('role_bindings').where('user_id', '=', owner.id).execute();
    await bind(t.db, { teamId: admins.id, roleKey: 'account_admin' });
    const held = await snapshot(t.db);
    expect((await scim(t, token, 'DELETE', `/Groups/${admins.id}`)).status).toBe(403);
    expect(
      (
        await scim(t, token, 'PATCH', `/Groups/${admins.id}`, {
          Operations: [{ op: 'remove', path: `members[value eq "${owner.id}"]` }],
        })
      ).status,
    ).toBe(403);
    expect(await snapshot(t.db)).toBe(held);
    expect(held).not.toBe(before);
  });

  it('deletes a team that grants access only when the owner outranks every member', async () => {
    const { token } = await directoryToken(t, { role: 'admin' });
    const { body: group } = await scim(t, token, 'POST', '/Groups', { displayName: 'Mixed' });
    await bind(t.db, { teamId: group.id, roleKey: 'viewer' });
    const boss = await makeUser(t.db, { role: 'account_admin', email: 'boss@example.com' });
    await t.db
      .insertInto('team_members')
      .values({ team_id: group.id, user_id: boss.id, source: 'scim' })
      .execute();
    const before = await snapshot(t.db);
    const refused = await scim(t, token, 'DELETE', `/Groups/${group.id}`);
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/boss@example.com has access you do not have/);
    const removal = await scim(t, token, 'PATCH', `/Groups/${group.id}`, {
      Operations: [{ op: 'Remove', path: 'members', value: [{ value: boss.id }] }],
    });
    expect(removal.status).toBe(403);
    expect(await snapshot(t.db)).toBe(before);
  });
});
