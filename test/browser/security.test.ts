import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { replaceRecoveryCodes } from '../../src/auth/two-factor/enrolment';
import { encryptSecret } from '../../src/auth/two-factor/secret-box';
import { newTotpSecret } from '../../src/auth/two-factor/totp';
import { createAdminWithPassword } from '../helpers/app';
import {
  activeName,
  axeViolations,
  chromiumPath,
  expectNoFaults,
  setUpBrowser,
  tabTo,
  watchPage,
} from '../helpers/browser';
import { FIXTURE_PASSWORD, makeUser } from '../helpers/fixtures';
import { oathtool } from '../helpers/oathtool';

const PASSWORD = 'a quiet harbour at dawn';
const { server, browser } = setUpBrowser();

async function expectAccessible(page: Page) {
  expect(await axeViolations(page)).toEqual([]);
}

/** The account-wide setting; each test says what it needs rather than relying on the default. */
async function requireTwoFactor(on: boolean) {
  await server.db
    .updateTable('account_settings')
    .set({ require_two_factor: on })
    .where('id', '=', 1)
    .execute();
}

/**
 * A user who already has an authenticator (as enrolment leaves them): its base32 key and ten
 * recovery codes, made by the app's own function.
 */
async function userWithTwoFactor(options: { email: string; name: string; role: string | null }) {
  const user = await makeUser(server.db, options);
  const key = newTotpSecret();
  await server.db
    .updateTable('users')
    .set({ totp_secret: encryptSecret(server.system.config.secretKey, key) })
    .where('id', '=', user.id)
    .execute();
  const codes = await replaceRecoveryCodes(server.db, user.id, new Date());
  return { ...user, key, codes };
}

/** The sign-in form by keyboard alone: Tab to the email field, type, Tab, type, Enter. */
async function signInByKeyboard(page: Page, email: string, password: string) {
  await page.goto(`${server.url}/login`);
  await tabTo(page, 'Email address');
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  expect(await activeName(page)).toBe('Password');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
}

/** The code step, by keyboard: the field has focus on arrival, Enter submits. */
async function enterCodeByKeyboard(page: Page, code: string) {
  await page.waitForURL(/\/login\/two-factor$/);
  await expect.poll(() => activeName(page)).toBe('Authentication code');
  await page.keyboard.type(code);
  await page.keyboard.press('Enter');
}

/** A code the app shows for neither this step nor its neighbours. */
function wrongCode(key: string): string {
  const near = [-30_000, 0, 30_000].map((ms) => oathtool(key, new Date(Date.now() + ms)));
  return ['000000', '111111', '222222', '333333'].find((c) => !near.includes(c)) as string;
}

const twoFactorSection = (page: Page) => page.getByRole('region', { name: 'Two-factor authentication' });

describe.skipIf(!chromiumPath)('security pages in Chromium', () => {
  it('enrols in 2FA after sign-in when the account requires it, by keyboard alone', async () => {
    await requireTwoFactor(true);
    await createAdminWithPassword(server, {
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      password: PASSWORD,
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    const watch = await watchPage(page);

    await signInByKeyboard(page, 'ada@example.com', PASSWORD);
    await page.waitForURL(/\/account\/two-factor$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'Set up two-factor authentication',
    );
    expect(await page.textContent('main')).toContain('Your account requires two-factor authentication.');
    await expectAccessible(page);
    // Nothing else opens until they enrol.
    await page.goto(`${server.url}/users`);
    expect(new URL(page.url()).pathname).toBe('/account/two-factor');

    await tabTo(page, 'Start');
    await page.keyboard.press('Enter');
    await page.locator('code.totp-key').waitFor();
    expect(await page.locator('.qr svg').count()).toBe(1);
    await expectAccessible(page);
    const key = ((await page.locator('code.totp-key').textContent()) ?? '').replaceAll(' ', '');
    expect(key).toMatch(/^[A-Z2-7]{16,}$/);

    // A wrong code first: the error summary, the field marked invalid, nothing turned on.
    await tabTo(page, 'Code from the app');
    await page.keyboard.type(wrongCode(key));
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('That code is not right');
    expect(await page.getByRole('textbox', { name: 'Code from the app' }).getAttribute('aria-invalid')).toBe(
      'true',
    );
    await expectAccessible(page);
    const pending = await server.db
      .selectFrom('users')
      .select(['totp_secret', 'totp_pending_secret'])
      .where('email', '=', 'ada@example.com')
      .executeTakeFirstOrThrow();
    expect(pending.totp_secret).toBeNull();
    expect(pending.totp_pending_secret).not.toBeNull();

    await page.getByRole('textbox', { name: 'Code from the app' }).focus();
    await page.keyboard.type(oathtool(key));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Your recovery codes' }).waitFor();
    expect(await page.getByRole('status').textContent()).toContain('Two-factor authentication is on.');
    const codes = await page.locator('ol.codes li').allTextContents();
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code.trim()).toMatch(/^[0-9a-z]{4}(-[0-9a-z]{4}){3}$/);
    await expectAccessible(page);
    // The user is told by email that 2FA was turned on.
    const notice = server.mailer.messages.at(-1);
    expect(notice?.to).toBe('ada@example.com');
    expect(notice?.subject).toContain('Two-factor authentication is on');

    await tabTo(page, 'I have saved them');
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === '/account');
    const section = twoFactorSection(page);
    expect(await section.textContent()).toContain('On.');
    expect(await section.textContent()).toContain('10 recovery codes left');
    expect(await section.textContent()).toContain('cannot be removed');
    await expectAccessible(page);

    // The rest of the app opens now.
    await page.goto(`${server.url}/`);
    expect(new URL(page.url()).pathname).toBe('/');
    await expectNoFaults(watch, { server, console: 'unexpected' });
    await context.close();
  });

  it('signs in with a code by keyboard alone, and with a recovery code', async () => {
    await requireTwoFactor(true);
    const user = await userWithTwoFactor({
      email: 'grace@example.com',
      name: 'Grace Hopper',
      role: 'viewer',
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    const watch = await watchPage(page);

    await signInByKeyboard(page, user.email, FIXTURE_PASSWORD);
    await page.waitForURL(/\/login\/two-factor$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Two-factor authentication');
    await expectAccessible(page);
    // Half signed in: the code step is the only page open.
    await page.goto(`${server.url}/account`);
    expect(new URL(page.url()).pathname).toBe('/login');

    // A wrong code: the error state of the code page.
    await page.goto(`${server.url}/login/two-factor`);
    await enterCodeByKeyboard(page, wrongCode(user.key));
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('That code is not right');
    expect(
      await page.getByRole('textbox', { name: 'Authentication code' }).getAttribute('aria-invalid'),
    ).toBe('true');
    await expectAccessible(page);

    await page.getByRole('textbox', { name: 'Authentication code' }).focus();
    await page.keyboard.type(oathtool(user.key));
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === '/');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Welcome, Grace Hopper');
    await expectAccessible(page);

    await page.getByRole('button', { name: 'Sign out', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/login\?signed_out=1$/);

    // A recovery code in the same field: signed in, told how many are left.
    await signInByKeyboard(page, user.email, FIXTURE_PASSWORD);
    await enterCodeByKeyboard(page, user.codes[0] as string);
    await page.waitForURL((url) => url.pathname === '/');
    expect(await page.getByRole('status').textContent()).toContain(
      'You signed in with a recovery code: 9 recovery codes left.',
    );
    await expectAccessible(page);

    await page.goto(`${server.url}/account`);
    expect(await twoFactorSection(page).textContent()).toContain('9 recovery codes left');
    const sessions = page.getByRole('region', { name: 'Sessions' });
    expect(await sessions.textContent()).toContain('(this device)');
    const events = (await page.getByRole('region', { name: 'Recent security events' }).textContent()) ?? '';
    expect(events).toContain('Recovery code used');
    expect(events).toContain('Two-factor code at sign-in');
    await expectAccessible(page);

    // The used code does not work twice.
    await page.getByRole('button', { name: 'Sign out', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/login\?signed_out=1$/);
    await signInByKeyboard(page, user.email, FIXTURE_PASSWORD);
    await enterCodeByKeyboard(page, user.codes[0] as string);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('That code is not right');
    expect(new URL(page.url()).pathname).toBe('/login/two-factor');

    await expectNoFaults(watch, { server, console: 'unexpected' });
    await context.close();
  });

  it('the security pages pass axe', async () => {
    await requireTwoFactor(true);
    const admin = await userWithTwoFactor({
      email: 'hedy@example.com',
      name: 'Hedy Lamarr',
      role: 'account_admin',
    });
    const context = await browser.newContext();
    const page = await context.newPage();

    await page.goto(`${server.url}/login`);
    await expectAccessible(page);
    await page.goto(`${server.url}/forgot-password`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Reset your password');
    await expectAccessible(page);

    await page.goto(`${server.url}/login`);
    await page.getByRole('textbox', { name: 'Email address' }).fill(admin.email);
    await page.getByLabel('Password').fill(FIXTURE_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/login\/two-factor$/);
    await page.getByLabel('Authentication code').fill(oathtool(admin.key));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL((url) => url.pathname === '/');

    await page.goto(`${server.url}/settings`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Account settings');
    expect(await page.getByLabel('Require two-factor authentication').isChecked()).toBe(true);
    await expectAccessible(page);

    await page.goto(`${server.url}/account`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('My account');
    for (const name of [
      'Profile',
      'Password',
      'Two-factor authentication',
      'Sessions',
      'Recent security events',
    ])
      expect(await page.getByRole('heading', { level: 2, name, exact: true }).count()).toBe(1);
    expect(await page.getByRole('region', { name: 'Sessions' }).textContent()).toContain('(this device)');
    await expectAccessible(page);

    await page.goto(`${server.url}/account/two-factor/recovery-codes`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Make new recovery codes?');
    await expectAccessible(page);
    expect(server.errors).toEqual([]);
    await context.close();
  });
});
