import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { builtinRoleId } from '../../src/access/grants';
import { SESSION_COOKIE } from '../../src/auth/sessions/sessions';
import { sha256 } from '../../src/auth/tokens';
import { replaceRecoveryCodes } from '../../src/auth/two-factor/enrolment';
import { databaseKind } from '../helpers/database';
import { clientFor, enrolTotp, FIXTURE_PASSWORD, makeUser } from '../helpers/fixtures';
import { Client } from '../helpers/http';
import { oathtool } from '../helpers/oathtool';
import { setUpApp } from '../helpers/set-up-app';
import { settingsForm } from '../helpers/settings-form';

const t = setUpApp({
  resetEach: true,
  settings: {
    require_two_factor: false,
    password_min_length: 12,
    reset_lifetime_minutes: 60,
    lockout_threshold: 10,
  },
});

const NEW_PASSWORD = 'quiet lantern orchard 42';
const events = (action: string, targetId: string) =>
  t.db
    .selectFrom('audit_events')
    .selectAll()
    .where('action', '=', action)
    .where('target_id', '=', targetId)
    .orderBy('id')
    .execute();
const sessionsOf = (userId: string) =>
  t.db.selectFrom('sessions').select('id').where('user_id', '=', userId).execute();
const linkIn = (text: string | undefined) =>
  /https?:\/\/[^\s]+\/reset-password\/[A-Za-z0-9_-]{43}/.exec(text ?? '')?.[0];

async function forgot(email: string, headers?: Record<string, string>) {
  return new Client(t.app).post('/forgot-password', { email }, headers);
}

describe(`the password policy (${databaseKind})`, () => {
  it('says which rule failed: length, common password, email or name', async () => {
    const user = await makeUser(t.db, {
      role: 'viewer',
      name: 'Margaret Hamilton',
      email: 'mhamilton@example.com',
    });
    const client = await clientFor(t, user.id);
    const attempt = async (password: string) => {
      const response = await client.post('/account/password', {
        current: FIXTURE_PASSWORD,
        password,
        confirm: password,
      });
      return { status: response.status, html: await response.text() };
    };
    expect(await attempt('short one')).toMatchObject({ status: 422 });
    expect((await attempt('short one')).html).toContain('Use at least 12 characters (this one has 9).');
    // Counted in characters, not bytes: 12 emoji are 12 characters.
    expect((await attempt('🔑'.repeat(11))).html).toContain('this one has 11');
    expect((await attempt('x'.repeat(129))).html).toContain('128');
    expect((await attempt('passwordpassword')).html).toContain('commonly used passwords');
    expect((await attempt('Qwertyuiop123')).html).toContain('commonly used passwords');
    expect((await attempt('my mhamilton secret')).html).toContain('email');
    expect((await attempt('hello margaret 2024')).html).toContain('name');
    // Nothing was changed by any of them.
    expect((await new Client(t.app).signIn(user.email, FIXTURE_PASSWORD)).status).toBe(303);
  });

  it('never truncates: a 128-character password differing only in its last character is another password', async () => {
    const user = await makeUser(t.db, { role: 'viewer' });
    const long = `${'correct horse battery staple '.repeat(5).slice(0, 127)}A`;
    const client = await clientFor(t, user.id);
    expect(
      (await client.post('/account/password', { current: FIXTURE_PASSWORD, password: long, confirm: long }))
        .status,
    ).toBe(303);
    expect((await new Client(t.app).signIn(user.email, `${long.slice(0, 127)}B`)).status).toBe(401);
    expect((await new Client(t.app).signIn(user.email, long)).status).toBe(303);
  });

  it('follows the minimum length set for the account, never below 8', async () => {
    const admin = await makeUser(t.db, { role: 'account_admin' });
    const client = await clientFor(t, admin.id);
    expect((await client.post('/settings', settingsForm({ password_min_length: '7' }))).status).toBe(422);
    expect((await client.post('/settings', settingsForm({ password_min_length: '16' }))).status).toBe(303);
    const tooShort = 'fifteen chars!!';
    const response = await client.post('/account/password', {
      current: FIXTURE_PASSWORD,
      password: tooShort,
      confirm: tooShort,
    });
    expect(await response.text()).toContain('Use at least 16 characters');
  });
});

describe(`forgot password and the reset link (${databaseKind})`, () => {
  it('mails a one-hour, single-use link built from the public URL; the reset ends sessions and is emailed', async () => {
    const user = await makeUser(t.db, { role: 'viewer' });
    const signedIn = await clientFor(t, user.id);
    const response = await forgot(user.email, { host: 'evil.example.net' });
    expect(response.status).toBe(200);
    const link = linkIn(t.mailer.messages[0]?.text);
    expect(link?.startsWith(`${t.config.publicUrl}/reset-password/`)).toBe(true);
    const path = new URL(link ?? '').pathname;
    const token = path.split('/').at(-1) ?? '';
    const stored = await t.db
      .selectFrom('one_time_tokens')
      .selectAll()
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(Buffer.from(stored.token_hash).equals(Buffer.from(sha256(token)))).toBe(true);
    expect((stored.expires_at.getTime() - stored.created_at.getTime()) / 60_000).toBe(60);

    const client = new Client(t.app);
    const page = await client.get(path);
    expect(page.status).toBe(200);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await page.text()).toContain('Choose a new password');
    const done = await client.post(path, { password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/login');
    // Not signed in; every session ended; emailed; audited.
    expect(client.cookies.get(SESSION_COOKIE)).toBeUndefined();
    expect((await signedIn.get('/')).status).toBe(303);
    expect(await sessionsOf(user.id)).toHaveLength(0);
    expect(t.mailer.messages.at(-1)?.tags).toContainEqual({ name: 'category', value: 'passwordReset' });
    expect(await events('auth.password_reset', user.id)).toHaveLength(1);
    // Single use.
    expect((await client.post(path, { password: NEW_PASSWORD, confirm: NEW_PASSWORD })).status).toBe(404);
    expect((await new Client(t.app).signIn(user.email, NEW_PASSWORD)).status).toBe(303);
  });

  it('stops working after an hour, and when a newer link is sent', async () => {
    const user = await makeUser(t.db, { role: 'viewer' });
    await forgot(user.email);
    const first = new URL(linkIn(t.mailer.messages.at(-1)?.text) ?? '').pathname;
    await forgot(user.email);
    const second = new URL(linkIn(t.mailer.messages.at(-1)?.text) ?? '').pathname;
    expect((await new Client(t.app).get(first)).status).toBe(404);
    expect((await new Client(t.app).get(second)).status).toBe(200);
    t.clock.advance(60 * 60_000 + 1000);
    expect((await new Client(t.app).get(second)).status).toBe(404);
  });

  it('asks a user with 2FA for a code (or a recovery code) before the new password', async () => {
    const user = await makeUser(t.db, { role: 'viewer' });
    const key = await enrolTotp(t, user.id);
    await forgot(user.email);
    const path = new URL(linkIn(t.mailer.messages.at(-1)?.text) ?? '').pathname;
    const client = new Client(t.app);
    const page = await (await client.get(path)).text();
    expect(page).toContain('Confirm it is you');
    expect(page).not.toContain('name="password"');
    // Skipping the code step is refused and changes nothing.
    expect((await client.post(path, { password: NEW_PASSWORD, confirm: NEW_PASSWORD })).status).toBe(422);
    expect((await client.post(`${path}/code`, { code: '000000' })).status).toBe(401);
    const ok = await client.post(`${path}/code`, { code: oathtool(key, t.clock.now()) });
    expect(ok.status).toBe(303);
    expect(await (await client.get(path)).text()).toContain('name="password"');
    expect((await client.post(path, { password: NEW_PASSWORD, confirm: NEW_PASSWORD })).status).toBe(303);
    expect((await new Client(t.app).signIn(user.email, NEW_PASSWORD)).status).toBe(303);

    // A recovery code does too, and is audited and emailed.
    const [code] = await t.db.transaction().execute((tx) => replaceRecoveryCodes(tx, user.id, t.clock.now()));
    await forgot(user.email);
    const again = new URL(linkIn(t.mailer.messages.at(-1)?.text) ?? '').pathname;
    expect((await client.post(`${again}/code`, { code: code ?? '' })).status).toBe(303);
    expect(await events('auth.recovery_code_used', user.id)).toHaveLength(1);
    expect(t.mailer.messages.at(-1)?.tags).toContainEqual({ name: 'category', value: 'recoveryCodeUsed' });
  });

  it('is rate limited per address (quietly) and per IP (429)', async () => {
    await sql`delete from rate_limits`.execute(t.db);
    const user = await makeUser(t.db, { role: 'viewer' });
    for (let i = 0; i < 5; i++) expect((await forgot(user.email)).status).toBe(200);
    // Three mails, then the same answer without one.
    expect(t.mailer.messages).toHaveLength(3);
    let status = 200;
    for (let i = 0; i < 10 && status === 200; i++) status = (await forgot(`someone${i}@example.com`)).status;
    expect(status).toBe(429);
  });
});

describe(`My account (${databaseKind})`, () => {
  it('changes the password with the current one; other sessions end; the user is emailed', async () => {
    const user = await makeUser(t.db, { role: 'viewer' });
    const other = await clientFor(t, user.id);
    const client = await clientFor(t, user.id);
    const wrong = await client.post('/account/password', {
      current: 'not my password',
      password: NEW_PASSWORD,
      confirm: NEW_PASSWORD,
    });
    expect(wrong.status).toBe(422);
    expect(await wrong.text()).toContain('Your current password is not right.');
    expect(
      (
        await t.db
          .selectFrom('users')
          .select('failed_login_count')
          .where('id', '=', user.id)
          .executeTakeFirstOrThrow()
      ).failed_login_count,
    ).toBe(1);
    const ok = await client.post('/account/password', {
      current: FIXTURE_PASSWORD,
      password: NEW_PASSWORD,
      confirm: NEW_PASSWORD,
    });
    expect(ok.status).toBe(303);
    expect((await client.get('/account')).status).toBe(200);
    expect((await other.get('/account')).status).toBe(303);
    expect(await sessionsOf(user.id)).toHaveLength(1);
    expect(t.mailer.messages.at(-1)?.tags).toContainEqual({ name: 'category', value: 'passwordChanged' });
  });

  it('saves name and language; security mails follow the language', async () => {
    const user = await makeUser(t.db, { role: 'viewer' });
    const client = await clientFor(t, user.id);
    expect((await client.post('/account/profile', { name: '', language: 'xx' })).status).toBe(422);
    expect((await client.post('/account/profile', { name: 'Marie Curie', language: 'fr' })).status).toBe(303);
    const row = await t.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: 'Marie Curie', language: 'fr' });
    await client.post('/account/password', {
      current: FIXTURE_PASSWORD,
      password: NEW_PASSWORD,
      confirm: NEW_PASSWORD,
    });
    expect(t.mailer.messages.at(-1)?.tags).toContainEqual({ name: 'language', value: 'fr' });
  });

  it('lists the sessions with this device marked, and signs out one or all others', async () => {
    const user = await makeUser(t.db, { role: 'viewer' });
    const phone = new Client(t.app);
    await phone.request('/login', {
      method: 'POST',
      form: { email: user.email, password: FIXTURE_PASSWORD },
      headers: {
        'user-agent':
          'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Version/17.0 Mobile Safari/604.1',
      },
    });
    const laptop = await clientFor(t, user.id);
    const third = await clientFor(t, user.id);
    const page = await (await laptop.get('/account')).text();
    expect(page).toContain('Safari on iOS');
    expect(page).toContain('(this device)');
    const [phoneId] = (phone.cookies.get(SESSION_COOKIE) ?? '').split('.');
    expect((await laptop.post(`/account/sessions/${phoneId}/end`, {})).status).toBe(303);
    expect((await phone.get('/account')).status).toBe(303);
    // Someone else's session id is not found, and stays.
    const stranger = await makeUser(t.db, { role: 'viewer' });
    await clientFor(t, stranger.id);
    const [strangerSession] = await sessionsOf(stranger.id);
    expect((await laptop.post(`/account/sessions/${strangerSession?.id}/end`, {})).status).toBe(404);
    expect(await sessionsOf(stranger.id)).toHaveLength(1);
    expect((await laptop.post('/account/sessions/end-others', {})).status).toBe(303);
    expect((await third.get('/account')).status).toBe(303);
    expect((await laptop.get('/account')).status).toBe(200);
    const events = await (await laptop.get('/account')).text();
    expect(events).toContain('Other sessions signed out');
    expect(events).toContain('Sign-in');
  });

  it('asks for the password again after 10 minutes before 2FA changes', async () => {
    const user = await makeUser(t.db, { role: 'viewer' });
    const client = await clientFor(t, user.id);
    t.clock.advance(11 * 60_000);
    const start = await client.post('/account/two-factor', {});
    expect(start.headers.get('location')).toBe('/account/confirm?next=%2Faccount%2Ftwo-factor');
    expect(
      (
        await t.db
          .selectFrom('users')
          .select('totp_pending_secret')
          .where('id', '=', user.id)
          .executeTakeFirstOrThrow()
      ).totp_pending_secret,
    ).toBeNull();
    expect(
      (await client.post('/account/confirm?next=%2Faccount%2Ftwo-factor', { password: 'wrong' })).status,
    ).toBe(401);
    const confirmed = await client.post('/account/confirm?next=%2Faccount%2Ftwo-factor', {
      password: FIXTURE_PASSWORD,
    });
    expect(confirmed.headers.get('location')).toBe('/account/two-factor');
    expect((await client.post('/account/two-factor', {})).headers.get('location')).toBe(
      '/account/two-factor',
    );
  });

  it('makes new recovery codes, and removes 2FA only where the account does not require it', async () => {
    const user = await makeUser(t.db, { role: 'viewer' });
    await enrolTotp(t, user.id);
    const old = await t.db.transaction().execute((tx) => replaceRecoveryCodes(tx, user.id, t.clock.now()));
    const client = await clientFor(t, user.id);
    const fresh = await (await client.post('/account/two-factor/recovery-codes', {})).text();
    expect(fresh.match(/<li><code>/g)).toHaveLength(10);
    expect(fresh).not.toContain(old[0]);
    await t.db.updateTable('account_settings').set({ require_two_factor: true }).execute();
    const refused = await client.post('/account/two-factor/remove', {});
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('requires two-factor authentication');
    await t.db.updateTable('account_settings').set({ require_two_factor: false }).execute();
    expect((await client.post('/account/two-factor/remove', {})).status).toBe(303);
    const row = await t.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.totp_secret).toBeNull();
    expect(
      await t.db.selectFrom('recovery_codes').selectAll().where('user_id', '=', user.id).execute(),
    ).toHaveLength(0);
    expect(t.mailer.messages.at(-1)?.tags).toContainEqual({ name: 'category', value: 'twoFactorRemoved' });
  });
});

describe(`review findings (${databaseKind})`, () => {
  it('refuses the right password on confirm and change-password pages while the account is locked', async () => {
    const user = await makeUser(t.db, { role: 'viewer' });
    const client = await clientFor(t, user.id);
    await t.db
      .updateTable('users')
      .set({ locked_until: new Date(t.clock.now().getTime() + 15 * 60_000) })
      .where('id', '=', user.id)
      .execute();
    expect((await client.post('/account/confirm', { password: FIXTURE_PASSWORD })).status).toBe(401);
    const change = await client.post('/account/password', {
      current: FIXTURE_PASSWORD,
      password: NEW_PASSWORD,
      confirm: NEW_PASSWORD,
    });
    expect(change.status).toBe(422);
    expect((await new Client(t.app).signIn(user.email, NEW_PASSWORD)).status).toBe(401);
  });

  it('makes a user whose 2FA an admin reset enrol again, even where the account does not require it', async () => {
    const admin = await makeUser(t.db, { role: 'account_admin' });
    const user = await makeUser(t.db, { role: 'viewer' });
    await enrolTotp(t, user.id);
    const client = await clientFor(t, admin.id);
    expect((await client.post(`/users/${user.id}/reset-two-factor`, { reason: 'New phone' })).status).toBe(
      303,
    );
    const them = new Client(t.app);
    await them.signIn(user.email, FIXTURE_PASSWORD);
    expect((await them.get('/')).headers.get('location')).toBe('/account/two-factor');
    expect(await (await them.get('/account/two-factor')).text()).toContain('requires');
  });

  it('sends a signed-in user away from the code page instead of looping through sign-in', async () => {
    const user = await makeUser(t.db, { role: 'viewer' });
    const client = await clientFor(t, user.id);
    expect((await client.get('/login/two-factor')).headers.get('location')).toBe('/');
    expect((await new Client(t.app).get('/login/two-factor')).headers.get('location')).toBe('/login');
    // After confirming the password, a stale enrolment code form comes back to the enrolment page.
    expect((await client.get('/account/two-factor/confirm')).headers.get('location')).toBe(
      '/account/two-factor',
    );
  });

  it('ends sign-ins waiting for a code when the user removes 2FA', async () => {
    const user = await makeUser(t.db, { role: 'viewer' });
    await enrolTotp(t, user.id);
    const waiting = new Client(t.app);
    expect((await waiting.signIn(user.email, FIXTURE_PASSWORD)).headers.get('location')).toBe(
      '/login/two-factor',
    );
    const client = await clientFor(t, user.id);
    expect((await client.post('/account/two-factor/remove', {})).status).toBe(303);
    expect((await waiting.get('/')).headers.get('location')).toBe('/login');
  });

  it('asks for a recent password before an admin resets a password or grants admin rights', async () => {
    const admin = await makeUser(t.db, { role: 'account_admin' });
    const user = await makeUser(t.db, { role: 'viewer' });
    const client = await clientFor(t, admin.id);
    await t.db
      .updateTable('sessions')
      .set({ reauthenticated_at: new Date(t.clock.now().getTime() - 11 * 60_000) })
      .where('user_id', '=', admin.id)
      .execute();
    const reset = await client.post(`/users/${user.id}/reset-password`, {});
    expect(reset.headers.get('location')).toMatch(/^\/account\/confirm\?next=/);
    const row = await t.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.password_hash).not.toBeNull();
    const grant = await client.post('/users', {
      name: 'New Admin',
      email: 'new-admin@example.com',
      roleId: await builtinRoleId(t.db, 'account_admin'),
    });
    expect(grant.headers.get('location')).toMatch(/^\/account\/confirm\?next=/);
    expect(
      await t.db.selectFrom('users').select('id').where('email', '=', 'new-admin@example.com').execute(),
    ).toHaveLength(0);
  });
});

describe(`admin actions on others' factors and the account settings (${databaseKind})`, () => {
  it('resets another user’s 2FA with a reason: audited, emailed, sessions end, re-enrol at next sign-in', async () => {
    await t.db.updateTable('account_settings').set({ require_two_factor: true }).execute();
    const admin = await makeUser(t.db, { role: 'account_admin' });
    await enrolTotp(t, admin.id);
    const user = await makeUser(t.db, { role: 'viewer' });
    await enrolTotp(t, user.id);
    const theirs = await clientFor(t, user.id);
    const client = await clientFor(t, admin.id);
    expect(await (await client.get(`/users/${user.id}`)).text()).toContain(
      'Reset two-factor authentication of',
    );
    expect((await client.post(`/users/${user.id}/reset-two-factor`, { reason: '' })).status).toBe(422);
    expect(
      (
        await client.post(`/users/${user.id}/reset-two-factor`, {
          reason: 'Lost phone, verified by video call',
        })
      ).status,
    ).toBe(303);
    expect(
      (
        await t.db
          .selectFrom('users')
          .select('totp_secret')
          .where('id', '=', user.id)
          .executeTakeFirstOrThrow()
      ).totp_secret,
    ).toBeNull();
    expect((await theirs.get('/')).status).toBe(303);
    expect((await events('user.two_factor_reset', user.id)).at(-1)?.reason).toBe(
      'Lost phone, verified by video call',
    );
    expect(t.mailer.messages.at(-1)).toMatchObject({ to: user.email });
    expect(t.mailer.messages.at(-1)?.tags).toContainEqual({ name: 'category', value: 'twoFactorReset' });
    const again = new Client(t.app);
    expect((await again.signIn(user.email, FIXTURE_PASSWORD)).headers.get('location')).toBe('/');
    expect((await again.get('/')).headers.get('location')).toBe('/account/two-factor');
    // An admin whose sign-in is over 10 minutes old confirms the password first.
    await enrolTotp(t, user.id);
    t.clock.advance(11 * 60_000);
    const late = await clientFor(t, admin.id);
    await t.db
      .updateTable('sessions')
      .set({ reauthenticated_at: new Date(t.clock.now().getTime() - 11 * 60_000) })
      .where('user_id', '=', admin.id)
      .execute();
    const stale = await late.post(`/users/${user.id}/reset-two-factor`, { reason: 'Again' });
    expect(stale.headers.get('location')).toBe(
      `/account/confirm?next=${encodeURIComponent(`/users/${user.id}/reset-two-factor`)}`,
    );
  });

  it('saves settings with each change audited before and after, and they take effect', async () => {
    const admin = await makeUser(t.db, { role: 'account_admin' });
    const client = await clientFor(t, admin.id);
    const page = await client.get('/settings');
    expect(page.status).toBe(200);
    const saved = await client.post(
      '/settings',
      settingsForm({ lockout_threshold: '3', require_two_factor: '', account_name: 'Acme' }),
    );
    expect(saved.status).toBe(303);
    const [event] = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'account.settings_update')
      .orderBy('id', 'desc')
      .limit(1)
      .execute();
    expect(event?.before).toMatchObject({ lockout_threshold: 10, account_name: 'Gatehouse' });
    expect(event?.after).toMatchObject({ lockout_threshold: 3, account_name: 'Acme' });
    expect(Object.keys(event?.after as object)).not.toContain('lockout_minutes');
    const user = await makeUser(t.db, { role: 'viewer' });
    for (let i = 0; i < 3; i++) await new Client(t.app).signIn(user.email, 'wrong password!');
    // Three wrong passwords now lock the account for the address they came from (lockout.ts).
    expect(
      (
        await t.db
          .selectFrom('sign_in_failures')
          .select('locked_until')
          .where('user_id', '=', user.id)
          .executeTakeFirstOrThrow()
      ).locked_until,
    ).not.toBeNull();
    // Bad input: a clear message and nothing changed.
    const bad = await client.post(
      '/settings',
      settingsForm({ session_idle_minutes: '2000', session_absolute_hours: '1' }),
    );
    expect(bad.status).toBe(422);
    expect(
      (await t.db.selectFrom('account_settings').select('session_idle_minutes').executeTakeFirstOrThrow())
        .session_idle_minutes,
    ).toBe(30);
    // Not for those without account.settings.
    const viewer = await clientFor(t, user.id);
    expect((await viewer.get('/settings')).status).toBe(403);
  });
});
