import { describe, expect, it } from 'vitest';
import { ADA, axeViolations, chromiumPath, setUpBrowser } from '../helpers/browser';
import { makeUser } from '../helpers/fixtures';

const { server, browser, adminPage } = setUpBrowser({ admin: true });

describe.skipIf(!chromiumPath)('reset all passwords, its progress and its report, in Chromium', () => {
  it('starts from the dialog, shows the progress and then the report; every state passes axe', async () => {
    for (let i = 0; i < 3; i++) await makeUser(server.db, { role: 'viewer' });
    const page = await adminPage();
    await page.goto(`${server.url}/users`);
    await page.getByRole('link', { name: 'Reset all passwords' }).click();
    await page.getByRole('button', { name: 'Reset 3 passwords' }).click();
    // The test server runs the jobs before it answers, so the report is already there.
    await page.getByRole('heading', { level: 1, name: 'Reset all passwords' }).waitFor();
    await page.getByText('Finished: 4 of 4 people handled').waitFor();
    expect(await page.locator('progress').getAttribute('value')).toBe('4');
    expect(await page.getByRole('cell', { name: 'that is you' }).count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('while running: a labelled progress bar polled by htmx, a status region, and a Refresh link without JavaScript', async () => {
    const ada = await server.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', ADA.email)
      .executeTakeFirstOrThrow();
    const action = await server.db
      .insertInto('long_actions')
      .values({
        kind: 'reset_all_passwords',
        actor_id: ada.id,
        actor_label: ADA.email,
        total: 1000,
        params: '{}',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await server.db.updateTable('long_actions').set({ done: 250 }).where('id', '=', action.id).execute();
    const page = await adminPage();
    await page.goto(`${server.url}/users/reset-all/${action.id}`);
    const bar = page.getByRole('progressbar', { name: /Resetting passwords: 250 of 1,000 people handled/ });
    expect(await bar.count()).toBe(1);
    expect(await page.getByRole('status').filter({ hasText: 'Reset all passwords: 20% done.' }).count()).toBe(
      1,
    );
    expect(await axeViolations(page)).toEqual([]);
    // The next poll, after more work, moves the bar; the live region hears the new tenth.
    await server.db.updateTable('long_actions').set({ done: 420 }).where('id', '=', action.id).execute();
    await expect.poll(() => page.locator('progress').getAttribute('value'), { timeout: 10_000 }).toBe('420');
    await expect.poll(() => page.getByRole('status').filter({ hasText: '40% done' }).count()).toBe(1);

    const noScript = await browser.newContext({ javaScriptEnabled: false });
    const plain = await noScript.newPage();
    await plain.goto(`${server.url}/login`);
    await plain.getByLabel('Email').fill(ADA.email);
    await plain.getByLabel('Password').fill(ADA.password);
    await plain.getByRole('button', { name: 'Sign in', exact: true }).click();
    await plain.goto(`${server.url}/users/reset-all/${action.id}`);
    await server.db
      .updateTable('long_actions')
      .set({ done: 1000, state: 'done', finished_at: new Date() })
      .where('id', '=', action.id)
      .execute();
    await plain.getByRole('link', { name: 'Refresh' }).click();
    await plain.getByText('Finished: 1,000 of 1,000 people handled').waitFor();
    await noScript.close();
  });

  it('a bulk action runs the same way: preview, confirm, its page with the outcome; every state passes axe', async () => {
    const a = await makeUser(server.db, { role: 'viewer', name: 'Bulk Vera' });
    const b = await makeUser(server.db, { role: 'viewer', name: 'Bulk Bert' });
    const page = await adminPage();
    await page.goto(`${server.url}/users?q=Bulk`);
    await page.getByRole('checkbox', { name: 'Select Bulk Vera' }).check();
    await page.getByRole('checkbox', { name: 'Select Bulk Bert' }).check();
    await page.locator('#bulk-form').getByRole('button', { name: 'Deactivate', exact: true }).click();
    await page.getByRole('button', { name: 'Deactivate 2 users' }).click();
    await page.getByRole('heading', { level: 1, name: 'Deactivate' }).waitFor();
    await page.getByText('Finished: 2 of 2 people handled').waitFor();
    expect(await page.getByText('2 users changed.', { exact: true }).count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    const report = await page.request.get(`${page.url()}/report.csv`);
    const lines = (await report.text()).trim().split('\r\n');
    const line = (cells: string[]) => cells.map((c) => `"${c}"`).join(',');
    expect(lines[0]).toBe(line(['user_id', 'email', 'outcome', 'reason']));
    expect(lines.slice(1).sort()).toEqual(
      [line([a.id, a.email, 'done', '']), line([b.id, b.email, 'done', ''])].sort(),
    );
  });
});
