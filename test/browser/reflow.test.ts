import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultProjectId } from '../../src/access/grants';
import { createServiceAccount } from '../../src/api/service-accounts';
import { createApiToken } from '../../src/api/tokens';
import { createApplication } from '../../src/oidc/applications';
import { ADA, axeViolations, chromiumPath, setUpBrowser, signInWithForm } from '../helpers/browser';
import { bind, makeUser } from '../helpers/fixtures';

const { server, browser } = setUpBrowser({ admin: true });
let paths: string[] = [];

/**
 * Whether the page scrolls sideways, and the elements that stick out of the viewport without a
 * scrolling box to hold them (what to fix when it does).
 */
const overflow = (page: Page) =>
  page.evaluate(() => {
    const root = document.documentElement;
    const width = root.clientWidth;
    const culprits: string[] = [];
    for (const el of document.body.querySelectorAll('*')) {
      const box = el.getBoundingClientRect();
      if (box.right <= width + 0.5 || box.width === 0) continue;
      const held = el.parentElement?.closest('.table-scroll, [role="region"]');
      if (held) continue;
      culprits.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${[...el.classList].join('.')}`);
    }
    return { scrollWidth: root.scrollWidth, clientWidth: width, culprits: culprits.slice(0, 8) };
  });

async function expectNoSideways(context: BrowserContext) {
  const page = await context.newPage();
  await signInWithForm(page, server.url, ADA.email, ADA.password);
  for (const path of paths) {
    await page.goto(`${server.url}${path}`);
    const result = await overflow(page);
    expect
      .soft(result.scrollWidth, `${path}: ${result.culprits.join(', ')}`)
      .toBeLessThanOrEqual(result.clientWidth);
  }
  return page;
}

describe.skipIf(!chromiumPath)('reflow at 320 CSS pixels in Chromium', () => {
  beforeAll(async () => {
    const db = server.db;
    const ada = await db
      .selectFrom('users')
      .select('id as userId')
      .where('email', '=', ADA.email)
      .executeTakeFirstOrThrow();
    const projectId = await defaultProjectId(db);
    const grace = await makeUser(db, {
      role: 'editor',
      projectId,
      name: 'Grace Brewster Murray Hopper',
      email: 'grace.brewster.murray.hopper@a-rather-long-domain.example.com',
    });
    const team = await db
      .insertInto('teams')
      .values({ name: 'Writers and editors of the documentation', description: 'They write' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('team_members')
      .values({ team_id: team.id, user_id: grace.id, is_admin: true })
      .execute();
    await bind(db, { teamId: team.id, roleKey: 'viewer' });
    const role = await db
      .insertInto('roles')
      .values({ name: 'Support agent', description: 'Answers customers', permissions: ['content.view'] })
      .returning('id')
      .executeTakeFirstOrThrow();
    const binding = await db
      .selectFrom('role_bindings')
      .select('id')
      .where('user_id', '=', grace.id)
      .executeTakeFirstOrThrow();

    // Events to list: sign-ins, and an invitation sent through the app.
    const setup = await browser.newPage();
    await signInWithForm(setup, server.url, ADA.email, ADA.password);
    await setup.goto(`${server.url}/invitations/new`);
    await setup
      .getByLabel('Email addresses')
      .fill('someone.with.a.long.address@another-long-domain.example.org');
    await setup.getByLabel('Role').selectOption({ label: 'Viewer' });
    await setup.getByRole('button', { name: 'Send invitations' }).click();
    await setup.getByRole('heading', { level: 1 }).waitFor();
    await setup.close();
    const invitation = await db.selectFrom('invitations').select('id').executeTakeFirstOrThrow();
    const robot = await createServiceAccount(server.system, { name: 'Nightly export to the data warehouse' });
    await db
      .insertInto('role_bindings')
      .values({
        user_id: robot.id,
        role_id: null,
        permissions: ['users.view', 'audit.view'],
        project_id: null,
      })
      .execute();
    await createApiToken(server.system, {
      ownerId: robot.id,
      name: 'Production warehouse loader',
      permissions: ['users.view', 'audit.view'],
    });
    await createApiToken(server.system, { ownerId: ada.userId, name: 'A token for a laptop script' });
    const application = await createApplication(server.system, {
      name: 'A product with a rather long name for a narrow screen',
      redirectUris: ['https://a-long-subdomain.of-a-long-domain.example.org/oauth/callback/with/a/long/path'],
    });
    const event = await db
      .selectFrom('audit_events')
      .select('id')
      .where('action', '=', 'invitation.create')
      .executeTakeFirstOrThrow();
    paths = [
      '/',
      '/users',
      '/users?tab=deactivated',
      '/users/new',
      `/users/${grace.id}`,
      `/users/${grace.id}/edit`,
      `/users/${grace.id}/access`,
      `/users/${ada.userId}`,
      '/invitations',
      '/invitations/new',
      `/invitations/${invitation.id}`,
      '/roles',
      '/roles/new',
      `/roles/${role.id}`,
      '/teams',
      `/teams/${team.id}`,
      '/projects',
      `/projects/${projectId}`,
      '/access',
      `/access/bindings/${binding.id}`,
      '/account',
      '/settings',
      '/email',
      '/applications',
      '/applications/new',
      `/applications/${application.id}`,
      '/audit',
      `/audit/events/${event.id}`,
      '/service-accounts',
      `/service-accounts/${robot.id}`,
    ];
  });

  it('no signed-in page scrolls sideways at 320 px wide', async () => {
    const context = await browser.newContext({ viewport: { width: 320, height: 640 } });
    await expectNoSideways(context);
    await context.close();
  });

  it('every signed-in page is axe clean and does not scroll sideways at 320 px in the dark scheme too', async () => {
    const context = await browser.newContext({ viewport: { width: 320, height: 640 }, colorScheme: 'dark' });
    const page = await expectNoSideways(context);
    for (const path of paths) {
      await page.goto(`${server.url}${path}`);
      expect.soft(await axeViolations(page), `${path} (dark)`).toEqual([]);
    }
    await context.close();
  });

  it('nor at 400% zoom of a 1280 px window, and wide tables scroll in a named, focusable region', async () => {
    const context = await browser.newContext({ viewport: { width: 320, height: 256 }, deviceScaleFactor: 4 });
    const page = await expectNoSideways(context);
    await page.goto(`${server.url}/users`);
    const region = page.getByRole('region', { name: /^Showing 1–\d+ of \d+ users$/ });
    expect(await region.getAttribute('tabindex')).toBe('0');
    expect(await region.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    await region.focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => region.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });
});
