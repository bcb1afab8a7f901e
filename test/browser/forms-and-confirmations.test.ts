import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, chromiumPath, setUpBrowser, signInWithForm, watchPage } from '../helpers/browser';
import { bind, FIXTURE_PASSWORD, makeUser } from '../helpers/fixtures';
import { oathtool } from '../helpers/oathtool';

const { server, browser, adminPage } = setUpBrowser({ admin: true });

/** The border a field shows, and the danger colour as the page computes it. */
const border = (page: Page, selector: string) =>
  page.locator(selector).evaluate((el) => {
    const probe = document.createElement('span');
    probe.style.color = 'var(--danger)';
    document.body.append(probe);
    const danger = getComputedStyle(probe).color;
    probe.remove();
    const style = getComputedStyle(el);
    return { width: style.borderTopWidth, danger: style.borderTopColor === danger };
  });

/** Every permission checkbox is invalid and described by the message with this text. */
async function expectCheckboxesTiedTo(page: Page, message: string) {
  const boxes = page.locator('input[type="checkbox"][name="permissions"]');
  const states = await boxes.evaluateAll((all) =>
    all.map((box) => {
      const ids = (box.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
      return {
        invalid: box.getAttribute('aria-invalid'),
        description: ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' '),
      };
    }),
  );
  expect(states.length).toBeGreaterThan(5);
  for (const state of states) expect(state).toEqual({ invalid: 'true', description: message });
}

/** Heading levels in reading order never skip one (h1 then h3). */
const headingLevels = (page: Page) =>
  page.locator('main :is(h1, h2, h3, h4, h5, h6)').evaluateAll((all) => all.map((h) => Number(h.tagName[1])));
const expectNoSkippedLevel = (levels: number[]) => {
  levels.forEach((level, i) => {
    expect(level, `heading ${i} in ${levels}`).toBeLessThanOrEqual((levels[i - 1] ?? 0) + 1);
  });
};

describe.skipIf(!chromiumPath)('form errors, results and confirmations in Chromium', () => {
  it('after sending, the invite dialog gives focus to the result heading and announces the outcome', async () => {
    const page = await adminPage();
    const watch = await watchPage(page);
    await page.goto(`${server.url}/invitations`);
    await page.getByRole('link', { name: 'Invite users' }).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await page.getByLabel('Email addresses').fill('grace@example.com');
    await page.getByLabel('Role').selectOption({ label: 'Editor' });
    await page.getByRole('button', { name: 'Send invitations' }).focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.textContent))
      .toBe('1 invitation sent');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('dialog-title');
    // The live region was in the dialog, empty, before the result came: its change is announced.
    expect(await dialog.getByRole('status').textContent()).toBe('Invitation sent to grace@example.com.');
    expect(await page.locator('#dialog-body [role="status"]').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    // The dialog's close event comes in a task of its own after Escape.
    await expect.poll(() => page.locator('#dialog-status').textContent()).toBe('');
    expect(watch.consoleErrors).toEqual([]);
    await page.context().close();
  });

  it('the invite result page does not skip a heading level, in the page and in the dialog', async () => {
    await server.db.updateTable('account_settings').set({ allow_manual_links: true }).execute();
    const page = await adminPage({ javaScriptEnabled: false });
    await page.goto(`${server.url}/invitations/new`);
    await page.getByLabel('Email addresses').fill('hedy@example.com');
    await page.getByLabel('Role').selectOption({ label: 'Viewer' });
    await page.getByRole('button', { name: 'Send invitations' }).click();
    await page.getByRole('heading', { level: 1, name: '1 invitation sent' }).waitFor();
    expect(await page.getByRole('heading', { level: 2, name: 'Send manually' }).count()).toBe(1);
    expectNoSkippedLevel(await headingLevels(page));
    await page.context().close();

    const withScript = await adminPage();
    await withScript.goto(`${server.url}/invitations`);
    await withScript.getByRole('link', { name: 'Invite users' }).click();
    await withScript.getByLabel('Email addresses').fill('alan@example.com');
    await withScript.getByLabel('Role').selectOption({ label: 'Viewer' });
    await withScript.getByRole('button', { name: 'Send invitations' }).click();
    const dialog = withScript.getByRole('dialog');
    await dialog.getByRole('heading', { level: 2, name: '1 invitation sent' }).waitFor();
    expect(await dialog.getByRole('heading', { level: 3, name: 'Send manually' }).count()).toBe(1);
    expect(await axeViolations(withScript)).toEqual([]);
    await withScript.context().close();
    await server.db.updateTable('account_settings').set({ allow_manual_links: false }).execute();
  });

  it('invalid fields show their border, selects and text areas too', async () => {
    const page = await adminPage({ javaScriptEnabled: false });
    await page.goto(`${server.url}/invitations/new`);
    await page.getByLabel('Email addresses').fill('not an address');
    await page.getByRole('button', { name: 'Send invitations' }).click();
    await page.getByRole('alert').waitFor();
    for (const field of ['#emails', '#roleId']) {
      expect(await page.locator(field).getAttribute('aria-invalid'), field).toBe('true');
      expect(await border(page, field), field).toEqual({ width: '2px', danger: true });
    }
    await page.goto(`${server.url}/users/new`);
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('alert').waitFor();
    expect(await border(page, '#name')).toEqual({ width: '2px', danger: true });
    await page.context().close();
  });

  it('errors on permission checkboxes are tied to them, in the role editor and a manual set', async () => {
    await makeUser(server.db, { name: 'Grace Hopper', email: 'grace.h@example.com' });
    const page = await adminPage();
    await page.goto(`${server.url}/roles/new`);
    await page.getByLabel('Name').fill('Nothing at all');
    await page.getByRole('button', { name: 'Create role' }).click();
    await page.getByRole('alert').waitFor();
    await expectCheckboxesTiedTo(page, 'Choose at least one permission.');
    expect(await border(page, 'fieldset#permissions')).toEqual({ width: '2px', danger: true });
    expect(await axeViolations(page)).toEqual([]);

    await page.goto(`${server.url}/access`);
    await page.getByLabel('Email of an existing user').fill('grace.h@example.com');
    await page.getByLabel('Access', { exact: true }).selectOption('manual');
    await page.getByRole('button', { name: 'Create role binding' }).click();
    await page.getByRole('alert').waitFor();
    await expectCheckboxesTiedTo(page, 'Choose at least one permission for a manual set.');
    expect(await page.locator('details#permissions').getAttribute('open')).not.toBeNull();
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('the Print button of recovery codes is hidden without JavaScript', async () => {
    const tess = await makeUser(server.db, { name: 'Tess Ting', email: 'tess@example.com' });
    const page = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
    await signInWithForm(page, server.url, tess.email, FIXTURE_PASSWORD);
    await page.goto(`${server.url}/account/two-factor`);
    await page.getByRole('button', { name: 'Start' }).click();
    const key = (await page.locator('.totp-key').textContent()) ?? '';
    await page.getByLabel('Code from the app').fill(oathtool(key));
    await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your recovery codes' }).waitFor();
    expect(await page.locator('[data-print]').getAttribute('hidden')).not.toBeNull();
    expect(await page.locator('[data-print]').isVisible()).toBe(false);
    expect(await page.getByRole('link', { name: 'Download the codes' }).isVisible()).toBe(true);
    await page.context().close();
  });

  it('removing a binding, a team member or a team admin asks first, with and without JavaScript', async () => {
    const db = server.db;
    const lin = await makeUser(db, { role: 'editor', name: 'Lin Wei', email: 'lin@example.com' });
    const team = await db
      .insertInto('teams')
      .values({ name: 'Writers' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const sam = await makeUser(db, { name: 'Sam Reed', email: 'sam@example.com' });
    await db
      .insertInto('team_members')
      .values([
        { team_id: team.id, user_id: lin.id, is_admin: true },
        { team_id: team.id, user_id: sam.id, is_admin: false },
      ])
      .execute();
    await bind(db, { teamId: team.id, roleKey: 'viewer' });

    const page = await adminPage();
    const watch = await watchPage(page);
    await page.goto(`${server.url}/access`);
    await page.getByRole('link', { name: 'Remove Editor from Lin Wei' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove Editor from Lin Wei?' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await page.getByRole('link', { name: 'Remove Editor from Lin Wei' }).count()).toBe(1);
    await page.getByRole('link', { name: 'Remove Editor from Lin Wei' }).click();
    await dialog.getByRole('button', { name: 'Remove role binding' }).click();
    await page.waitForURL((url) => url.pathname === '/access');
    expect(await page.getByRole('status').first().textContent()).toContain('Role binding removed.');
    expect(await page.getByRole('link', { name: 'Remove Editor from Lin Wei' }).count()).toBe(0);

    await page.goto(`${server.url}/teams/${team.id}`);
    await page.getByRole('link', { name: 'Remove team admin Lin Wei' }).click();
    const adminDialog = page.getByRole('dialog', { name: 'Remove Lin Wei as team admin?' });
    await expect.poll(() => adminDialog.isVisible()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await adminDialog.getByRole('button', { name: 'Remove team admin' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Team admin removed.');
    expect(await page.getByRole('button', { name: 'Make team admin Lin Wei' }).count()).toBe(1);
    expect(watch.consoleErrors).toEqual([]);
    await page.context().close();

    const plain = await adminPage({ javaScriptEnabled: false });
    await plain.goto(`${server.url}/teams/${team.id}`);
    await plain.getByRole('link', { name: 'Remove Sam Reed from the team' }).click();
    await plain.getByRole('heading', { level: 1, name: 'Remove Sam Reed from team Writers?' }).waitFor();
    expect(
      await db.selectFrom('team_members').select('user_id').where('user_id', '=', sam.id).execute(),
    ).toHaveLength(1);
    await plain.getByRole('button', { name: 'Remove from the team' }).click();
    await plain.waitForURL((url) => url.pathname === `/teams/${team.id}`);
    expect(await plain.getByRole('status').first().textContent()).toContain('Member removed from the team.');
    expect(
      await db.selectFrom('team_members').select('user_id').where('user_id', '=', sam.id).execute(),
    ).toHaveLength(0);
    await plain.context().close();
    expect(server.errors).toEqual([]);
  });
});
