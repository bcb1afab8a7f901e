import { describe, expect, it } from 'vitest';
import { guard, isGlobalMiddleware, requirementOf } from '../../src/web/guard';
import { createAdminWithPassword, testApp } from '../helpers/app';
import { bind, FIXTURE_PASSWORD, makeUser } from '../helpers/fixtures';
import { Client } from '../helpers/http';
import { setUpApp } from '../helpers/set-up-app';

const PASSWORD = 'correct horse battery staple';
const t = setUpApp();

describe('every route declares what it needs', () => {
  it('lists each route of the app with a guard', () => {
    const routes = t.app.routes;
    const endpoints = new Map<string, unknown[]>();
    for (const route of routes) {
      if (route.method === 'ALL') {
        // Only global middleware may match every method; scoped middleware would run before a guard.
        expect(isGlobalMiddleware(route), `ALL ${route.path}`).toBe(true);
        continue;
      }
      const key = `${route.method} ${route.path}`;
      endpoints.set(key, [...(endpoints.get(key) ?? []), route.handler]);
    }
    expect(endpoints.size).toBeGreaterThanOrEqual(8);
    // The guard must come first: one placed after the handler would never run.
    const undeclared = [...endpoints].filter(([, handlers]) => !requirementOf(handlers[0]));
    expect(undeclared.map(([key]) => key)).toEqual([]);
  });

  it('refuses at run time a route added without a guard (deny by default)', async () => {
    const fresh = await testApp();
    try {
      fresh.app.get('/test/undeclared', (c) => c.text('should not be seen'));
      fresh.app.get('/test/guard-too-late', (c) => c.text('should not be seen'), guard(fresh.deps, 'public'));
      fresh.app.use('/test/scoped/*', async (c, next) => {
        c.header('x-scoped', 'ran');
        await next();
      });
      fresh.app.get('/test/scoped/page', guard(fresh.deps, 'public'), (c) => c.text('should not be seen'));
      for (const path of ['/test/undeclared', '/test/guard-too-late', '/test/scoped/page']) {
        const response = await new Client(fresh.app).get(path);
        expect(response.status, path).toBe(403);
        expect(await response.text()).not.toContain('should not be seen');
        expect(response.headers.get('x-scoped')).toBeNull();
        expect(fresh.errors.at(-1)?.message).toContain('declares no permission');
      }
    } finally {
      await fresh.close();
    }
  });

  it('refuses to declare an unknown permission', () => {
    expect(() => guard(t.deps, { permission: 'no.such' })).toThrow('Unknown permission no.such');
  });
});

describe('permissions are read from the database on each request', () => {
  it('lets a holder in, turns others away with 403 and an audit event', async () => {
    t.app.get('/test/needs-users-view', guard(t.deps, { permission: 'users.view' }), (c) =>
      c.text('users here'),
    );
    await createAdminWithPassword(t, { email: 'root@example.com', name: 'Root Admin', password: PASSWORD });
    const viewer = await makeUser(t.db, { role: 'viewer', email: 'viewer@example.com', name: 'Vera Viewer' });

    const admin = new Client(t.app);
    await admin.signIn('root@example.com', PASSWORD);
    expect((await admin.get('/test/needs-users-view')).status).toBe(200);

    const client = new Client(t.app);
    expect((await client.signIn('viewer@example.com', FIXTURE_PASSWORD)).status).toBe(303);
    const denied = await client.get('/test/needs-users-view');
    expect(denied.status).toBe(403);
    expect(await denied.text()).toContain('Access denied');
    const event = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .where('outcome', '=', 'denied')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({
      actor_label: 'viewer@example.com',
      target_id: 'GET /test/needs-users-view',
      reason: 'missing permission users.view',
    });

    // A new binding applies on the very next request: no new sign-in.
    await bind(t.db, { userId: viewer.id, roleKey: 'co_admin' });
    expect((await client.get('/test/needs-users-view')).status).toBe(200);

    // An expired binding stops granting at once.
    await t.db
      .updateTable('role_bindings')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', viewer.id)
      .execute();
    expect((await client.get('/test/needs-users-view')).status).toBe(403);
  });
});

describe('the session time-out routes', () => {
  const requirementOfRoute = (method: string, path: string) =>
    requirementOf(t.app.routes.find((r) => r.method === method && r.path === path)?.handler);

  it('declare what they need: a session at any stage but the code step, or one at the code step', () => {
    expect(requirementOfRoute('POST', '/session/keep-alive')).toBe('enrolment');
    expect(requirementOfRoute('POST', '/login/two-factor/keep-alive')).toBe('second-factor');
  });

  it('"stay signed in" starts the idle time again and says how long is left; nobody else gets in', async () => {
    const anonymous = await new Client(t.app).post('/session/keep-alive', {}, { accept: 'application/json' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/login');

    const user = await makeUser(t.db, { email: 'idle@example.com', name: 'Ida Idle' });
    const client = new Client(t.app);
    await client.signIn(user.email, FIXTURE_PASSWORD);
    const page = await client.get('/account');
    // The test clock runs on: a second may have gone since sign-in.
    expect(Number(page.headers.get('x-session-expires-in'))).toBeGreaterThanOrEqual(1799);
    expect(await page.text()).toMatch(
      /<meta name="session-timeout" content="1(799|800)" data-kind="session"/,
    );

    t.clock.advance(20 * 60_000);
    const kept = await client.post(
      '/session/keep-alive',
      { returnTo: '/account' },
      { accept: 'application/json' },
    );
    expect(kept.status).toBe(200);
    expect((await kept.json()).expiresIn).toBeGreaterThanOrEqual(1799);
    t.clock.advance(20 * 60_000);
    // Forty minutes after sign-in, the 30-minute idle time-out has not ended it.
    expect((await client.get('/account')).status).toBe(200);
    // A plain form goes back where it came from, and only to this site.
    const plain = await client.post('/session/keep-alive', { returnTo: '//evil.example/x' });
    expect(plain.headers.get('location')).toBe('/');
    // Not at the code step: its route sends a signed-in user home.
    expect((await client.post('/login/two-factor/keep-alive', {})).headers.get('location')).toBe('/');
  });
});
