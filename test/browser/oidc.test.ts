import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createApplication } from '../../src/oidc/applications';
import { ADA, axeViolations, chromiumPath, setUpBrowser, tabTo } from '../helpers/browser';

const pages = setUpBrowser({ admin: true });
const { server, browser } = pages;

/** Our sign-in page, axe clean, filled in and sent by keyboard alone. */
async function signInByKeyboard(page: Page) {
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  expect(await axeViolations(page)).toEqual([]);
  await tabTo(page, 'Email address');
  await page.keyboard.type(ADA.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(ADA.password);
  await page.keyboard.press('Enter');
}

/**
 * An application registered with a callback server of its own (which only has to be there when
 * the browser arrives), and the authorization request a browser starts from.
 */
async function appWithCallback(name: string, firstParty: boolean, scope: string, state: string) {
  const seen = { callback: '' };
  const appServer = createServer((req, res) => {
    if (req.url?.startsWith('/callback')) seen.callback = `http://127.0.0.1${req.url}`;
    res.writeHead(200, { 'content-type': 'text/plain' }).end('back in the app');
  });
  await new Promise<void>((resolve) => appServer.listen(0, '127.0.0.1', resolve));
  const redirectUri = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}/callback`;
  const app = await createApplication(server.system, { name, redirectUris: [redirectUri], firstParty });
  const config = await client.discovery(
    new URL(server.url),
    app.clientId,
    app.clientSecret as string,
    undefined,
    {
      execute: [client.allowInsecureRequests],
    },
  );
  const verifier = client.randomPKCECodeVerifier();
  const authorize = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  return {
    seen,
    redirectUri,
    authorize,
    close: () => new Promise((resolve) => appServer.close(resolve)),
  };
}

describe.skipIf(!chromiumPath)('an application signing a person in, in Chromium', () => {
  it('from the app: our sign-in and consent pages by keyboard, axe clean, back to the app with a code', async () => {
    const { seen, redirectUri, authorize, close } = await appWithCallback(
      'Partner tool',
      false,
      'openid email profile',
      'keep-me',
    );
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(authorize.toString());
    await signInByKeyboard(page);
    await page.getByRole('heading', { level: 1, name: 'Allow Partner tool to sign you in?' }).waitFor();
    expect(await page.getByRole('listitem').allInnerTexts()).toEqual(
      expect.arrayContaining(['Your email address', 'Your name, language and time zone']),
    );
    expect(await axeViolations(page)).toEqual([]);
    await tabTo(page, 'Allow');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${redirectUri}*`);
    const url = new URL(seen.callback);
    expect(url.searchParams.get('state')).toBe('keep-me');
    expect(url.searchParams.get('code')).toBeTruthy();
    await context.close();
    await close();
  });

  it('a first-party app: from the sign-in form straight back to the app, which the page’s policy allows', async () => {
    const { seen, redirectUri, authorize, close } = await appWithCallback(
      'Own product',
      true,
      'openid email',
      'first-party',
    );
    const context = await browser.newContext();
    const page = await context.newPage();
    // A browser refuses a form's redirects that its page's form-action does not allow, and says
    // so on the console: none may appear.
    const refused: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
    });
    const signIn = await page.goto(authorize.toString());
    expect(signIn?.headers()['content-security-policy']).toContain(
      `form-action 'self' ${new URL(redirectUri).origin}`,
    );
    await signInByKeyboard(page);
    await page.waitForURL(`${redirectUri}*`);
    expect(await page.textContent('body')).toContain('back in the app');
    expect(new URL(seen.callback).searchParams.get('state')).toBe('first-party');
    expect(refused).toEqual([]);
    await context.close();
    await close();
  });

  it('the Applications pages: register (with an error first), the secret once, rotate and delete asked first; axe clean', async () => {
    const { adminPage } = pages;
    const page = await adminPage();
    await page.goto(`${server.url}/applications`);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Register an application' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Reports');
    await page.getByLabel('Redirect URIs', { exact: true }).fill('http://reports.example.com/callback');
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByText('There is a problem').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('Redirect URIs', { exact: true }).fill('https://reports.example.com/callback');
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('heading', { level: 1, name: 'Reports registered' }).waitFor();
    expect(await page.getByText('it is not shown again').count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Go to the application' }).click();
    await page.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Rotate the client secret' }).click();
    await page.getByRole('dialog').getByRole('heading', { name: 'Rotate the secret of Reports?' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Rotate the secret' }).click();
    await page.getByRole('heading', { level: 1, name: 'New secret for Reports' }).waitFor();
    await page.getByRole('link', { name: 'Go to the application' }).click();
    await page.getByRole('link', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Delete the application' }).click();
    await page.getByText('Reports deleted; its sessions and tokens ended.').waitFor();
    await page.context().close();
  });
});
