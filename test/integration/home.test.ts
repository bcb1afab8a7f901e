import { randomBytes } from 'node:crypto';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { builtinRoleId, defaultProjectId } from '../../src/access/grants';
import { writeAudit } from '../../src/audit/write';
import { countListed } from '../../src/home/list-counts';
import { exportLines, forgetUserCounts, listUsers, parseUserListQuery, userList } from '../../src/users/list';
import { userRows } from '../../src/users/list-query';
import { databaseKind } from '../helpers/database';
import { bind, clientFor, enrolTotp, fixtureHash, makeUser } from '../helpers/fixtures';
import type { Client } from '../helpers/http';
import { setUpApp } from '../helpers/set-up-app';

/**
 * The home page's counts against the lists they link to: a known set of people, bindings,
 * invitations and emails, seeded at the test clock's time; every count followed to its list, whose
 * total must be the same; the new filters (access or a role ending soon, two-factor, invitations
 * expiring soon) checked person by person, in the list, its count and its export.
 */

const t = setUpApp();
const DAY = 86_400_000;
const HOUR = 3_600_000;
let admin: Client;
let projectId: string;
let owner: { id: string; email: string; name: string };

/** Seeded people by name: each name says what the person is. */
const ids = new Map<string, string>();

beforeAll(async () => {
  projectId = await defaultProjectId(t.db);
  const now = t.clock.now().getTime();
  const at = (ms: number) => new Date(now + ms);
  owner = await makeUser(t.db, { role: 'account_admin', name: 'Owner', email: 'owner@home.test' });
  await enrolTotp(t, owner.id);
  await t.db
    .updateTable('users')
    .set({ last_login_at: at(-DAY) })
    .where('id', '=', owner.id)
    .execute();
  ids.set('Owner', owner.id);
  admin = await clientFor(t, owner.id);

  const hash = await fixtureHash();
  type Person = {
    name: string;
    password?: boolean;
    totp?: boolean;
    lastLogin?: number | null;
    locked?: number;
    deactivated?: boolean;
    accessEnds?: number;
  };
  const people: Person[] = [
    { name: 'Active recent', lastLogin: -2 * DAY },
    { name: 'Active stale', lastLogin: -100 * DAY },
    { name: 'Active never', lastLogin: null },
    { name: 'Active with 2FA', totp: true, lastLogin: -10 * DAY },
    { name: 'Locked one', locked: HOUR, lastLogin: -DAY },
    { name: 'Locked two', locked: 2 * HOUR, lastLogin: -200 * DAY, totp: true },
    { name: 'Lock ended', locked: -HOUR, lastLogin: -DAY },
    { name: 'Access ends soon', accessEnds: 3 * DAY, lastLogin: -DAY },
    { name: 'Access ends later', accessEnds: 10 * DAY, lastLogin: -DAY },
    { name: 'Access ended', accessEnds: -DAY, lastLogin: -DAY },
    { name: 'Deactivated ending', accessEnds: 3 * DAY, deactivated: true, lastLogin: -DAY },
    { name: 'Direct role ends soon', lastLogin: -DAY, totp: true },
    { name: 'Team role ends soon', lastLogin: -DAY },
    { name: 'Role ended', lastLogin: -DAY },
    { name: 'Role ends later', lastLogin: -DAY },
    { name: 'No password', password: false, lastLogin: null },
  ];
  const rows = await t.db
    .insertInto('users')
    .values(
      people.map((p, i) => ({
        name: p.name,
        email: `person${i}@home.test`,
        password_hash: p.password === false ? null : hash,
        last_login_at: p.lastLogin == null ? null : at(p.lastLogin),
        locked_until: p.locked === undefined ? null : at(p.locked),
        deactivated_at: p.deactivated ? at(-DAY) : null,
        access_expires_at: p.accessEnds === undefined ? null : at(p.accessEnds),
      })),
    )
    .returning(['id', 'name'])
    .execute();
  for (const row of rows) ids.set(row.name, row.id);
  for (const p of people) if (p.totp) await enrolTotp(t, ids.get(p.name) as string);

  const id = (name: string) => ids.get(name) as string;
  await bind(t.db, {
    userId: id('Direct role ends soon'),
    roleKey: 'viewer',
    projectId,
    expiresAt: at(2 * DAY),
  });
  await bind(t.db, { userId: id('Role ended'), roleKey: 'viewer', projectId, expiresAt: at(-DAY) });
  await bind(t.db, { userId: id('Role ends later'), roleKey: 'editor', expiresAt: at(30 * DAY) });
  const team = await t.db
    .insertInto('teams')
    .values({ name: 'Night shift' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await t.db
    .insertInto('team_members')
    .values({ team_id: team.id, user_id: id('Team role ends soon') })
    .execute();
  await bind(t.db, { teamId: team.id, roleKey: 'viewer', projectId, expiresAt: at(5 * DAY) });

  // Invitations: three pending (two of them expire within 7 days), one expired, one revoked and
  // one declined that would otherwise expire within the week.
  const invitation = (
    email: string,
    expires: number,
    extra: { revoked?: boolean; declined?: boolean } = {},
  ) => ({
    email,
    project_id: projectId,
    role_name: 'Viewer',
    invited_by_label: `Owner (${owner.email})`,
    language: 'en' as const,
    token_hash: randomBytes(32),
    sent_at: at(-DAY),
    expires_at: at(expires),
    revoked_at: extra.revoked ? at(-HOUR) : null,
    declined_at: extra.declined ? at(-HOUR) : null,
  });
  const viewerRole = await builtinRoleId(t.db, 'viewer');
  await t.db
    .insertInto('invitations')
    .values(
      [
        invitation('soon@home.test', 2 * DAY),
        invitation('this-week@home.test', 6 * DAY),
        invitation('later@home.test', 20 * DAY),
        invitation('expired@home.test', -DAY),
        invitation('revoked@home.test', 3 * DAY, { revoked: true }),
        invitation('declined@home.test', 3 * DAY, { declined: true }),
      ].map((i) => ({ ...i, role_id: viewerRole })),
    )
    .execute();

  // Emails: two bounced, one delivered, one marked as spam.
  await t.db
    .insertInto('mail_messages')
    .values(
      (['bounced', 'bounced', 'delivered', 'complained'] as const).map((state, i) => ({
        kind: 'test',
        recipient: `mail${i}@home.test`,
        subject: 'Hello',
        state,
        reason: state === 'bounced' ? 'mailbox does not exist' : null,
        idempotency_key: `home-test-${i}`,
      })),
    )
    .execute();

  // Security events: a refused sign-in, a lockout, a 2FA reset, and a sign-in that is not one.
  const actor = { id: null, label: 'test' };
  const target = { type: 'user', id: id('Locked one'), label: 'person4@home.test' };
  await writeAudit(t.db, t.system, { action: 'auth.sign_in', outcome: 'failed', actor, target });
  await writeAudit(t.db, t.system, { action: 'auth.lockout', outcome: 'success', actor, target });
  await writeAudit(t.db, t.system, { action: 'user.two_factor_reset', outcome: 'success', actor, target });
  await writeAudit(t.db, t.system, { action: 'auth.sign_in', outcome: 'success', actor, target });
  forgetUserCounts();
});

beforeEach(async () => {
  await t.db.updateTable('account_settings').set({ require_two_factor: true }).execute();
});

const decode = (s: string) =>
  s.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<');
const number = (s: string) => Number(s.replace(/^about /, '').replaceAll(',', ''));

interface Card {
  href: string;
  value: string;
  label: string;
}

/** Each count on the home page: its link, its number as shown and its words. */
function cardsOf(html: string): Card[] {
  const cards = [
    ...html.matchAll(
      /<a href="([^"]*)" class="stat-link"><span class="stat-value">([^<]*)<\/span> <span class="stat-label">([^<]*)<\/span><\/a>/g,
    ),
  ].map((m) => ({ href: decode(m[1] as string), value: m[2] as string, label: decode(m[3] as string) }));
  const details = [...html.matchAll(/<a href="([^"]*)" class="stat-detail-link">([^<]*)<\/a>/g)].map((m) => {
    const text = decode((m[2] as string).replace(/\s+/g, ' '));
    const [, value = '', label = ''] = /^((?:about )?[\d,]+) (.*)$/.exec(text) ?? [];
    return { href: decode(m[1] as string), value, label };
  });
  return [...cards, ...details];
}

/** The total a list page shows in its caption: "Showing 1–3 of 3 users", or none matching. */
function listTotal(html: string): number {
  const range = /Showing [\d,]+–[\d,]+ of ((?:about )?[\d,]+) /.exec(html);
  if (range) return number(range[1] as string);
  if (/No \w+ match/.test(html)) return 0;
  throw new Error('no range text in the list page');
}

async function page(client: Client, path: string) {
  const response = await client.get(path);
  expect(response.status, path).toBe(200);
  return response.text();
}

/** The names a users query lists (all of them, in one page), through the list's own function. */
async function listed(query: string): Promise<string[]> {
  const q = parseUserListQuery(new URLSearchParams(`${query}&per=100`));
  const result = await listUsers(t.db, q, projectId, t.clock.now());
  expect(result.total.value, query).toBe(result.rows.length);
  return result.rows.map((r) => r.name).sort();
}

describe(`the home page counts what its links list (${databaseKind})`, () => {
  it('shows every count, each equal to the total of the list it links to', async () => {
    const html = await page(admin, '/');
    const cards = cardsOf(html);
    const byLabel = Object.fromEntries(cards.map((c) => [c.label, c]));
    expect(Object.keys(byLabel).sort()).toEqual(
      [
        'active people without two-factor authentication',
        'active users',
        'accounts whose access or a role ends within 7 days',
        'bounced emails',
        'invitations expire within 7 days',
        'locked accounts',
        'pending invitations',
        'users not signed in for 90 days',
      ].sort(),
    );
    for (const card of cards) {
      const total = listTotal(await page(admin, card.href));
      expect(total, `${card.value} ${card.label} → ${card.href}`).toBe(number(card.value));
    }
    // And the numbers are the seeded ones.
    const values = Object.fromEntries(cards.map((c) => [c.label, c.value]));
    expect(values).toEqual({
      'active users': '12',
      'pending invitations': '3',
      'invitations expire within 7 days': '2',
      'locked accounts': '2',
      'accounts whose access or a role ends within 7 days': '3',
      'active people without two-factor authentication': '9',
      'bounced emails': '2',
      'users not signed in for 90 days': '4',
    });
    expect(byLabel['locked accounts']?.href).toBe('/users?status=locked');
    expect(byLabel['active users']?.href).toBe('/users?status=active');
    expect(byLabel['users not signed in for 90 days']?.href).toBe('/users?inactive=90');
    expect(byLabel['accounts whose access or a role ends within 7 days']?.href).toBe('/users?ending=7');
    expect(byLabel['active people without two-factor authentication']?.href).toBe(
      '/users?status=active&two_factor=off',
    );
    expect(byLabel['bounced emails']?.href).toBe('/email?state=bounced');
    expect(byLabel['pending invitations']?.href).toBe('/invitations?state=pending');
    expect(byLabel['invitations expire within 7 days']?.href).toBe('/invitations?expiring=7');
    expect(html).not.toContain('Two-factor authentication is not required');
  });

  it('says a count of one in the singular, and the same number as the list after a change', async () => {
    await t.db
      .updateTable('users')
      .set({ locked_until: null })
      .where('id', '=', ids.get('Locked two') as string)
      .execute();
    forgetUserCounts();
    try {
      const html = await page(admin, '/');
      const locked = cardsOf(html).find((c) => c.href === '/users?status=locked');
      expect(locked).toEqual({ href: '/users?status=locked', value: '1', label: 'locked account' });
      expect(listTotal(await page(admin, '/users?status=locked'))).toBe(1);
    } finally {
      await t.db
        .updateTable('users')
        .set({ locked_until: new Date(t.clock.now().getTime() + 2 * HOUR) })
        .where('id', '=', ids.get('Locked two') as string)
        .execute();
      forgetUserCounts();
    }
  });

  it('when the account does not require 2FA, says so with a link to Settings instead of counting', async () => {
    await t.db.updateTable('account_settings').set({ require_two_factor: false }).execute();
    const html = await page(admin, '/');
    expect(cardsOf(html).map((c) => c.label)).not.toContain(
      'active people without two-factor authentication',
    );
    expect(html).toContain('Two-factor authentication is not required');
    expect(html).toContain('<a href="/settings">Require it in Settings</a>');
  });

  it('lists the latest security events, each linking to its event, and the filtered audit log', async () => {
    const html = await page(admin, '/');
    const events = [...html.matchAll(/<a href="\/audit\/events\/(\d+)">([^<]*)/g)].map((m) => m[2]);
    // Newest first; the successful sign-in is not a security event here.
    expect(events).toEqual([
      'Two-factor authentication reset by an administrator',
      'Account locked after failed sign-ins',
      'Sign-in (failed)',
    ]);
    const failed = decode(/<a href="([^"]*)">Failed sign-ins in the audit log<\/a>/.exec(html)?.[1] ?? '');
    expect(failed).toBe(
      '/audit?action=auth.sign_in&action=auth.sign_in_code&action=sso.sign_in&outcome=failed',
    );
    expect(listTotal(await page(admin, failed))).toBe(1);
    const changes = decode(/<a href="([^"]*)">Security changes in the audit log<\/a>/.exec(html)?.[1] ?? '');
    expect(changes).toContain('action=auth.lockout');
    expect(listTotal(await page(admin, changes))).toBe(2);
  });

  it('shows only the counts of the lists a viewer may open', async () => {
    // Co-admin: users.view, users.manage and invitations.manage, in every project (no audit.view).
    const coAdmin = await makeUser(t.db, { role: 'co_admin', name: 'Co Admin', email: 'co@home.test' });
    await enrolTotp(t, coAdmin.id);
    forgetUserCounts();
    try {
      const client = await clientFor(t, coAdmin.id);
      const html = await page(client, '/');
      const cards = cardsOf(html);
      expect(cards.length).toBeGreaterThan(0);
      for (const card of cards) {
        expect(listTotal(await page(client, card.href)), card.href).toBe(number(card.value));
      }
      expect(html).not.toContain('Latest security events');
    } finally {
      await t.db.deleteFrom('sessions').where('user_id', '=', coAdmin.id).execute();
      await t.db.deleteFrom('role_bindings').where('user_id', '=', coAdmin.id).execute();
      await t.db.deleteFrom('users').where('id', '=', coAdmin.id).execute();
    }
    forgetUserCounts();
  });

  it('refuses a link parameter its list does not read, rather than count the whole list', async () => {
    const viewer = {
      db: t.db,
      now: t.clock.now(),
      timeZone: 'UTC',
      projectId,
      permissions: new Set(['users.view']),
      scopeOf: () => ({ all: true as const }),
    };
    await expect(countListed(userList, viewer, { stauts: 'locked' })).rejects.toThrow(/not a filter/);
    expect((await countListed(userList, viewer, { status: 'locked' })).total).toEqual({
      value: 2,
      exact: true,
    });
  });
});

describe(`the new filters (${databaseKind})`, () => {
  it('ending=7: own access or a live binding, direct or through a team, ending within 7 days', async () => {
    expect(await listed('ending=7')).toEqual([
      'Access ends soon',
      'Direct role ends soon',
      'Team role ends soon',
    ]);
    expect(await listed('ending=40')).toEqual(
      [
        'Access ends later',
        'Access ends soon',
        'Direct role ends soon',
        'Role ends later',
        'Team role ends soon',
      ].sort(),
    );
    expect(await listed('ending=7&tab=deactivated')).toEqual(['Deactivated ending']);
    // Out of range reads as unset, like the other day filters.
    expect(parseUserListQuery(new URLSearchParams('ending=0')).endingDays).toBeNull();
    expect(parseUserListQuery(new URLSearchParams('ending=9999')).endingDays).toBeNull();
  });

  it('two_factor=off and on, alone and with a status', async () => {
    expect(await listed('two_factor=on')).toEqual([
      'Active with 2FA',
      'Direct role ends soon',
      'Locked two',
      'Owner',
    ]);
    expect(await listed('status=active&two_factor=off')).toEqual(
      [
        'Access ends later',
        'Access ends soon',
        'Active never',
        'Active recent',
        'Active stale',
        'Lock ended',
        'Role ended',
        'Role ends later',
        'Team role ends soon',
      ].sort(),
    );
    expect(await listed('two_factor=off&status=locked')).toEqual(['Locked one']);
  });

  it('the export and the paged walk honour the new filters', async () => {
    for (const query of ['ending=7', 'status=active&two_factor=off', 'two_factor=on&sort=-created']) {
      const expected = await listed(query);
      const response = await admin.get(`/users/export.json?${query}`);
      expect(response.status).toBe(200);
      const rows = JSON.parse(await response.text()) as Array<{ name: string }>;
      expect(rows.map((r) => r.name).sort(), query).toEqual(expected);
      // Batches of 2 (keyset batches on PGlite, the cursor on PostgreSQL).
      const q = parseUserListQuery(new URLSearchParams(query));
      const lines: string[] = [];
      for await (const batch of exportLines(t.db, q, projectId, t.clock.now(), 'csv', 2))
        lines.push(...batch);
      expect(lines.length, query).toBe(expected.length);
      // The page query's other plan: walking the sort index (chosen past 2,000 matches).
      const call = {
        db: t.db,
        now: t.clock.now(),
        projectId,
        timeZone: 'UTC',
        scope: { all: true as const },
      };
      const walked = await userRows(
        { ...call, filters: userList.filters },
        { ...q, per: 100 },
        { snapshot: undefined },
      );
      expect(walked.rows.map((r) => r.name).sort(), `${query}, walked`).toEqual(expected);
      // Pages of 10 through the HTTP list: the same total.
      expect(listTotal(await page(admin, `/users?${query}&per=10`))).toBe(expected.length);
    }
  });

  it('expiring=7 lists the pending invitations that expire within 7 days', async () => {
    const html = await page(admin, '/invitations?expiring=7');
    const emails = [...html.matchAll(/<a href="\/invitations\/[0-9a-f-]+">([^<]*)<\/a>/g)]
      .map((m) => m[1])
      .sort();
    expect(emails).toEqual(['soon@home.test', 'this-week@home.test']);
    expect(listTotal(await page(admin, '/invitations?expiring=30'))).toBe(3);
    // The filter form offers it, with the value chosen (a menu of choices or a select).
    expect(html).toContain('name="expiring"');
    expect(html).toMatch(/value="7"[^>]*(checked|selected)=""/);
  });
});

describe(`people without admin rights (${databaseKind})`, () => {
  it('see their projects, roles and teams, and none of the counts', async () => {
    const person = await makeUser(t.db, {
      role: 'viewer',
      projectId,
      name: 'Plain Person',
      email: 'plain@home.test',
    });
    await enrolTotp(t, person.id);
    const writers = await t.db
      .insertInto('teams')
      .values({ name: 'Writers' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const readers = await t.db
      .insertInto('teams')
      .values({ name: 'Readers' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('team_members')
      .values([
        { team_id: writers.id, user_id: person.id, is_admin: true },
        { team_id: readers.id, user_id: person.id, is_admin: false },
      ])
      .execute();
    await bind(t.db, {
      teamId: writers.id,
      roleKey: 'editor',
      projectId,
      expiresAt: new Date('2099-06-30T12:00:00Z'),
    });
    const html = await page(await clientFor(t, person.id), '/');
    expect(html).toContain('Welcome, Plain Person');
    expect(html).toContain('Your projects');
    expect(html).toContain('(the project you are working in)');
    expect(html).toContain('Viewer, in this project');
    expect(html).toContain('Editor via team Writers, in this project, until');
    expect(html).toContain('Teams you administer');
    expect(html).toContain(`<a href="/teams/${writers.id}">Writers</a>`);
    expect(html).toContain('<li>Readers</li>');
    expect(html).not.toContain(`href="/teams/${readers.id}"`);
    expect(html).not.toContain('stat-grid');
    expect(html).not.toContain('What needs attention');
    expect(html).not.toContain('Latest security events');
    expect(html).not.toContain('Sign-ins in the last 30 days');
  });

  it('someone with no access at all is told what to do', async () => {
    const nobody = await makeUser(t.db, { name: 'No Access', email: 'none@home.test' });
    await enrolTotp(t, nobody.id);
    const html = await page(await clientFor(t, nobody.id), '/');
    expect(html).toContain('You have no access to any project yet. Ask an administrator for access.');
    expect(html).toContain('You have no role in this project');
    expect(html).toContain('You are not in any team.');
  });
});
