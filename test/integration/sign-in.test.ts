import { beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/auth/sessions/sessions';
import { createAccountAdmin } from '../../src/users/create';
import { createAdminWithPassword } from '../helpers/app';
import { Client } from '../helpers/http';
import { setUpApp } from '../helpers/set-up-app';

const PASSWORD = 'correct horse battery staple';
const t = setUpApp();

beforeAll(async () => {
  await createAdminWithPassword(t, { email: 'ada@example.com', name: 'Ada Lovelace', password: PASSWORD });
});

async function events(action: string) {
  return t.db.selectFrom('audit_events').selectAll().where('action', '=', action).orderBy('id').execute();
}

describe('the set-password link', () => {
  it('sets the password once, ends sessions, and then stops working', async () => {
    const admin = await createAccountAdmin(t.system, { email: 'grace@example.com', name: 'Grace Hopper' });
    const path = new URL(admin.link).pathname;
    expect(admin.link.startsWith(`${t.config.publicUrl}/set-password/`)).toBe(true);
    const client = new Client(t.app);

    const page = await client.get(path);
    expect(page.status).toBe(200);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await page.text()).toContain('grace@example.com');

    const short = await client.post(path, { password: 'too short', confirm: 'too short' });
    expect(short.status).toBe(422);
    const shortBody = await short.text();
    expect(shortBody).toContain('Use at least 12 characters (this one has 9).');
    expect(shortBody).toContain('aria-invalid="true"');
    expect(shortBody).toContain('href="#password"');

    const mismatch = await client.post(path, { password: PASSWORD, confirm: `${PASSWORD}!` });
    expect(mismatch.status).toBe(422);
    expect(await mismatch.text()).toContain('The two passwords do not match.');

    const named = await client.post(path, {
      password: 'grace hopper rocks!',
      confirm: 'grace hopper rocks!',
    });
    expect(named.status).toBe(422);

    const user = await t.db
      .selectFrom('users')
      .select('password_hash')
      .where('email', '=', 'grace@example.com')
      .executeTakeFirstOrThrow();
    expect(user.password_hash).toBeNull();

    const done = await client.post(path, { password: PASSWORD, confirm: PASSWORD });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/login');
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
    const login = await client.get('/login');
    expect(await login.text()).toContain('Your password is set. Sign in with it now.');

    const hash = await t.db
      .selectFrom('users')
      .select('password_hash')
      .where('email', '=', 'grace@example.com')
      .executeTakeFirstOrThrow();
    expect(hash.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    const again = await client.get(path);
    expect(again.status).toBe(404);
    expect(await again.text()).toContain('This link cannot be used');
    const reuse = await client.post(path, { password: `${PASSWORD} 2`, confirm: `${PASSWORD} 2` });
    expect(reuse.status).toBe(404);

    const audited = await events('user.password_set');
    expect(audited.at(-1)).toMatchObject({ target_label: 'grace@example.com', outcome: 'success' });
  });

  it('expires after one hour', async () => {
    const admin = await createAccountAdmin(t.system, { email: 'late@example.com', name: 'Late Comer' });
    const path = new URL(admin.link).pathname;
    t.clock.advance(61 * 60_000);
    try {
      const client = new Client(t.app);
      expect((await client.get(path)).status).toBe(404);
      expect((await client.post(path, { password: PASSWORD, confirm: PASSWORD })).status).toBe(404);
    } finally {
      t.clock.advance(-61 * 60_000);
    }
  });

  it('answers an unknown token with the same page', async () => {
    const client = new Client(t.app);
    expect((await client.get('/set-password/not-a-token')).status).toBe(404);
    expect((await client.get(`/set-password/${'A'.repeat(43)}`)).status).toBe(404);
  });
});

describe('sign-in', () => {
  it('sets a __Host- session cookie with every flag and stores only a hash', async () => {
    const client = new Client(t.app);
    const response = await client.signIn('ADA@example.com', PASSWORD);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/');
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`)) ?? '';
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).not.toMatch(/Domain=/i);
    const token = client.cookies.get(SESSION_COOKIE) ?? '';
    const [id, secret = ''] = token.split('.');
    expect(Buffer.from(secret, 'base64url').length * 8).toBeGreaterThanOrEqual(160);

    const row = await t.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', id as string)
      .executeTakeFirstOrThrow();
    const stored = JSON.stringify({
      ...row,
      secret_hash: Buffer.from(row.secret_hash).toString('base64url'),
    });
    expect(stored).not.toContain(secret);
    expect(Buffer.from(row.secret_hash).length).toBe(32);

    const home = await client.get('/');
    expect(home.status).toBe(200);
    expect(home.headers.get('cache-control')).toBe('no-store');
    const html = await home.text();
    expect(html).toContain('My account<span class="visually-hidden">: Ada Lovelace</span>');
    expect(html).toContain('<nav aria-label="Main">');
  });

  it('refuses a cookie whose secret does not match', async () => {
    const client = new Client(t.app);
    await client.signIn('ada@example.com', PASSWORD);
    const [id] = (client.cookies.get(SESSION_COOKIE) ?? '').split('.');
    client.cookies.set(SESSION_COOKIE, `${id}.${'x'.repeat(43)}`);
    const response = await client.get('/');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/login');
  });

  it('gives the same answer to a locked, deactivated, expired or password-less account', async () => {
    const hash = (
      await t.db
        .selectFrom('users')
        .select('password_hash')
        .where('email', '=', 'ada@example.com')
        .executeTakeFirstOrThrow()
    ).password_hash;
    const past = new Date(Date.now() - 60_000);
    const future = new Date(Date.now() + 3_600_000);
    const cases = [
      { email: 'locked@example.com', password_hash: hash, locked_until: future },
      { email: 'deactivated@example.com', password_hash: hash, deactivated_at: past },
      { email: 'expired@example.com', password_hash: hash, access_expires_at: past },
      { email: 'nopassword@example.com', password_hash: null },
    ];
    for (const values of cases)
      await t.db
        .insertInto('users')
        .values({ name: 'Case Person', ...values })
        .execute();
    const strip = (html: string) => html.replace(/value="[^"]*@example.com"/, '');
    const reference = await new Client(t.app).signIn('nobody@example.com', PASSWORD);
    const expected = strip(await reference.text());
    expect(reference.status).toBe(401);
    for (const { email } of cases) {
      const response = await new Client(t.app).signIn(email, PASSWORD);
      expect(response.status, email).toBe(401);
      expect(response.headers.getSetCookie(), email).toEqual([]);
      expect(strip(await response.text()), email).toBe(expected);
    }
    const reasons = await t.db
      .selectFrom('audit_events')
      .select(['actor_label', 'reason'])
      .where('action', '=', 'auth.sign_in')
      .where(
        'actor_label',
        'in',
        cases.map((c) => c.email),
      )
      .orderBy('id')
      .execute();
    expect(reasons.map((r) => r.reason)).toEqual([
      'locked',
      'deactivated',
      'access expired',
      'password not set',
    ]);
  });

  it('gives the same answer for an unknown email and a wrong password, and audits both', async () => {
    const before = (await events('auth.sign_in')).length;
    const unknown = await new Client(t.app).signIn('nobody@example.com', 'wrong password 123');
    const wrong = await new Client(t.app).signIn(
      'nobody@example.com'.replace('nobody', 'ada'),
      'wrong password 123',
    );
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    const strip = (html: string) => html.replace(/value="[^"]*@example.com"/, '');
    expect(strip(await unknown.text())).toBe(strip(await wrong.text()));
    expect(unknown.headers.getSetCookie()).toEqual([]);
    expect(wrong.headers.getSetCookie()).toEqual([]);
    const after = (await events('auth.sign_in')).slice(before);
    expect(after.map((e) => [e.outcome, e.actor_label, e.reason])).toEqual([
      ['failed', 'nobody@example.com', 'unknown email'],
      ['failed', 'ada@example.com', 'wrong password'],
    ]);
  });

  it('takes as long for an unknown email as for a wrong password (a dummy hash is verified)', async () => {
    const time = async (email: string) => {
      const samples: number[] = [];
      for (let i = 0; i < 5; i++) {
        const start = performance.now();
        await new Client(t.app).signIn(email, 'wrong password 123');
        samples.push(performance.now() - start);
      }
      return samples.sort((a, b) => a - b)[2] as number;
    };
    const known = await time('ada@example.com');
    const unknown = await time('nobody@example.com');
    // An Argon2id verification costs ~10 ms or more; skipping it would make "unknown" far faster.
    expect(unknown).toBeGreaterThan(known * 0.5);
    expect(unknown).toBeLessThan(known * 2);
  });

  it('asks for both fields with 422 and per-field errors', async () => {
    const response = await new Client(t.app).post('/login', { email: '', password: '' });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toContain('Enter your email address.');
    expect(html).toContain('Enter your password.');
    expect(html).toContain('aria-describedby="email-error"');
  });

  it('opens a new session at every sign-in and ends the one the browser had', async () => {
    const client = new Client(t.app);
    await client.signIn('ada@example.com', PASSWORD);
    const first = client.cookies.get(SESSION_COOKIE) as string;
    await client.signIn('ada@example.com', PASSWORD);
    const second = client.cookies.get(SESSION_COOKIE);
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    const [firstId] = first.split('.');
    expect(
      await t.db
        .selectFrom('sessions')
        .select('id')
        .where('id', '=', firstId as string)
        .executeTakeFirst(),
    ).toBeUndefined();
  });

  it('follows ?next= only to a path on this site', async () => {
    const cases: Array<[string, string]> = [
      ['/login?next=%2Fsettings%3Ftab%3D1', '/settings?tab=1'],
      ['/login?next=%2F%2Fevil.example', '/'],
      ['/login?next=https%3A%2F%2Fevil.example', '/'],
      ['/login?next=%2F%5Cevil.example', '/'],
    ];
    for (const [path, expected] of cases) {
      const response = await new Client(t.app).post(path, { email: 'ada@example.com', password: PASSWORD });
      expect(response.headers.get('location'), path).toBe(expected);
    }
  });

  it('sends a signed-out visitor to sign in, remembering where they were going', async () => {
    const response = await new Client(t.app).get('/?x=1');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/login?next=%2F%3Fx%3D1');
    const htmx = await new Client(t.app).get('/', { 'HX-Request': 'true' });
    expect(htmx.status).toBe(401);
    expect(htmx.headers.get('hx-redirect')).toBe('/login');
  });

  it('audits a successful sign-in with the user, IP field and request id', async () => {
    const response = await new Client(t.app).signIn('ada@example.com', PASSWORD);
    const event = (await events('auth.sign_in')).at(-1);
    expect(event).toMatchObject({ outcome: 'success', actor_label: 'ada@example.com', target_type: 'user' });
    expect(event?.actor_id).toBeTruthy();
    expect(event?.request_id).toBe(response.headers.get('x-request-id'));
  });
});

describe('sign-out and timeouts', () => {
  it('deletes the session on the server, so the old cookie is worthless', async () => {
    const client = new Client(t.app);
    await client.signIn('ada@example.com', PASSWORD);
    const token = client.cookies.get(SESSION_COOKIE) as string;
    const out = await client.post('/logout', {});
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/login?signed_out=1');
    expect(out.headers.get('clear-site-data')).toBe('"cookies", "storage"');
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
    const [id] = token.split('.');
    expect(
      await t.db
        .selectFrom('sessions')
        .select('id')
        .where('id', '=', id as string)
        .executeTakeFirst(),
    ).toBeUndefined();
    const replay = new Client(t.app);
    replay.cookies.set(SESSION_COOKIE, token);
    expect((await replay.get('/')).status).toBe(303);
    expect((await events('auth.sign_out')).at(-1)).toMatchObject({ actor_label: 'ada@example.com' });
    expect(await (await client.get('/login?signed_out=1')).text()).toContain('You have signed out.');
  });

  it('ends a session left idle for 30 minutes', async () => {
    const client = new Client(t.app);
    await client.signIn('ada@example.com', PASSWORD);
    t.clock.advance(29 * 60_000);
    expect((await client.get('/')).status).toBe(200);
    t.clock.advance(29 * 60_000);
    expect((await client.get('/')).status).toBe(200);
    t.clock.advance(31 * 60_000);
    expect((await client.get('/')).status).toBe(303);
  });

  it('ends any session 12 hours after sign-in, however active', async () => {
    const client = new Client(t.app);
    await client.signIn('ada@example.com', PASSWORD);
    // Every 20 minutes, well inside the idle timeout, up to 11 h 40 min.
    for (let step = 0; step < 35; step++) {
      t.clock.advance(20 * 60_000);
      expect((await client.get('/')).status, `after ${(step + 1) * 20} minutes`).toBe(200);
    }
    t.clock.advance(20 * 60_000);
    expect((await client.get('/')).status).toBe(303);
  });

  it('ends every session of a deactivated user at once', async () => {
    await createAdminWithPassword(t, { email: 'gone@example.com', name: 'Soon Gone', password: PASSWORD });
    const client = new Client(t.app);
    await client.signIn('gone@example.com', PASSWORD);
    expect((await client.get('/')).status).toBe(200);
    await t.db
      .updateTable('users')
      .set({ deactivated_at: new Date() })
      .where('email', '=', 'gone@example.com')
      .execute();
    expect((await client.get('/')).status).toBe(303);
    expect((await new Client(t.app).signIn('gone@example.com', PASSWORD)).status).toBe(401);
  });
});
