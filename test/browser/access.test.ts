import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ADA,
  activeName as activeNameOf,
  axeViolations,
  chromiumPath,
  expectNoFaults,
  type PageWatch,
  setUpBrowser,
  signInWithForm,
  tabTo as tabToName,
  watchPage,
} from '../helpers/browser';
import { bind, makeUser } from '../helpers/fixtures';

const { server, browser } = setUpBrowser({ admin: true });
let page: Page;
let watch: PageWatch;

const activeName = () => activeNameOf(page);
const tabTo = (name: string) => tabToName(page, name);

async function expectAccessible(path: string, heading: string) {
  await page.goto(`${server.url}${path}`);
  expect(await page.getByRole('heading', { level: 1 }).textContent(), path).toBe(heading);
  expect(await axeViolations(page), path).toEqual([]);
}

describe.skipIf(!chromiumPath)('access pages in Chromium', () => {
  beforeAll(async () => {
    page = await browser.newPage();
    watch = await watchPage(page);
    await signInWithForm(page, server.url, ADA.email, ADA.password);
  });

  it('creates a custom role by keyboard alone', async () => {
    await page.goto(`${server.url}/roles`);
    await tabTo('Create role');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/roles\/new$/);
    await tabTo('Name');
    await page.keyboard.type('Support agent');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Answers customers');
    await tabTo('View users');
    await page.keyboard.press('Space');
    await tabTo('View content');
    await page.keyboard.press('Space');
    await tabTo('Create role');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/roles\/[0-9a-f-]{36}$/);
    expect(await page.getByRole('status').textContent()).toContain('Role Support agent created.');
    expect(await page.getByRole('checkbox', { name: 'View users' }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: 'Edit content' }).isChecked()).toBe(false);
  });

  it('roles, role editor, projects, teams and access pages pass axe, error states too', async () => {
    const db = server.db;
    const grace = await makeUser(db, { name: 'Grace Hopper', email: 'grace@example.com' });
    const project = (await db.selectFrom('projects').select('id').executeTakeFirstOrThrow()).id;
    await bind(db, {
      userId: grace.id,
      roleKey: 'editor',
      projectId: project,
      expiresAt: new Date('2999-01-01T00:00:00Z'),
    });
    const team = await db
      .insertInto('teams')
      .values({ name: 'Writers', description: 'They write' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('team_members')
      .values({ team_id: team.id, user_id: grace.id, is_admin: true })
      .execute();
    await bind(db, { teamId: team.id, roleKey: 'viewer' });
    const role = await db
      .selectFrom('roles')
      .select('id')
      .where('name', '=', 'Support agent')
      .executeTakeFirstOrThrow();
    const binding = await db
      .selectFrom('role_bindings')
      .select('id')
      .where('user_id', '=', grace.id)
      .executeTakeFirstOrThrow();

    await expectAccessible('/roles', 'Roles');
    await expectAccessible('/roles/new', 'Create role');
    await expectAccessible(`/roles/${role.id}`, 'Edit role Support agent');
    await expectAccessible(`/roles/${role.id}/delete`, 'Delete role Support agent?');
    await expectAccessible('/projects', 'Projects');
    await expectAccessible(`/projects/${project}`, 'Rename project Default project');
    await expectAccessible('/teams', 'Teams');
    await expectAccessible(`/teams/${team.id}`, 'Team Writers');
    await expectAccessible(`/teams/${team.id}/delete`, 'Delete team Writers?');
    await expectAccessible('/access', 'Access in Default project');
    await expectAccessible(`/access/bindings/${binding.id}`, 'Change access of Grace Hopper');
    await expectAccessible(`/users/${grace.id}/access`, 'Access of Grace Hopper');

    // With JavaScript, a confirmation opens as a modal dialog: focus moves in, Escape closes it
    // and focus returns to the link that opened it.
    await page.goto(`${server.url}/roles/${role.id}`);
    const opener = page.getByRole('link', { name: 'Delete role Support agent' });
    await opener.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Delete role Support agent?' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.closest('dialog') !== null)).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await activeName()).toBe('Delete role Support agent');
    expect(new URL(page.url()).pathname).toBe(`/roles/${role.id}`);

    // Error states: an empty role, a duplicate project, an unknown user for a binding.
    await page.goto(`${server.url}/roles/new`);
    await page.getByRole('button', { name: 'Create role' }).click();
    await expect.poll(() => page.getByRole('alert').isVisible()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await page.goto(`${server.url}/projects`);
    await page.getByLabel('Name').fill('Default project');
    await page.getByRole('button', { name: 'Create project' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('already exists');
    expect(await axeViolations(page)).toEqual([]);
    await page.goto(`${server.url}/access`);
    await page.getByLabel('Email of an existing user').fill('ghost@example.com');
    await page.getByRole('button', { name: 'Create role binding' }).click();
    await expect.poll(() => page.getByRole('alert').isVisible()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);

    // Confirming in the dialog deletes the role.
    await page.goto(`${server.url}/roles/${role.id}`);
    await page.getByRole('link', { name: 'Delete role Support agent' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete role Support agent' }).click();
    await page.waitForURL((url) => url.pathname === '/roles');
    expect(await page.getByRole('status').textContent()).toContain('Role Support agent deleted.');

    await expectNoFaults(watch, { server });
  });

  it('the user page, its dialogs, user creation and the send-manually callout pass axe', async () => {
    await expectAccessible('/users/new', 'Create user');
    await page.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => page.getByRole('alert').isVisible()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('Name').fill('Hedy Lamarr');
    await page.getByLabel('Email address').fill('hedy@example.com');
    await page.getByLabel('Role').selectOption({ label: 'Editor' });
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.waitForURL(/\/users$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('User created');
    expect(await page.getByLabel('One-time link').inputValue()).toContain('/set-password/');
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'Back to the user' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Hedy Lamarr');
    expect(await page.getByText('Password not set').count()).toBeGreaterThan(0);
    expect(await axeViolations(page)).toEqual([]);
    for (const name of ['Edit Hedy Lamarr', 'Reset password of Hedy Lamarr', 'Delete Hedy Lamarr']) {
      await page.getByRole('link', { name }).click();
      await expect.poll(() => page.getByRole('dialog').isVisible()).toBe(true);
      expect(await axeViolations(page), name).toEqual([]);
      await page.keyboard.press('Escape');
      await expect.poll(() => page.getByRole('dialog').isVisible()).toBe(false);
    }
    // Edit by keyboard: the dialog takes focus at the name; Enter saves.
    await page.getByRole('link', { name: 'Edit Hedy Lamarr' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('dialog', { name: 'Edit Hedy Lamarr' }).isVisible()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('name');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('Hedy K. Lamarr');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Changes saved.');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Hedy K. Lamarr');
    // Deactivate by keyboard: the flash is announced and the status changes.
    await page.getByRole('button', { name: 'Deactivate Hedy K. Lamarr' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('User deactivated.');
    expect(await page.getByRole('button', { name: 'Reactivate Hedy K. Lamarr' }).isVisible()).toBe(true);
    await expectNoFaults(watch, { server });
  });
});
