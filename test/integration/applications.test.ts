import { describe, expect, it } from 'vitest';
import { applicationClient } from '../../src/oidc/applications';
import { databaseKind } from '../helpers/database';
import { clientFor, makeUser } from '../helpers/fixtures';
import { setUpApp } from '../helpers/set-up-app';

const t = setUpApp({ resetEach: true });

const form = (fields: Record<string, string | string[]>) =>
  new URLSearchParams(
    Object.entries(fields).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]])),
  ).toString();

describe(`the Applications pages (${databaseKind})`, () => {
  it('registers an app and shows its secret once; rotates, deactivates, reactivates and deletes it, audited', async () => {
    const owner = await makeUser(t.db, { role: 'account_admin' });
    const client = await clientFor(t, owner.id);
    const post = (path: string, body: string) =>
      client.request(path, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });

    const bad = await post(
      '/applications',
      form({ name: '', type: 'web', redirectUris: 'http://app.example.com/cb' }),
    );
    expect(bad.status).toBe(422);
    const badPage = await bad.text();
    expect(badPage).toContain('Name the application.');
    expect(badPage).toContain('https URL');
    expect(await t.db.selectFrom('applications').select('id').execute()).toEqual([]);

    const created = await post(
      '/applications',
      form({
        name: 'Host product',
        type: 'web',
        redirectUris: 'https://app.example.com/callback\nhttp://127.0.0.1:8080/callback',
        firstParty: 'on',
      }),
    );
    expect(created.status).toBe(200);
    const page = await created.text();
    const clientId = /<code>(gh_[\w-]+)<\/code>/.exec(page)?.[1] as string;
    const secret = /<code>([\w-]{43})<\/code>/.exec(page)?.[1] as string;
    expect(clientId).toBeTruthy();
    expect(secret).toBeTruthy();
    expect(page).toContain('it is not shown again');
    const row = await t.db.selectFrom('applications').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      client_id: clientId,
      redirect_uris: ['https://app.example.com/callback', 'http://127.0.0.1:8080/callback'],
      first_party: true,
      project_ids: null,
    });
    expect(row.secret_hash).not.toContain(secret);
    const details = await (await client.get(`/applications/${row.id}`)).text();
    expect(details).toContain(clientId);
    expect(details).not.toContain(secret);
    expect(await (await client.get('/applications')).text()).toContain('Host product');

    const rotated = await (await post(`/applications/${row.id}/rotate-secret`, '')).text();
    const newSecret = /<code>([\w-]{43})<\/code>/.exec(rotated)?.[1];
    expect(newSecret).toBeTruthy();
    expect(newSecret).not.toBe(secret);

    expect((await post(`/applications/${row.id}/deactivate`, '')).status).toBe(303);
    expect(await applicationClient(t.db, clientId)).toBeUndefined();
    // Twice: refused, said plainly, nothing changes (and a refusal of this kind is not an event).
    expect((await post(`/applications/${row.id}/deactivate`, '')).status).toBe(303);
    expect(await (await client.get(`/applications/${row.id}`)).text()).toContain('is already deactivated');
    expect((await post(`/applications/${row.id}/reactivate`, '')).status).toBe(303);
    expect(await applicationClient(t.db, clientId)).toMatchObject({ client_id: clientId });

    expect((await post(`/applications/${row.id}/delete`, '')).status).toBe(303);
    expect(await t.db.selectFrom('applications').select('id').execute()).toEqual([]);
    const events = await t.db
      .selectFrom('audit_events')
      .select('action')
      .where('target_type', '=', 'application')
      .orderBy('id')
      .execute();
    expect(events.map((e) => e.action)).toEqual([
      'application.create',
      'application.rotate_secret',
      'application.deactivate',
      'application.reactivate',
      'application.delete',
    ]);
  });

  it('is for those with applications.manage: an Admin is refused, and no menu item shows', async () => {
    await makeUser(t.db, { role: 'account_admin' });
    const admin = await makeUser(t.db, { role: 'admin' });
    const client = await clientFor(t, admin.id);
    expect((await client.get('/applications')).status).toBe(403);
    expect(await (await client.get('/')).text()).not.toContain('href="/applications"');
  });
});
