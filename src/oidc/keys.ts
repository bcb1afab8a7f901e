import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { decryptSecret, encryptSecret } from '../auth/two-factor/secret-box';
import type { Db } from '../db/connect';

/**
 * The provider's signing keys: RSA 2048 (RS256, what every client verifies), generated here,
 * the private JWK sealed with SECRET_KEY at rest. The newest key not retired signs; a rotation
 * retires it and adds a new one, and a retired key is still published (JWKS) until the longest
 * token it can have signed has expired (KEEP_RETIRED_MS), then it is dropped.
 */
export type PrivateJwk = Record<string, unknown> & { kid: string };

/** Longer than any token the provider signs (ID tokens and access tokens live minutes; see provider.ts). */
export const KEEP_RETIRED_MS = 24 * 3_600_000;

function newKey(): PrivateJwk {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

async function addKey(db: Db, secretKey: Buffer): Promise<PrivateJwk> {
  const jwk = newKey();
  await db
    .insertInto('oidc_signing_keys')
    .values({ kid: jwk.kid, sealed_jwk: encryptSecret(secretKey, JSON.stringify(jwk)) })
    .execute();
  return jwk;
}

/**
 * The keys to give the provider, the signing one first, then the retired ones still published.
 * Makes the first key on first use (two instances starting together: the later one's insert
 * is simply a second key, and the newest signs).
 */
export async function signingKeys(db: Db, secretKey: Buffer, now = new Date()): Promise<PrivateJwk[]> {
  const rows = await db
    .selectFrom('oidc_signing_keys')
    .selectAll()
    .where((eb) =>
      eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', new Date(now.getTime() - KEEP_RETIRED_MS))]),
    )
    .orderBy('created_at', 'desc')
    .execute();
  const active = rows.filter((r) => r.retired_at === null);
  if (active.length === 0) {
    await addKey(db, secretKey);
    return signingKeys(db, secretKey, now);
  }
  const ordered = [...active, ...rows.filter((r) => r.retired_at !== null)];
  return ordered.map((r) => JSON.parse(decryptSecret(secretKey, r.sealed_jwk)) as PrivateJwk);
}

/** A new signing key; the ones before it are retired (published until their tokens expire). */
export async function rotateSigningKeys(db: Db, secretKey: Buffer, now = new Date()): Promise<string> {
  return db.transaction().execute(async (tx) => {
    await tx
      .updateTable('oidc_signing_keys')
      .set({ retired_at: now })
      .where('retired_at', 'is', null)
      .execute();
    await tx
      .deleteFrom('oidc_signing_keys')
      .where('retired_at', '<', new Date(now.getTime() - KEEP_RETIRED_MS))
      .execute();
    return (await addKey(tx, secretKey)).kid;
  });
}

/** A signing key signs for this long, then the daily maintenance rotates it. */
export const ROTATE_AFTER_MS = 90 * 86_400_000;

/** The daily maintenance's turn: a new key when the signing one is ROTATE_AFTER_MS old. */
export async function rotateIfDue(db: Db, secretKey: Buffer, now = new Date()): Promise<string | null> {
  const signing = await db
    .selectFrom('oidc_signing_keys')
    .select('created_at')
    .where('retired_at', 'is', null)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  if (signing && now.getTime() - signing.created_at.getTime() < ROTATE_AFTER_MS) return null;
  return rotateSigningKeys(db, secretKey, now);
}

/** What changes when the keys change: each instance rebuilds its provider when this differs. */
export async function keysVersion(db: Db): Promise<string> {
  const row = await db
    .selectFrom('oidc_signing_keys')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('created_at').as('newest')])
    .executeTakeFirstOrThrow();
  return `${row.n}:${row.newest ? new Date(row.newest as Date).toISOString() : ''}`;
}
