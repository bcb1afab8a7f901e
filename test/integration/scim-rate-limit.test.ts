import { describe, expect, it } from 'vitest';
import { directoryToken, scim } from '../fixtures/scim/directory';
import { databaseKind } from '../helpers/database';
import { setUpApp } from '../helpers/set-up-app';

const t = setUpApp({ env: { API_RATE_PER_MINUTE: '3' } });

describe(`SCIM rate limit (${databaseKind})`, () => {
  it('answers a token past its requests a minute with a SCIM 429 and Retry-After; another token is not held up', async () => {
    const first = await directoryToken(t, { name: 'first' });
    const second = await directoryToken(t, { name: 'second' });
    // The three could straddle a minute's boundary: the fourth is refused within one window.
    const statuses: number[] = [];
    let refused: Awaited<ReturnType<typeof scim>> | null = null;
    for (let i = 0; i < 7 && !refused; i++) {
      const answer = await scim(t, first.token, 'GET', '/Users?count=1');
      statuses.push(answer.status);
      if (answer.status === 429) refused = answer;
    }
    expect(refused).not.toBeNull();
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(3);
    expect(refused?.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '429',
    });
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused?.headers.get('ratelimit-policy')).toBe('"scim";q=3;w=60');
    expect((await scim(t, second.token, 'GET', '/Users?count=1')).status).toBe(200);
  });
});
