import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { jsonb } from '../audit/write';
import { randomToken, sha256 } from '../auth/tokens';
import type { Db } from '../db/connect';
import type { SsoRequestsTable } from '../db/schema';

/**
 * A sign-in sent to an identity provider and not yet back. The row keeps what the answer is
 * checked against (OIDC state, nonce and PKCE verifier; SAML request id) in the database, so any
 * instance behind the load balancer can take the answer; a cookie ties it to the browser that
 * started it, so an answer replayed into someone else's browser signs nobody in (login CSRF).
 * The cookie is SameSite=Lax: it must come back on the provider's top-level redirect, which a
 * Strict cookie would not.
 */
const BROWSER_COOKIE = '__Host-gh_sso';
const LIFETIME_MS = 10 * 60_000;

export type PendingRequest = Pick<
  { [K in keyof SsoRequestsTable]: SsoRequestsTable[K] },
  'id' | 'provider_id' | 'nonce' | 'code_verifier' | 'next'
> & { test: boolean; identity: unknown };

function browserSecret(c: Context): string {
  const existing = getCookie(c, BROWSER_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const secret = randomToken(32);
  setCookie(c, BROWSER_COOKIE, secret, {
    path: '/',
    secure: true,
    httpOnly: true,
    sameSite: 'Lax',
    maxAge: LIFETIME_MS / 1000,
  });
  return secret;
}

export async function openRequest(
  db: Db,
  c: Context,
  input: {
    providerId: string;
    next: string | null;
    test: boolean;
    nonce?: string | null;
    codeVerifier?: string | null;
    id?: string;
  },
  now: Date,
): Promise<string> {
  const id = input.id ?? randomToken(24);
  await db.deleteFrom('sso_requests').where('expires_at', '<', now).execute();
  await db
    .insertInto('sso_requests')
    .values({
      id,
      provider_id: input.providerId,
      browser_hash: sha256(browserSecret(c)),
      nonce: input.nonce ?? null,
      code_verifier: input.codeVerifier ?? null,
      next: input.next,
      test: input.test,
      created_at: now,
      expires_at: new Date(now.getTime() + LIFETIME_MS),
    })
    .execute();
  return id;
}

/** The OIDC parameters decided after the row's id (the state) is known. */
export async function rememberOidc(db: Db, id: string, pending: { nonce: string; codeVerifier: string }) {
  await db
    .updateTable('sso_requests')
    .set({ nonce: pending.nonce, code_verifier: pending.codeVerifier })
    .where('id', '=', id)
    .execute();
}

/**
 * The pending request, taken (deleted: an answer is used once), if it is this provider's, not
 * expired, and this browser's. Null otherwise, with nothing said about which check failed.
 */
export async function takeRequest(
  db: Db,
  c: Context,
  providerId: string,
  id: string | undefined,
  now: Date,
): Promise<PendingRequest | null> {
  if (!id || id.length > 100) return null;
  const row = await db
    .deleteFrom('sso_requests')
    .where('id', '=', id)
    .where('provider_id', '=', providerId)
    .returning([
      'id',
      'provider_id',
      'nonce',
      'code_verifier',
      'next',
      'test',
      'identity',
      'browser_hash',
      'expires_at',
    ])
    .executeTakeFirst();
  if (!row || row.expires_at <= now) return null;
  const secret = getCookie(c, BROWSER_COOKIE);
  if (!secret) return null;
  const presented = sha256(secret);
  if (presented.length !== row.browser_hash.length || !timingSafeEqual(presented, row.browser_hash))
    return null;
  return row;
}

/** A SAML answer checked at the assertion consumer, kept for the browser's own request. */
export async function keepIdentity(db: Db, id: string, identity: unknown): Promise<boolean> {
  // Once: a second answer to the same request (even a different, valid one) finds it taken.
  const kept = await db
    .updateTable('sso_requests')
    .set({ identity: jsonb(identity) })
    .where('id', '=', id)
    .where('identity', 'is', null)
    .executeTakeFirst();
  return Number(kept.numUpdatedRows) === 1;
}
