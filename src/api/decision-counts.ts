import type { Db } from '../db/connect';

/** The permission checks of the last 14 days, per caller (token) and day, newest first. */
export async function decisionCounts(db: Db, now: Date) {
  const since = new Date(now.getTime() - 13 * 86_400_000).toISOString().slice(0, 10);
  const rows = await db
    .selectFrom('access_decision_counts')
    .select(['day', 'caller_label', 'allowed', 'denied'])
    .where('day', '>=', since)
    .orderBy('day', 'desc')
    .orderBy('caller_label')
    .limit(200)
    .execute();
  return rows.map((r) => ({
    day: typeof r.day === 'string' ? r.day : new Date(r.day).toISOString().slice(0, 10),
    caller: r.caller_label,
    allowed: Number(r.allowed),
    denied: Number(r.denied),
  }));
}
