import { sql } from 'kysely';
import { type AuditAction, isAuditAction } from '../../audit/actions';
import { writeAudit } from '../../audit/write';
import type { ActionContext } from '../../core/context';
import { plural } from '../../core/plural';
import type { Db } from '../../db/connect';
import type { Bucket } from './rate-limit';

/**
 * Requests refused by a rate limit come from nobody we know, as fast as a client can send them:
 * one audit event each would let anyone grow the append-only log without bound. They are
 * counted per action, client address and five-minute window in one upsert, and each window is
 * written as one event once it has passed ("refused 57 sign-in attempts from 203.0.113.9
 * between 10:00 and 10:05"). The count is in the database, so every instance adds to the same
 * row and one of them writes it.
 */
export const REFUSAL_WINDOW_MS = 5 * 60_000;

const windowStart = (now: Date) =>
  new Date(Math.floor(now.getTime() / REFUSAL_WINDOW_MS) * REFUSAL_WINDOW_MS);

export async function countRefusal(
  db: Db,
  input: { action: AuditAction; subject: string; bucket: Bucket; now: Date },
): Promise<void> {
  await db
    .insertInto('refusal_counts')
    .values({
      action: input.action,
      subject: input.subject.slice(0, 100),
      window_start: windowStart(input.now),
      bucket: input.bucket.name,
      refused: 1,
    })
    .onConflict((oc) =>
      oc.columns(['action', 'subject', 'window_start']).doUpdateSet({
        refused: sql`refusal_counts.refused + 1`,
      }),
    )
    .execute();
}

const hhmm = (d: Date) => d.toISOString().slice(11, 16);

/**
 * Writes each window that has ended as one `denied` event (actor: the address) and forgets it,
 * in one transaction. Run every minute by the server (and by tests when they move the clock).
 */
export async function recordRefusals(ctx: Pick<ActionContext, 'db' | 'clock' | 'config' | 'meta'>) {
  const cutoff = new Date(windowStart(ctx.clock.now()).getTime());
  return ctx.db.transaction().execute(async (tx) => {
    const ended = await tx
      .deleteFrom('refusal_counts')
      .where('window_start', '<', cutoff)
      .returning(['action', 'subject', 'window_start', 'bucket', 'refused'])
      .execute();
    ended.sort((a, b) => a.window_start.getTime() - b.window_start.getTime());
    for (const row of ended) {
      const from = new Date(row.window_start);
      const to = new Date(from.getTime() + REFUSAL_WINDOW_MS);
      await writeAudit(tx, ctx, {
        action: isAuditAction(row.action) ? row.action : 'http.request',
        outcome: 'denied',
        actor: { id: null, label: row.subject },
        reason: `rate limited (${row.bucket}): refused ${plural(row.refused, 'attempt')} from ${row.subject} between ${from.toISOString().slice(0, 10)} ${hhmm(from)} and ${hhmm(to)} UTC`,
        after: { refused: row.refused, address: row.subject, from: from.toISOString(), to: to.toISOString() },
      });
    }
    return ended.length;
  });
}
