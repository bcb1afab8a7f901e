import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { encryptSecret } from '../../src/auth/two-factor/secret-box';
import { newTotpSecret } from '../../src/auth/two-factor/totp';
import { TestClock } from '../helpers/app';
import {
  axeViolations,
  chromiumPath,
  expectNoFaults,
  setUpBrowser,
  signInWithForm,
  watchPage,
} from '../helpers/browser';
import { FIXTURE_PASSWORD, makeUser } from '../helpers/fixtures';

const PASSWORD = 'a quiet harbour at dawn';
const MINUTE = 60_000;
const clock = new TestClock();
const { server, browser } = setUpBrowser({ admin: true, clock });

/** Time passes for the server and the page alike; the page's due timers run. */
async function pass(page: Page, ms: number) {
  clock.advance(ms);
  await page.clock.fastForward(ms);
}

const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent ?? '');

describe.skipIf(!chromiumPath)('session time-outs in Chromium', () => {
  it('warns two minutes before the idle time-out, stays signed in on request, and keeps a form through the next sign-in', async () => {
    await server.db.updateTable('account_settings').set({ session_idle_minutes: 5 }).execute();
    const page = await browser.newPage();
    const watch = await watchPage(page);
    await page.clock.install();
    await signInWithForm(page, server.url, 'ada@example.com', PASSWORD);
    await page.goto(`${server.url}/account`);
    // Five minutes, less the moment since sign-in.
    expect(
      Number(await page.locator('meta[name="session-timeout"]').getAttribute('content')),
    ).toBeGreaterThan(295);
    await page.getByLabel('Name', { exact: true }).fill('Ada King, Countess of Lovelace');
    await page.getByLabel('Language of emails').selectOption('fr');
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill('not to be kept anywhere');
    await page.getByLabel('Name', { exact: true }).focus();

    // Nothing yet at 2:59 before the end; the warning at 2:00 before, focus on its button.
    await pass(page, 2 * MINUTE);
    expect(await page.getByRole('dialog').count()).toBe(0);
    await pass(page, MINUTE + 1000);
    const warning = page.getByRole('dialog', { name: 'You will be signed out soon' });
    await expect.poll(() => warning.isVisible()).toBe(true);
    expect(await warning.getByRole('alert').textContent()).toContain('you will be signed out in 2 minutes');
    expect(await focusedText(page)).toBe('Stay signed in');
    expect(await axeViolations(page)).toEqual([]);

    // Enter keeps the session: the server's idle time starts again; focus goes back to the field.
    const keptAt = clock.now().getTime();
    await page.keyboard.press('Enter');
    await expect.poll(() => warning.isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('name');
    expect(await page.locator('#flash').textContent()).toContain('You are still signed in.');
    const session = await server.db.selectFrom('sessions').select('last_seen_at').executeTakeFirstOrThrow();
    expect(session.last_seen_at.getTime()).toBeGreaterThanOrEqual(keptAt);
    await pass(page, 4 * MINUTE);
    await expect.poll(() => warning.isVisible()).toBe(true);

    // Unanswered, the session ends: the form is kept (never the passwords), sign-in says why.
    await pass(page, 2 * MINUTE);
    await page.waitForURL((url) => url.pathname === '/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/account');
    expect(await page.locator('#flash').textContent()).toContain(
      'You were signed out because nothing happened for a while. Sign in again to carry on: what you had typed will be put back.',
    );
    const stored = await page.evaluate(() => JSON.stringify(sessionStorage));
    expect(stored).toContain('Ada King, Countess of Lovelace');
    expect(stored).not.toContain(PASSWORD);
    expect(stored).not.toContain('not to be kept anywhere');

    await page.getByRole('textbox', { name: 'Email address' }).fill('ada@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/account');
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe(
      'Ada King, Countess of Lovelace',
    );
    expect(await page.getByLabel('Language of emails').inputValue()).toBe('fr');
    expect(await page.getByLabel('Current password').inputValue()).toBe('');
    expect(await page.locator('#flash').textContent()).toContain(
      'What you had typed before you were signed out',
    );
    // Put back once only.
    await page.reload();
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Ada Lovelace');
    await expectNoFaults(watch, { console: 'all' });
    await page.close();
    await server.db.updateTable('account_settings').set({ session_idle_minutes: 30 }).execute();
  });

  it('a form in a dialog comes back on its own page, and a submit after the end is kept, not lost', async () => {
    await server.db.updateTable('account_settings').set({ session_idle_minutes: 5 }).execute();
    const page = await browser.newPage();
    await page.clock.install();
    await signInWithForm(page, server.url, 'ada@example.com', PASSWORD);
    await page.goto(`${server.url}/invitations`);
    await page.getByRole('link', { name: 'Invite users' }).click();
    await page.getByLabel('Email addresses').fill('pending@example.com');
    // The computer slept: the page's clock jumps past the end before its timers have run.
    clock.advance(6 * MINUTE);
    await page.clock.setSystemTime(Date.now() + clock.now().getTime() - Date.now());
    await page.getByRole('button', { name: 'Send invitations' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/invitations/new');
    expect(await server.db.selectFrom('invitations').select('id').execute()).toEqual([]);
    await page.getByRole('textbox', { name: 'Email address' }).fill('ada@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/invitations/new');
    expect(await page.getByLabel('Email addresses').inputValue()).toBe('pending@example.com');
    await page.close();
    await server.db.updateTable('account_settings').set({ session_idle_minutes: 30 }).execute();
  });

  it('warns before the code step times out, gives it more time, then says it timed out', async () => {
    const user = await makeUser(server.db, { name: 'Cody Step', email: 'cody@example.com' });
    await server.db
      .updateTable('users')
      .set({ totp_secret: encryptSecret(server.system.config.secretKey, newTotpSecret()) })
      .where('id', '=', user.id)
      .execute();
    const page = await browser.newPage();
    await page.clock.install();
    await page.goto(`${server.url}/login?next=/account`);
    await page.getByRole('textbox', { name: 'Email address' }).fill(user.email);
    await page.getByLabel('Password').fill(FIXTURE_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/login/two-factor');
    expect(await page.locator('meta[name="session-timeout"]').getAttribute('data-kind')).toBe('code-step');

    await pass(page, 8 * MINUTE + 1000);
    const warning = page.getByRole('dialog', { name: 'The code step will time out soon' });
    await expect.poll(() => warning.isVisible()).toBe(true);
    expect(await warning.getByRole('alert').textContent()).toContain('This step ends in 2 minutes');
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press('Enter');
    await expect.poll(() => warning.isVisible()).toBe(false);
    expect(await page.locator('#flash').textContent()).toContain('The code step has more time.');

    // 10 minutes from the request, where it would have ended without it: still open.
    await pass(page, 5 * MINUTE);
    const code = await page.request.get(`${server.url}/login/two-factor`, { maxRedirects: 0 });
    expect(code.status()).toBe(200);
    await pass(page, 6 * MINUTE);
    await page.waitForURL((url) => url.pathname === '/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/account');
    expect(await page.locator('#flash').textContent()).toContain('The code step timed out. Sign in again.');
    expect(await page.evaluate(() => JSON.stringify(sessionStorage))).not.toContain('gatehouse.drafts');
    await page.close();
  });
});
