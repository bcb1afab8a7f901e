import { describe, expect, it } from 'vitest';
import {
  ADA,
  activeName,
  axeViolations,
  chromiumPath,
  expectNoFaults,
  setUpBrowser,
  signInWithForm,
  tabTo,
  watchPage,
} from '../helpers/browser';

const { server, browser } = setUpBrowser({ admin: true });

describe.skipIf(!chromiumPath)('API tokens and service accounts in Chromium', () => {
  it('My account: a token made by keyboard, shown once, revoked in the dialog; axe clean throughout', async () => {
    const page = await browser.newPage();
    const watch = await watchPage(page);
    await signInWithForm(page, server.url, ADA.email, ADA.password);
    await page.goto(`${server.url}/account`);
    await page.getByRole('heading', { level: 2, name: 'API tokens' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    // The form is far down a long page: start at its first field, then keyboard only.
    await page.getByLabel('Token name').focus();
    await page.keyboard.type('Laptop script');
    await page.keyboard.press('Tab');
    await page.keyboard.press('End');
    expect(await activeName(page)).toBe('Expires');
    const checkbox = page.getByRole('checkbox', { name: /users\.view$/ });
    await checkbox.focus();
    await page.keyboard.press('Space');
    expect(await checkbox.isChecked()).toBe(true);
    await tabTo(page, 'Create token');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Token “Laptop script” created' }).waitFor();
    const token = (await page.locator('code.secret').textContent()) ?? '';
    expect(token).toMatch(/^gh_/);
    expect(await axeViolations(page)).toEqual([]);
    const answer = await page.request.get(`${server.url}/api/v1/users`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(answer.status()).toBe(200);

    await page.getByRole('link', { name: 'Done' }).click();
    await page.getByRole('cell', { name: 'users.view' }).waitFor();
    expect(await page.content()).not.toContain(token);
    await page.getByRole('link', { name: 'Revoke Laptop script' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Revoke the token “Laptop script”?' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Revoke the token' }).click();
    await page.getByText('Token “Laptop script” revoked.').waitFor();
    const after = await page.request.get(`${server.url}/api/v1/users`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(after.status()).toBe(401);
    await expectNoFaults(watch, { server });
    await page.close();
  });

  it('Service accounts: created, its page and token form (with an error) pass axe', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInWithForm(page, server.url, ADA.email, ADA.password);
    await page.goto(`${server.url}/service-accounts`);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('Name').fill('HR sync');
    await page.getByRole('button', { name: 'Create service account' }).click();
    await page.getByRole('heading', { level: 1, name: 'HR sync' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('Token name').fill('');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByText('There is a problem').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });
});
