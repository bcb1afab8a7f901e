import { sql } from 'kysely';
import { auditActor, writeAudit } from './audit';
import { lockChainHead } from './audit-chain';
import type { ActionContext } from './context';
import { getSettings } from './settings';

const DAY_MS = 86_400_000;

export interface PruneResult {
  removed: number;
  /** Events that happened before this moment were due. */
  cutoff: Date;
  retentionDays: number;
}

/**
 * Removes the events older than the account's retention period, in one transaction that is
 * itself audited (`audit.prune`, only when something was removed). Events go from the start of
 * the chain up to the first event young enough to keep, so the chain stays whole from the
 * oldest event kept; the prune event records the hash of the last one removed, which the
 * verifier accepts as the kept chain's start. The database refuses any other DELETE on the
 * table: this transaction alone sets `gatehouse.audit_retention`.
 */
export async function pruneAuditEvents(ctx: ActionContext): Promise<PruneResult> {
  return ctx.db.transaction().execute(async (tx) => {
    // The head lock first: no event is chained while the start of the chain is cut.
    await lockChainHead(tx);
    const retentionDays = (await getSettings(tx)).audit_retention_days;
    const cutoff = new Date(ctx.clock.now().getTime() - retentionDays * DAY_MS);
    const firstKept = await tx
      .selectFrom('audit_events')
      .select('id')
      .where('occurred_at', '>=', cutoff)
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    let lastRemoved = tx.selectFrom('audit_events').select(['id', 'hash']).orderBy('id', 'desc').limit(1);
    if (firstKept) lastRemoved = lastRemoved.where('id', '<', firstKept.id);
    const last = await lastRemoved.executeTakeFirst();
    if (!last) return { removed: 0, cutoff, retentionDays };
    await sql`select set_config('gatehouse.audit_retention', 'on', true)`.execute(tx);
    const deleted = await tx.deleteFrom('audit_events').where('id', '<=', last.id).executeTakeFirst();
    await sql`select set_config('gatehouse.audit_retention', 'off', true)`.execute(tx);
    const removed = Number(deleted.numDeletedRows);
    await writeAudit(tx, ctx, {
      action: 'audit.prune',
      outcome: 'success',
      actor: auditActor(ctx.actor),
      target: { type: 'audit', id: 'events', label: `${removed} events before ${cutoff.toISOString()}` },
      after: { removed, before: cutoff, retentionDays, lastRemovedId: last.id, lastRemovedHash: last.hash },
    });
    return { removed, cutoff, retentionDays };
  });
}
