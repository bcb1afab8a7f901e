import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { hashing, hashPassword } from '../../src/auth/passwords/hashing';
import { databaseKind } from '../helpers/database';
import { FIXTURE_PASSWORD, makeUser } from '../helpers/fixtures';
import { Client } from '../helpers/http';
import { setUpApp } from '../helpers/set-up-app';

const t = setUpApp();

describe(`a sign-in storm (${databaseKind})`, () => {
  it('queues sign-ins for a bounded time, then answers 503 with Retry-After and changes nothing', async () => {
    const user = await makeUser(t.db, { name: 'Storm Person' });
    const wait = hashing.maxWaitMs;
    hashing.maxWaitMs = 1;
    try {
      // Every hashing slot taken (a storm in progress): the next sign-in may wait 1 ms only.
      const busy = Array.from({ length: availableParallelism() * 2 }, (_, i) =>
        // Those beyond the slots are refused too: caught here, as they settle before the end.
        hashPassword(`storm ${i}`).catch(() => null),
      );
      const refused = await new Client(t.app).signIn(user.email, FIXTURE_PASSWORD);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(await refused.text()).toContain('Busy');
      // Refused before the password was checked: no failure counted, no session, no event.
      expect(await t.db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).toEqual(
        [],
      );
      await Promise.allSettled(busy);
    } finally {
      hashing.maxWaitMs = wait;
    }
    // The storm over, the same sign-in goes through.
    const signedIn = await new Client(t.app).signIn(user.email, FIXTURE_PASSWORD);
    expect(signedIn.status).toBe(303);
  });
});
