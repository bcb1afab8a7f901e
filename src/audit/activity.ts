import { sql } from 'kysely';
import { zonedDay } from '../account/time-zones';
import type { Db } from '../db/connect';

export interface ActivityDay {
  /** YYYY-MM-DD in the viewer's time zone. */
  day: string;
  signIns: number;
  failedSignIns: number;
  lockouts: number;
}

export const ACTIVITY_DAYS = 30;

/**
 * Sign-ins, failed sign-ins and lockouts per day over the last 30 days (today included), days
 * as the viewer's time zone has them. A sign-in counts once it is complete: the password for
 * an account without 2FA, the code otherwise. A failure is a refused password or code
 * (including attempts refused by the rate limit). Counted at most once a minute.
 */
export async function signInActivity(db: Db, now: Date, timeZone: string): Promise<ActivityDay[]> {
  // 30 days of sign-ins can be millions of events in a large account: each instance counts them
  // at most once a minute per time zone, and every admin's home page shares the answer.
  const key = `${timeZone} ${zonedDay(now, timeZone)}`;
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.days;
  const days = countActivity(db, now, timeZone);
  if (cache.size > 100) cache.clear();
  cache.set(key, { at: Date.now(), days });
  days.catch(() => cache.delete(key));
  return days;
}

const CACHE_MS = 60_000;
const caches = new WeakMap<Db, Map<string, { at: number; days: Promise<ActivityDay[]> }>>();

async function countActivity(db: Db, now: Date, timeZone: string): Promise<ActivityDay[]> {
  // Calendar days back from the viewer's today (24-hour steps would skip or repeat one at DST).
  const [y, m, d] = zonedDay(now, timeZone).split('-').map(Number) as [number, number, number];
  const calendar = Array.from({ length: ACTIVITY_DAYS }, (_, i) =>
    new Date(Date.UTC(y, m - 1, d - (ACTIVITY_DAYS - 1 - i))).toISOString().slice(0, 10),
  );
  const first = calendar[0] as string;
  const rows = await db
    .selectFrom('audit_events')
    .select([
      sql<string>`to_char(occurred_at at time zone ${timeZone}, 'YYYY-MM-DD')`.as('day'),
      sql<number>`count(*) filter (where outcome = 'success' and (action = 'auth.sign_in_code' or after->>'secondFactor' is null) and action <> 'auth.lockout')`.as(
        'sign_ins',
      ),
      // A window of refusals by the rate limit is one event that counts them (refusal-counts.ts).
      sql<number>`coalesce(sum(coalesce((after->>'refused')::integer, 1)) filter (where outcome <> 'success' and action <> 'auth.lockout'), 0)`.as(
        'failed',
      ),
      sql<number>`count(*) filter (where action = 'auth.lockout')`.as('lockouts'),
    ])
    .where('action', 'in', ['auth.sign_in', 'auth.sign_in_code', 'auth.lockout'])
    .where(sql<boolean>`occurred_at >= (cast(${first} as timestamp) at time zone ${timeZone})`)
    .groupBy(sql`1`)
    .execute();
  const byDay = new Map(rows.map((r) => [r.day, r]));
  return calendar.map((day) => {
    const r = byDay.get(day);
    return {
      day,
      signIns: Number(r?.sign_ins ?? 0),
      failedSignIns: Number(r?.failed ?? 0),
      lockouts: Number(r?.lockouts ?? 0),
    };
  });
}
