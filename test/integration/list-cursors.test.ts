import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtinRoleId, defaultProjectId } from '../../src/access/grants';
import { databaseKind } from '../helpers/database';
import { clientFor, fixtureHash, makeUser } from '../helpers/fixtures';
import type { Client } from '../helpers/http';
import { setUpApp } from '../helpers/set-up-app';

/**
 * The cursors the lists write, followed page by page: rows sharing one instant (one insert) and
 * people who never signed in (-infinity) are each listed exactly once. On PostgreSQL a cursor's
 * time sent as a bare parameter became a JavaScript Date: milliseconds only, and -infinity
 * failed (500 on Next).
 */

const t = setUpApp();
let admin: Client;

beforeAll(async () => {
  const a = await makeUser(t.db, { role: 'account_admin', email: 'admin@example.com' });
  admin = await clientFor(t, a.id);
  const hash = await fixtureHash();
  // One statement: every row has the same created_at, to the microsecond.
  await t.db
    .insertInto('users')
    .values(
      Array.from({ length: 24 }, (_, i) => ({
        email: `same-${String(i).padStart(2, '0')}@example.com`,
        name: `Same ${i}`,
        password_hash: hash,
        last_login_at: i < 6 ? new Date(Date.now() - i * 60_000) : null,
      })),
    )
    .execute();
  const projectId = await defaultProjectId(t.db);
  const roleId = await builtinRoleId(t.db, 'viewer');
  await t.db
    .insertInto('invitations')
    .values(
      Array.from({ length: 23 }, (_, i) => ({
        email: `invitee-${i}@example.com`,
        project_id: projectId,
        role_id: roleId,
        role_name: 'Viewer',
        invited_by_label: 'Admin (admin@example.com)',
        language: 'en' as const,
        token_hash: Buffer.from(`token ${i}`.padEnd(32, '.')),
        sent_at: new Date(),
        expires_at: new Date(Date.now() + 86_400_000),
      })),
    )
    .execute();
});

/** Ids of the rows on every page, following Next from the first page, and each page's status. */
async function walk(first: string, kind: 'users' | 'invitations') {
  const ids: string[] = [];
  let path: string | null = first;
  for (let pages = 0; path && pages < 20; pages++) {
    const response = await admin.get(path);
    expect(response.status, path).toBe(200);
    const html = await response.text();
    const list = html.slice(html.indexOf(`id="${kind === 'users' ? 'user' : 'invitation'}-list"`));
    ids.push(
      ...[...list.matchAll(new RegExp(`href="/${kind}/([0-9a-f-]{36})"`, 'g'))].map((m) => m[1] as string),
    );
    const next = /<a [^>]*href="([^"]+)"[^>]*>Next<\/a>/.exec(list)?.[1];
    path = next ? next.replaceAll('&amp;', '&') : null;
  }
  return ids;
}

describe(`paging with the cursors the lists write (${databaseKind})`, () => {
  it.each([['-last_login'], ['last_login'], ['created'], ['-created']])(
    'users sorted by %s: everyone once, through people who never signed in',
    async (sort) => {
      const listed = await walk(`/users?sort=${sort}&per=10`, 'users');
      const all = await t.db.selectFrom('users').select('id').where('deactivated_at', 'is', null).execute();
      expect(new Set(listed).size).toBe(listed.length);
      expect(listed.length).toBe(all.length);
      expect(t.errors).toEqual([]);
    },
  );

  it('invitations created in the same instant: every one once', async () => {
    const shared = await sql<{
      n: number;
    }>`select count(distinct created_at)::int as n from invitations`.execute(t.db);
    expect(shared.rows[0]?.n).toBe(1);
    const listed = await walk('/invitations?per=10', 'invitations');
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed.length).toBe(23);
  });

  it('still follows an invitations cursor written with milliseconds (a link from before)', async () => {
    const cursor = Buffer.from(
      JSON.stringify(['0', '2999-01-01T00:00:00.000Z', '6f1c2b1e-8d4a-4c3b-9f2e-1a2b3c4d5e6f']),
    ).toString('base64url');
    const html = await (await admin.get(`/invitations?per=10&after=${cursor}&pos=11`)).text();
    expect(html).toContain('invitee-');
  });
});
