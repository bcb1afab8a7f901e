import { sql } from 'kysely';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { guard } from '../../src/web/guard';
import { clientFor, makeUser, snapshot } from '../helpers/fixtures';
import type { Client } from '../helpers/http';
import { setUpApp } from '../helpers/set-up-app';
import { settingsForm } from '../helpers/settings-form';

/**
 * Malformed input answers 4xx with a message and changes nothing: control
 * characters and bad UTF-8 in form fields, impossible dates in list cursors, malformed path ids,
 * and unknown ids on the pages a refusal shows again.
 */

const t = setUpApp();
let admin: Client;
let viewer: Client;
let teamId: string;
const uuid = '6f1c2b1e-8d4a-4c3b-9f2e-1a2b3c4d5e6f';

beforeAll(async () => {
  const a = await makeUser(t.db, { role: 'account_admin', email: 'admin@example.com' });
  const v = await makeUser(t.db, { role: 'viewer', email: 'viewer@example.com' });
  admin = await clientFor(t, a.id);
  viewer = await clientFor(t, v.id);
  await t.db
    .updateTable('sessions')
    .set({ reauthenticated_at: t.clock.now() })
    .where('user_id', '=', a.id)
    .execute();
  teamId = (await t.db.insertInto('teams').values({ name: 'Blue' }).returning('id').executeTakeFirstOrThrow())
    .id;
  t.app.get('/test/refused-value', guard(t.deps, 'public'), async (c) => {
    await sql`select ${'a\u0000b'}::text`.execute(t.db);
    return c.text('not reached');
  });
});
beforeEach(() => {
  // Each test sees the errors its own requests logged.
  t.errors.length = 0;
});

const raw = (client: Client, path: string, body: string) =>
  client.request(path, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });

describe('control characters in form fields', () => {
  const cases: Array<[string, string, Record<string, string>, string]> = [
    ['a team name', '/teams', { name: 'Red\u0000', description: '' }, 'name'],
    ['a team description', '/teams', { name: 'Red', description: 'x\u0001' }, 'description'],
    ['a role name', '/roles', { name: 'Auditor\u0000' }, 'name'],
    ['a project name', '/projects', { name: 'Apollo\u0000' }, 'name'],
    ['the account name', '/settings', settingsForm({ account_name: 'Acme\u0000' }), 'account_name'],
    ['the profile name', '/account/profile', { name: 'Ada\u0000', language: 'en', time_zone: '' }, 'name'],
    ['an email on a binding', '/access/bindings', { subject: 'user', email: 'a\u0000@example.com' }, 'email'],
    ['an email added to a team', `/teams/${uuid}/members`, { email: 'b\u0000@example.com' }, 'email'],
    ['a line break in a one-line field', '/projects', { name: 'Two\nlines' }, 'name'],
    ['an escape sequence', '/projects', { name: '\u001b[2J' }, 'name'],
  ];
  it.each(cases)('refuses %s with 400 naming the field, changing nothing', async (_, path, form, field) => {
    const before = await snapshot(t.db);
    const response = await admin.post(path, form);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain(`The field “${field}” contains a control character`);
    expect(await snapshot(t.db)).toBe(before);
  });

  it('refuses a NUL in the sign-in email with 400, before any lookup', async () => {
    const response = await raw(viewer, '/login', 'email=ada%00@example.com&password=whatever');
    expect(response.status).toBe(400);
    expect(t.errors).toEqual([]);
  });

  it('takes tab and line breaks in multi-line fields (the invitation form)', async () => {
    const project = await t.db.selectFrom('projects').select('id').executeTakeFirstOrThrow();
    const role = await t.db
      .selectFrom('roles')
      .select('id')
      .where('key', '=', 'viewer')
      .executeTakeFirstOrThrow();
    const response = await admin.post('/invitations', {
      emails: 'ana@example.com\r\nbo@example.com',
      projectId: project.id,
      roleId: role.id,
      language: 'en',
      message: 'Welcome!\r\n\tThe team',
    });
    expect(response.status).toBe(200);
    const sent = await t.db.selectFrom('invitations').select('message').execute();
    expect(sent.map((i) => i.message)).toEqual(['Welcome!\n\tThe team', 'Welcome!\n\tThe team']);
  });
});

describe('bytes that are not UTF-8 text', () => {
  it.each([['%ff'], ['%c3%28'], ['%e0%a4%a'], ['%ed%a0%80'], ['%c0%af']])(
    'refuses a form whose escape %s is not UTF-8, changing nothing',
    async (bytes) => {
      const before = await snapshot(t.db);
      const response = await raw(admin, '/projects', `name=Jos${bytes}`);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('not sent as UTF-8');
      expect(await snapshot(t.db)).toBe(before);
    },
  );

  it('still reads escaped UTF-8 and a lone percent sign', async () => {
    const response = await raw(admin, '/projects', 'name=Jos%C3%A9+100%');
    expect(response.status).toBe(303);
    const project = await t.db
      .selectFrom('projects')
      .select('name')
      .where('name', 'like', 'Jos%')
      .executeTakeFirst();
    expect(project?.name).toBe('José 100%');
  });

  it('refuses a value longer than any field takes', async () => {
    const response = await admin.post('/teams', { name: 'Long', description: 'x'.repeat(20_001) });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('longer than 20,000 characters');
  });
});

describe('cursors a list never wrote', () => {
  const b64 = (parts: unknown) => Buffer.from(JSON.stringify(parts)).toString('base64url');
  const cursors: Array<[string, string]> = [
    ['/users?sort=created', b64(['2026-02-31 00:00:00+00', uuid])],
    ['/users?sort=-created', b64(['9999-99-99 99:99:99+99', uuid])],
    ['/users?sort=last_login', b64(['0000-01-01 00:00:00+00', uuid])],
    ['/users?sort=created', b64(['2026-01-01 24:00:00+00', uuid])],
    ['/invitations?x=1', b64(['0', '2026-02-31T00:00:00.000Z', uuid])],
    ['/invitations?x=1', b64(['0', '9999-99-99T00:00:00.000Z', uuid])],
    ['/audit?x=1', b64(['2026-02-31T00:00:00.000000Z', '1'])],
    ['/audit?x=1', b64(['0000-01-01T00:00:00.000000Z', '1'])],
    ['/audit?x=1', Buffer.from('garbage \u0000').toString('base64')],
  ];
  it.each(cursors)('%s with a cursor of an impossible date shows the first page', async (list, cursor) => {
    for (const side of ['after', 'before']) {
      const response = await admin.get(`${list}&${side}=${cursor}&pos=26`);
      expect(response.status, side).toBe(200);
    }
    expect(t.errors).toEqual([]);
  });
});

describe('malformed ids in paths', () => {
  it.each([
    ['GET', '/teams/a%00b'],
    ['GET', '/users/%ff'],
    ['GET', `/users/${uuid}x/edit`],
    ['GET', '/roles/zz/delete'],
    ['GET', '/audit/events/1.5'],
    ['GET', '/audit/events/99999999999999999999'],
    ['POST', '/teams/a%00b'],
    ['POST', `/teams/${uuid}/members/a%00b/remove`],
    ['POST', '/invitations/%00/revoke'],
    ['POST', '/invitations/zz/edit'],
  ])('%s %s is 404 and changes nothing', async (method, path) => {
    const before = await snapshot(t.db);
    const response = await admin.request(path, {
      method,
      form: method === 'POST' ? { name: 'x' } : undefined,
    });
    expect(response.status).toBe(404);
    expect(await snapshot(t.db)).toBe(before);
    expect(t.errors).toEqual([]);
  });

  it('audits a refused request for a path with a NUL, percent-encoded', async () => {
    const response = await viewer.get('/teams/a%00b/delete');
    expect(response.status).toBe(403);
    const event = await t.db
      .selectFrom('audit_events')
      .select('target_id')
      .where('request_id', '=', response.headers.get('x-request-id'))
      .executeTakeFirstOrThrow();
    expect(event.target_id).toBe('GET /teams/a%00b/delete');
  });
});

describe('a refusal for an id that names nothing', () => {
  it('answers 404 where the refused form would be shown again (invitation edit)', async () => {
    const response = await admin.post(`/invitations/${uuid}/edit`, { projectId: 'zz', roleId: 'zz' });
    expect(response.status).toBe(404);
    expect(t.errors).toEqual([]);
  });

  it('answers 404 for a team member added to an unknown team', async () => {
    const response = await admin.post(`/teams/${uuid}/members`, { email: 'nobody@example.com' });
    expect(response.status).toBe(404);
    expect((await admin.post(`/teams/${teamId}/members`, { email: 'nobody@example.com' })).status).toBe(422);
  });
});

describe('a value the database refuses', () => {
  it('is answered 400, and logged as the bug it is', async () => {
    const response = await viewer.get('/test/refused-value');
    expect(response.status).toBe(400);
    expect(t.errors.map((e) => e.message)).toEqual([
      expect.stringContaining('GET /test/refused-value: a value was refused'),
    ]);
  });
});
