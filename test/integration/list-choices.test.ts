import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTeam, deleteTeam, updateTeam } from '../../src/access/teams';
import { databaseKind } from '../helpers/database';
import { actorContext, clientFor, makeUser } from '../helpers/fixtures';
import { setUpApp } from '../helpers/set-up-app';

// The users list's filter menus read roles and teams from the access cache (src/access/choices.ts),
// which every change to roles or teams empties through the database's notifications.
const t = setUpApp({ resetEach: true, accessCache: true });

/** The team names the users list's Team menu offers, polled until `expected` holds (2 s at most). */
async function teamMenuUntil(
  client: Awaited<ReturnType<typeof clientFor>>,
  expected: (names: string[]) => boolean,
) {
  let names: string[] = [];
  for (const until = Date.now() + 2_000; Date.now() < until; ) {
    const html = await (await client.get('/users')).text();
    const menu = /<select[^>]*name="team">([\s\S]*?)<\/select>/.exec(html)?.[1] ?? '';
    names = [...menu.matchAll(/<option value="[^"]+">([^<]+)</g)].map((m) => m[1] ?? '');
    if (expected(names)) return names;
    await new Promise((r) => setTimeout(r, 50));
  }
  return names;
}

describe(`the users list's choices (${databaseKind})`, () => {
  it('show a team created, renamed or deleted since they were last read', async () => {
    const admin = await makeUser(t.db, { role: 'account_admin' });
    const client = await clientFor(t, admin.id);
    const ctx = await actorContext(t, admin);
    expect(await teamMenuUntil(client, () => true)).toEqual([]);

    const id = await createTeam(ctx, { name: 'Platform' });
    expect(await teamMenuUntil(client, (n) => n.includes('Platform'))).toEqual(['Platform']);

    await updateTeam(ctx, id, { name: 'Payments · Berlin', description: '' });
    expect(await teamMenuUntil(client, (n) => n.includes('Payments · Berlin'))).toEqual([
      'Payments · Berlin',
    ]);

    await deleteTeam(ctx, id);
    expect(await teamMenuUntil(client, (n) => n.length === 0)).toEqual([]);
  });

  it('are read from memory: a rename that does not notify stays unseen', async () => {
    const admin = await makeUser(t.db, { role: 'account_admin' });
    const client = await clientFor(t, admin.id);
    const ctx = await actorContext(t, admin);
    const id = await createTeam(ctx, { name: 'Platform' });
    expect(await teamMenuUntil(client, (n) => n.includes('Platform'))).toEqual(['Platform']);
    await sql`alter table teams disable trigger teams_access_changed`.execute(t.db);
    try {
      await updateTeam(ctx, id, { name: 'Renamed quietly', description: '' });
      await new Promise((r) => setTimeout(r, 500));
      expect(await teamMenuUntil(client, () => true)).toEqual(['Platform']);
    } finally {
      await sql`alter table teams enable trigger teams_access_changed`.execute(t.db);
    }
  });
});
