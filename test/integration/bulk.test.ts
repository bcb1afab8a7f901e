import { beforeAll, describe, expect, it } from 'vitest';
import { builtinRoleId, defaultProjectId, effectivePermissions } from '../../src/access/grants';
import { previewBulk } from '../../src/users/bulk';
import { databaseKind } from '../helpers/database';
import { clientFor, FIXTURE_PASSWORD, makeUser, resetData } from '../helpers/fixtures';
import { Client } from '../helpers/http';
import { setUpApp } from '../helpers/set-up-app';

const t = setUpApp({ resetEach: true });
let projectId: string;
beforeAll(async () => {
  projectId = await defaultProjectId(t.db);
});

function form(action: string, ids: string[], roleId = '') {
  return new URLSearchParams([
    ['action', action],
    ['roleId', roleId],
    ...ids.map((id) => ['ids', id] as [string, string]),
  ]).toString();
}

async function post(client: Client, path: string, body: string) {
  return client.request(path, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
}

/** Starts a bulk action: the request goes to its page, which (its job run) shows the outcome. */
async function runBulk(client: Client, body: string) {
  const started = await post(client, '/users/bulk', body);
  expect(started.status).toBe(303);
  const location = started.headers.get('location') ?? '';
  expect(location).toMatch(/^\/users\/bulk\/[0-9a-f-]{36}$/);
  const page = await client.get(location);
  expect(page.status).toBe(200);
  return page.text();
}

describe(`bulk actions (${databaseKind})`, () => {
  it('acts on every user the list filter matches, as previewed, and refuses when the set changed', async () => {
    const owner = await makeUser(t.db, { role: 'account_admin', name: 'Olga Owner' });
    const client = await clientFor(t, owner.id);
    const viewers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        makeUser(t.db, { role: 'viewer', name: `Match ${String(i).padStart(2, '0')}` }),
      ),
    );
    await makeUser(t.db, { role: 'viewer', name: 'Other Person' });
    const all = (filter: string, extra: Array<[string, string]> = []) =>
      new URLSearchParams([
        ['action', 'deactivate'],
        ['roleId', ''],
        ['all', 'matching'],
        ['filter', filter],
        ...extra,
      ]).toString();

    // Ticked ids are ignored when "all matching" is sent: the filter decides.
    const preview = await post(client, '/users/bulk/preview', `${all('q=match')}&ids=${owner.id}`);
    expect(preview.status).toBe(200);
    const html = await preview.text();
    expect(html).toContain('30 users match the filters.');
    expect(html).toContain('name="expected" value="30"');
    expect(html).not.toContain('Other Person');

    // Someone new matches between the preview and the confirmation: refused, nothing changed.
    await makeUser(t.db, { role: 'viewer', name: 'Match Late' });
    const refused = await post(
      client,
      '/users/bulk',
      all('q=match', [
        ['expected', '30'],
        ['back', '/users?q=match'],
      ]),
    );
    expect(refused.status).toBe(303);
    // Back to the list as it was left; never anywhere but a users list.
    expect(refused.headers.get('location')).toBe('/users?q=match');
    const elsewhere = await post(
      client,
      '/users/bulk',
      all('q=match', [
        ['expected', '30'],
        ['back', '//evil.example/users'],
      ]),
    );
    expect(elsewhere.headers.get('location')).toBe('/users');
    expect(
      await t.db.selectFrom('users').select('id').where('deactivated_at', 'is not', null).execute(),
    ).toEqual([]);

    const result = await runBulk(client, all('q=match', [['expected', '31']]));
    expect(result).toContain('31 users changed.');
    const gone = await t.db
      .selectFrom('users')
      .select('id')
      .where('deactivated_at', 'is not', null)
      .execute();
    expect(gone.map((u) => u.id)).toEqual(expect.arrayContaining(viewers.map((v) => v.id)));
    expect(gone).toHaveLength(31);

    // A filter nobody matches, and a filter the list cannot read, change nothing.
    expect((await post(client, '/users/bulk/preview', all('q=nobody-at-all'))).status).toBe(303);
  });

  it('previews each user with what will happen or why they are skipped, then does it', async () => {
    await makeUser(t.db, { role: 'account_admin' });
    const coAdmin = await makeUser(t.db, { role: 'co_admin', name: 'Carla Co' });
    const admin = await makeUser(t.db, { role: 'admin', name: 'Adam Above' });
    const a = await makeUser(t.db, { role: 'viewer', name: 'Vera One' });
    const b = await makeUser(t.db, { role: 'editor', name: 'Eddie Two' });
    const gone = await makeUser(t.db, { role: 'viewer', name: 'Gone Already' });
    await t.db.updateTable('users').set({ deactivated_at: new Date() }).where('id', '=', gone.id).execute();
    const client = await clientFor(t, coAdmin.id);
    const ids = [coAdmin.id, admin.id, a.id, b.id, gone.id];

    const preview = await post(client, '/users/bulk/preview', form('deactivate', ids));
    expect(preview.status).toBe(200);
    const html = await preview.text();
    expect(html).toContain('2 of 5 selected users will be changed; 3 skipped.');
    expect(html).toMatch(/Carla Co<\/th><td>[^<]+<\/td><td>skipped: that is you/);
    expect(html).toMatch(/Adam Above<\/th><td>[^<]+<\/td><td>skipped: has access you do not have/);
    expect(html).toMatch(/Gone Already<\/th><td>[^<]+<\/td><td>skipped: already deactivated/);
    expect(html).toMatch(/Vera One<\/th><td>[^<]+<\/td><td>will be deactivated/);
    const deactivatedBefore = await t.db
      .selectFrom('users')
      .select('id')
      .where('deactivated_at', 'is not', null)
      .execute();
    expect(deactivatedBefore).toHaveLength(1);

    // The confirmation carries the ids; every rule is checked again when it runs.
    const result = await runBulk(client, form('deactivate', [a.id, b.id, admin.id]));
    expect(result).toContain('2 users changed; 1 skipped or refused.');
    expect(result).toMatch(/<th scope="row">[^<]+<\/th><td>skipped<\/td><td>has access you do not have/);
    const now = await t.db.selectFrom('users').select('id').where('deactivated_at', 'is not', null).execute();
    expect(now.map((u) => u.id).sort()).toEqual([a.id, b.id, gone.id].sort());
    expect((await new Client(t.app).signIn(a.email, FIXTURE_PASSWORD)).status).toBe(401);
  });

  it('changes the role in the current project, within the rules', async () => {
    const owner = await makeUser(t.db, { role: 'account_admin' });
    const a = await makeUser(t.db, { role: 'viewer', projectId });
    const b = await makeUser(t.db);
    const publisher = await builtinRoleId(t.db, 'publisher');
    const client = await clientFor(t, owner.id);
    const missing = await post(client, '/users/bulk/preview', form('change_role', [a.id]));
    expect(missing.status).toBe(303);
    expect(await runBulk(client, form('change_role', [a.id, b.id], publisher))).toContain('2 users changed.');
    for (const user of [a, b]) {
      expect((await effectivePermissions(t.db, user.id, projectId, new Date())).has('content.publish')).toBe(
        true,
      );
      const bindings = await t.db
        .selectFrom('role_bindings')
        .select('role_id')
        .where('user_id', '=', user.id)
        .execute();
      expect(bindings).toEqual([{ role_id: publisher }]);
    }
  });

  it('resends set-password emails only to those without a password, and deletes', async () => {
    const owner = await makeUser(t.db, { role: 'account_admin' });
    const pending = await t.db
      .insertInto('users')
      .values({ email: 'pending@example.com', name: 'Pending' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const active = await makeUser(t.db, { role: 'viewer' });
    const client = await clientFor(t, owner.id);
    const resent = await runBulk(client, form('resend', [pending.id, active.id]));
    expect(resent).toContain('1 user changed; 1 skipped or refused.');
    expect(t.mailer.messages.map((m) => m.to)).toEqual(['pending@example.com']);
    const deleted = await runBulk(client, form('delete', [pending.id, active.id]));
    expect(deleted).toContain('2 users changed.');
    expect(
      await t.db.selectFrom('users').select('id').where('id', 'in', [pending.id, active.id]).execute(),
    ).toEqual([]);
  });

  it('skips the last admins rather than leave the account without one', async () => {
    const owner = await makeUser(t.db, { role: 'account_admin' });
    const cli = { ...t.system, actor: { kind: 'system' as const, label: 'cli' } };
    const preview = await previewBulk(cli, projectId, { action: 'delete', ids: [owner.id] });
    expect(preview.items[0]).toMatchObject({
      skipped: true,
      outcome: 'skipped: the account would be left without an admin',
    });
  });

  it('refuses bad input plainly', async () => {
    const owner = await makeUser(t.db, { role: 'account_admin' });
    const client = await clientFor(t, owner.id);
    const unknownRole = await post(
      client,
      '/users/bulk/preview',
      form('change_role', [owner.id], '00000000-0000-4000-8000-000000000000'),
    );
    expect(unknownRole.status).toBe(303);
    expect(await (await client.get('/users')).text()).toContain('Choose the new role from the list.');
    const none = await post(client, '/users/bulk/preview', form('deactivate', []));
    expect(none.status).toBe(303);
    expect(await (await client.get('/users')).text()).toContain('Select at least one user.');
    expect((await post(client, '/users/bulk/preview', form('explode', [owner.id]))).status).toBe(303);
  });
});

describe('reset all passwords', () => {
  it('states the count, resets everyone but the actor, ends their sessions and emails each', async () => {
    const owner = await makeUser(t.db, { role: 'account_admin' });
    const others = [await makeUser(t.db, { role: 'viewer' }), await makeUser(t.db, { role: 'editor' })];
    const gone = await makeUser(t.db);
    await t.db.updateTable('users').set({ deactivated_at: new Date() }).where('id', '=', gone.id).execute();
    const client = await clientFor(t, owner.id);
    const otherClient = await clientFor(t, others[0]?.id as string);
    expect(await (await client.get('/users/reset-all')).text()).toContain(
      'The passwords of 2 people stop working',
    );
    const response = await client.post('/users/reset-all', {});
    expect(response.status).toBe(303);
    expect((await client.get('/')).status).toBe(200);
    expect((await otherClient.get('/')).status).toBe(303);
    for (const user of others)
      expect((await new Client(t.app).signIn(user.email, FIXTURE_PASSWORD)).status).toBe(401);
    expect((await new Client(t.app).signIn(owner.email, FIXTURE_PASSWORD)).status).toBe(303);
    expect(t.mailer.messages.map((m) => m.to).sort()).toEqual(others.map((u) => u.email).sort());
    const coAdmin = await makeUser(t.db, { role: 'admin' });
    expect((await (await clientFor(t, coAdmin.id)).post('/users/reset-all', {})).status).toBe(403);
  });
});

describe('bulk failures', () => {
  it('does everyone; an email the provider cannot take yet stays queued for a retry, not lost', async () => {
    await resetData(t.db);
    const owner = await makeUser(t.db, { role: 'account_admin' });
    const a = await t.db
      .insertInto('users')
      .values({ email: 'a-pending@example.com', name: 'A Pending' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const b = await t.db
      .insertInto('users')
      .values({ email: 'b-pending@example.com', name: 'B Pending' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const send = t.mailer.send.bind(t.mailer);
    t.mailer.send = async (message) => {
      if (message.to === 'b-pending@example.com') throw new Error('mail server down');
      return send(message);
    };
    try {
      const html = await runBulk(await clientFor(t, owner.id), form('resend', [a.id, b.id]));
      expect(html).toContain('2 users changed');
      expect(t.mailer.messages.map((m) => m.to)).toEqual(['a-pending@example.com']);
      const waiting = await t.db
        .selectFrom('mail_messages')
        .select(['state', 'attempts', 'reason'])
        .where('user_id', '=', b.id)
        .executeTakeFirstOrThrow();
      expect(waiting).toEqual({
        state: 'queued',
        attempts: 1,
        reason: 'could not reach the mail provider: mail server down',
      });
    } finally {
      t.mailer.send = send;
    }
  });
});
