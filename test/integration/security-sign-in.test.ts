import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/auth/sessions/sessions';
import { replaceRecoveryCodes } from '../../src/auth/two-factor/enrolment';
import { hashRecoveryCode } from '../../src/auth/two-factor/recovery-codes';
import { databaseKind } from '../helpers/database';
import { clientFor, enrolTotp, FIXTURE_PASSWORD, makeUser } from '../helpers/fixtures';
import { Client } from '../helpers/http';
import { oathtool } from '../helpers/oathtool';
import { setUpApp } from '../helpers/set-up-app';
import { settingsForm } from '../helpers/settings-form';

const t = setUpApp({
  resetEach: true,
  settings: { require_two_factor: false, lockout_threshold: 10, lockout_minutes: 15 },
});

const events = (action: string) =>
  t.db.selectFrom('audit_events').selectAll().where('action', '=', action).orderBy('id').execute();
const userRow = (id: string) =>
  t.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const STEP_MS = 30_000;

/** A user with 2FA and ten recovery codes, and their key. */
async function enrolled() {
  const user = await makeUser(t.db, { role: 'viewer' });
  const key = await enrolTotp(t, user.id);
  const codes = await t.db.transaction().execute((tx) => replaceRecoveryCodes(tx, user.id, t.clock.now()));
  return { user, key, codes };
}

/** Password step done: a client whose session waits for the code. */
async function passwordStep(email: string) {
  const client = new Client(t.app);
  const response = await client.signIn(email, FIXTURE_PASSWORD);
  expect(response.status).toBe(303);
  expect(response.headers.get('location')).toBe('/login/two-factor');
  return client;
}

describe(`sign-in with two-factor authentication (${databaseKind})`, () => {
  it('asks for a code after the password; the waiting session opens nothing else', async () => {
    const { user, key } = await enrolled();
    const client = await passwordStep(user.email);
    const waiting = client.cookies.get(SESSION_COOKIE);
    expect(waiting).toBeTruthy();
    // Nothing but the code page: home sends it to sign in, as for nobody.
    expect((await client.get('/')).headers.get('location')).toBe('/login');
    expect((await client.get('/account')).headers.get('location')).toBe('/login?next=%2Faccount');
    const page = await client.get('/login/two-factor');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('autocomplete="one-time-code"');
    // The code comes from oathtool, an implementation independent of ours.
    const ok = await client.post('/login/two-factor', { code: oathtool(key, t.clock.now()) });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/');
    // A new session id for the new privilege; the waiting one is gone.
    expect(client.cookies.get(SESSION_COOKIE)?.split('.')[0]).not.toBe(waiting?.split('.')[0]);
    expect((await client.get('/')).status).toBe(200);
    expect((await userRow(user.id)).last_login_at).not.toBeNull();
    expect((await events('auth.sign_in_code')).at(-1)).toMatchObject({
      outcome: 'success',
      actor_id: user.id,
    });
  });

  it('accepts one step of drift either way and refuses a code used before (replay)', async () => {
    const { user, key } = await enrolled();
    // Start a second into a time step, so the steps counted from `now` stay those of the server
    // for the rest of the test (a step boundary crossed midway made "two steps away" one step).
    t.clock.advance(STEP_MS - (t.clock.now().getTime() % STEP_MS) + 1000);
    const now = t.clock.now().getTime();
    const early = await passwordStep(user.email);
    expect(
      (await early.post('/login/two-factor', { code: oathtool(key, new Date(now - STEP_MS)) })).status,
    ).toBe(303);
    // The same code again, from another sign-in: refused, it was accepted once.
    const replay = await passwordStep(user.email);
    const again = await replay.post('/login/two-factor', { code: oathtool(key, new Date(now - STEP_MS)) });
    expect(again.status).toBe(401);
    expect(await again.text()).toContain('already used');
    // Two steps away is too far; the next step is still fine.
    expect(
      (await replay.post('/login/two-factor', { code: oathtool(key, new Date(now + 2 * STEP_MS)) })).status,
    ).toBe(401);
    expect(
      (await replay.post('/login/two-factor', { code: oathtool(key, new Date(now + STEP_MS)) })).status,
    ).toBe(303);
  });

  it('blocks the code step for 15 minutes after 5 wrong codes, for every session of the user', async () => {
    const { user, key } = await enrolled();
    const client = await passwordStep(user.email);
    for (let i = 0; i < 4; i++)
      expect((await client.post('/login/two-factor', { code: '000000' })).status).toBe(401);
    const fifth = await client.post('/login/two-factor', { code: '000000' });
    expect(fifth.status).toBe(429);
    expect(Number(fifth.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    expect(await fifth.text()).toContain('Too many wrong codes');
    // A fresh password step does not buy more tries, and the right code is refused too.
    const other = await passwordStep(user.email);
    expect((await other.post('/login/two-factor', { code: oathtool(key, t.clock.now()) })).status).toBe(429);
    const failed = (await events('auth.sign_in_code')).filter(
      (e) => e.target_id === user.id && e.outcome === 'failed',
    );
    expect(failed).toHaveLength(6);
    t.clock.advance(15 * 60_000 + 1000);
    const later = await passwordStep(user.email);
    expect((await later.post('/login/two-factor', { code: oathtool(key, t.clock.now()) })).status).toBe(303);
  });

  it('takes a recovery code once, audits and emails it, and says how many are left', async () => {
    const { user, codes } = await enrolled();
    const stored = await t.db
      .selectFrom('recovery_codes')
      .selectAll()
      .where('user_id', '=', user.id)
      .execute();
    expect(stored).toHaveLength(10);
    // Stored hashed only; 16 symbols of 32 is 80 bits.
    const hashes = stored.map((r) => Buffer.from(r.code_hash).toString('hex'));
    expect(hashes).toContain(Buffer.from(hashRecoveryCode(codes[0] ?? '')).toString('hex'));
    expect(hashes.join()).not.toContain(Buffer.from(codes[0] ?? '').toString('hex'));
    expect(codes[0]?.replaceAll('-', '')).toHaveLength(16);
    const client = await passwordStep(user.email);
    const used = await client.post('/login/two-factor', { code: (codes[0] ?? '').toUpperCase() });
    expect(used.status).toBe(303);
    expect(decodeURIComponent(used.headers.get('set-cookie') ?? '')).toContain('9 recovery codes left');
    const account = await (await client.get('/account')).text();
    expect(account).toContain('9 recovery codes left');
    expect(await events('auth.recovery_code_used')).toHaveLength(1);
    const mail = t.mailer.messages.at(-1);
    expect(mail?.to).toBe(user.email);
    expect(mail?.tags).toContainEqual({ name: 'category', value: 'recoveryCodeUsed' });
    expect(mail?.text).toContain('9');
    // The same code again is refused.
    const again = await passwordStep(user.email);
    expect((await again.post('/login/two-factor', { code: codes[0] ?? '' })).status).toBe(401);
  });

  it('sends a user without 2FA to enrol before anything else when the account requires it', async () => {
    await t.db.updateTable('account_settings').set({ require_two_factor: true }).execute();
    const user = await makeUser(t.db, { role: 'account_admin' });
    const client = new Client(t.app);
    expect((await client.signIn(user.email, FIXTURE_PASSWORD)).status).toBe(303);
    for (const path of ['/', '/users', '/account', '/settings']) {
      const response = await client.get(path);
      expect(response.status, path).toBe(303);
      expect(response.headers.get('location'), path).toBe('/account/two-factor');
    }
    expect((await client.post('/users/reset-all', {})).headers.get('location')).toBe('/account/two-factor');
    // Turning the setting on reaches a user already signed in, on their next request.
    await t.db.updateTable('account_settings').set({ require_two_factor: false }).execute();
    expect((await client.get('/users')).status).toBe(200);
    await t.db.updateTable('account_settings').set({ require_two_factor: true }).execute();
    expect((await client.get('/users')).headers.get('location')).toBe('/account/two-factor');
    // Enrolment is open to them, and completes the gate.
    expect((await client.post('/account/two-factor', {})).status).toBe(303);
    const page = await (await client.get('/account/two-factor')).text();
    const key = /class="totp-key">([A-Z2-7 ]+)</.exec(page)?.[1]?.replaceAll(' ', '') ?? '';
    expect(key).toHaveLength(32);
    const wrong = await client.post('/account/two-factor/confirm', { code: '123456' });
    expect(wrong.status).toBe(422);
    const done = await client.post('/account/two-factor/confirm', { code: oathtool(key, t.clock.now()) });
    expect(done.status).toBe(200);
    expect((await done.text()).match(/<li><code>/g)).toHaveLength(10);
    expect((await client.get('/users')).status).toBe(200);
    // The key is stored encrypted (AES-GCM, key from configuration), never as the base32 text.
    const row = await userRow(user.id);
    expect(row.totp_secret).toMatch(/^v1\./);
    expect(row.totp_secret).not.toContain(key);
    expect(t.mailer.messages.at(-1)?.tags).toContainEqual({ name: 'category', value: 'twoFactorEnabled' });
  });
});

// The lockout per account and address, the account-wide lock and its unlock link, and the
// refusals' counting: lockout.test.ts (behind a proxy, from several addresses).
describe(`lockout (${databaseKind})`, () => {
  it('caps a lock at 24 hours and never allows more than 100 failures without one', async () => {
    const user = await makeUser(t.db, { role: 'viewer' });
    await t.db
      .insertInto('sign_in_failures')
      .values({
        user_id: user.id,
        ip: 'unknown',
        failed_count: 9,
        lockout_count: 20,
        updated_at: t.clock.now(),
      })
      .execute();
    await t.db
      .updateTable('users')
      .set({ lockout_count: 20, failed_login_count: 99 })
      .where('id', '=', user.id)
      .execute();
    await new Client(t.app).signIn(user.email, 'wrong password!');
    const hours = (d: Date | null | undefined) => ((d?.getTime() ?? 0) - t.clock.now().getTime()) / 3_600_000;
    const address = await t.db
      .selectFrom('sign_in_failures')
      .select('locked_until')
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(hours(address.locked_until)).toBeCloseTo(24, 2);
    expect(hours((await userRow(user.id)).locked_until)).toBeCloseTo(24, 2);
    const admin = await makeUser(t.db, { role: 'account_admin' });
    const client = await clientFor(t, admin.id);
    const settings = await client.post('/settings', settingsForm({ lockout_threshold: '101' }));
    expect(settings.status).toBe(422);
    expect(await settings.text()).toContain('between 3 and 100');
    const accountWide = await client.post('/settings', settingsForm({ lockout_account_threshold: '101' }));
    expect(accountWide.status).toBe(422);
    expect(await accountWide.text()).toContain('between 10 and 100');
    const belowAddress = await client.post(
      '/settings',
      settingsForm({ lockout_threshold: '20', lockout_account_threshold: '15' }),
    );
    expect(belowAddress.status).toBe(422);
    expect(await belowAddress.text()).toContain('cannot be lower than the threshold for one address');
  });

  it('refuses a burst from one IP with a 429 page, before any password is checked', async () => {
    await sql`delete from rate_limits`.execute(t.db);
    const client = new Client(t.app);
    let refused: Response | undefined;
    for (let i = 0; i < 40 && !refused; i++) {
      const response = await client.signIn(`nobody${i}@example.com`, 'whatever password');
      if (response.status === 429) refused = response;
    }
    expect(refused?.status).toBe(429);
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused?.text()).toContain('Too many attempts');
    const bucket = await t.db.selectFrom('rate_limits').selectAll().executeTakeFirstOrThrow();
    expect(bucket.key).toBe('sign-in:ip:unknown');
    // Counted, not written one event each (lockout.test.ts writes the window's event).
    expect((await events('auth.sign_in')).filter((e) => e.outcome === 'denied')).toHaveLength(0);
    const counted = await t.db.selectFrom('refusal_counts').selectAll().executeTakeFirstOrThrow();
    expect(counted).toMatchObject({ action: 'auth.sign_in', subject: 'unknown', refused: 1 });
  });
});

describe(`enumeration (${databaseKind})`, () => {
  it('answers sign-in the same for an unknown and a known address: body, status, cookies', async () => {
    const user = await makeUser(t.db, { role: 'viewer' });
    const known = await new Client(t.app).signIn(user.email, 'wrong password!');
    const unknown = await new Client(t.app).signIn('ghost@example.com', 'wrong password!');
    expect(known.status).toBe(unknown.status);
    expect((await known.text()).replace(user.email, 'X')).toBe(
      (await unknown.text()).replace('ghost@example.com', 'X'),
    );
    expect(known.headers.getSetCookie()).toEqual(unknown.headers.getSetCookie());
  });

  it('answers forgot-password the same for an unknown and a known address: body, status, cookies', async () => {
    const user = await makeUser(t.db, { role: 'viewer' });
    const known = await new Client(t.app).post('/forgot-password', { email: user.email });
    const unknown = await new Client(t.app).post('/forgot-password', { email: 'ghost@example.com' });
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    expect((await known.text()).replace(user.email, 'X')).toBe(
      (await unknown.text()).replace('ghost@example.com', 'X'),
    );
    expect(known.headers.getSetCookie()).toEqual(unknown.headers.getSetCookie());
    expect(t.mailer.messages.map((m) => m.to)).toEqual([user.email]);
  });
});
