import { describe, expect, it } from 'vitest';
import { defaultProjectId } from '../../src/access/grants';
import { perform } from '../../src/audit/perform';
import { parseUserListQuery, userList } from '../../src/users/list';
import { countUsers } from '../../src/users/list-count';
import { databaseKind } from '../helpers/database';
import { makeUser } from '../helpers/fixtures';
import { setUpApp } from '../helpers/set-up-app';

const t = setUpApp();

/** The users list's count as a request makes it, for a query string. */
async function count(query: string) {
  const call = {
    db: t.db,
    now: t.clock.now(),
    timeZone: 'UTC',
    projectId: await defaultProjectId(t.db),
    scope: { all: true } as const,
    filters: userList.filters,
  };
  return countUsers(call, parseUserListQuery(new URLSearchParams(query)));
}

describe(`the users list's cached counts (${databaseKind})`, () => {
  it('computes a count once for requests that ask at the same time', async () => {
    await makeUser(t.db, { name: 'Counted Once' });
    const totals = await Promise.all(Array.from({ length: 8 }, () => count('q=counted-at-once-')));
    // One answer object shared by all: one count ran.
    expect(new Set(totals).size).toBe(1);
    expect(totals[0]).toEqual({ value: 0, exact: true });
  });

  it('keeps counts across sign-ins and drops them on a change of people', async () => {
    await makeUser(t.db, { name: 'Kept Count' });
    const first = await count('q=kept+count');
    expect(first).toEqual({ value: 1, exact: true });
    // A sign-out, like a sign-in (keepsCounts), leaves the cached answer in place...
    await perform(
      { ...t.system, actor: { kind: 'system', label: 'counts-test' } },
      'auth.sign_out',
      async () => ({
        result: null,
      }),
    );
    expect(await count('q=kept+count')).toBe(first);
    // ...a change of people drops it, and the next count sees the change.
    const other = await makeUser(t.db, { name: 'Kept Count Two' });
    await perform(
      { ...t.system, actor: { kind: 'system', label: 'counts-test' } },
      'user.edit',
      async () => ({
        result: null,
        target: { type: 'user', id: other.id },
      }),
    );
    expect(await count('q=kept+count')).toEqual({ value: 2, exact: true });
  });
});
