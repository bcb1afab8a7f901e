import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getSettings } from '../../src/account/read-settings';
import { revokeApiToken } from '../../src/api/tokens';
import { createSession } from '../../src/auth/sessions/sessions';
import { directoryToken, SCIM_TYPE, scim } from '../fixtures/scim/directory';
import { databaseKind } from '../helpers/database';
import { bind, makeUser, snapshot } from '../helpers/fixtures';
import { setUpApp } from '../helpers/set-up-app';

const t = setUpApp({ resetEach: true });

// Nothing the directory sends is a fault of ours.
afterEach(() => {
  expect(t.errors).toEqual([]);
});

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

// The account keeps an Account Admin with a password, as a real one does (deactivations check it).
beforeEach(async () => {
  await makeUser(t.db, { role: 'account_admin', email: 'owner@example.com', name: 'Owner' });
});

const newUser = (userName: string, more: Record<string, unknown> = {}) => ({
  schemas: [USER],
  userName,
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  emails: [{ primary: true, value: userName, type: 'work' }],
  active: true,
  ...more,
});

describe(`SCIM authentication (${databaseKind})`, () => {
  it('takes only a service account’s token that holds directory.provision everywhere, and answers SCIM errors', async () => {
    const none = await scim(t, null, 'GET', '/Users');
    expect(none.status).toBe(401);
    expect(none.type).toBe(SCIM_TYPE);
    expect(none.body).toMatchObject({ schemas: [ERROR], status: '401' });
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect((await scim(t, 'gh_not-a-token', 'GET', '/Users')).status).toBe(401);

    // A person's own token, however powerful: refused.
    const person = await makeUser(t.db, { role: 'account_admin' });
    const { createApiToken } = await import('../../src/api/tokens');
    const personal = (await createApiToken(t.system, { ownerId: person.id, name: 'mine' })).token;
    const refused = await scim(t, personal, 'GET', '/Users');
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/service account/);

    // A service account without directory.provision (an Editor), or whose token's list leaves it out.
    const editor = await directoryToken(t, { role: 'editor', name: 'editor token' });
    expect((await scim(t, editor.token, 'GET', '/Users')).status).toBe(403);
    const narrow = await directoryToken(t, { role: 'admin', permissions: ['users.view'], name: 'narrow' });
    const narrowAnswer = await scim(t, narrow.token, 'GET', '/Users');
    expect(narrowAnswer.status).toBe(403);
    expect(narrowAnswer.body.detail).toContain('directory.provision');
    // Nothing was provisioned by either.
    expect((await scim(t, editor.token, 'POST', '/Users', newUser('x@example.com'))).status).toBe(403);
    expect(
      await t.db.selectFrom('users').select('id').where('email', '=', 'x@example.com').execute(),
    ).toEqual([]);

    // Holding it, even as its only permission: allowed, until revoked.
    const only = await directoryToken(t, {
      role: 'admin',
      permissions: ['directory.provision'],
      name: 'only',
    });
    expect((await scim(t, only.token, 'GET', '/Users')).status).toBe(200);
    const { id } = await t.db
      .selectFrom('api_tokens')
      .select('id')
      .where('name', '=', 'only')
      .executeTakeFirstOrThrow();
    await revokeApiToken(t.system, id);
    expect((await scim(t, only.token, 'GET', '/Users')).status).toBe(401);
  });
});

describe(`SCIM discovery (${databaseKind})`, () => {
  it('describes the service provider, its resource types and schemas', async () => {
    const { token } = await directoryToken(t);
    const config = await scim(t, token, 'GET', '/ServiceProviderConfig');
    expect(config.status).toBe(200);
    expect(config.type).toBe(SCIM_TYPE);
    expect(config.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true, maxResults: 200 },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: false },
      authenticationSchemes: [{ type: 'oauthbearertoken' }],
    });
    const types = await scim(t, token, 'GET', '/ResourceTypes');
    expect(types.body.Resources.map((r: { endpoint: string }) => r.endpoint)).toEqual(['/Users', '/Groups']);
    expect((await scim(t, token, 'GET', '/ResourceTypes/User')).body.schema).toBe(USER);
    const schemas = await scim(t, token, 'GET', '/Schemas');
    expect(schemas.body.totalResults).toBe(2);
    const user = await scim(t, token, 'GET', `/Schemas/${USER}`);
    expect(user.body.attributes.map((a: { name: string }) => a.name)).toContain('userName');
    expect((await scim(t, token, 'GET', '/Schemas/urn:nothing')).status).toBe(404);
    expect((await scim(t, null, 'GET', '/ServiceProviderConfig')).status).toBe(401);
  });
});

describe(`SCIM Users (${databaseKind})`, () => {
  it('provisions a person with no password, access or email, audited as the directory', async () => {
    const { token } = await directoryToken(t, { name: 'Okta provisioning' });
    const created = await scim(
      t,
      token,
      'POST',
      '/Users',
      newUser('Ada@Example.com', {
        externalId: '00u1',
        preferredLanguage: 'fr-CA',
        locale: 'fr-CA',
        password: 'p4ss',
      }),
    );
    expect(created.status).toBe(201);
    expect(created.type).toBe(SCIM_TYPE);
    const id = created.body.id;
    expect(created.headers.get('location')).toBe(`http://localhost:3000/scim/v2/Users/${id}`);
    expect(created.body).toMatchObject({
      schemas: [USER],
      userName: 'Ada@Example.com',
      externalId: '00u1',
      displayName: 'Ada Lovelace',
      name: { givenName: 'Ada', familyName: 'Lovelace', formatted: 'Ada Lovelace' },
      emails: [{ value: 'Ada@Example.com', type: 'work', primary: true }],
      active: true,
      preferredLanguage: 'fr-CA',
      locale: 'fr-CA',
      groups: [],
      meta: { resourceType: 'User', location: `http://localhost:3000/scim/v2/Users/${id}` },
    });
    const row = await t.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      source: 'scim',
      password_hash: null,
      external_id: '00u1',
      given_name: 'Ada',
      family_name: 'Lovelace',
      language: 'fr',
      deactivated_at: null,
      directory_removed_at: null,
    });
    expect(await t.db.selectFrom('role_bindings').select('id').where('user_id', '=', id).execute()).toEqual(
      [],
    );
    expect(t.mailer.messages).toEqual([]);
    const event = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'directory.user_create')
      .where('target_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({
      actor_label: 'directory: Okta provisioning',
      target_id: id,
      outcome: 'success',
    });

    // GET answers the same resource.
    const read = await scim(t, token, 'GET', `/Users/${id}`);
    expect(read.body).toEqual(created.body);
  });
});

describe(`SCIM Users: changes (${databaseKind})`, () => {
  it('refuses a userName or externalId already taken, whatever its case, and changes nothing', async () => {
    const { token } = await directoryToken(t);
    expect(
      (await scim(t, token, 'POST', '/Users', newUser('grace@example.com', { externalId: 'g-1' }))).status,
    ).toBe(201);
    const before = await snapshot(t.db);
    for (const body of [
      newUser('GRACE@example.com'),
      newUser('other@example.com', { externalId: 'g-1' }),
      newUser('OWNER@example.com'),
    ]) {
      const answer = await scim(t, token, 'POST', '/Users', body);
      expect(answer.status).toBe(409);
      expect(answer.body).toMatchObject({ schemas: [ERROR], status: '409', scimType: 'uniqueness' });
    }
    expect(await snapshot(t.db)).toBe(before);
  });

  it('names a person by displayName, else name.formatted, else the name parts, else userName', async () => {
    const { token } = await directoryToken(t);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ userName: 'a@example.com', displayName: 'Shown', name: { formatted: 'Formatted' } }, 'Shown'],
      [{ userName: 'b@example.com', name: { formatted: 'Formatted', givenName: 'G' } }, 'Formatted'],
      [{ userName: 'c@example.com', name: { givenName: 'Given', familyName: 'Family' } }, 'Given Family'],
      [{ userName: 'd@example.com' }, 'd@example.com'],
    ];
    for (const [body, name] of cases) {
      const answer = await scim(t, token, 'POST', '/Users', { schemas: [USER], ...body });
      expect([body.userName, answer.status, answer.body.displayName]).toEqual([body.userName, 201, name]);
    }
  });

  it('replaces with PUT: name parts it leaves out are cleared, externalId and active left as they are', async () => {
    const { token } = await directoryToken(t);
    const { body: user } = await scim(
      t,
      token,
      'POST',
      '/Users',
      newUser('lin@example.com', { externalId: 'x1' }),
    );
    const put = await scim(t, token, 'PUT', `/Users/${user.id}`, {
      schemas: [USER],
      id: user.id,
      userName: 'lin.new@example.com',
      name: { givenName: 'Lin' },
      displayName: 'Lin N.',
      groups: [{ value: 'ignored' }],
      meta: { resourceType: 'User' },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      id: user.id,
      userName: 'lin.new@example.com',
      externalId: 'x1',
      displayName: 'Lin N.',
      name: { givenName: 'Lin', formatted: 'Lin' },
      active: true,
    });
    expect(put.body.name.familyName).toBeUndefined();
    const event = await t.db
      .selectFrom('audit_events')
      .select(['before', 'after', 'actor_label'])
      .where('action', '=', 'directory.user_update')
      .where('target_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(event.before).toMatchObject({ email: 'lin@example.com', familyName: 'Lovelace' });
    expect(event.after).toMatchObject({ email: 'lin.new@example.com', familyName: null, name: 'Lin N.' });
    // The same state again changes nothing and records nothing.
    const again = await scim(t, token, 'PUT', `/Users/${user.id}`, { ...put.body });
    expect(again.status).toBe(200);
    expect(
      await t.db
        .selectFrom('audit_events')
        .select('id')
        .where('action', '=', 'directory.user_update')
        .where('target_id', '=', user.id)
        .execute(),
    ).toHaveLength(1);
  });

  it('deactivates with active false (sessions end, never deleted) and reactivates with active true', async () => {
    const { token } = await directoryToken(t);
    const { body: user } = await scim(t, token, 'POST', '/Users', newUser('sam@example.com'));
    await createSession(t.db, {
      userId: user.id,
      now: t.clock.now(),
      settings: await getSettings(t.db),
      ip: null,
      userAgent: 'test',
      twoFactorVerified: true,
    });
    const off = await scim(t, token, 'PATCH', `/Users/${user.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    const row = await t.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.deactivated_at).not.toBeNull();
    expect(row.directory_removed_at).toBeNull();
    expect(await t.db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).toEqual(
      [],
    );
    // Still listed (active false), as Entra expects of a soft-deleted person.
    expect((await scim(t, token, 'GET', `/Users/${user.id}`)).body.active).toBe(false);
    const on = await scim(t, token, 'PUT', `/Users/${user.id}`, { ...off.body, active: true });
    expect(on.body.active).toBe(true);
    const events = await t.db
      .selectFrom('audit_events')
      .select(['after'])
      .where('action', '=', 'directory.user_update')
      .where('target_id', '=', user.id)
      .orderBy('id')
      .execute();
    expect(events.map((e) => (e.after as { status: string }).status)).toEqual(['deactivated', 'active']);
  });

  it('DELETE deactivates and marks the person: 404 and out of lists for the directory, kept in Gatehouse', async () => {
    const { token } = await directoryToken(t);
    const { body: user } = await scim(
      t,
      token,
      'POST',
      '/Users',
      newUser('leo@example.com', { externalId: 'leo' }),
    );
    const { body: group } = await scim(t, token, 'POST', '/Groups', {
      displayName: 'Sales',
      members: [{ value: user.id }],
    });
    const gone = await t.app.request(`/scim/v2/Users/${user.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(gone.status).toBe(204);
    expect(await gone.text()).toBe('');
    const row = await t.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.deactivated_at).not.toBeNull();
    expect(row.directory_removed_at).not.toBeNull();
    for (const [method, body] of [
      ['GET', undefined],
      ['PUT', newUser('leo@example.com')],
      ['PATCH', { Operations: [{ op: 'replace', path: 'active', value: true }] }],
      ['DELETE', undefined],
    ] as const) {
      const answer = await scim(t, token, method, `/Users/${user.id}`, body);
      expect([method, answer.status, answer.body.schemas]).toEqual([method, 404, [ERROR]]);
    }
    const listed = await scim(
      t,
      token,
      'GET',
      `/Users?filter=${encodeURIComponent('userName eq "leo@example.com"')}`,
    );
    expect(listed.body.totalResults).toBe(0);
    expect((await scim(t, token, 'GET', `/Groups/${group.id}`)).body.members).toEqual([]);
    expect(
      await t.db.selectFrom('team_members').select('user_id').where('user_id', '=', user.id).execute(),
    ).toEqual([]);
    const event = await t.db
      .selectFrom('audit_events')
      .select(['actor_label', 'after'])
      .where('action', '=', 'directory.user_remove')
      .where('target_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(event.actor_label).toBe('directory: Okta provisioning');
    expect(event.after).toMatchObject({ status: 'deactivated', removedByDirectory: true, teamsLeft: 1 });

    // The same userName provisioned again: the same person, active, the mark cleared.
    const again = await scim(t, token, 'POST', '/Users', newUser('LEO@example.com', { externalId: 'leo-2' }));
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({
      id: user.id,
      active: true,
      externalId: 'leo-2',
      userName: 'LEO@example.com',
    });
    const back = await t.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(back).toMatchObject({ deactivated_at: null, directory_removed_at: null });
  });

  it('shows the account’s people, existing ones too, but never service accounts', async () => {
    const { token, account } = await directoryToken(t);
    const existing = await makeUser(t.db, { role: 'viewer', email: 'existing@example.com' });
    const list = await scim(t, token, 'GET', '/Users');
    const names = list.body.Resources.map((u: { userName: string }) => u.userName);
    expect(names).toEqual(['owner@example.com', 'existing@example.com']);
    expect(list.body).toMatchObject({ totalResults: 2, itemsPerPage: 2, startIndex: 1 });
    expect((await scim(t, token, 'GET', `/Users/${account.id}`)).status).toBe(404);
    // An existing person is matched by userName, and the directory may then change them.
    const found = await scim(
      t,
      token,
      'GET',
      `/Users?filter=${encodeURIComponent('userName eq "EXISTING@example.com"')}`,
    );
    expect(found.body.Resources[0].id).toBe(existing.id);
    const linked = await scim(t, token, 'PATCH', `/Users/${existing.id}`, {
      Operations: [{ op: 'add', path: 'externalId', value: 'okta-7' }],
    });
    expect(linked.body.externalId).toBe('okta-7');
  });
});

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe(`SCIM Groups (${databaseKind})`, () => {
  const membersOf = async (teamId: string) =>
    (
      await t.db
        .selectFrom('team_members')
        .select(['user_id', 'source'])
        .where('team_id', '=', teamId)
        .orderBy('user_id')
        .execute()
    ).map((m) => `${m.user_id}:${m.source}`);

  it('pushes the directory’s teams with its own memberships, and never shows or takes Gatehouse’s teams', async () => {
    const { token } = await directoryToken(t);
    const person = await makeUser(t.db, { email: 'manual@example.com' });
    const manual = await t.db
      .insertInto('teams')
      .values({ name: 'Engineering' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db.insertInto('team_members').values({ team_id: manual.id, user_id: person.id }).execute();
    expect((await scim(t, token, 'GET', '/Groups')).body.totalResults).toBe(0);
    for (const [method, body] of [
      ['GET', undefined],
      ['PUT', { displayName: 'Engineering', members: [] }],
      ['PATCH', { Operations: [{ op: 'remove', path: 'members' }] }],
      ['DELETE', undefined],
    ] as const)
      expect([method, (await scim(t, token, method, `/Groups/${manual.id}`, body)).status]).toEqual([
        method,
        404,
      ]);
    const taken = await scim(t, token, 'POST', '/Groups', { displayName: 'ENGINEERING' });
    expect([taken.status, taken.body.scimType]).toEqual([409, 'uniqueness']);
    expect(await membersOf(manual.id)).toEqual([`${person.id}:manual`]);

    const { body: ada } = await scim(t, token, 'POST', '/Users', newUser('ada@example.com'));
    const created = await scim(t, token, 'POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Sales',
      externalId: 'grp-1',
      members: [{ value: ada.id.toUpperCase(), display: 'ada@example.com' }],
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`http://localhost:3000/scim/v2/Groups/${created.body.id}`);
    expect(created.body).toMatchObject({
      displayName: 'Sales',
      externalId: 'grp-1',
      members: [
        {
          value: ada.id,
          display: 'Ada Lovelace',
          type: 'User',
          $ref: `http://localhost:3000/scim/v2/Users/${ada.id}`,
        },
      ],
      meta: { resourceType: 'Group' },
    });
    const team = await t.db
      .selectFrom('teams')
      .selectAll()
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    expect(team).toMatchObject({ name: 'Sales', source: 'scim', external_id: 'grp-1' });
    expect(await membersOf(team.id)).toEqual([`${ada.id}:scim`]);
    const again = await scim(t, token, 'POST', '/Groups', { displayName: 'Other', externalId: 'grp-1' });
    expect([again.status, again.body.scimType]).toEqual([409, 'uniqueness']);
    const unknown = await scim(t, token, 'POST', '/Groups', {
      displayName: 'Ghosts',
      members: [{ value: crypto.randomUUID() }],
    });
    expect([unknown.status, unknown.body.scimType]).toEqual([400, 'invalidValue']);
    expect(await t.db.selectFrom('teams').select('id').where('name', '=', 'Ghosts').execute()).toEqual([]);
    const event = await t.db
      .selectFrom('audit_events')
      .select(['actor_label', 'after'])
      .where('action', '=', 'directory.team_create')
      .where('target_id', '=', team.id)
      .executeTakeFirstOrThrow();
    expect(event).toEqual({
      actor_label: 'directory: Okta provisioning',
      after: { name: 'Sales', externalId: 'grp-1', members: 1 },
    });
  });

  it('changes members by PATCH add, remove and replace and by PUT, and renames', async () => {
    const { token } = await directoryToken(t);
    const people: string[] = [];
    for (const name of ['a', 'b', 'c'])
      people.push((await scim(t, token, 'POST', '/Users', newUser(`${name}@example.com`))).body.id);
    const [a, b, c] = people as [string, string, string];
    const { body: group } = await scim(t, token, 'POST', '/Groups', {
      displayName: 'Team',
      members: [{ value: a }],
    });
    const patch = (...operations: unknown[]) =>
      scim(t, token, 'PATCH', `/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: operations });
    const events = async () =>
      (
        await t.db
          .selectFrom('audit_events')
          .select(['before', 'after'])
          .where('action', '=', 'directory.team_update')
          .where('target_id', '=', group.id)
          .orderBy('id')
          .execute()
      ).map((e) => ({ before: e.before, after: e.after }));

    const added = await patch({ op: 'add', path: 'members', value: [{ value: b, display: 'b' }] });
    expect(added.status).toBe(204);
    expect(await membersOf(group.id)).toEqual([`${a}:scim`, `${b}:scim`].sort());
    // The same member again: nothing changes, nothing is recorded.
    expect((await patch({ op: 'add', path: 'members', value: [{ value: b }] })).status).toBe(204);
    expect(await events()).toHaveLength(1);
    expect((await patch({ op: 'remove', path: `members[value eq "${a}"]` })).status).toBe(204);
    expect(await membersOf(group.id)).toEqual([`${b}:scim`]);
    expect(
      (await patch({ op: 'replace', path: 'members', value: [{ value: a }, { value: c }] })).status,
    ).toBe(204);
    expect(await membersOf(group.id)).toEqual([`${a}:scim`, `${c}:scim`].sort());
    expect((await patch({ op: 'replace', path: 'displayName', value: 'Team EMEA' })).status).toBe(204);
    const put = await scim(t, token, 'PUT', `/Groups/${group.id}`, {
      displayName: 'Team Europe',
      members: [{ value: c }],
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ displayName: 'Team Europe', members: [{ value: c }] });
    // A PUT without members leaves them; a PATCH removing them all leaves none.
    await scim(t, token, 'PUT', `/Groups/${group.id}`, { displayName: 'Team Europe', externalId: 'eu' });
    expect(await membersOf(group.id)).toEqual([`${c}:scim`]);
    expect((await patch({ op: 'remove', path: 'members' })).status).toBe(204);
    expect(await membersOf(group.id)).toEqual([]);
    const emails = Object.fromEntries([a, b, c].map((id, i) => [id, `${'abc'[i]}@example.com`]));
    expect(await events()).toEqual([
      { before: {}, after: { membersAdded: [emails[b]] } },
      { before: { membersRemoved: [emails[a]] }, after: {} },
      { before: { membersRemoved: [emails[b]] }, after: { membersAdded: [emails[a], emails[c]] } },
      { before: { name: 'Team' }, after: { name: 'Team EMEA' } },
      { before: { name: 'Team EMEA', membersRemoved: [emails[a]] }, after: { name: 'Team Europe' } },
      { before: { externalId: null }, after: { externalId: 'eu' } },
      { before: { membersRemoved: [emails[c]] }, after: {} },
    ]);
  });

  it('deletes a directory team, and its bindings with it', async () => {
    const { token } = await directoryToken(t);
    const { body: group } = await scim(t, token, 'POST', '/Groups', { displayName: 'Readers' });
    await bind(t.db, { teamId: group.id, roleKey: 'viewer' });
    const gone = await t.app.request(`/scim/v2/Groups/${group.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(gone.status).toBe(204);
    expect(await t.db.selectFrom('teams').select('id').where('id', '=', group.id).execute()).toEqual([]);
    expect(
      await t.db.selectFrom('role_bindings').select('id').where('team_id', '=', group.id).execute(),
    ).toEqual([]);
    expect((await scim(t, token, 'GET', `/Groups/${group.id}`)).status).toBe(404);
    const event = await t.db
      .selectFrom('audit_events')
      .select(['actor_label', 'before'])
      .where('action', '=', 'directory.team_delete')
      .where('target_id', '=', group.id)
      .executeTakeFirstOrThrow();
    expect(event).toEqual({
      actor_label: 'directory: Okta provisioning',
      before: { name: 'Readers', externalId: null, members: 0 },
    });
  });
});

describe(`SCIM PATCH dialects (${databaseKind})`, () => {
  it('reads ops and names in any case, string booleans, dotted keys, complex values and URNs', async () => {
    const { token } = await directoryToken(t);
    const { body: user } = await scim(
      t,
      token,
      'POST',
      '/Users',
      newUser('dia@example.com', { externalId: 'd-1' }),
    );
    const patch = async (...operations: unknown[]) => {
      const answer = await scim(t, token, 'PATCH', `/Users/${user.id}`, {
        schemas: [PATCH_OP],
        Operations: operations,
      });
      expect([JSON.stringify(operations), answer.status]).toEqual([JSON.stringify(operations), 200]);
      return answer.body;
    };
    expect((await patch({ op: 'REPLACE', path: 'NAME.GIVENNAME', value: 'Zed' })).name).toMatchObject({
      givenName: 'Zed',
      familyName: 'Lovelace',
    });
    expect((await patch({ Op: 'Replace', Value: { Active: 'False' } })).active).toBe(false);
    const many = await patch({
      op: 'replace',
      value: {
        active: 'True',
        'name.familyName': 'Quill',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department': 'Sales',
        id: 'not-mine',
        groups: [],
        meta: { resourceType: 'User' },
      },
    });
    expect(many).toMatchObject({
      id: user.id,
      active: true,
      name: { givenName: 'Zed', familyName: 'Quill' },
    });
    // A complex value changes only the sub-attributes it has.
    expect((await patch({ op: 'replace', value: { name: { givenName: 'Yan' } } })).name).toMatchObject({
      givenName: 'Yan',
      familyName: 'Quill',
    });
    expect((await patch({ op: 'replace', path: `${USER}:displayName`, value: 'Shown' })).displayName).toBe(
      'Shown',
    );
    // Attributes Gatehouse does not keep: accepted, not kept.
    const kept = await patch(
      { op: 'add', path: 'title', value: 'CEO' },
      { op: 'remove', path: 'phoneNumbers[type eq "work"]' },
      {
        op: 'add',
        path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager',
        value: { value: 'x' },
      },
    );
    expect(kept.title).toBeUndefined();
    // The work email is userName: a change to it alone is not kept.
    const email = await patch({
      op: 'replace',
      path: 'emails[type eq "work"].value',
      value: 'elsewhere@example.com',
    });
    expect(email.emails).toEqual([{ value: 'dia@example.com', type: 'work', primary: true }]);
    expect((await patch({ op: 'remove', path: 'externalId' })).externalId).toBeUndefined();
    expect((await patch({ op: 'replace', path: 'active', value: 'FALSE' })).active).toBe(false);
    const row = await t.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ given_name: 'Yan', family_name: 'Quill', name: 'Shown', external_id: null });
    expect(row.deactivated_at).not.toBeNull();
  });

  it('reads members as single objects or lists, with or without a path, and ids in any case', async () => {
    const { token } = await directoryToken(t);
    const a = (await scim(t, token, 'POST', '/Users', newUser('ma@example.com'))).body.id as string;
    const b = (await scim(t, token, 'POST', '/Users', newUser('mb@example.com'))).body.id as string;
    const { body: group } = await scim(t, token, 'POST', '/Groups', { displayName: 'Dialects' });
    const patch = async (...operations: unknown[]) => {
      const answer = await scim(t, token, 'PATCH', `/Groups/${group.id}`, { Operations: operations });
      expect([JSON.stringify(operations), answer.status]).toEqual([JSON.stringify(operations), 204]);
      const read = await scim(t, token, 'GET', `/Groups/${group.id}`);
      return {
        name: read.body.displayName,
        externalId: read.body.externalId,
        members: read.body.members.map((m: { value: string }) => m.value).sort(),
      };
    };
    expect((await patch({ op: 'ADD', path: 'Members', value: { value: a.toUpperCase() } })).members).toEqual([
      a,
    ]);
    expect((await patch({ op: 'add', value: { members: [{ value: b }] } })).members).toEqual([a, b].sort());
    expect((await patch({ op: 'Remove', path: 'members', value: { value: a } })).members).toEqual([b]);
    expect((await patch({ op: 'remove', path: `members[value eq "${b.toUpperCase()}"]` })).members).toEqual(
      [],
    );
    expect(
      await patch({ op: 'replace', value: { id: group.id, displayName: 'Renamed', externalId: 'e-9' } }),
    ).toEqual({
      name: 'Renamed',
      externalId: 'e-9',
      members: [],
    });
  });
});
