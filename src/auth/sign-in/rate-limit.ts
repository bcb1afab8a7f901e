import { sql } from 'kysely';
import type { Db } from '../../db/connect';

/** A token bucket: `capacity` tries at once, refilled at `perHour`. */
export interface Bucket {
  name: string;
  capacity: number;
  perHour: number;
}

// Sized for an office behind one address: a crowd signing in at nine still fits, a password
// spray does not. In the database, so every instance spends from the same bucket.
export const SIGN_IN_PER_IP: Bucket = { name: 'sign-in:ip', capacity: 30, perHour: 600 };
export const FORGOT_PER_IP: Bucket = { name: 'forgot:ip', capacity: 10, perHour: 20 };
export const FORGOT_PER_ADDRESS: Bucket = { name: 'forgot:address', capacity: 3, perHour: 3 };

export interface Take {
  allowed: boolean;
  /** Seconds until the next token, when refused. */
  retryAfter: number;
}

/**
 * Takes one token from the bucket for `subject`, in one statement, so app instances sharing the
 * database share the bucket and two of them cannot both spend the last token.
 */
export async function takeToken(db: Db, bucket: Bucket, subject: string, now: Date): Promise<Take> {
  const key = `${bucket.name}:${subject}`.slice(0, 400);
  const perSecond = bucket.perHour / 3600;
  const refilled = sql<number>`least(${bucket.capacity}::double precision,
    rate_limits.tokens + greatest(0, extract(epoch from (${now}::timestamptz - rate_limits.updated_at)))::double precision * ${perSecond}::double precision)`;
  const row = await db
    .insertInto('rate_limits')
    .values({ key, tokens: bucket.capacity - 1, updated_at: now, allowed: true })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        tokens: sql`case when ${refilled} >= 1 then ${refilled} - 1 else ${refilled} end`,
        allowed: sql`${refilled} >= 1`,
        updated_at: sql`greatest(${now}::timestamptz, rate_limits.updated_at)`,
      }),
    )
    .returning(['tokens', 'allowed'])
    .executeTakeFirstOrThrow();
  const missing = Math.max(0, 1 - Number(row.tokens));
  return { allowed: row.allowed, retryAfter: row.allowed ? 0 : Math.ceil(missing / perSecond) };
}
