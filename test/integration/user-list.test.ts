import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtinRoleId, defaultProjectId } from '../../src/access/grants';
import { csvCell } from '../../src/lists/export-stream';
import { exportLines, forgetUserCounts, parseUserListQuery } from '../../src/users/list';
import { userStatus } from '../../src/users/status';
import { databaseKind } from '../helpers/database';
import { bind, clientFor, fixtureHash, makeUser } from '../helpers/fixtures';
import type { Client } from '../helpers/http';
import { setUpApp } from '../helpers/set-up-app';

const t = setUpApp();
let admin: Client;
let projectId: string;
const DAY = 86_400_000;
const people: Array<{ id: string; name: string; email: string }> = [];
let teamId: string;
const deactivated = new Set<string>();

/** 60 users: names and emails to search, every status, roles direct and via a team, sign-in ages. */
beforeAll(async () => {
  projectId = await defaultProjectId(t.db);
  const owner = await makeUser(t.db, {
    role: 'account_admin',
    name: 'Zed Owner',
    email: 'owner@gatehouse.test',
  });
  people.push(owner);
  admin = await clientFor(t, owner.id);
  const hash = await fixtureHash();
  const now = Date.now();
  const rows = Array.from({ length: 59 }, (_, i) => ({
    name:
      i === 0
        ? '=HYPERLINK("http://evil")'
        : i === 1
          ? '100% Sure'
          : `Person ${String(i).padStart(2, '0')} ${i % 2 ? 'Alpha' : 'Beta'}`,
    email: `p${i}@${i % 3 === 0 ? 'acme.example' : 'other.example'}`,
    password_hash: i % 10 === 5 ? null : hash,
    locked_until: i % 10 === 6 ? new Date(now + DAY) : null,
    deactivated_at: i % 10 === 7 ? new Date(now - DAY) : null,
    access_expires_at: i % 10 === 8 ? new Date(now - DAY) : null,
    last_login_at: i % 4 === 0 ? null : new Date(now - i * DAY),
    created_at: new Date(now - (100 - i) * DAY),
  }));
  const inserted = await t.db.insertInto('users').values(rows).returning(['id', 'name', 'email']).execute();
  people.push(...inserted);
  for (const [i, p] of inserted.entries()) if (rows[i]?.deactivated_at) deactivated.add(p.id);
  const team = await t.db
    .insertInto('teams')
    .values({ name: 'Support' })
    .returning('id')
    .executeTakeFirstOrThrow();
  teamId = team.id;
  for (const [i, p] of inserted.entries()) {
    if (i % 5 === 0) await bind(t.db, { userId: p.id, roleKey: 'editor', projectId });
    if (i % 7 === 0)
      await t.db.insertInto('team_members').values({ team_id: team.id, user_id: p.id }).execute();
  }
  await bind(t.db, { teamId: team.id, roleKey: 'viewer' });
});

const roleId = (key: string) => builtinRoleId(t.db, key);

/** The names in the table of a list page, in order. */
async function names(path: string): Promise<string[]> {
  const html = await (await admin.get(path)).text();
  return [...html.matchAll(/<th scope="row"><a href="\/users\/[0-9a-f-]+">([^<]*)<\/a><\/th>/g)].map(
    (m) => m[1] as string,
  );
}

async function exported(path: string): Promise<Array<Record<string, unknown>>> {
  const response = await admin.get(path.replace('/users?', '/users/export.json?'));
  expect(response.status).toBe(200);
  return JSON.parse(await response.text());
}

const decode = (s: string) => s.replaceAll('&quot;', '"').replaceAll('&amp;', '&');

describe(`the users list (${databaseKind})`, () => {
  it('searches name or email, case-insensitively, by substring and by domain; wildcards are literal', async () => {
    const alphas = await names('/users?q=ALPHA&per=100');
    expect(alphas.length).toBe(people.filter((p) => /alpha/i.test(p.name) && !deactivated.has(p.id)).length);
    expect(alphas.every((n) => n.endsWith('Alpha'))).toBe(true);
    const acme = await exported('/users?q=acme.example');
    expect(acme.length).toBeGreaterThan(5);
    expect(acme.every((r) => String(r.email).endsWith('@acme.example'))).toBe(true);
    expect((await names('/users?q=%25')).map(decode)).toEqual(['100% Sure']);
    expect(await names('/users?q=nobody-matches-this')).toEqual([]);
  });

  it('combines filters with AND: role, status, team, access level, not signed in for N days', async () => {
    const editor = await roleId('editor');
    const all = await exported('/users?per=100');
    const editors = await exported(`/users?role=${editor}`);
    const editorsActive = await exported(`/users?role=${editor}&status=active`);
    expect(editorsActive.length).toBeGreaterThan(0);
    expect(editorsActive.length).toBeLessThan(editors.length);
    expect(
      editorsActive.every((r) => r.status === 'Active' && (r.roles as string[]).includes('Editor')),
    ).toBe(true);
    const locked = await exported('/users?status=locked&status=password_not_set');
    expect(new Set(locked.map((r) => r.status))).toEqual(new Set(['Locked', 'Password not set']));
    const team = await exported(`/users?team=${teamId}`);
    expect(team.every((r) => (r.teams as string[]).includes('Support'))).toBe(true);
    expect(team.every((r) => (r.roles as string[]).includes('Viewer'))).toBe(true);
    const viaTeam = await exported('/users?access=team');
    expect(viaTeam.map((r) => r.id).sort()).toEqual(team.map((r) => r.id).sort());
    const accountWide = await exported('/users?access=account');
    expect(accountWide.map((r) => r.email).sort()).toEqual(
      ['owner@gatehouse.test', ...team.map((r) => String(r.email))].sort(),
    );
    const unassigned = await exported('/users?access=unassigned');
    expect(
      unassigned.every((r) => (r.roles as string[]).length === 0 && (r.teams as string[]).length === 0),
    ).toBe(true);
    expect(unassigned.length + accountWide.length).toBeLessThanOrEqual(all.length);
    const idle = await exported('/users?inactive=30');
    expect(
      idle.every(
        (r) => r.last_sign_in === null || Date.parse(String(r.last_sign_in)) < Date.now() - 30 * DAY,
      ),
    ).toBe(true);
    const idleEditors = await exported(`/users?inactive=30&role=${editor}`);
    expect(idleEditors.map((r) => r.id).sort()).toEqual(
      idle
        .filter((r) => (r.roles as string[]).includes('Editor'))
        .map((r) => r.id)
        .sort(),
    );
  });

  it('shows on the page the rows the export has, for every filter, with values that change', async () => {
    const editor = await roleId('editor');
    const viewer = await roleId('viewer');
    // Same filters with other values: the page queries are compiled once per shape (fetchPage).
    for (const filter of [
      'q=alpha',
      'q=beta',
      `role=${editor}`,
      `role=${viewer}`,
      `role=${editor}&role=${viewer}&status=active`,
      `role=${viewer}&role=${editor}&status=active`,
      `team=${teamId}&inactive=10`,
      'inactive=30&sort=-last_login',
      'inactive=60&sort=-last_login',
      'access=account&sort=email',
      'access=unassigned&q=p1',
      'status=locked&status=password_not_set&sort=-created',
      'tab=deactivated&q=beta',
    ]) {
      const shown = (await names(`/users?${filter}&per=100`)).map(decode);
      const all = (await exported(`/users?${filter}`)).map((r) => String(r.name));
      expect(shown, filter).toEqual(all);
    }
  });

  it('keeps deactivated users on their own tab', async () => {
    const active = await exported('/users?per=100');
    const deactivated = await exported('/users?tab=deactivated');
    expect(deactivated.length).toBe(6);
    expect(deactivated.every((r) => r.status === 'Deactivated')).toBe(true);
    expect(active.some((r) => r.status === 'Deactivated')).toBe(false);
  });

  it('sorts by each column in both directions', async () => {
    const byName = await names('/users?per=100');
    // The test databases sort in code-point order (C collation).
    const codePoint = (a: string, b: string) =>
      a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0;
    expect(byName.map(decode)).toEqual([...byName.map(decode)].sort(codePoint));
    expect(await names('/users?per=100&sort=-name')).toEqual([...byName].reverse());
    const byCreated = await exported('/users?sort=created');
    expect(byCreated.map((r) => r.created)).toEqual([...byCreated.map((r) => String(r.created))].sort());
    const byLogin = await exported('/users?sort=-last_login');
    const logins = byLogin.map((r) => (r.last_sign_in ? Date.parse(String(r.last_sign_in)) : -Infinity));
    expect(logins).toEqual([...logins].sort((a, b) => b - a));
    const byEmail = await exported('/users?sort=-email');
    expect(byEmail.map((r) => r.email)).toEqual([...byEmail.map((r) => String(r.email))].sort().reverse());
  });

  it('pages forward and back through every row exactly once, with the range and the ends right', async () => {
    forgetUserCounts();
    const expected = await names('/users?per=100');
    const total = expected.length;
    const seen: string[] = [];
    let path = '/users?per=10';
    let html = '';
    for (let page = 0; page < 20; page++) {
      html = await (await admin.get(path)).text();
      const pageNames = [
        ...html.matchAll(/<th scope="row"><a href="\/users\/[0-9a-f-]+">([^<]*)<\/a><\/th>/g),
      ].map((m) => m[1] as string);
      const start = seen.length + 1;
      expect(html).toContain(`Showing ${start}–${start + pageNames.length - 1} of ${total} users`);
      seen.push(...pageNames);
      if (page === 0)
        expect(html).toMatch(
          /<button type="button" class="page-link button-link disabled" disabled="" aria-disabled="true"[^>]*>Previous/,
        );
      const next = /<a href="(\/users\?[^"]+)"[^>]*class="page-link">Next<\/a>/.exec(html)?.[1];
      if (!next) break;
      path = next.replaceAll('&amp;', '&');
    }
    expect(seen).toEqual(expected);
    expect(html).toMatch(/disabled="" aria-disabled="true"[^>]*>Next/);
    // Back one page from the end shows the page before it.
    const previous = /<a href="(\/users\?[^"]+)"[^>]*class="page-link">Previous<\/a>/
      .exec(html)?.[1]
      ?.replaceAll('&amp;', '&');
    expect(await names(previous ?? '')).toEqual(
      expected.slice(Math.floor((total - 1) / 10) * 10 - 10, Math.floor((total - 1) / 10) * 10),
    );
    // The last page directly: the last rows, and no next.
    const last = await (await admin.get('/users?per=10&page=last')).text();
    expect(last).toContain(`of ${total} users`);
    expect(last).toContain(`Showing ${total - 9}–${total}`);
  });

  it('counts equal the rows a full export returns, for CSV and JSON', async () => {
    forgetUserCounts();
    const editor = await roleId('editor');
    for (const filter of [
      '',
      'q=alpha',
      `role=${editor}`,
      'status=active&inactive=10',
      'tab=deactivated',
      `team=${teamId}`,
    ]) {
      const html = await (await admin.get(`/users?${filter}`)).text();
      const count = Number(
        /of (\d+) users/.exec(html)?.[1] ?? (html.includes('No users match') ? 0 : Number.NaN),
      );
      const json = await exported(`/users?${filter}`);
      const csv = await (await admin.get(`/users/export.csv?${filter}`)).text();
      expect(json.length, filter).toBe(count);
      expect(csv.trimEnd().split('\r\n').length - 1, filter).toBe(count);
    }
  });

  it('exports what the rules say: status, ISO times, sorted roles, and CSV cells as csvCell writes them', async () => {
    const tricky = await t.db
      .insertInto('users')
      .values([
        { name: '-2+3 "quoted", comma', email: 'tricky@example.com' },
        { name: '\tTabbed', email: 'tab@example.com', last_login_at: new Date('2026-01-02T03:04:05.678Z') },
        { name: '@at', email: 'at@example.com' },
      ])
      .returning('id')
      .execute();
    await bind(t.db, { userId: tricky[0]?.id, roleKey: 'publisher', projectId });
    await bind(t.db, { userId: tricky[0]?.id, roleKey: 'editor' });
    await t.db
      .insertInto('team_members')
      .values({ team_id: teamId, user_id: tricky[0]?.id ?? '' })
      .execute();
    try {
      const json = await exported('/users?tab=users');
      const csv = (await (await admin.get('/users/export.csv')).text()).trimEnd().split('\r\n').slice(1);
      const rows = await t.db.selectFrom('users').selectAll().where('deactivated_at', 'is', null).execute();
      const byId = new Map(rows.map((r) => [r.id, r]));
      const now = new Date();
      expect(json.length).toBe(rows.length);
      for (const [i, record] of json.entries()) {
        const user = byId.get(String(record.id));
        expect(user, String(record.id)).toBeDefined();
        if (!user) continue;
        expect(record.status).toBe(userStatus(user, now));
        expect([record.name, record.email]).toEqual([user.name, user.email]);
        expect(record.created).toBe(user.created_at.toISOString());
        expect(record.last_sign_in).toBe(user.last_login_at?.toISOString() ?? null);
        expect(record.source).toBe('Made in Gatehouse');
        expect(record.roles).toEqual([...(record.roles as string[])].sort());
        const cells = [
          record.id,
          record.name,
          record.email,
          (record.roles as string[]).join('; '),
          record.status,
          (record.teams as string[]).join('; '),
          record.last_sign_in ?? '',
          record.created,
          record.source,
        ].map((v) => csvCell(String(v)));
        expect(csv[i]).toBe(cells.join(','));
      }
      const first = json.find((r) => r.id === tricky[0]?.id);
      expect(first).toMatchObject({ roles: ['Editor', 'Publisher', 'Viewer'], teams: ['Support'] });
      expect(csv.find((l) => l.includes('tricky@'))).toContain(`"'-2+3 ""quoted"", comma"`);
      expect(csv.find((l) => l.includes('tab@'))).toContain(`"'\tTabbed"`);
      expect(csv.find((l) => l.includes('at@'))).toContain(`"'@at"`);
    } finally {
      await t.db
        .deleteFrom('users')
        .where(
          'id',
          'in',
          tricky.map((r) => r.id),
        )
        .execute();
      forgetUserCounts();
    }
  });

  it('exports the same rows in small batches as in one, and an abandoned export holds nothing', async () => {
    const q = parseUserListQuery(new URLSearchParams('sort=-created'));
    const now = new Date();
    const all: string[] = [];
    for await (const lines of exportLines(t.db, q, projectId, now, 'json')) all.push(...lines);
    const small: string[] = [];
    let batches = 0;
    for await (const lines of exportLines(t.db, q, projectId, now, 'json', 7)) {
      expect(lines.length).toBeLessThanOrEqual(7);
      small.push(...lines);
      batches++;
    }
    expect(batches).toBe(Math.ceil(all.length / 7));
    expect(small).toEqual(all);
    expect(new Set(all.map((l) => JSON.parse(l).id)).size).toBe(all.length);

    for (let i = 0; i < 3; i++) {
      const abandoned = exportLines(t.db, q, projectId, now, 'csv', 5);
      await abandoned.next();
      await abandoned.return(undefined);
    }
    if (databaseKind === 'postgres') {
      const open = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
        where datname = current_database() and state like 'idle in transaction%'`.execute(t.db);
      expect(open.rows[0]?.n).toBe(0);
    }
    // Three abandoned exports gave their slots back: another one still runs to the end.
    let count = 0;
    for await (const lines of exportLines(t.db, q, projectId, now, 'csv', 50)) count += lines.length;
    expect(count).toBe(all.length);
  });

  it('neutralises formulas in CSV cells and audits every export with its filter', async () => {
    const response = await admin.get('/users/export.csv?q=hyperlink');
    expect(response.headers.get('content-type')).toContain('text/csv');
    expect(response.headers.get('content-disposition')).toMatch(
      /attachment; filename="users-\d{4}-\d{2}-\d{2}\.csv"/,
    );
    const lines = (await response.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('"id","name","email","roles","status","teams","last_sign_in","created","source"');
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil"")"`);
    const event = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'users.export')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(event.after).toEqual({ format: 'csv', filter: 'q=hyperlink' });
  });

  it('needs users.export to export; users.view to list', async () => {
    const coAdmin = await makeUser(t.db, { role: 'co_admin' });
    const client = await clientFor(t, coAdmin.id);
    expect((await client.get('/users')).status).toBe(200);
    expect((await client.get('/users/export.csv')).status).toBe(403);
    const editor = await makeUser(t.db, { role: 'editor' });
    expect((await (await clientFor(t, editor.id)).get('/users')).status).toBe(403);
  });

  it('answers an HTMX request with the results fragment and the announcement only', async () => {
    const html = await (
      await admin.get('/users?q=beta', { 'HX-Request': 'true', 'HX-Target': 'div#user-list' })
    ).text();
    expect(html.startsWith('<div id="user-list">')).toBe(true);
    expect(html).not.toContain('<h1>');
    // The announcement says the order, then the range, the same on all three lists.
    expect(html).toContain(
      '<div id="list-status" hx-swap-oob="innerHTML">Sorted by name, A to Z. Showing 1–',
    );
  });

  it('keeps positions right around the last page: last, previous, next', async () => {
    forgetUserCounts();
    const total = (await names('/users?per=100')).length;
    const last = await (await admin.get('/users?page=last')).text();
    expect(last).toContain(`Showing ${total - 24}–${total} of ${total} users`);
    const prev =
      /<a href="(\/users\?[^"]+)"[^>]*class="page-link">Previous<\/a>/
        .exec(last)?.[1]
        ?.replaceAll('&amp;', '&') ?? '';
    const middle = await (await admin.get(prev)).text();
    const shown = /Showing (\d+)–(\d+) of/.exec(middle);
    expect(Number(shown?.[2])).toBe(total - 25);
    const next =
      /<a href="(\/users\?[^"]+)"[^>]*class="page-link">Next<\/a>/
        .exec(middle)?.[1]
        ?.replaceAll('&amp;', '&') ?? '';
    expect(await (await admin.get(next)).text()).toContain(
      `Showing ${total - 24}–${total} of ${total} users`,
    );
  });

  it('keeps the sort and the export links current across HTMX updates', async () => {
    const html = await (
      await admin.get('/users?sort=-email&q=beta', { 'HX-Request': 'true', 'HX-Target': 'div#user-list' })
    ).text();
    expect(html).toContain('<input type="hidden" name="sort" form="filters" value="-email"/>');
    expect(html).toContain('href="/users/export.csv?q=beta&amp;sort=-email"');
  });

  it('needs users.view as well as users.export to export', async () => {
    const exporter = await makeUser(t.db);
    await t.db
      .insertInto('role_bindings')
      .values({ user_id: exporter.id, permissions: ['users.export'], project_id: null })
      .execute();
    expect((await (await clientFor(t, exporter.id)).get('/users/export.csv')).status).toBe(403);
  });

  it('survives a nonsense URL by falling back to defaults', async () => {
    const response = await admin.get(
      '/users?per=7&sort=password&status=root&role=x&team=y&inactive=-3&after=%%%&pos=-1',
    );
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Showing 1–25 of');
  });
});
