import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultProjectId } from '../../src/access/grants';
import { decryptSecret, encryptSecret } from '../../src/auth/two-factor/secret-box';
import { newTotpSecret } from '../../src/auth/two-factor/totp';
import { type ApplicationInput, createApplication } from '../../src/oidc/applications';
import { rotateSigningKeys } from '../../src/oidc/keys';
import { deactivateUser } from '../../src/users/lifecycle';
import { signOutEverywhere } from '../../src/users/security';
import { databaseKind } from '../helpers/database';
import { bind, FIXTURE_PASSWORD, makeUser } from '../helpers/fixtures';
import { oathtool } from '../helpers/oathtool';
import { Browser } from '../helpers/oidc-browser';
import { startServer } from '../helpers/server';

describe(`Gatehouse as an OpenID provider, to openid-client (${databaseKind})`, () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer();
    // Someone who keeps the account manageable whatever a case deactivates.
    await makeUser(server.db, { role: 'account_admin' });
  });
  afterAll(() => server.close());

  const redirectUri = 'http://127.0.0.1:9/callback';

  /** A first-party application registered with these details, and openid-client's view of it. */
  async function registered(options: Partial<ApplicationInput> = {}) {
    const app = await createApplication(server.system, {
      name: 'Host product',
      redirectUris: [redirectUri],
      firstParty: true,
      ...options,
    });
    const config = await client.discovery(
      new URL(server.url),
      app.clientId,
      app.clientSecret as string,
      undefined,
      { execute: [client.allowInsecureRequests] },
    );
    return { app, config };
  }

  /** An authorization request with PKCE S256 (scope openid unless given), and its verifier. */
  async function authorization(config: client.Configuration, params: Record<string, string> = {}) {
    const verifier = client.randomPKCECodeVerifier();
    const url = client
      .buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        ...params,
      })
      .toString();
    return { url, verifier };
  }

  /** The code flow with PKCE as a person does it: the app's redirect, our sign-in, the callback. */
  async function signInThrough(
    config: client.Configuration,
    person: { email: string },
    extra: Record<string, string> = {},
  ) {
    const state = client.randomState();
    const nonce = client.randomNonce();
    const { url, verifier } = await authorization(config, {
      scope: 'openid email profile',
      state,
      nonce,
      ...extra,
    });
    const browser = new Browser(server.url);
    // Not signed in: the interaction is the console's sign-in form, and its answer goes straight
    // on to the provider (and from there to the app).
    const toLogin = await browser.follow(url);
    expect(toLogin.url).toMatch(/\/oidc\/interaction\/[^/?]+$/);
    const signedIn = await browser.signIn(toLogin.url, person.email, FIXTURE_PASSWORD);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oidc\/auth\//);
    const back = await browser.follow(signedIn.headers.get('location') as string);
    expect(back.url.startsWith(redirectUri)).toBe(true);
    const callback = new URL(back.url);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    return { tokens, browser, callback, verifier, state, nonce };
  }

  it('discovery, the code flow with PKCE through the console sign-in, ID token and userinfo', async () => {
    const person = await makeUser(server.db, { role: 'viewer', name: 'Olive Openid' });
    const { config } = await registered();
    expect(config.serverMetadata().issuer).toBe(server.url);
    expect(config.serverMetadata().code_challenge_methods_supported).toContain('S256');
    const { tokens, browser } = await signInThrough(config, person);
    expect(tokens.claims()).toMatchObject({
      sub: person.id,
      email: person.email,
      name: 'Olive Openid',
      iss: server.url,
    });
    expect(tokens.claims()).toMatchObject({ amr: ['pwd'], acr: 'pwd' });
    const audited = await server.db
      .selectFrom('audit_events')
      .select(['target_type', 'target_label', 'outcome'])
      .where('action', '=', 'auth.sign_in')
      .where('actor_id', '=', person.id)
      .where('target_type', '=', 'application')
      .execute();
    expect(audited).toEqual([
      { target_type: 'application', target_label: 'Host product', outcome: 'success' },
    ]);
    const info = await client.fetchUserInfo(config, tokens.access_token, person.id);
    expect(info).toMatchObject({ sub: person.id, email: person.email, email_verified: false, locale: 'en' });

    // Signed in now: a second application's sign-in does not ask again.
    const other = await registered();
    const { url: start, verifier } = await authorization(other.config);
    const again = await browser.follow(start);
    expect(again.url.startsWith(redirectUri)).toBe(true);
    const second = await client.authorizationCodeGrant(other.config, new URL(again.url), {
      pkceCodeVerifier: verifier,
    });
    expect(second.claims()?.sub).toBe(person.id);
  });

  it('says the roles and permissions of the project asked for, flat, and follows a role change', async () => {
    const person = await makeUser(server.db, { role: null });
    const [alpha, beta] = await Promise.all(
      ['Alpha', 'Beta'].map((name) =>
        server.db
          .insertInto('projects')
          .values({ name: `${name} ${Math.random()}` })
          .returning(['id', 'name'])
          .executeTakeFirstOrThrow(),
      ),
    );
    await bind(server.db, { userId: person.id, roleKey: 'viewer', projectId: alpha?.id ?? null });
    await bind(server.db, { userId: person.id, roleKey: 'editor', projectId: beta?.id ?? null });
    const { config } = await registered();
    // Each instance's provider picks up new projects (their scopes) within a second.
    await new Promise((r) => setTimeout(r, 1100));
    const ask = (project: { id: string } | undefined) => ({
      scope: `openid roles permissions teams offline_access project:${project?.id}`,
      prompt: 'consent',
    });
    const inAlpha = (await signInThrough(config, person, ask(alpha))).tokens.claims();
    expect(inAlpha).toMatchObject({ project: alpha?.id, roles: ['Viewer'], teams: [] });
    expect(inAlpha?.permissions).toContain('content.view');
    expect(inAlpha?.permissions).not.toContain('content.edit');
    const inBeta = await signInThrough(config, person, ask(beta));
    expect(inBeta.tokens.claims()).toMatchObject({ project: beta?.id, roles: ['Editor'] });
    expect(inBeta.tokens.claims()?.permissions).toContain('content.edit');
    // The role in Beta goes: the next refresh is refused (no access left there).
    await server.db
      .deleteFrom('role_bindings')
      .where('user_id', '=', person.id)
      .where('project_id', '=', beta?.id ?? '')
      .execute();
    await expect(
      client.refreshTokenGrant(config, inBeta.tokens.refresh_token as string),
    ).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('access tokens live as long as the account setting says (5 minutes by default)', async () => {
    const person = await makeUser(server.db, { role: 'viewer' });
    const { config } = await registered();
    expect((await signInThrough(config, person)).tokens.expires_in).toBe(300);
    await server.db.updateTable('account_settings').set({ access_token_minutes: 2 }).execute();
    await new Promise((r) => setTimeout(r, 1100));
    try {
      expect((await signInThrough(config, person)).tokens.expires_in).toBe(120);
    } finally {
      await server.db.updateTable('account_settings').set({ access_token_minutes: 5 }).execute();
    }
  });

  it('an access token for the app’s own API is a JWT (RFC 9068) with the access claims; an unknown API is refused', async () => {
    const person = await makeUser(server.db, { role: 'viewer' });
    const api = 'https://api.example.com';
    const { app, config } = await registered({ name: 'Product with an API', apiResources: [api] });
    const project = await defaultProjectId(server.db);
    const flow = await signInThrough(config, person, {
      scope: `openid roles permissions api project:${project}`,
      resource: api,
    });
    const accessToken = flow.tokens.access_token;
    expect(accessToken.split('.')).toHaveLength(3);
    const { payload, protectedHeader } = await jwtVerify(
      accessToken,
      createRemoteJWKSet(new URL(`${server.url}/oidc/jwks`)),
      { issuer: server.url, audience: api, typ: 'at+jwt' },
    );
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({ sub: person.id, client_id: app.clientId, project, roles: ['Viewer'] });
    expect(payload.permissions).toContain('content.view');

    const browser = new Browser(server.url);
    const elsewhere = await browser.follow(
      (await authorization(config, { resource: 'https://not-registered.example.com' })).url,
    );
    expect(new URL(elsewhere.url).searchParams.get('error')).toBe('invalid_target');
  });

  it('a confidential client may authenticate with client_secret_post as well as client_secret_basic', async () => {
    const person = await makeUser(server.db, { role: 'viewer' });
    const { app } = await registered();
    const posting = await client.discovery(
      new URL(server.url),
      app.clientId,
      undefined,
      client.ClientSecretPost(app.clientSecret as string),
      { execute: [client.allowInsecureRequests] },
    );
    const { tokens } = await signInThrough(posting, person);
    expect(tokens.claims()?.sub).toBe(person.id);
    const wrong = await client.discovery(
      new URL(server.url),
      app.clientId,
      undefined,
      client.ClientSecretPost('not the secret'),
      { execute: [client.allowInsecureRequests] },
    );
    await expect(client.tokenIntrospection(wrong, tokens.access_token)).rejects.toMatchObject({
      error: 'invalid_client',
    });
  });

  it('the application’s sign-in form is the console’s: a wrong password is refused there and audited', async () => {
    const person = await makeUser(server.db, { role: 'viewer' });
    const { config } = await registered();
    const browser = new Browser(server.url);
    const toLogin = await browser.follow((await authorization(config)).url);
    const page = await toLogin.response.text();
    expect(page).toContain(`action="${new URL(toLogin.url).pathname}"`);
    // The form may lead on to the app (its redirect URI's origin), nowhere else.
    expect(toLogin.response.headers.get('content-security-policy')).toContain(
      `form-action 'self' ${new URL(redirectUri).origin};`,
    );
    const wrong = await browser.signIn(toLogin.url, person.email, 'not the password');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('name="password"');
    const refused = await server.db
      .selectFrom('audit_events')
      .select('outcome')
      .where('action', '=', 'auth.sign_in')
      .where('target_id', '=', person.id)
      .execute();
    expect(refused).toEqual([{ outcome: 'failed' }]);
    const empty = await browser.signIn(toLogin.url, '', '');
    expect(empty.status).toBe(422);
    const right = await browser.signIn(toLogin.url, person.email, FIXTURE_PASSWORD);
    expect(right.status).toBe(303);
  });

  it('someone without access in the project the app serves is refused at sign-in: access_denied', async () => {
    const outsider = await makeUser(server.db, { role: null });
    const { config } = await registered({ projects: [await defaultProjectId(server.db)] });
    const browser = new Browser(server.url);
    const toLogin = await browser.follow((await authorization(config)).url);
    const signedIn = await browser.signIn(toLogin.url, outsider.email, FIXTURE_PASSWORD);
    const back = await browser.follow(signedIn.headers.get('location') as string);
    const answer = new URL(back.url);
    expect(answer.searchParams.get('error')).toBe('access_denied');
    expect(answer.searchParams.get('error_description')).toContain('You have no access in');
    // Signed in to the console (one event naming the app's form), refused by the app (another).
    const events = await server.db
      .selectFrom('audit_events')
      .select(['outcome', 'target_type'])
      .where('action', '=', 'auth.sign_in')
      .where('actor_id', '=', outsider.id)
      .orderBy('id')
      .execute();
    expect(events).toEqual([
      { outcome: 'success', target_type: 'application' },
      { outcome: 'failed', target_type: 'application' },
    ]);
  });

  it('a person with two-factor authentication: password, then a code from oathtool; amr and acr say so', async () => {
    const person = await makeUser(server.db, { role: 'viewer' });
    const key = newTotpSecret();
    await server.db
      .updateTable('users')
      .set({ totp_secret: encryptSecret(server.system.config.secretKey, key) })
      .where('id', '=', person.id)
      .execute();
    const { config } = await registered();
    const { url: start, verifier } = await authorization(config);
    const browser = new Browser(server.url);
    const toLogin = await browser.follow(start);
    const password = await browser.signIn(toLogin.url, person.email, FIXTURE_PASSWORD);
    const codeStep = password.headers.get('location') as string;
    expect(codeStep).toMatch(/^\/login\/two-factor\?next=%2Foidc%2Finteraction%2F/);
    const coded = await browser.request(codeStep, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
      body: new URLSearchParams({ code: oathtool(key) }).toString(),
    });
    expect(coded.status).toBe(303);
    const back = await browser.follow(coded.headers.get('location') as string);
    const tokens = await client.authorizationCodeGrant(config, new URL(back.url), {
      pkceCodeVerifier: verifier,
    });
    expect(tokens.claims()).toMatchObject({ sub: person.id, acr: 'mfa', amr: ['pwd', 'otp', 'mfa'] });
  });

  it('an account that requires 2FA: the person enrols on the way and the app sign-in goes on', async () => {
    const person = await makeUser(server.db, { role: 'viewer' });
    const { config } = await registered();
    await server.db.updateTable('account_settings').set({ require_two_factor: true }).execute();
    try {
      const { url: start, verifier } = await authorization(config);
      const browser = new Browser(server.url);
      const toLogin = await browser.follow(start);
      const signedIn = await browser.signIn(toLogin.url, person.email, FIXTURE_PASSWORD);
      const enrol = await browser.follow(signedIn.headers.get('location') as string);
      expect(enrol.url).toContain('/account/two-factor?next=%2Foidc%2Finteraction%2F');
      const post = (path: string, fields: Record<string, string>) =>
        browser.request(path, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
          body: new URLSearchParams(fields).toString(),
        });
      const next = new URL(enrol.url, server.url).searchParams.get('next') as string;
      const started = await post(`/account/two-factor?next=${encodeURIComponent(next)}`, {});
      expect(started.headers.get('location')).toBe(`/account/two-factor?next=${encodeURIComponent(next)}`);
      const pending = await server.db
        .selectFrom('users')
        .select('totp_pending_secret')
        .where('id', '=', person.id)
        .executeTakeFirstOrThrow();
      const key = decryptSecret(server.system.config.secretKey, pending.totp_pending_secret as string);
      const codes = await post(`/account/two-factor/confirm?next=${encodeURIComponent(next)}`, {
        code: oathtool(key),
      });
      expect(codes.status).toBe(200);
      expect(await codes.text()).toContain(`href="${next}"`);
      const back = await browser.follow(next);
      expect(back.url.startsWith(redirectUri)).toBe(true);
      const tokens = await client.authorizationCodeGrant(config, new URL(back.url), {
        pkceCodeVerifier: verifier,
      });
      expect(tokens.claims()).toMatchObject({ sub: person.id, acr: 'mfa' });
    } finally {
      await server.db.updateTable('account_settings').set({ require_two_factor: false }).execute();
    }
  });

  it('RP-initiated logout ends the sign-in: the next application asks for the password again', async () => {
    const person = await makeUser(server.db, { role: 'viewer' });
    const { config } = await registered({ postLogoutRedirectUris: ['http://127.0.0.1:9/signed-out'] });
    const { tokens, browser } = await signInThrough(config, person);
    const endSession = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token as string,
      post_logout_redirect_uri: 'http://127.0.0.1:9/signed-out',
      state: 'bye',
    });
    // The question page, then its form as the browser submits it.
    const question = await browser.follow(endSession.toString());
    const page = await question.response.text();
    expect(page).toContain('Sign out?');
    const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(page);
    const fields = new URLSearchParams(
      [...(form?.[2] ?? '').matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)].map((m) => [
        m[1] as string,
        m[2] as string,
      ]),
    );
    fields.set('logout', 'yes');
    const confirmed = await browser.request(form?.[1] as string, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
      body: fields.toString(),
    });
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toBe('http://127.0.0.1:9/signed-out?state=bye');
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    // Signed out of the console as well: another app's sign-in goes to the sign-in page.
    const other = await registered();
    const again = await browser.follow((await authorization(other.config)).url);
    expect(again.url).toMatch(/\/oidc\/interaction\//);
    expect(await again.response.text()).toContain('name="password"');
  });

  it('refresh rotates; a reused refresh token revokes the family; introspection and revocation', async () => {
    const person = await makeUser(server.db, { role: 'viewer' });
    const { config } = await registered();
    const { tokens } = await signInThrough(config, person, {
      scope: 'openid email offline_access',
      prompt: 'consent',
    });
    const first = tokens.refresh_token as string;
    expect(first).toBeTruthy();
    const rotated = await client.refreshTokenGrant(config, first);
    expect(rotated.refresh_token).toBeTruthy();
    expect(rotated.refresh_token).not.toBe(first);
    expect((await client.tokenIntrospection(config, rotated.access_token)).active).toBe(true);
    // The old one again: refused, and the new one with it.
    await expect(client.refreshTokenGrant(config, first)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(client.refreshTokenGrant(config, rotated.refresh_token as string)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    expect((await client.tokenIntrospection(config, rotated.access_token)).active).toBe(false);

    const fresh = await signInThrough(config, person, { scope: 'openid offline_access', prompt: 'consent' });
    const introspected = await client.tokenIntrospection(config, fresh.tokens.access_token);
    expect(introspected).toMatchObject({
      active: true,
      sub: person.id,
      client_id: config.clientMetadata().client_id,
    });
    await client.tokenRevocation(config, fresh.tokens.access_token);
    expect((await client.tokenIntrospection(config, fresh.tokens.access_token)).active).toBe(false);
  });

  it('deactivation ends the applications too: refresh refused, tokens inactive', async () => {
    const person = await makeUser(server.db, { role: 'viewer' });
    const { config } = await registered();
    const { tokens } = await signInThrough(config, person, {
      scope: 'openid offline_access',
      prompt: 'consent',
    });
    await deactivateUser(server.system, person.id);
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token as string)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('an administrator signing someone out everywhere sends each app a signed back-channel logout token', async () => {
    const person = await makeUser(server.db, { role: 'viewer' });
    const received: string[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        received.push(new URLSearchParams(body).get('logout_token') ?? '');
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const port = (receiver.address() as AddressInfo).port;
      const { app, config } = await registered({
        name: 'Listening product',
        backchannelLogoutUri: `http://127.0.0.1:${port}/logout`,
      });
      const { tokens } = await signInThrough(config, person);
      const sid = tokens.claims()?.sid;
      expect(sid).toBeTruthy();
      await signOutEverywhere(server.system, person.id);
      await server.runJobs();
      expect(received).toHaveLength(1);
      const { payload } = await jwtVerify(
        received[0] as string,
        createRemoteJWKSet(new URL(`${server.url}/oidc/jwks`)),
        { issuer: server.url, audience: app.clientId },
      );
      expect(payload).toMatchObject({
        sub: person.id,
        sid,
        events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
      });
      expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('refuses a wrong redirect URI, a request without PKCE and a code used twice', async () => {
    const person = await makeUser(server.db, { role: 'viewer' });
    const { config } = await registered();
    const browser = new Browser(server.url);
    const wrong = await browser.follow(
      (await authorization(config, { redirect_uri: 'http://127.0.0.1:9/elsewhere' })).url,
    );
    // Never sent to the unregistered address: an error page here.
    expect(wrong.url.startsWith(server.url)).toBe(true);
    expect(wrong.response.status).toBe(400);
    expect(await wrong.response.text()).toContain('redirect_uri');

    const noPkce = await browser.follow(
      client.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid' }).toString(),
    );
    expect(noPkce.url.startsWith(redirectUri)).toBe(true);
    expect(new URL(noPkce.url).searchParams.get('error')).toBe('invalid_request');

    const flow = await signInThrough(config, person);
    await expect(
      client.authorizationCodeGrant(config, flow.callback, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
    // The code's reuse revoked what it had issued.
    expect((await client.tokenIntrospection(config, flow.tokens.access_token)).active).toBe(false);
  });

  it('key rotation: new tokens are signed with the new key, old ones still verify until they expire', async () => {
    const person = await makeUser(server.db, { role: 'viewer' });
    const { config } = await registered();
    const before = await signInThrough(config, person);
    const oldKid = decodeProtectedHeader(before.tokens.id_token as string).kid;
    await rotateSigningKeys(server.db, server.system.config.secretKey);
    await new Promise((r) => setTimeout(r, 1100));
    const jwks = createRemoteJWKSet(new URL(`${server.url}/oidc/jwks`));
    const after = await signInThrough(config, person);
    const newKid = decodeProtectedHeader(after.tokens.id_token as string).kid;
    expect(newKid).not.toBe(oldKid);
    for (const token of [before.tokens.id_token, after.tokens.id_token])
      await expect(jwtVerify(token as string, jwks, { issuer: server.url })).resolves.toBeTruthy();
  });
});
