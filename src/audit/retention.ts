import { sql } from 'kysely';
import { getSettings } from '../account/read-settings';
import type { ActionContext } from '../core/context';
import { plural } from '../core/plural';
import { lockAllChainHeads } from './chain';
import { auditActor, writeAudit } from './write';

const DAY_MS = 86_400_000;
/** Events removed per transaction: the head stays locked (every audited action waits) meanwhile. */
const BATCH = 5000;

export interface PruneResult {
  removed: number;
  /** Events that happened before this moment were due. */
  cutoff: Date;
  retentionDays: number;
}

/**
 * Removes the events older than the account's retention period, oldest first, a batch per
 * transaction, each batch itself audited (`audit.prune`; nothing removed, nothing written).
 * Events go from the start of the chain up to the first one young enough to keep, so the chain
 * stays whole from the oldest event kept; each prune event records the hash of the last event it
 * removed, which the verifier accepts as the kept chain's start. The database refuses any other
 * DELETE on the table: these transactions alone set `gatehouse.audit_retention`.
 */
export async function pruneAuditEvents(ctx: ActionContext): Promise<PruneResult> {
  const retentionDays = (await getSettings(ctx.db)).audit_retention_days;
  const cutoff = new Date(ctx.clock.now().getTime() - retentionDays * DAY_MS);
  let removed = 0;
  for (;;) {
    const batch = await pruneBatch(ctx, cutoff, retentionDays);
    removed += batch.removed;
    if (!batch.more) return { removed, cutoff, retentionDays };
  }
}

async function pruneBatch(ctx: ActionContext, cutoff: Date, retentionDays: number) {
  return ctx.db.transaction().execute(async (tx) => {
    // Every head locked first: no event is chained while the starts of the chains are cut.
    await lockAllChainHeads(tx);
    // The oldest events in chain order; the ones before the first young enough to keep go.
    const oldest = await tx
      .selectFrom('audit_events')
      .select(['id', 'hash', 'occurred_at', 'chain'])
      .orderBy('id')
      .limit(BATCH)
      .execute();
    const keptAt = oldest.findIndex((e) => e.occurred_at >= cutoff);
    const due = keptAt === -1 ? oldest : oldest.slice(0, keptAt);
    const last = due.at(-1);
    if (!last) return { removed: 0, more: false };
    await sql`select set_config('gatehouse.audit_retention', 'on', true)`.execute(tx);
    const deleted = await tx.deleteFrom('audit_events').where('id', '<=', last.id).executeTakeFirst();
    await sql`select set_config('gatehouse.audit_retention', 'off', true)`.execute(tx);
    const removed = Number(deleted.numDeletedRows);
    // Each chain's kept part starts after the last event removed from it: the verifier accepts
    // that hash, recorded here, as the start.
    const lastRemovedHashes: Record<string, string | null> = {};
    for (const event of due) lastRemovedHashes[String(event.chain)] = event.hash;
    await writeAudit(tx, ctx, {
      action: 'audit.prune',
      outcome: 'success',
      actor: auditActor(ctx.actor),
      target: {
        type: 'audit',
        id: 'events',
        label: `${plural(removed, 'event')} before ${cutoff.toISOString()}`,
      },
      after: { removed, before: cutoff, retentionDays, lastRemovedId: last.id, lastRemovedHashes },
    });
    return { removed, more: keptAt === -1 && oldest.length === BATCH };
  });
}
