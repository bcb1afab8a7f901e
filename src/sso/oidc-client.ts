import * as client from 'openid-client';
import { decryptSecret } from '../auth/two-factor/secret-box';
import { type SsoIdentity, SsoRefused } from './identity';

/**
 * Gatehouse as an OpenID Connect relying party of a company's identity provider, through
 * `openid-client` (certified): discovery, the code flow with PKCE S256, state and nonce, and the
 * ID token's checks are all the library's. This file only says what to ask and what to read.
 */

export interface OidcProvider {
  id: string;
  updated_at: Date;
  issuer: string | null;
  client_id: string | null;
  client_secret_sealed: string | null;
  groups_attribute: string;
}

/** Plain http is for an issuer on this machine only (tests, a local IdP); any other must be https. */
export function isLoopbackUrl(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

const DISCOVERY_TTL_MS = 10 * 60_000;
const discovered = new Map<string, { at: number; config: Promise<client.Configuration> }>();

/**
 * The provider's configuration (its metadata and keys), discovered from the issuer and kept ten
 * minutes per provider version: a sign-in does not fetch the issuer's metadata each time, and a
 * changed provider (updated_at) is discovered again.
 */
export function oidcConfiguration(provider: OidcProvider, secretKey: Buffer): Promise<client.Configuration> {
  const key = `${provider.id}:${provider.updated_at.getTime()}`;
  const cached = discovered.get(key);
  if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.config;
  const config = discover(provider, secretKey);
  discovered.set(key, { at: Date.now(), config });
  // A failed discovery is not kept: the next sign-in tries again.
  config.catch(() => discovered.delete(key));
  if (discovered.size > 100) discovered.delete(discovered.keys().next().value as string);
  return config;
}

/** Discovery alone (the admin page's "Test connection"): the issuer answers with usable metadata. */
export async function discover(provider: OidcProvider, secretKey: Buffer): Promise<client.Configuration> {
  if (!provider.issuer || !provider.client_id)
    throw new SsoRefused('the provider has no issuer or client id');
  const issuer = new URL(provider.issuer);
  const secret = provider.client_secret_sealed ? decryptSecret(secretKey, provider.client_secret_sealed) : '';
  try {
    return await client.discovery(
      issuer,
      provider.client_id,
      undefined,
      secret ? client.ClientSecretPost(secret) : client.None(),
      {
        execute: isLoopbackUrl(issuer) ? [client.allowInsecureRequests] : [],
        timeout: 10,
      },
    );
  } catch (error) {
    throw new SsoRefused(`the issuer's discovery failed (${(error as Error).message})`);
  }
}

/** What to keep until the provider sends the browser back. */
export interface PendingOidc {
  nonce: string;
  codeVerifier: string;
}

export async function oidcRedirectUrl(
  config: client.Configuration,
  input: { redirectUri: string; state: string; loginHint: string | null },
): Promise<{ url: URL; pending: PendingOidc }> {
  const codeVerifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: input.redirectUri,
    scope: 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state: input.state,
    nonce,
    ...(input.loginHint ? { login_hint: input.loginHint } : {}),
  });
  return { url, pending: { nonce, codeVerifier } };
}

/**
 * RFC 8176 method references: `mfa` says several factors were used; otherwise two different
 * kinds of factor among these (a password and a one-time code, say) make two factors.
 */
const FACTOR_KIND: Record<string, string> = {
  pwd: 'knowledge',
  pin: 'knowledge',
  kba: 'knowledge',
  otp: 'possession',
  sms: 'possession',
  tel: 'possession',
  hwk: 'possession',
  swk: 'possession',
  sc: 'possession',
  fpt: 'inherence',
  face: 'inherence',
  iris: 'inherence',
  retina: 'inherence',
  vbm: 'inherence',
};

export function assertsMultipleFactors(amr: unknown): boolean {
  if (!Array.isArray(amr)) return false;
  const methods = amr.filter((m): m is string => typeof m === 'string');
  if (methods.includes('mfa')) return true;
  return new Set(methods.map((m) => FACTOR_KIND[m]).filter(Boolean)).size >= 2;
}

const groupsOf = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.filter((g): g is string => typeof g === 'string' && g.length > 0 && g.length <= 255)
    : typeof value === 'string' && value
      ? [value]
      : [];

/**
 * The provider's answer at the redirect URI: the code exchanged (PKCE verifier, state and nonce
 * checked by the library), the ID token's claims read, and the user info endpoint asked for what
 * the ID token left out (an email, the groups).
 */
export async function oidcIdentity(
  config: client.Configuration,
  provider: OidcProvider,
  callbackUrl: URL,
  checks: PendingOidc & { state: string },
): Promise<SsoIdentity> {
  let claims: Record<string, unknown>;
  let accessToken: string;
  try {
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    });
    claims = { ...(tokens.claims() ?? {}) };
    accessToken = tokens.access_token;
  } catch (error) {
    throw new SsoRefused(`the provider's answer was refused (${(error as Error).message})`);
  }
  const subject = typeof claims.sub === 'string' ? claims.sub : '';
  const groupsClaim = provider.groups_attribute;
  if (typeof claims.email !== 'string' || !(groupsClaim in claims)) {
    try {
      const info = await client.fetchUserInfo(config, accessToken, subject);
      claims = { ...info, ...claims, email: claims.email ?? info.email };
      if (!(groupsClaim in claims) && groupsClaim in info) claims[groupsClaim] = info[groupsClaim];
    } catch {
      // No user info endpoint, or it refused: what the ID token said is all there is.
    }
  }
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
  if (!email) throw new SsoRefused('the provider sent no email address');
  // An address the provider itself says it has not verified proves nothing about who this is.
  if (claims.email_verified === false)
    throw new SsoRefused('the provider has not verified the email address');
  const given = typeof claims.given_name === 'string' ? claims.given_name : '';
  const family = typeof claims.family_name === 'string' ? claims.family_name : '';
  const name =
    typeof claims.name === 'string' && claims.name.trim()
      ? claims.name.trim()
      : `${given} ${family}`.trim() || null;
  return {
    subject,
    email,
    name,
    groups: groupsOf(claims[groupsClaim]),
    mfa: assertsMultipleFactors(claims.amr),
  };
}
