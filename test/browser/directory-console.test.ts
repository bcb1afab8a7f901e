import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ADA,
  axeViolations,
  chromiumPath,
  expectNoFaults,
  setUpBrowser,
  watchPage,
} from '../helpers/browser';
import { bind } from '../helpers/fixtures';

const { server, browser } = setUpBrowser({ admin: true });
let paths: Array<{ path: string; heading: string }> = [];

/** Whether the page scrolls sideways, and what sticks out without a scrolling box to hold it. */
const overflow = (page: Page) =>
  page.evaluate(() => {
    const root = document.documentElement;
    const width = root.clientWidth;
    const culprits: string[] = [];
    for (const el of document.body.querySelectorAll('*')) {
      const box = el.getBoundingClientRect();
      if (box.right <= width + 0.5 || box.width === 0) continue;
      if (el.parentElement?.closest('.table-scroll, [role="region"]')) continue;
      culprits.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${[...el.classList].join('.')}`);
    }
    return { scrollWidth: root.scrollWidth, clientWidth: width, culprits: culprits.slice(0, 8) };
  });

/**
 * Signs in through the form as Ada. Not signInWithForm: with an identity provider configured the
 * sign-in page also offers "Sign in with single sign-on", which its button name matches too.
 */
async function signIn(page: Page) {
  await page.goto(`${server.url}/login`);
  await page.getByRole('textbox', { name: 'Email address' }).fill(ADA.email);
  await page.getByLabel('Password').fill(ADA.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/');
}

describe.skipIf(!chromiumPath)('directory people and teams in Chromium', () => {
  beforeAll(async () => {
    const db = server.db;
    const provider = await db
      .insertInto('identity_providers')
      .values({
        name: 'The company identity provider',
        kind: 'oidc',
        issuer: 'https://idp.example.com',
        client_id: 'x',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const [dora, remy, sam] = await db
      .insertInto('users')
      .values([
        {
          name: 'Dorothea Directory-Provisioned',
          email: 'dorothea.directory-provisioned@a-rather-long-domain.example.com',
          source: 'scim',
          external_id: '00u1a2b3c4d5e6f7g8h9-a-long-directory-identifier-without-spaces',
        },
        {
          name: 'Remy Removed',
          email: 'remy@example.com',
          source: 'scim',
          external_id: 'dir-0002',
          deactivated_at: new Date('2026-11-20T12:00:00Z'),
          directory_removed_at: new Date('2026-11-20T12:00:00Z'),
        },
        { name: 'Sam Signon', email: 'sam@example.com', source: 'sso' },
      ])
      .returning('id')
      .execute();
    if (!dora || !remy || !sam) throw new Error('users not created');
    await db
      .insertInto('user_identities')
      .values({
        provider_id: provider.id,
        subject: 'sam',
        user_id: sam.id,
        last_sign_in_at: new Date('2026-11-25T09:30:00Z'),
      })
      .execute();
    const directory = await db
      .insertInto('teams')
      .values({
        name: 'Engineering platform and infrastructure',
        source: 'scim',
        external_id: 'grp-engineering-platform-and-infrastructure-0001',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const manual = await db
      .insertInto('teams')
      .values({ name: 'Support' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('team_members')
      .values([
        { team_id: directory.id, user_id: dora.id, source: 'scim' },
        { team_id: directory.id, user_id: sam.id, source: 'scim' },
        { team_id: manual.id, user_id: sam.id, source: 'sso', source_provider_id: provider.id },
        { team_id: manual.id, user_id: dora.id },
      ])
      .execute();
    await bind(db, { teamId: directory.id, roleKey: 'viewer' });
    paths = [
      { path: `/users/${dora.id}`, heading: 'Dorothea Directory-Provisioned' },
      { path: `/users/${remy.id}`, heading: 'Remy Removed' },
      { path: `/users/${sam.id}`, heading: 'Sam Signon' },
      { path: `/users/${dora.id}/edit`, heading: 'Edit Dorothea Directory-Provisioned' },
      { path: '/users?source=scim', heading: 'Users' },
      { path: '/teams', heading: 'Teams' },
      { path: `/teams/${directory.id}`, heading: 'Team Engineering platform and infrastructure' },
      { path: `/teams/${manual.id}`, heading: 'Team Support' },
    ];
  });

  it('the pages of a directory person and a directory team pass axe', async () => {
    const page = await browser.newPage();
    const watch = await watchPage(page);
    await signIn(page);
    for (const { path, heading } of paths) {
      await page.goto(`${server.url}${path}`);
      expect(await page.getByRole('heading', { level: 1 }).textContent(), path).toBe(heading);
      expect(await axeViolations(page), path).toEqual([]);
    }
    const [doraPage, , , , , , teamPage] = paths;
    await page.goto(`${server.url}${doraPage?.path}`);
    expect(await page.getByText('Provisioned by the directory (SCIM)').isVisible()).toBe(true);
    await page.goto(`${server.url}${teamPage?.path}`);
    expect(
      await page
        .getByText(
          'This team is managed by your company directory (SCIM): its name and members change there.',
        )
        .isVisible(),
    ).toBe(true);
    expect(await page.getByRole('button', { name: 'Add member' }).count()).toBe(0);
    expect(await page.getByRole('textbox', { name: 'Name' }).count()).toBe(0);
    await expectNoFaults(watch, { server, console: 'all' });
    await page.close();
  });

  it('no page scrolls sideways at 320 px wide', async () => {
    const context = await browser.newContext({ viewport: { width: 320, height: 640 } });
    const page = await context.newPage();
    await signIn(page);
    for (const { path } of paths) {
      await page.goto(`${server.url}${path}`);
      const result = await overflow(page);
      expect
        .soft(result.scrollWidth, `${path}: ${result.culprits.join(', ')}`)
        .toBeLessThanOrEqual(result.clientWidth);
    }
    await context.close();
  });
});
