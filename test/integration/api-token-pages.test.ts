import { describe, expect, it } from 'vitest';
import { databaseKind } from '../helpers/database';
import { clientFor, makeUser } from '../helpers/fixtures';
import { setUpApp } from '../helpers/set-up-app';

const t = setUpApp({ resetEach: true });

/** A client signed in as someone new with the role. */
const signedIn = async (role: string) => clientFor(t, (await makeUser(t.db, { role })).id);

const tokenIn = (page: string) => /gh_[A-Za-z0-9_-]{20}_[A-Za-z0-9_-]{43}/.exec(page)?.[0];

describe(`API token and service account pages (${databaseKind})`, () => {
  it('My account: a personal token shown once, listed without its secret, used, then revoked after asking', async () => {
    const client = await signedIn('admin');

    const refused = await client.post('/account/tokens', { token_name: '', expiresDays: '90' });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('Enter a name.');
    // An Admin holds no account.settings: a token cannot have it, nor live for ever.
    const tooMuch = await client.post('/account/tokens', {
      token_name: 'x',
      expiresDays: '90',
      permissions: 'account.settings',
    });
    expect(tooMuch.status).toBe(422);
    const forever = await client.post('/account/tokens', { token_name: 'x', expiresDays: 'never' });
    expect(forever.status).toBe(422);

    const created = await client.post('/account/tokens', {
      token_name: 'HR sync',
      expiresDays: '30',
      permissions: 'users.view',
    });
    expect(created.status).toBe(200);
    expect(created.headers.get('referrer-policy')).toBe('no-referrer');
    const page = await created.text();
    const token = tokenIn(page) as string;
    expect(token).toBeTruthy();
    expect(page).toContain('it is not shown again');

    const account = await (await client.request('/account')).text();
    expect(account).toContain('HR sync');
    expect(account).toContain('users.view');
    expect(tokenIn(account)).toBeUndefined();

    const api = () => t.app.request('/api/v1/users', { headers: { authorization: `Bearer ${token}` } });
    expect((await api()).status).toBe(200);
    expect(await (await client.request('/account')).text()).toContain('from ');

    const [row] = await t.db.selectFrom('api_tokens').select('id').execute();
    // Making a token needs the password confirmed in the last 10 minutes, as on GitHub.
    t.clock.advance(11 * 60_000);
    const stale = await client.post('/account/tokens', { token_name: 'later', expiresDays: '30' });
    expect(stale.status).toBe(303);
    expect(stale.headers.get('location')).toBe('/account/confirm?next=%2Faccount%2Ftokens');
    expect((await client.request('/account/tokens')).headers.get('location')).toBe('/account#tokens-title');
    const confirm = await client.request(`/account/tokens/${row?.id}/revoke`);
    expect(await confirm.text()).toContain('Revoke the token “HR sync”?');
    const revoked = await client.post(`/account/tokens/${row?.id}/revoke`, {});
    expect(revoked.status).toBe(303);
    expect((await api()).status).toBe(401);
    // Someone else's token is not yours to revoke from My account.
    const other = await makeUser(t.db, { role: 'viewer' });
    const otherClient = await clientFor(t, other.id);
    expect((await otherClient.request(`/account/tokens/${row?.id}/revoke`)).status).toBe(404);
  });

  it('Service accounts: created, listed with a badge among users, given a token; no password for them; guarded', async () => {
    const client = await signedIn('account_admin');
    const created = await client.post('/service-accounts', { name: 'HR sync' });
    expect(created.status).toBe(303);
    const at = created.headers.get('location') as string;
    const id = at.split('/').at(-1) as string;
    const page = await (await client.request(at)).text();
    expect(page).toContain('<h1>HR sync</h1>');
    expect(await (await client.request('/service-accounts')).text()).toContain('HR sync');
    const users = await (await client.request('/users?q=hr%20sync')).text();
    expect(users).toContain('Service account');

    const token = tokenIn(
      await (
        await client.post(`/service-accounts/${id}/tokens`, { token_name: 'prod', expiresDays: '90' })
      ).text(),
    );
    expect(token).toBeTruthy();
    // It has no role yet: it may list nothing.
    expect(
      (await t.app.request('/api/v1/users', { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(403);

    const reset = await client.post(`/users/${id}/reset-password`, {});
    expect(await reset.text()).toContain('is a service account');
    expect(
      (await t.db.selectFrom('users').select('password_hash').where('id', '=', id).executeTakeFirst())
        ?.password_hash,
    ).toBeNull();

    const viewer = await makeUser(t.db, { role: 'viewer' });
    const outsider = await clientFor(t, viewer.id);
    expect((await outsider.request('/service-accounts')).status).toBe(403);
    expect((await outsider.request(`/service-accounts/${id}`)).status).toBe(403);
  });
});
