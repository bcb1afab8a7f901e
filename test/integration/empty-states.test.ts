import { describe, expect, it } from 'vitest';
import { createProvider } from '../../src/sso/providers';
import { databaseKind } from '../helpers/database';
import { actorContext, clientFor, makeUser } from '../helpers/fixtures';
import { setUpApp } from '../helpers/set-up-app';

const t = setUpApp({ resetEach: true });

async function admin() {
  const user = await makeUser(t.db, { role: 'account_admin', name: 'Ada Lovelace' });
  return { user, client: await clientFor(t, user.id), ctx: await actorContext(t, user) };
}

/** The page, checked for a table with headers and no rows: an empty list says so instead. */
async function page(client: Awaited<ReturnType<typeof admin>>['client'], path: string): Promise<string> {
  const response = await client.get(path);
  expect(response.status, path).toBe(200);
  const html = await response.text();
  expect(html, `${path} has an empty table`).not.toMatch(/<tbody>\s*<\/tbody>/);
  return html;
}

/** The text of the empty state with this id, tags dropped. */
function emptyState(html: string, id: string): string {
  const match = new RegExp(`<p class="empty-state" id="${id}">([\\s\\S]*?)</p>`).exec(html);
  expect(match, `empty state #${id}`).not.toBeNull();
  return (match?.[1] ?? '').replace(/<[^>]+>/g, '').replace(/\s+/g, ' ');
}

describe(`empty lists (${databaseKind})`, () => {
  it('say what is missing and link to the next step instead of an empty table', async () => {
    const { user, client } = await admin();

    const teams = await page(client, '/teams');
    expect(teams).not.toContain('id="teams-caption"');
    expect(emptyState(teams, 'no-teams')).toMatch(/^No teams yet\. Create a team/);
    expect(teams).toContain('<a href="#create-team">Create a team</a>');

    const team = await t.db
      .insertInto('teams')
      .values({ name: 'Platform' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const teamPage = await page(client, `/teams/${team.id}`);
    expect(teamPage).not.toContain('id="members-caption"');
    expect(emptyState(teamPage, 'no-members')).toContain('No members yet. Add a member');
    expect(teamPage).toContain('<a href="#add-member">Add a member</a>');
    expect(emptyState(teamPage, 'no-team-bindings')).toContain('Give it a role on the Access page');

    const userPage = await page(client, `/users/${user.id}`);
    expect(emptyState(userPage, 'no-teams')).toContain(
      'Ada Lovelace is in no team. Add Ada Lovelace to a team',
    );
    const newcomer = await makeUser(t.db, { name: 'Grace Hopper' });
    expect(await page(client, `/users/${newcomer.id}`)).toContain('None: not signed in anywhere');

    const access = await page(client, `/users/${user.id}/access`);
    expect(emptyState(access, 'no-teams')).toContain('Ada Lovelace is in no team.');

    const serviceAccounts = await page(client, '/service-accounts');
    expect(emptyState(serviceAccounts, 'no-service-accounts')).toMatch(/^No service accounts yet\. /);
    expect(serviceAccounts).toContain('href="#new-service-account-title"');

    const account = await page(client, '/account');
    expect(emptyState(account, 'no-tokens')).toMatch(/^No API tokens yet\. Create a token/);
    expect(emptyState(account, 'no-security-events')).toMatch(/^None yet: /);

    const applications = await page(client, '/applications');
    expect(applications).not.toContain('id="applications-caption"');
    expect(emptyState(applications, 'no-applications')).toMatch(
      /^No applications yet\. Register an application/,
    );

    const sso = await page(client, '/sso');
    expect(emptyState(sso, 'no-providers')).toContain('Add an identity provider');
  });

  it('on a service account without permissions, and a provider without domains or group mappings', async () => {
    const { client, ctx } = await admin();
    const created = await client.post('/service-accounts', { name: 'HR sync' });
    expect(created.status).toBe(303);
    const accountPage = await page(client, created.headers.get('location') ?? '');
    expect(emptyState(accountPage, 'no-tokens')).toContain('as HR sync');
    expect(emptyState(accountPage, 'no-permissions')).toMatch(/^HR sync holds no permission yet/);

    const id = await createProvider(ctx, {
      kind: 'oidc',
      name: 'Okta',
      issuer: 'https://example.okta.com',
      clientId: 'gatehouse-client',
      clientSecret: 'the-idp-client-secret-0123456789',
      domains: '',
      groupsAttribute: '',
      groupMappings: '',
    });
    const provider = await page(client, `/sso/${id}`);
    expect(emptyState(provider, 'no-domains')).toContain('Edit it to claim');
    expect(emptyState(provider, 'no-group-mappings')).toContain('Edit it to map');
    expect(provider).toContain(`href="/sso/${id}/edit"`);
  });

  it('show no link to a step the viewer may not take', async () => {
    const { client: adminClient } = await admin();
    // Someone who may read people (users.view) but not change them.
    const role = await adminClient.post('/roles', {
      name: 'People reader',
      description: '',
      permissions: ['users.view'],
    });
    const roleId = (role.headers.get('location') ?? '').slice('/roles/'.length);
    const reader = await makeUser(t.db, { name: 'Rita Reader' });
    await t.db
      .insertInto('role_bindings')
      .values({ user_id: reader.id, role_id: roleId, project_id: null })
      .execute();
    const other = await makeUser(t.db, { name: 'Grace Hopper' });
    const userPage = await page(await clientFor(t, reader.id), `/users/${other.id}`);
    expect(emptyState(userPage, 'no-teams')).toBe('Grace Hopper is in no team.');
  });
});
