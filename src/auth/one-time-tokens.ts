import type { Db } from '../db/connect';
import type { TokenPurpose } from '../db/schema';
import { randomToken, sha256 } from './tokens';

/**
 * Issues a single-use token (256 random bits; only SHA-256 stored). Older unused tokens of the
 * same purpose for the user stop working.
 */
export async function issueToken(
  db: Db,
  input: { userId: string; purpose: TokenPurpose; now: Date; lifetimeMs: number; createdBy: string | null },
): Promise<string> {
  await db
    .deleteFrom('one_time_tokens')
    .where('user_id', '=', input.userId)
    .where('purpose', '=', input.purpose)
    .where('used_at', 'is', null)
    .execute();
  const token = randomToken(32);
  await db
    .insertInto('one_time_tokens')
    .values({
      token_hash: sha256(token),
      purpose: input.purpose,
      user_id: input.userId,
      created_at: input.now,
      expires_at: new Date(input.now.getTime() + input.lifetimeMs),
      created_by: input.createdBy,
    })
    .execute();
  return token;
}

export interface UsableToken {
  id: string;
  userId: string;
  expiresAt: Date;
  /** When the holder proved their second factor on this link (password links of 2FA users). */
  factorVerifiedAt: Date | null;
}

const toUsable = (row: {
  id: string;
  user_id: string;
  expires_at: Date;
  factor_verified_at: Date | null;
}) => ({
  id: row.id,
  userId: row.user_id,
  expiresAt: row.expires_at,
  factorVerifiedAt: row.factor_verified_at,
});

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** A token that can still be used, without using it (to show the page it opens). */
export async function findUsableToken(
  db: Db,
  token: string,
  purpose: TokenPurpose,
  now: Date,
): Promise<UsableToken | null> {
  if (!TOKEN_SHAPE.test(token)) return null;
  const row = await db
    .selectFrom('one_time_tokens')
    .select(['id', 'user_id', 'expires_at', 'factor_verified_at'])
    .where('token_hash', '=', sha256(token))
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row ? toUsable(row) : null;
}

/** Marks the token used; call inside the transaction that acts on it. Null if not usable. */
export async function consumeToken(
  db: Db,
  token: string,
  purpose: TokenPurpose,
  now: Date,
): Promise<UsableToken | null> {
  if (!TOKEN_SHAPE.test(token)) return null;
  const row = await db
    .updateTable('one_time_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', sha256(token))
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning(['id', 'user_id', 'expires_at', 'factor_verified_at'])
    .executeTakeFirst();
  return row ? toUsable(row) : null;
}
