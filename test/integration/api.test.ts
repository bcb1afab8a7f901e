import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Validator } from '@seriousme/openapi-schema-validator';
import { OpenAPIClientAxios } from 'openapi-client-axios';
import { describe, expect, it } from 'vitest';
import { deleteBinding } from '../../src/access/bindings';
import { effectiveAccess } from '../../src/access/effective-access';
import { builtinRoleId, defaultProjectId } from '../../src/access/grants';
import { PERMISSIONS } from '../../src/access/permissions';
import { createServiceAccount } from '../../src/api/service-accounts';
import { createApiToken, revokeApiToken } from '../../src/api/tokens';
import { ValidationError } from '../../src/core/errors';
import { openDatabase } from '../../src/db/connect';
import { listUsers, parseUserListQuery } from '../../src/users/list';
import { databaseKind } from '../helpers/database';
import { actorContext, bind, clientFor, makeMembers, makeUser, snapshot } from '../helpers/fixtures';
import { setUpApp } from '../helpers/set-up-app';

const t = setUpApp({ resetEach: true, accessCache: true });

/** A token for the person (made as the CLI does), limited to `permissions` when given. */
async function tokenFor(userId: string, permissions?: string[], expiresDays?: number | 'never') {
  return (await createApiToken(t.system, { ownerId: userId, name: 'test token', permissions, expiresDays }))
    .token;
}

const call = (token: string | null, path: string, init: RequestInit & { json?: unknown } = {}) => {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  return t.app.request(path, {
    ...init,
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });
};

describe(`API tokens (${databaseKind})`, () => {
  it('are shown once, kept hashed, recognisable, a subset of the owner’s, and stop when revoked, expired or the owner is deactivated', async () => {
    const admin = await makeUser(t.db, { role: 'admin' });
    const me = await actorContext(t, admin);
    const made = await createApiToken(me, { name: 'CI', permissions: ['users.view'] });
    expect(made.token).toMatch(/^gh_[A-Za-z0-9_-]{20}_[A-Za-z0-9_-]{43}$/);
    const secret = made.token.slice(-43);
    const stored = JSON.stringify(await t.db.selectFrom('api_tokens').selectAll().execute());
    expect(stored).not.toContain(secret);
    expect(stored).toContain(made.id);
    // Default expiry: 90 days.
    expect(Math.round(((made.expiresAt?.getTime() ?? 0) - t.clock.now().getTime()) / 86_400_000)).toBe(90);

    // Never more than the owner: an Admin holds no account.settings.
    await expect(createApiToken(me, { name: 'too much', permissions: ['account.settings'] })).rejects.toThrow(
      ValidationError,
    );
    await expect(createApiToken(me, { name: 'forever', expiresDays: 'never' })).rejects.toThrow(
      /account\.settings/,
    );

    expect((await call(made.token, '/api/v1/users')).status).toBe(200);
    // The token's list leaves users.manage out: the owner may, the token may not.
    const member = await makeUser(t.db, { role: 'viewer' });
    const refused = await call(made.token, `/api/v1/users/${member.id}/deactivate`, { method: 'POST' });
    expect(refused.status).toBe(403);
    expect((await refused.json()).type).toBe('urn:gatehouse:problem:forbidden');

    // Wrong secret, then revoked: refused, and the refusals are audited.
    const wrong = `${made.token.slice(0, -1)}${made.token.endsWith('A') ? 'B' : 'A'}`;
    expect((await call(wrong, '/api/v1/users')).status).toBe(401);
    await revokeApiToken(me, made.id);
    const revoked = await call(made.token, '/api/v1/users');
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get('www-authenticate')).toContain('invalid_token');
    const reasons = await t.db
      .selectFrom('audit_events')
      .select('reason')
      .where('action', '=', 'api_token.refused')
      .orderBy('id')
      .execute();
    expect(reasons.map((r) => r.reason)).toEqual(['wrong secret', 'revoked']);

    // Expired, and an owner deactivated.
    const short = await tokenFor(admin.id, undefined, 1);
    expect((await call(short, '/api/v1/users')).status).toBe(200);
    t.clock.advance(2 * 86_400_000);
    expect((await call(short, '/api/v1/users')).status).toBe(401);
    const other = await tokenFor(admin.id);
    await t.db
      .updateTable('users')
      .set({ deactivated_at: t.clock.now() })
      .where('id', '=', admin.id)
      .execute();
    expect((await call(other, '/api/v1/users')).status).toBe(401);
    expect((await call(null, '/api/v1/users')).status).toBe(401);
  });

  it('a cookie means nothing to the API, and a bearer token nothing to the console', async () => {
    const admin = await makeUser(t.db, { role: 'admin' });
    const token = await tokenFor(admin.id);
    expect((await call(null, '/api/v1/users', { headers: { cookie: 'gh_session=whatever' } })).status).toBe(
      401,
    );
    const console = await call(token, '/users');
    expect(console.status).toBe(303);
    expect(console.headers.get('location')).toContain('/login');
  });
});

describe(`what a token may not do (${databaseKind})`, () => {
  it('grants nothing outside its own list, whatever its owner holds', async () => {
    const owner = await makeUser(t.db, { role: 'account_admin' });
    const person = await makeUser(t.db, {});
    const team = (
      await t.db.insertInto('teams').values({ name: 'Ops' }).returning('id').executeTakeFirstOrThrow()
    ).id;
    const narrow = await tokenFor(owner.id, ['users.manage', 'users.view']);
    const before = await snapshot(t.db);
    // users.manage lets it bind people, but not to what the token lacks (audit.view).
    const escalate = await call(narrow, '/api/v1/bindings', {
      method: 'POST',
      json: {
        subject: 'user',
        email: person.email,
        access: 'manual',
        permissions: ['audit.view'],
        scope: 'account',
      },
    });
    expect((await escalate.json()).type).toBe('urn:gatehouse:problem:no-escalation');
    // Team membership needs teams.manage in the list (the owner holds it; the token does not).
    const join = await call(narrow, `/api/v1/teams/${team}/members`, {
      method: 'POST',
      json: { email: person.email },
    });
    expect(join.status).toBe(403);
    expect(await snapshot(t.db)).toBe(before);
  });

  it('is made for a service account only by someone who outranks it, with the permission account-wide', async () => {
    await makeUser(t.db, { role: 'account_admin' });
    const admin = await makeUser(t.db, { role: 'admin' });
    const powerful = await createServiceAccount(t.system, { name: 'Provisioner' });
    await bind(t.db, { userId: powerful.id, roleKey: 'account_admin' });
    const me = await actorContext(t, admin);
    await expect(createApiToken(me, { ownerId: powerful.id, name: 'mine now' })).rejects.toThrow(
      /access you do not have/,
    );
    const modest = await createServiceAccount(t.system, { name: 'Reader' });
    await bind(t.db, { userId: modest.id, roleKey: 'viewer' });
    expect((await createApiToken(me, { ownerId: modest.id, name: 'fine' })).token).toMatch(/^gh_/);
    // Not for a person other than oneself.
    const other = await makeUser(t.db, { role: 'viewer' });
    await expect(createApiToken(me, { ownerId: other.id, name: 'theirs' })).rejects.toThrow(ValidationError);
  });

  it('answers control characters and oversized bodies with 4xx, never 5xx', async () => {
    const owner = await makeUser(t.db, { role: 'account_admin' });
    const token = await tokenFor(owner.id);
    const project = await defaultProjectId(t.db);
    const nul = await call(token, '/api/v1/bindings', {
      method: 'POST',
      json: {
        subject: 'user',
        email: 'a\u0000b@example.com',
        access: 'manual',
        permissions: ['reports.view'],
      },
    });
    expect(nul.status).toBe(422);
    expect((await nul.json()).errors).toEqual({ email: 'Remove the control character U+0000.' });
    const account = await createServiceAccount(t.system, { name: 'Backend' });
    await bind(t.db, { userId: account.id, roleKey: 'account_admin' });
    const checker = (await createApiToken(t.system, { ownerId: account.id, name: 'checks' })).token;
    const check = await call(checker, '/access/v1/evaluation', {
      method: 'POST',
      json: {
        subject: { type: 'user', id: 'x\u0000' },
        action: { name: 'reports.view' },
        resource: { type: 'project', id: project },
      },
    });
    expect(check.status).toBe(400);
    const huge = await call(token, '/api/v1/teams', { method: 'POST', json: { name: 'x'.repeat(300_000) } });
    expect(huge.status).toBe(413);
    expect(t.errors.filter((e) => !/value was refused/.test(e.message))).toEqual([]);
  });
});

describe(`the REST API (${databaseKind})`, () => {
  it('lists users as the console does, for the same filters and pages', async () => {
    await makeMembers(t.db, 30);
    const admin = await makeUser(t.db, { role: 'admin' });
    const token = await tokenFor(admin.id, ['users.view']);
    const project = await defaultProjectId(t.db);
    for (const query of ['q=member', 'q=m1&sort=-email', 'status=active&per=10', 'per=10&sort=-created']) {
      const api = await (await call(token, `/api/v1/users?${query}`)).json();
      const listed = await listUsers(
        t.db,
        parseUserListQuery(new URLSearchParams(query)),
        project,
        t.clock.now(),
      );
      expect(api.data.map((u: { id: string }) => u.id)).toEqual(listed.rows.map((u) => u.id));
      expect(api.total.value).toBe(listed.total.value);
    }
    // Keyset paging: the next link's page is the console's next page.
    const first = await (await call(token, '/api/v1/users?per=10&q=member')).json();
    const second = await (await call(token, `/api/v1/users?${first.next}`)).json();
    expect(second.data).toHaveLength(10);
    expect(second.data[0].id).not.toBe(first.data[0].id);
    const refused = await call(token, '/api/v1/users?per=7');
    expect(refused.status).toBe(422);
    // And the console's export of the same filter: the same people in the same order.
    const exporter = await makeUser(t.db, { role: 'account_admin' });
    const exported = await (
      await (await clientFor(t, exporter.id)).request('/users/export.json?q=member&sort=-email')
    ).json();
    const all = await (await call(token, '/api/v1/users?q=member&sort=-email&per=100')).json();
    expect(all.data.map((u: { email: string }) => u.email)).toEqual(
      exported.map((u: { email: string }) => u.email),
    );
  });

  it('refuses each rule with its problem type and changes nothing', async () => {
    const admin = await makeUser(t.db, { role: 'admin' });
    const owner = await makeUser(t.db, { role: 'account_admin' });
    const token = await tokenFor(admin.id);
    const before = await snapshot(t.db);
    const cases: Array<[string, RequestInit & { json?: unknown }, number, string]> = [
      [`/api/v1/users/${admin.id}/deactivate`, { method: 'POST' }, 403, 'not-yourself'],
      [`/api/v1/users/${owner.id}/deactivate`, { method: 'POST' }, 403, 'rank'],
      [
        '/api/v1/users',
        {
          method: 'POST',
          json: { name: 'Eve', email: 'eve@example.com', roleId: await builtinRoleId(t.db, 'account_admin') },
        },
        403,
        'no-escalation',
      ],
      [
        '/api/v1/users',
        { method: 'POST', json: { name: '', email: 'not an email', roleId: 'x' } },
        422,
        'validation',
      ],
      [`/api/v1/users/${crypto.randomUUID()}/deactivate`, { method: 'POST' }, 404, 'not-found'],
    ];
    for (const [path, init, status, type] of cases) {
      const answer = await call(token, path, init);
      expect([path, answer.status]).toEqual([path, status]);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      const body = await answer.json();
      expect(body.type).toBe(`urn:gatehouse:problem:${type}`);
      if (type === 'validation') expect(Object.keys(body.errors).length).toBeGreaterThan(0);
    }
    expect(await snapshot(t.db)).toBe(before);
    // The last account manager cannot be removed: the owner's own token deactivating the admin
    // is fine, but the only Account Admin leaving is not.
    const ownerToken = await tokenFor(owner.id);
    const last = await call(ownerToken, `/api/v1/users/${owner.id}`, { method: 'DELETE' });
    expect((await last.json()).type).toMatch(/not-yourself|last-admin/);
  });

  it('creates once for a retried Idempotency-Key, and refuses a stale If-Match', async () => {
    const admin = await makeUser(t.db, { role: 'admin' });
    const token = await tokenFor(admin.id);
    const viewer = await builtinRoleId(t.db, 'viewer');
    const create = () =>
      call(token, '/api/v1/users', {
        method: 'POST',
        headers: { 'idempotency-key': 'hire-42' },
        json: { name: 'Grace Hopper', email: 'grace@example.com', roleId: viewer },
      });
    const first = await create();
    expect(first.status).toBe(201);
    const second = await create();
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect((await second.json()).id).toBe((await first.json()).id);
    expect(
      await t.db.selectFrom('users').select('id').where('email', '=', 'grace@example.com').execute(),
    ).toHaveLength(1);
    const reused = await call(token, '/api/v1/users', {
      method: 'POST',
      headers: { 'idempotency-key': 'hire-42' },
      json: { name: 'Someone Else', email: 'else@example.com', roleId: viewer },
    });
    expect(reused.status).toBe(422);

    const location = first.headers.get('location') as string;
    const read = await call(token, location);
    const etag = read.headers.get('etag') as string;
    expect(etag).toMatch(/^"/);
    expect((await call(token, location, { method: 'PATCH', json: { name: 'G. Hopper' } })).status).toBe(428);
    const updated = await call(token, location, {
      method: 'PATCH',
      headers: { 'if-match': etag },
      json: { name: 'G. Hopper' },
    });
    expect(updated.status).toBe(200);
    expect((await updated.json()).name).toBe('G. Hopper');
    // The ETag read before a change of access is stale now? A name change keeps the access state,
    // so change the access through another call and try the old tag.
    await call(token, location, {
      method: 'PATCH',
      headers: { 'if-match': '*' },
      json: { accessUntil: '2099-01-01' },
    });
    const stale = await call(token, location, {
      method: 'PATCH',
      headers: { 'if-match': etag },
      json: { name: 'X' },
    });
    expect(stale.status).toBe(412);
    expect((await stale.json()).type).toBe('urn:gatehouse:problem:precondition-failed');
    expect(
      (
        await t.db
          .selectFrom('users')
          .select('name')
          .where('email', '=', 'grace@example.com')
          .executeTakeFirst()
      )?.name,
    ).toBe('G. Hopper');
    // Rate limit headers on every answer.
    expect(updated.headers.get('ratelimit')).toMatch(/^"api";r=\d+;t=\d+$/);
  });

  it('publishes a valid OpenAPI 3.1 document, and a client generated from it calls the API', async () => {
    const doc = await (await call(null, '/api/v1/openapi.json')).json();
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.values(
      doc.paths as Record<string, Record<string, { operationId: string }>>,
    ).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(operations).toEqual(
      expect.arrayContaining([
        'listUsers',
        'getUser',
        'createUser',
        'updateUser',
        'deactivateUser',
        'reactivateUser',
        'deleteUser',
        'resetPassword',
        'resetTwoFactor',
        'unlockUser',
        'effectiveAccess',
        'listRoles',
        'listBindings',
        'createBinding',
        'deleteBinding',
        'listTeams',
        'createTeam',
        'addTeamMember',
        'removeTeamMember',
        'listProjects',
        'createProject',
        'createInvitations',
        'resendInvitation',
        'revokeInvitation',
        'exportAudit',
        'listAudit',
        'getAuditEvent',
        'listInvitations',
        'createRole',
        'updateRole',
        'deleteRole',
        'updateBinding',
        'renameProject',
        'deleteProject',
      ]),
    );

    // Every route the API serves is in the document (and nothing it does not serve).
    const served = t.api.app.routes
      .filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/v1/') && r.path !== '/api/v1/openapi.json')
      .map((r) => `${r.method.toLowerCase()} ${r.path.slice('/api/v1'.length).replace(/:(\w+)/g, '{$1}')}`);
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, item]) => Object.keys(item).map((method) => `${method} ${path}`),
    );
    expect([...new Set(served)].sort()).toEqual([...documented].sort());

    // A real HTTP server for the generated client (axios speaks HTTP, not app.request).
    const server = createServer(getRequestListener(t.app.fetch));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
      const admin = await makeUser(t.db, { role: 'admin', name: 'Generated Client' });
      const token = await tokenFor(admin.id);
      const api = new OpenAPIClientAxios({
        definition: { ...doc, servers: [{ url: base }] },
        axiosConfigDefaults: { headers: { authorization: `Bearer ${token}` }, validateStatus: () => true },
      });
      const client = await api.init();
      const listed = await client.listUsers?.({ q: 'generated' });
      if (!listed) throw new Error('the generated client has no listUsers');
      expect(listed.status).toBe(200);
      expect(listed.data.data.map((u: { id: string }) => u.id)).toEqual([admin.id]);
      const one = await client.getUser?.({ id: admin.id });
      if (!one) throw new Error('the generated client has no getUser');
      expect(one.data.email).toBe(admin.email);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe(`the REST API's other resources (${databaseKind})`, () => {
  it('teams, members, bindings, projects, roles and invitations through the domain, audited; the audit log as NDJSON', async () => {
    const admin = await makeUser(t.db, { role: 'account_admin' });
    const person = await makeUser(t.db, {});
    const token = await tokenFor(admin.id);
    const post = (path: string, json: unknown) => call(token, path, { method: 'POST', json });

    const team = await post('/api/v1/teams', { name: 'Ops' });
    expect(team.status).toBe(201);
    const teamId = (await team.json()).id;
    expect((await post(`/api/v1/teams/${teamId}/members`, { email: person.email })).status).toBe(204);
    expect((await (await call(token, `/api/v1/teams/${teamId}`)).json()).members).toEqual([
      { id: person.id, email: person.email, admin: false },
    ]);
    const duplicate = await post('/api/v1/teams', { name: 'Ops' });
    expect(duplicate.status).toBe(422);
    expect((await duplicate.json()).errors.name).toContain('already exists');

    const viewer = await builtinRoleId(t.db, 'viewer');
    const binding = await post('/api/v1/bindings', { subject: 'team', teamId, access: viewer });
    expect(binding.status).toBe(201);
    const bindingId = (await binding.json()).id;
    const bindings = (await (await call(token, '/api/v1/bindings')).json()).data;
    expect(bindings.map((b: { id: string }) => b.id)).toContain(bindingId);
    expect((await call(token, `/api/v1/bindings/${bindingId}`, { method: 'DELETE' })).status).toBe(204);
    expect(
      (await call(token, `/api/v1/teams/${teamId}/members/${person.id}`, { method: 'DELETE' })).status,
    ).toBe(204);

    const gamma = await post('/api/v1/projects', { name: 'Gamma' });
    expect(gamma.status).toBe(201);
    const gammaId = (await gamma.json()).id;
    expect(
      (await call(token, `/api/v1/projects/${gammaId}`, { method: 'PATCH', json: { name: 'Gamma 2' } }))
        .status,
    ).toBe(204);
    const role = await post('/api/v1/roles', { name: 'Support agent', permissions: ['reports.view'] });
    expect(role.status).toBe(201);
    const roleId = (await role.json()).id;
    expect(
      (
        await call(token, `/api/v1/roles/${roleId}`, {
          method: 'PUT',
          json: { name: 'Support', permissions: ['reports.view'] },
        })
      ).status,
    ).toBe(204);
    expect((await call(token, `/api/v1/roles/${roleId}`, { method: 'DELETE' })).status).toBe(204);
    const projects = (await (await call(token, '/api/v1/projects')).json()).data;
    expect(projects.map((p: { name: string }) => p.name)).toContain('Gamma 2');
    // A project with bindings is deleted only when asked to remove them too.
    const inGamma = await post(`/api/v1/bindings?project=${gammaId}`, {
      subject: 'user',
      email: person.email,
      access: viewer,
    });
    expect(inGamma.status).toBe(201);
    expect((await call(token, `/api/v1/projects/${gammaId}`, { method: 'DELETE' })).status).toBe(409);
    expect(
      (await call(token, `/api/v1/projects/${gammaId}?removeBindings=true`, { method: 'DELETE' })).status,
    ).toBe(204);
    const roles = (await (await call(token, '/api/v1/roles')).json()).data;
    expect(roles.map((r: { key: string }) => r.key)).toContain('viewer');

    const invited = await post('/api/v1/invitations', { emails: ['new@example.com'], roleId: viewer });
    expect(invited.status).toBe(201);
    const [outcome] = (await invited.json()).data;
    expect(outcome.outcome).toBe('sent');
    expect(
      (await call(token, `/api/v1/invitations/${outcome.invitationId}/revoke`, { method: 'POST' })).status,
    ).toBe(204);

    const actions = (
      await t.db.selectFrom('audit_events').select('action').where('actor_id', '=', admin.id).execute()
    ).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'team.create',
        'team.member_add',
        'binding.create',
        'binding.delete',
        'team.member_remove',
        'project.create',
        'project.rename',
        'project.delete',
        'role.create',
        'role.update',
        'role.delete',
        'invitation.revoke',
      ]),
    );
    const invitations = await (await call(token, '/api/v1/invitations')).json();
    expect(invitations.data.map((i: { email: string; state: string }) => [i.email, i.state])).toEqual([
      ['new@example.com', 'revoked'],
    ]);
    const log = await (await call(token, '/api/v1/audit?action=team.create&per=10')).json();
    expect(log.data.map((e: { action: string }) => e.action)).toEqual(['team.create']);
    const event = await (await call(token, `/api/v1/audit/events/${log.data[0].id}`)).json();
    expect(event.after).toMatchObject({ name: 'Ops' });
    const exported = await call(token, '/api/v1/audit/export?action=team.create');
    expect(exported.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await exported.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((e: { action: string }) => e.action === 'team.create')).toBe(true);
    expect(
      await t.db.selectFrom('audit_events').select('id').where('action', '=', 'audit.export').execute(),
    ).toHaveLength(1);
  });
});

describe(`AuthZEN permission checks (${databaseKind})`, () => {
  async function caller(permissions: string[]) {
    const account = await createServiceAccount(t.system, { name: 'Product backend' });
    await t.db
      .insertInto('role_bindings')
      .values({ user_id: account.id, role_id: null, permissions, project_id: null })
      .execute();
    return (await createApiToken(t.system, { ownerId: account.id, name: 'backend' })).token;
  }
  const evaluation = (token: string, subject: string, action: string, resource: string) =>
    call(token, '/access/v1/evaluation', {
      method: 'POST',
      json: {
        subject: { type: 'user', id: subject },
        action: { name: action },
        resource: { type: 'project', id: resource },
      },
    });
  const decision = async (token: string, subject: string, action: string, resource: string) =>
    (await (await evaluation(token, subject, action, resource)).json()).decision;

  it('follows direct, team, account-wide, expired and manual-set grants, and a deactivation at once', async () => {
    const token = await caller(['access.evaluate']);
    const project = await defaultProjectId(t.db);
    const other = (
      await t.db.insertInto('projects').values({ name: 'Beta' }).returning('id').executeTakeFirstOrThrow()
    ).id;
    const direct = await makeUser(t.db, { role: 'viewer', projectId: project });
    expect(await decision(token, direct.id, 'reports.view', project)).toBe(true);
    expect(await decision(token, direct.email, 'reports.view', 'Beta')).toBe(false);
    expect(await decision(token, direct.id, 'content.edit', project)).toBe(false);

    const team = (
      await t.db.insertInto('teams').values({ name: 'Ops' }).returning('id').executeTakeFirstOrThrow()
    ).id;
    const member = await makeUser(t.db, {});
    await t.db.insertInto('team_members').values({ team_id: team, user_id: member.id }).execute();
    await bind(t.db, { teamId: team, roleKey: 'editor', projectId: other });
    expect(await decision(token, member.id, 'content.edit', other)).toBe(true);
    expect(await decision(token, member.id, 'content.edit', project)).toBe(false);

    const everywhere = await makeUser(t.db, { role: 'viewer' });
    expect(await decision(token, everywhere.id, 'reports.view', other)).toBe(true);

    const ending = await makeUser(t.db, {});
    await bind(t.db, {
      userId: ending.id,
      roleKey: 'viewer',
      expiresAt: new Date(t.clock.now().getTime() + 60_000),
    });
    expect(await decision(token, ending.id, 'reports.view', project)).toBe(true);
    t.clock.advance(61_000);
    expect(await decision(token, ending.id, 'reports.view', project)).toBe(false);

    const manual = await makeUser(t.db, {});
    await t.db
      .insertInto('role_bindings')
      .values({ user_id: manual.id, role_id: null, permissions: ['reports.view'], project_id: project })
      .execute();
    expect(await decision(token, manual.id, 'reports.view', project)).toBe(true);

    // The cache answered these; a deactivation reaches it (the trigger's notification).
    await t.db
      .updateTable('users')
      .set({ deactivated_at: t.clock.now() })
      .where('id', '=', direct.id)
      .execute();
    await waitUntil(async () => (await decision(token, direct.id, 'reports.view', project)) === false);
    await t.db.deleteFrom('team_members').where('user_id', '=', member.id).execute();
    await waitUntil(async () => (await decision(token, member.id, 'content.edit', other)) === false);
  });

  it('agrees with the console’s effective-access view for every permission in every project', async () => {
    const token = await caller(['access.evaluate']);
    const project = await defaultProjectId(t.db);
    const beta = (
      await t.db.insertInto('projects').values({ name: 'Beta' }).returning('id').executeTakeFirstOrThrow()
    ).id;
    const team = (
      await t.db.insertInto('teams').values({ name: 'Ops' }).returning('id').executeTakeFirstOrThrow()
    ).id;
    const people = [
      await makeUser(t.db, { role: 'editor', projectId: project }),
      await makeUser(t.db, { role: 'viewer' }),
      await makeUser(t.db, { role: 'co_admin', projectId: beta }),
      await makeUser(t.db, {}),
    ];
    await t.db
      .insertInto('team_members')
      .values({ team_id: team, user_id: (people[3] as { id: string }).id })
      .execute();
    await bind(t.db, { teamId: team, roleKey: 'publisher', projectId: beta });
    await bind(t.db, { userId: (people[1] as { id: string }).id, roleKey: 'admin', expiresAt: new Date(0) });
    await t.db
      .insertInto('role_bindings')
      .values({
        user_id: (people[0] as { id: string }).id,
        role_id: null,
        permissions: ['audit.view'],
        project_id: beta,
      })
      .execute();
    const keys = PERMISSIONS.map((p) => p.key);
    for (const person of people) {
      const view = await effectiveAccess(t.db, person.id, t.clock.now());
      for (const projectId of [project, beta]) {
        const shown = new Set(
          view.projects.find((p) => p.projectId === projectId)?.permissions.map((p) => p.key) ?? [],
        );
        const answer = await call(token, '/access/v1/evaluations', {
          method: 'POST',
          json: {
            subject: { type: 'user', id: person.id },
            resource: { type: 'project', id: projectId },
            evaluations: keys.map((name) => ({ action: { name } })),
          },
        });
        const decisions = (await answer.json()).evaluations.map((e: { decision: boolean }) => e.decision);
        expect(decisions).toEqual(keys.map((k) => shown.has(k)));
      }
    }
  });

  it('answers a batch, refuses callers without access.evaluate, and gives reasons only to audit readers', async () => {
    const project = await defaultProjectId(t.db);
    const person = await makeUser(t.db, { role: 'viewer' });
    const plain = await caller(['access.evaluate']);
    const auditor = await caller(['access.evaluate', 'audit.view']);
    const nobody = await caller(['users.view']);
    expect((await evaluation(nobody, person.id, 'reports.view', project)).status).toBe(403);
    expect(await (await evaluation(plain, person.id, 'reports.view', project)).json()).toEqual({
      decision: true,
    });
    const explained = await (await evaluation(auditor, person.id, 'content.edit', project)).json();
    expect(explained.decision).toBe(false);
    expect(explained.context.reason_admin.en).toContain('No live binding');
    const batch = await call(plain, '/access/v1/evaluations', {
      method: 'POST',
      json: {
        subject: { type: 'user', id: person.id },
        resource: { type: 'project', id: project },
        evaluations: [
          { action: { name: 'reports.view' } },
          { action: { name: 'content.edit' } },
          { action: { name: 'reports.view' } },
        ],
      },
    });
    expect((await batch.json()).evaluations).toEqual([
      { decision: true },
      { decision: false },
      { decision: true },
    ]);
    const firstDeny = await call(plain, '/access/v1/evaluations', {
      method: 'POST',
      json: {
        subject: { type: 'user', id: person.id },
        resource: { type: 'project', id: project },
        evaluations: [{ action: { name: 'content.edit' } }, { action: { name: 'reports.view' } }],
        options: { evaluations_semantic: 'deny_on_first_deny' },
      },
    });
    expect((await firstDeny.json()).evaluations).toEqual([{ decision: false }]);
    // Counted per caller and day, not audited one by one; the audit page shows the counts.
    await t.api.flush();
    const idOf = (token: string) => token.slice(3, 23);
    const counts = await t.db
      .selectFrom('access_decision_counts')
      .select(['token_id', 'allowed', 'denied'])
      .where('token_id', 'in', [idOf(plain), idOf(auditor), idOf(nobody)])
      .execute();
    const total = (id: string) =>
      counts.filter((r) => r.token_id === id).reduce((n, r) => n + Number(r.allowed) + Number(r.denied), 0);
    // plain: one single, a batch of three, a batch stopped at its first deny; the auditor one.
    expect([total(idOf(plain)), total(idOf(auditor)), total(idOf(nobody))]).toEqual([5, 1, 0]);
    expect(
      await t.db.selectFrom('audit_events').select('id').where('action', 'like', 'access%').execute(),
    ).toEqual([]);
    const reader = await makeUser(t.db, { role: 'account_admin' });
    const auditPage = await (await (await clientFor(t, reader.id)).request('/audit')).text();
    expect(auditPage).toContain('Permission checks by API callers');
    expect(auditPage).toContain('Product backend');
    const bad = await call(plain, '/access/v1/evaluation', { method: 'POST', body: '{not json' });
    expect(bad.status).toBe(400);
    expect((await call(plain, '/.well-known/authzen-configuration')).status).toBe(200);
  });
});

describe.skipIf(databaseKind !== 'postgres')('the permission check across two instances (postgres)', () => {
  it('a binding removed on one instance turns the other’s cached allow into a deny within a second', async () => {
    await makeUser(t.db, { role: 'account_admin' });
    const project = await defaultProjectId(t.db);
    const account = await createServiceAccount(t.system, { name: 'Backend' });
    await t.db
      .insertInto('role_bindings')
      .values({ user_id: account.id, role_id: null, permissions: ['access.evaluate'], project_id: null })
      .execute();
    const token = (await createApiToken(t.system, { ownerId: account.id, name: 'backend' })).token;
    const person = await makeUser(t.db, {});
    const binding = await bind(t.db, { userId: person.id, roleKey: 'viewer' });
    const ask = async () =>
      (
        await (
          await call(token, '/access/v1/evaluation', {
            method: 'POST',
            json: {
              subject: { type: 'user', id: person.id },
              action: { name: 'reports.view' },
              resource: { type: 'project', id: project },
            },
          })
        ).json()
      ).decision;
    expect(await ask()).toBe(true);
    expect(await ask()).toBe(true);
    // Another instance: its own connections to the same database, acting through the domain.
    const other = await openDatabase({ databaseUrl: t.database.url as string, dataDir: 'unused' });
    try {
      await deleteBinding({ ...t.system, db: other.db }, binding);
      const changed = Date.now();
      await waitUntil(async () => (await ask()) === false, 1000);
      expect(Date.now() - changed).toBeLessThan(1000);
      // And back: a new binding made elsewhere is an allow here within the second too.
      await bind(other.db, { userId: person.id, roleKey: 'viewer' });
      await waitUntil(async () => (await ask()) === true, 1000);
    } finally {
      await other.close();
    }
  });
});

async function waitUntil(check: () => Promise<boolean>, ms = 1000) {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
