import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { recordRefusals } from '../../src/auth/sign-in/refusal-counts';
import { openDatabase } from '../../src/db/connect';
import { databaseKind, testDatabaseUrl } from '../helpers/database';
import { clientFor, enrolTotp, FIXTURE_PASSWORD, makeUser } from '../helpers/fixtures';
import { Client } from '../helpers/http';
import { oathtool } from '../helpers/oathtool';
import { setUpApp } from '../helpers/set-up-app';

// The app behind a proxy (TRUST_PROXY=true): each request says its client address in
// X-Forwarded-For, so one test plays an attacker at several addresses and the owner at another.
const t = setUpApp({
  trustProxy: true,
  resetEach: true,
  settings: { lockout_threshold: 10, lockout_minutes: 15, lockout_account_threshold: 100 },
});

const ATTACKER = '203.0.113.9';
const OWNER = '198.51.100.7';

const from = (address: string, app = t.app) => {
  const client = new Client(app);
  return {
    client,
    signIn: (email: string, password: string) =>
      client.post('/login', { email, password }, { 'x-forwarded-for': `10.0.0.1, ${address}` }),
  };
};

const userRow = (id: string) =>
  t.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const addressRow = (id: string, address: string) =>
  t.db
    .selectFrom('sign_in_failures')
    .selectAll()
    .where('user_id', '=', id)
    .where('ip', '=', address)
    .executeTakeFirst();
const lockouts = () =>
  t.db.selectFrom('audit_events').selectAll().where('action', '=', 'auth.lockout').orderBy('id').execute();
const minutesUntil = (d: Date | null | undefined) => ((d?.getTime() ?? 0) - t.clock.now().getTime()) / 60_000;

async function fail(address: string, email: string, times: number) {
  const attacker = from(address);
  for (let i = 0; i < times; i++) expect((await attacker.signIn(email, 'wrong password!')).status).toBe(401);
}

describe(`lockout per account and address (${databaseKind})`, () => {
  it('locks the account for the failing address only, doubling; the owner signs in from elsewhere', async () => {
    const user = await makeUser(t.db, { role: 'viewer' });
    await fail(ATTACKER, user.email, 9);
    expect((await addressRow(user.id, ATTACKER))?.locked_until ?? null).toBeNull();
    await fail(ATTACKER, user.email, 1);
    const lock = await addressRow(user.id, ATTACKER);
    expect(minutesUntil(lock?.locked_until)).toBeGreaterThan(14.9);
    expect(minutesUntil(lock?.locked_until)).toBeLessThanOrEqual(15);
    expect((await userRow(user.id)).locked_until).toBeNull();
    // From the locked address, the right password gets the answer a wrong one gets.
    const wrong = await from(ATTACKER).signIn('nobody@example.com', FIXTURE_PASSWORD);
    const locked = await from(ATTACKER).signIn(user.email, FIXTURE_PASSWORD);
    expect(locked.status).toBe(wrong.status);
    expect((await locked.text()).replace(user.email, 'X')).toBe(
      (await wrong.text()).replace('nobody@example.com', 'X'),
    );
    // The owner, elsewhere, is not kept out.
    expect((await from(OWNER).signIn(user.email, FIXTURE_PASSWORD)).status).toBe(303);
    const [event] = await lockouts();
    expect(event?.after).toMatchObject({ scope: 'address', address: ATTACKER, minutes: 15, failures: 10 });
    expect(t.mailer.messages.map((m) => m.subject)).not.toContainEqual(expect.stringContaining('locked'));
    // After the lock ends, ten more failures from there lock it for twice as long.
    t.clock.advance(15 * 60_000 + 1000);
    await fail(ATTACKER, user.email, 10);
    expect(minutesUntil((await addressRow(user.id, ATTACKER))?.locked_until)).toBeGreaterThan(29.9);
    expect((await addressRow(user.id, ATTACKER))?.lockout_count).toBe(2);
  });

  it('locks the whole account only after 100 failures from all addresses, and emails the owner a link that ends it', async () => {
    const user = await makeUser(t.db, { role: 'viewer' });
    for (let a = 1; a <= 9; a++) await fail(`203.0.113.${a}`, user.email, 10);
    expect((await userRow(user.id)).locked_until).toBeNull();
    expect((await from(OWNER).signIn(user.email, 'wrong password!')).status).toBe(401);
    await fail('203.0.113.10', user.email, 9);
    // The hundredth failure in a row, from any address, locks the account for everyone.
    const account = await userRow(user.id);
    expect(minutesUntil(account.locked_until)).toBeGreaterThan(14.9);
    expect((await from(OWNER).signIn(user.email, FIXTURE_PASSWORD)).status).toBe(401);
    expect((await lockouts()).at(-1)?.after).toMatchObject({ scope: 'account', failures: 100 });
    const mail = t.mailer.messages.at(-1);
    expect(mail?.tags).toContainEqual({ name: 'category', value: 'accountLocked' });
    const link = /http:\/\/localhost:3000(\/unlock\/[A-Za-z0-9_-]{43})/.exec(mail?.text ?? '')?.[1];
    expect(link, mail?.text).toBeTruthy();
    // The owner ends it: a page, then one button; the link works once.
    const owner = from(OWNER).client;
    const page = await owner.get(link as string);
    expect(page.status).toBe(200);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await page.text()).toContain('End the lock on your account');
    const done = await owner.post(link as string, {});
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/login');
    expect((await userRow(user.id)).locked_until).toBeNull();
    expect((await owner.post(link as string, {})).status).toBe(404);
    expect((await from(OWNER).signIn(user.email, FIXTURE_PASSWORD)).status).toBe(303);
    // The address locks stay: they keep out where the failures came from.
    expect(minutesUntil((await addressRow(user.id, '203.0.113.1'))?.locked_until)).toBeGreaterThan(0);
    const unlocked = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'auth.account_unlock')
      .executeTakeFirstOrThrow();
    expect(unlocked).toMatchObject({ outcome: 'success', actor_id: user.id });
  });

  it('asks for a code before the unlock link works where 2FA is on, and the link lasts an hour', async () => {
    await t.db
      .updateTable('account_settings')
      .set({ lockout_threshold: 5, lockout_account_threshold: 10 })
      .execute();
    const user = await makeUser(t.db, { role: 'viewer' });
    const key = await enrolTotp(t, user.id);
    await fail(ATTACKER, user.email, 5);
    await fail('203.0.113.77', user.email, 5);
    expect(minutesUntil((await userRow(user.id)).locked_until)).toBeGreaterThan(14.9);
    const link = /(\/unlock\/[A-Za-z0-9_-]{43})/.exec(t.mailer.messages.at(-1)?.text ?? '')?.[1] as string;
    const owner = new Client(t.app);
    expect(await (await owner.get(link)).text()).toContain('before you end the lock');
    expect((await owner.post(link, {})).status).toBe(422);
    expect((await userRow(user.id)).locked_until).not.toBeNull();
    const coded = await owner.post(`${link}/code`, { code: await oathtool(key, t.clock.now()) });
    expect(coded.headers.get('location')).toBe(link);
    expect((await owner.post(link, {})).status).toBe(303);
    expect((await userRow(user.id)).locked_until).toBeNull();
    // A second lock's link, an hour and a second later, no longer works.
    await t.db.updateTable('users').set({ failed_login_count: 9 }).where('id', '=', user.id).execute();
    await fail(OWNER, user.email, 1);
    const second = /(\/unlock\/[A-Za-z0-9_-]{43})/.exec(t.mailer.messages.at(-1)?.text ?? '')?.[1] as string;
    expect(second).not.toBe(link);
    t.clock.advance(3_601_000);
    expect((await new Client(t.app).get(second)).status).toBe(404);
  });

  it('shows both kinds of lock to admins, who unlock either with a reason (audited)', async () => {
    const user = await makeUser(t.db, { role: 'viewer' });
    await fail(ATTACKER, user.email, 10);
    const until = new Date(t.clock.now().getTime() + 60 * 60_000);
    await t.db.updateTable('users').set({ locked_until: until }).where('id', '=', user.id).execute();
    const admin = await makeUser(t.db, { role: 'account_admin' });
    const client = await clientFor(t, admin.id);
    const page = await (await client.get(`/users/${user.id}`)).text();
    expect(page).toContain(`Locked until <time datetime="${until.toISOString()}">`);
    expect(page).toContain(`Locked for ${ATTACKER} until <time`);
    expect(page).toContain(`/users/${user.id}/unlock?address=${ATTACKER}`);
    const dialog = await (await client.get(`/users/${user.id}/unlock?address=${ATTACKER}`)).text();
    expect(dialog).toContain(`Unlock ${user.name} for ${ATTACKER}?`);
    expect(dialog).toContain(`name="address" value="${ATTACKER}"`);
    const noReason = await client.post(`/users/${user.id}/unlock`, { reason: ' ', address: ATTACKER });
    expect(noReason.status).toBe(422);
    expect(
      (await client.post(`/users/${user.id}/unlock`, { reason: 'Their new phone', address: ATTACKER }))
        .status,
    ).toBe(303);
    expect(await addressRow(user.id, ATTACKER)).toBeUndefined();
    expect((await userRow(user.id)).locked_until).not.toBeNull();
    expect(
      (await client.post(`/users/${user.id}/unlock`, { reason: 'Again', address: ATTACKER })).status,
    ).toBe(409);
    expect((await client.post(`/users/${user.id}/unlock`, { reason: 'Called the help desk' })).status).toBe(
      303,
    );
    expect((await userRow(user.id)).locked_until).toBeNull();
    const unlocks = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'user.unlock')
      .where('outcome', '=', 'success')
      .orderBy('id')
      .execute();
    expect(unlocks.map((e) => e.reason)).toEqual(['Their new phone', 'Called the help desk']);
    expect(unlocks[0]?.before).toMatchObject({ address: ATTACKER });
    expect((await from(ATTACKER).signIn(user.email, FIXTURE_PASSWORD)).status).toBe(303);
  });

  it('counts a wrong password on the confirm page for the address it came from', async () => {
    await t.db.updateTable('account_settings').set({ lockout_threshold: 3 }).execute();
    const user = await makeUser(t.db, { role: 'viewer' });
    const client = await clientFor(t, user.id);
    for (let i = 0; i < 3; i++)
      await client.post('/account/confirm', { password: 'wrong password!' }, { 'x-forwarded-for': ATTACKER });
    expect(minutesUntil((await addressRow(user.id, ATTACKER))?.locked_until)).toBeGreaterThan(14.9);
    expect((await from(OWNER).signIn(user.email, FIXTURE_PASSWORD)).status).toBe(303);
  });

  it('writes refusals by the rate limit as one event per address and window, with their count', async () => {
    await sql`delete from rate_limits`.execute(t.db);
    let refused = 0;
    for (let i = 0; i < 45; i++) {
      const response = await from(ATTACKER).signIn(`nobody${i}@example.com`, 'whatever password');
      if (response.status === 429) refused++;
    }
    for (let i = 0; i < 35; i++) await from('203.0.113.50').signIn(`x${i}@example.com`, 'whatever password');
    expect(refused).toBe(15);
    const denied = () =>
      t.db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'auth.sign_in')
        .where('outcome', '=', 'denied')
        .orderBy('id')
        .execute();
    // Nothing yet: the window is still open.
    await recordRefusals(t.system);
    expect(await denied()).toHaveLength(0);
    t.clock.advance(5 * 60_000);
    expect(await recordRefusals(t.system)).toBe(2);
    const events = await denied();
    expect(events).toHaveLength(2);
    const attacker = events.find((e) => e.actor_label === ATTACKER);
    expect(attacker?.after).toMatchObject({ refused: 15, address: ATTACKER });
    expect(attacker?.reason).toMatch(
      /^rate limited \(sign-in:ip\): refused 15 attempts from 203\.0\.113\.9 between \d{4}-\d\d-\d\d \d\d:\d\d and \d\d:\d\d UTC$/,
    );
    expect(events.find((e) => e.actor_label === '203.0.113.50')?.after).toMatchObject({ refused: 5 });
    // Written once.
    expect(await recordRefusals(t.system)).toBe(0);
  });

  it.skipIf(!testDatabaseUrl)('shares counters between two app instances on one PostgreSQL', async () => {
    // A second instance: its own connection pool and app, the same database.
    const second = await openDatabase({ databaseUrl: t.database.url, dataDir: '' });
    try {
      const other = createApp({ ...t.deps, db: second.db, searchDb: second.searchDb });
      const user = await makeUser(t.db, { role: 'viewer' });
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          from(ATTACKER, i % 2 === 0 ? t.app : other).signIn(user.email, 'wrong password!'),
        ),
      );
      expect((await addressRow(user.id, ATTACKER))?.locked_until).not.toBeNull();
      expect((await from(ATTACKER, other).signIn(user.email, FIXTURE_PASSWORD)).status).toBe(401);
      expect((await from(ATTACKER, t.app).signIn(user.email, FIXTURE_PASSWORD)).status).toBe(401);
      expect((await from(OWNER, other).signIn(user.email, FIXTURE_PASSWORD)).status).toBe(303);
    } finally {
      await second.close();
    }
  });
});
