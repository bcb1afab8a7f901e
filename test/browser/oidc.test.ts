import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { createApplication } from '../../src/oidc/applications';
import { ADA, axeViolations, chromiumPath, setUpBrowser, tabTo } from '../helpers/browser';

const { server, browser } = setUpBrowser({ admin: true });

describe.skipIf(!chromiumPath)('an application signing a person in, in Chromium', () => {
  it('from the app: our sign-in and consent pages by keyboard, axe clean, back to the app with a code', async () => {
    // The app's own callback: a server that only has to be there when the browser arrives.
    let callback = '';
    const appServer = createServer((req, res) => {
      if (req.url?.startsWith('/callback')) callback = `http://127.0.0.1${req.url}`;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('back in the app');
    });
    await new Promise<void>((resolve) => appServer.listen(0, '127.0.0.1', resolve));
    const redirectUri = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}/callback`;
    const app = await createApplication(server.system, {
      name: 'Partner tool',
      redirectUris: [redirectUri],
      firstParty: false,
    });
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
      scope: 'openid email profile',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'keep-me',
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(authorize.toString());
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await tabTo(page, 'Email address');
    await page.keyboard.type(ADA.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(ADA.password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Allow Partner tool to sign you in?' }).waitFor();
    expect(await page.getByRole('listitem').allInnerTexts()).toEqual(
      expect.arrayContaining(['Your email address', 'Your name, language and time zone']),
    );
    expect(await axeViolations(page)).toEqual([]);
    await tabTo(page, 'Allow');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${redirectUri}*`);
    const url = new URL(callback);
    expect(url.searchParams.get('state')).toBe('keep-me');
    expect(url.searchParams.get('code')).toBeTruthy();
    await context.close();
    await new Promise((resolve) => appServer.close(resolve));
  });
});
