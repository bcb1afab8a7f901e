import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/auth/sessions/sessions';
import { SETUP_LINK_LIFETIME_MS, setupLinkAtStart } from '../../src/auth/setup/setup-link';
import { createAccountAdmin } from '../../src/users/create';
import { databaseKind } from '../helpers/database';
import { Client } from '../helpers/http';
import { setUpApp } from '../helpers/set-up-app';

// The first run in the browser: while there is no user, each server start prints a one-time link
// (setupLinkAtStart, as src/server.ts calls it) to /setup/<token>, which makes the first Account
// Admin once. Every test starts on an empty account that requires 2FA, as a fresh one does.
const t = setUpApp({ resetEach: true, settings: { require_two_factor: true } });

const PASSWORD = 'a quiet harbour at dawn';
const ADA = { name: 'Ada Lovelace', email: 'ada@example.com', password: PASSWORD, confirm: PASSWORD };

/** What a server start prints: the link's path. */
async function start(): Promise<string> {
  const now = t.clock.now();
  const setup = await setupLinkAtStart(t.db, t.config.publicUrl, now);
  if (!setup) throw new Error('no setup link: the account has users');
  expect(setup.link).toMatch(new RegExp(`^${t.config.publicUrl}/setup/[A-Za-z0-9_-]{43}$`));
  expect(setup.expiresAt.getTime() - now.getTime()).toBe(SETUP_LINK_LIFETIME_MS);
  return new URL(setup.link).pathname;
}

const count = async (table: 'users' | 'role_bindings' | 'sessions') =>
  Number(
    (
      await t.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

const adminEvents = () =>
  t.db
    .selectFrom('audit_events')
    .selectAll()
    .where('action', '=', 'user.create_admin')
    .orderBy('id')
    .execute();

const storedLinks = async () => (await sql`select token_hash from setup_link`.execute(t.db)).rows;

describe(`the setup link (${databaseKind})`, () => {
  it('makes the first Account Admin once, signs them in at the 2FA enrolment, and audits it', async () => {
    const events = (await adminEvents()).length;
    const path = await start();
    const client = new Client(t.app);

    const page = await client.get(path);
    expect(page.status).toBe(200);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await page.text();
    expect(html).toContain('Create the first Account Admin');
    expect(html).toContain(`action="${path}"`);
    expect(html).toContain('12 to 128 characters');

    const created = await client.post(path, ADA);
    expect(created.status).toBe(303);
    expect(created.headers.get('location')).toBe('/account/two-factor?next=%2F');
    expect(client.cookies.has(SESSION_COOKIE)).toBe(true);

    // Signed in, at the enrolment the account requires, then home once the codes are kept.
    const enrol = await client.get('/account/two-factor?next=%2F');
    expect(enrol.status).toBe(200);
    const enrolHtml = await enrol.text();
    expect(enrolHtml).toContain('Set up two-factor authentication');
    expect(enrolHtml).toContain('Welcome, Ada Lovelace: you are the Account Admin.');
    expect(enrolHtml).toContain('action="/account/two-factor?next=%2F"');
    // Held there, as any signed-in user without 2FA is when the account requires it.
    const home = await client.get('/');
    expect(home.status).toBe(303);
    expect(home.headers.get('location')).toBe('/account/two-factor');

    // An Account Admin, account-wide, with the password they chose.
    const bindings = await t.db
      .selectFrom('role_bindings as b')
      .innerJoin('roles as r', 'r.id', 'b.role_id')
      .innerJoin('users as u', 'u.id', 'b.user_id')
      .select(['r.key', 'b.project_id', 'u.name', 'u.password_hash', 'u.password_changed_at'])
      .execute();
    expect(bindings).toHaveLength(1);
    expect(bindings[0]).toMatchObject({ key: 'account_admin', project_id: null, name: 'Ada Lovelace' });
    expect(bindings[0]?.password_hash).toMatch(/^\$argon2id\$/);
    expect(bindings[0]?.password_changed_at).not.toBeNull();
    expect(await client.signIn(ADA.email, PASSWORD).then((r) => r.status)).toBe(303);

    // One event, by the system through the setup link, naming the new admin.
    const all = await adminEvents();
    expect(all).toHaveLength(events + 1);
    expect(all.at(-1)).toMatchObject({
      actor_id: null,
      actor_label: 'setup link',
      outcome: 'success',
      target_type: 'user',
      target_label: 'ada@example.com',
    });
    expect(all.at(-1)?.after).toMatchObject({ role: 'account_admin', scope: 'account', signedIn: true });

    // Used: gone from the database, and refused (setup is over) however it is asked.
    expect(await storedLinks()).toEqual([]);
    const again = new Client(t.app);
    const used = await again.get(path);
    expect(used.status).toBe(410);
    expect(await used.text()).toContain('Gatehouse is already set up');
    const replay = await again.post(path, { ...ADA, email: 'mallory@example.com', name: 'Mallory' });
    expect(replay.status).toBe(410);
    expect(await count('users')).toBe(1);
    expect(again.cookies.has(SESSION_COOKIE)).toBe(false);
    expect(t.errors).toEqual([]);
  });

  it('expires one hour after the start that printed it', async () => {
    const path = await start();
    const client = new Client(t.app);
    t.clock.advance(SETUP_LINK_LIFETIME_MS - 60_000);
    try {
      expect((await client.get(path)).status).toBe(200);
      t.clock.advance(60_000);
      const expired = await client.get(path);
      expect(expired.status).toBe(410);
      const text = await expired.text();
      expect(text).toContain('This setup link cannot be used');
      expect(text).toContain('The link has expired');
      expect(text).toContain('restart the server');
      expect(text).toContain('npm run cli -- create-admin');
      expect((await client.post(path, ADA)).status).toBe(410);
      expect(await count('users')).toBe(0);
    } finally {
      t.clock.advance(-SETUP_LINK_LIFETIME_MS);
    }
  });

  it('refuses once anyone exists, even with a link that was good, and a start then issues none', async () => {
    const path = await start();
    await createAccountAdmin(t.system, { email: 'grace@example.com', name: 'Grace Hopper' });
    const client = new Client(t.app);
    const page = await client.get(path);
    expect(page.status).toBe(410);
    expect(await page.text()).toContain('Gatehouse is already set up');
    const post = await client.post(path, ADA);
    expect(post.status).toBe(410);
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
    expect(await t.db.selectFrom('users').select('email').execute()).toEqual([
      { email: 'grace@example.com' },
    ]);

    expect(await setupLinkAtStart(t.db, t.config.publicUrl, t.clock.now())).toBeNull();
    expect(await storedLinks()).toEqual([]);
  });

  it('is replaced by the next start: the earlier link stops working', async () => {
    const first = await start();
    const second = await start();
    expect(second).not.toBe(first);
    const client = new Client(t.app);
    const old = await client.get(first);
    expect(old.status).toBe(404);
    expect(await old.text()).toContain('a later start of the server replaced it');
    expect((await client.post(first, ADA)).status).toBe(404);
    expect(await count('users')).toBe(0);
    expect(await storedLinks()).toHaveLength(1);
    expect((await client.get(second)).status).toBe(200);
  });

  it('answers an unknown or malformed token with 404', async () => {
    await start();
    const client = new Client(t.app);
    for (const path of ['/setup/not-a-token', `/setup/${'A'.repeat(43)}`, `/setup/${'A'.repeat(44)}`]) {
      const response = await client.get(path);
      expect(response.status, path).toBe(404);
      expect(await response.text()).toContain('This setup link cannot be used');
      expect((await client.post(path, ADA)).status, path).toBe(404);
    }
    expect(await count('users')).toBe(0);
  });

  it('shows the form again with every problem for bad input, and writes nothing', async () => {
    const path = await start();
    const events = (await adminEvents()).length;
    const client = new Client(t.app);

    const empty = await client.post(path, { name: ' ', email: '', password: '', confirm: '' });
    expect(empty.status).toBe(422);
    const emptyHtml = await empty.text();
    expect(emptyHtml).toContain('class="error-summary"');
    for (const field of ['name', 'email', 'password']) {
      expect(emptyHtml).toContain(`href="#${field}"`);
      expect(emptyHtml).toMatch(new RegExp(`id="${field}" name="${field}"[^>]*aria-invalid="true"`));
    }
    expect(emptyHtml).toContain('Enter a name.');
    expect(emptyHtml).toContain('Enter an email address.');
    expect(emptyHtml).toContain('Enter a password.');

    const cases: Array<[Record<string, string>, string]> = [
      [{ ...ADA, email: 'not an address' }, 'Enter an email address like name@example.com.'],
      [
        { ...ADA, password: 'too short', confirm: 'too short' },
        'Use at least 12 characters (this one has 9).',
      ],
      [
        { ...ADA, password: 'lovelace and babbage', confirm: 'lovelace and babbage' },
        'Do not include your name.',
      ],
      [{ ...ADA, password: 'password1234', confirm: 'password1234' }, 'a list of commonly used passwords'],
      [{ ...ADA, confirm: `${PASSWORD}!` }, 'The two passwords do not match.'],
    ];
    for (const [form, message] of cases) {
      const response = await client.post(path, form);
      expect(response.status, message).toBe(422);
      const html = await response.text();
      expect(html, message).toContain(message);
      // What was typed comes back, but never a password.
      expect(html).toContain(`value="${form.email}"`);
      expect(html).not.toContain('value="lovelace');
      expect(html).not.toContain(PASSWORD);
    }
    // A control character is refused by the form reader before the page runs (web/form.ts).
    const control = await client.post(path, { ...ADA, name: 'Ada\u0007' });
    expect(control.status).toBe(400);
    expect(await control.text()).toContain('control character');

    expect(await count('users')).toBe(0);
    expect(await count('role_bindings')).toBe(0);
    expect(await count('sessions')).toBe(0);
    expect(await adminEvents()).toHaveLength(events);
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
    // Still good: bad input does not spend it.
    expect(await storedLinks()).toHaveLength(1);
    expect((await client.post(path, ADA)).status).toBe(303);
    expect(t.errors).toEqual([]);
  });

  it('refuses a submission from another origin (CSRF), writing nothing', async () => {
    const path = await start();
    const client = new Client(t.app);
    const forged = await client.post(path, ADA, { origin: 'https://evil.example' });
    expect(forged.status).toBe(403);
    expect(await count('users')).toBe(0);
    expect(await storedLinks()).toHaveLength(1);
  });

  it('makes exactly one admin of concurrent submissions', async () => {
    const path = await start();
    const before = (await adminEvents()).length;
    const people = ['ada', 'grace', 'edsger', 'barbara', 'alan'];
    const answers = await Promise.all(
      people.map((who) =>
        new Client(t.app).post(path, { ...ADA, name: `${who} first`, email: `${who}@example.com` }),
      ),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([303, 410, 410, 410, 410]);
    expect(await count('users')).toBe(1);
    expect(await count('role_bindings')).toBe(1);
    expect(await count('sessions')).toBe(1);
    expect(await adminEvents()).toHaveLength(before + 1);
    expect(t.errors).toEqual([]);
  });
});
