import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApplication } from '../../src/oidc/applications';
import { databaseKind } from '../helpers/database';
import { FIXTURE_PASSWORD, makeUser } from '../helpers/fixtures';
import { startServer } from '../helpers/server';

/**
 * A browser's part of the code flow, without a browser: follows redirects by hand and keeps the
 * cookies (paths ignored: every cookie goes everywhere, which only makes it easier to pass).
 */
class Browser {
  cookies = new Map<string, string>();
  constructor(private readonly origin: string) {}

  async request(url: string, init: RequestInit = {}) {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0)
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(new URL(url, this.origin), { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** Follows redirects until one leaves the origin (the app's callback) or a page answers. */
  async follow(url: string): Promise<{ url: string; response: Response }> {
    let at = url;
    for (let hops = 0; hops < 20; hops++) {
      const response = await this.request(at);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { url: at, response };
      const next = new URL(location, new URL(at, this.origin)).toString();
      if (!next.startsWith(this.origin)) return { url: next, response };
      at = next;
    }
    throw new Error('too many redirects');
  }

  signIn(path: string, email: string, password: string) {
    return this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: this.origin },
      body: new URLSearchParams({ email, password }).toString(),
    });
  }
}

describe(`Gatehouse as an OpenID provider, to openid-client (${databaseKind})`, () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  it('discovery, the code flow with PKCE through the console sign-in, ID token and userinfo', async () => {
    const person = await makeUser(server.db, { role: 'viewer', name: 'Olive Openid' });
    const redirectUri = 'http://127.0.0.1:9/callback';
    const app = await createApplication(server.system, {
      name: 'Host product',
      redirectUris: [redirectUri],
      firstParty: true,
    });
    const config = await client.discovery(
      new URL(server.url),
      app.clientId,
      app.clientSecret as string,
      undefined,
      { execute: [client.allowInsecureRequests] },
    );
    expect(config.serverMetadata().issuer).toBe(server.url);
    expect(config.serverMetadata().code_challenge_methods_supported).toContain('S256');

    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const authorize = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid email profile',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const browser = new Browser(server.url);
    // Not signed in: the provider's interaction sends the person to the console's sign-in.
    const toLogin = await browser.follow(authorize.toString());
    expect(toLogin.url).toMatch(/\/login\?next=%2Foidc%2Finteraction%2F/);
    const signedIn = await browser.signIn(toLogin.url, person.email, FIXTURE_PASSWORD);
    expect(signedIn.status).toBe(303);
    const back = await browser.follow(signedIn.headers.get('location') as string);
    expect(back.url.startsWith(redirectUri)).toBe(true);

    const tokens = await client.authorizationCodeGrant(config, new URL(back.url), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    const claims = tokens.claims();
    expect(claims).toMatchObject({
      sub: person.id,
      email: person.email,
      name: 'Olive Openid',
      iss: server.url,
    });
    const info = await client.fetchUserInfo(config, tokens.access_token, person.id);
    expect(info).toMatchObject({ sub: person.id, email: person.email, email_verified: false, locale: 'en' });
  });
});
