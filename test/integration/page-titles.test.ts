import { describe, expect, it } from 'vitest';
import { pageTitle } from '../../src/web/render';
import { databaseKind } from '../helpers/database';
import { clientFor, makeUser } from '../helpers/fixtures';
import { Client } from '../helpers/http';
import { setUpApp } from '../helpers/set-up-app';

const t = setUpApp({ resetEach: true });

/** The page's <title>, as a browser's tab and a screen reader's first announcement read it. */
async function titleOf(response: Response): Promise<string> {
  const html = await response.text();
  const match = /<title>([^<]*)<\/title>/.exec(html);
  expect(match, 'the page has a title').not.toBeNull();
  return (match?.[1] ?? '').replaceAll('&amp;', '&').replaceAll('&#39;', "'").replaceAll('&quot;', '"');
}

async function admin() {
  const user = await makeUser(t.db, {
    role: 'account_admin',
    name: 'Ada Lovelace',
    email: 'ada@example.com',
  });
  return { user, client: await clientFor(t, user.id) };
}

describe(`page titles (${databaseKind})`, () => {
  it('say where the page is: the page, its area, then Gatehouse', async () => {
    const { user, client } = await admin();
    expect(await titleOf(await client.get(`/users/${user.id}`))).toBe('Ada Lovelace · Users · Gatehouse');
    expect(await titleOf(await client.get('/teams'))).toBe('Teams · Gatehouse');

    const team = await t.db
      .insertInto('teams')
      .values({ name: 'Platform' })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(await titleOf(await client.get(`/teams/${team.id}`))).toBe('Team Platform · Teams · Gatehouse');

    const created = await client.post('/roles', {
      name: 'Auditor',
      description: '',
      permissions: ['audit.view'],
    });
    expect(created.status).toBe(303);
    const roleUrl = created.headers.get('location') ?? '';
    expect(await titleOf(await client.get(roleUrl))).toBe('Edit role Auditor · Roles · Gatehouse');
    const viewer = await t.db
      .selectFrom('roles')
      .select('id')
      .where('key', '=', 'viewer')
      .executeTakeFirstOrThrow();
    expect(await titleOf(await client.get(`/roles/${viewer.id}`))).toBe('Role Viewer · Roles · Gatehouse');
  });

  it('start with “Error: ” when a form comes back with its errors (a plain POST, no JavaScript)', async () => {
    const { client } = await admin();
    const refused = await client.post('/teams', { name: '', description: '' });
    expect(refused.status).toBe(422);
    const html = await refused.clone().text();
    expect(html).toContain('class="error-summary"');
    expect(await titleOf(refused)).toBe('Error: Teams · Gatehouse');

    // A form whose refused value is the page's own name: the title keeps the stored one.
    const created = await client.post('/roles', {
      name: 'Auditor',
      description: '',
      permissions: ['audit.view'],
    });
    const roleUrl = created.headers.get('location') ?? '';
    const edit = await client.post(roleUrl, { name: '', description: '', permissions: ['audit.view'] });
    expect(edit.status).toBe(422);
    expect(await titleOf(edit)).toBe('Error: Edit role Auditor · Roles · Gatehouse');

    // The same form shown again without errors has no "Error: ".
    expect(await titleOf(await client.get(roleUrl))).not.toMatch(/^Error/);
  });

  it('start with “Error: ” on the error pages: not found, access denied, a rule refused', async () => {
    const { client } = await admin();
    const missing = await client.get('/no-such-page');
    expect(missing.status).toBe(404);
    expect(await titleOf(missing)).toBe('Error: Page not found · Gatehouse');

    const unknownUser = await client.get('/users/00000000-0000-4000-8000-000000000000');
    expect(unknownUser.status).toBe(404);
    expect(await titleOf(unknownUser)).toBe('Error: Page not found · Gatehouse');

    const viewer = await makeUser(t.db, { role: 'viewer' });
    const denied = await (await clientFor(t, viewer.id)).get('/teams');
    expect(denied.status).toBe(403);
    expect(await titleOf(denied)).toBe('Error: Access denied · Gatehouse');

    // A signed-out visitor's 404 too.
    const anonymous = await new Client(t.app).get('/no-such-page');
    expect(await titleOf(anonymous)).toBe('Error: Page not found · Gatehouse');
  });

  it('say “Error: ” in the page’s language on an invitee’s error page', async () => {
    const unknown = await new Client(t.app).get(`/invite/${'x'.repeat(43)}`);
    expect(unknown.status).toBeGreaterThanOrEqual(400);
    expect(await titleOf(unknown)).toMatch(/^Error: .+ · Gatehouse$/);
    expect(pageTitle('Cette invitation a expiré', 410, 'fr')).toBe('Erreur : Cette invitation a expiré');
    expect(pageTitle('Diese Einladung ist abgelaufen', 410, 'de')).toBe(
      'Fehler: Diese Einladung ist abgelaufen',
    );
    expect(pageTitle('Invitación a Acme', 200, 'es')).toBe('Invitación a Acme');
  });
});
