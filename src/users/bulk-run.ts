import { randomUUID } from 'node:crypto';
import { perform } from '../audit/perform';
import { jsonb, writeAudit } from '../audit/write';
import type { ActionContext, Actor, RequestMeta } from '../core/context';
import { DomainError } from '../core/errors';
import type { Db } from '../db/connect';
import type { LongActionItemsTable } from '../db/schema';
import { applyBulk, BULK_ACTIONS, type BulkData, type BulkInput, parseBulk, skipReasons } from './bulk';

/** People per batch: each is its own transaction; the progress is written after each batch. */
export const BULK_BATCH = 25;

/** Who started it, as the job acts for them (the permissions are read afresh by each change). */
type StoredActor = Exclude<Actor, { kind: 'user' }> | Omit<Extract<Actor, { kind: 'user' }>, 'permissions'>;

/** What the job needs to act as the administrator who started it, from where they started it. */
interface BulkParams extends BulkData {
  projectId: string;
  actor: StoredActor;
  meta: RequestMeta;
}

/**
 * Starts a bulk action on the users selected in the list: the input is checked, the permission
 * is checked and the start audited, and a `long_actions` row and its job are written, in one
 * transaction. The job (runBulkAction) does each person through the action's own domain
 * function. Returns the action's id, whose page shows the progress and then the report.
 */
export async function startBulk(ctx: ActionContext, projectId: string, input: BulkInput): Promise<string> {
  const { filter: _filter, ...data } = await parseBulk(ctx, projectId, input);
  const actor: StoredActor =
    ctx.actor.kind === 'user'
      ? {
          kind: 'user' as const,
          id: ctx.actor.id,
          email: ctx.actor.email,
          name: ctx.actor.name,
          projectId: ctx.actor.projectId,
        }
      : ctx.actor;
  return perform(ctx, 'users.bulk', async (tx) => {
    const params: BulkParams = { ...data, ids: [...data.ids].sort(), projectId, actor, meta: ctx.meta };
    const runner = randomUUID();
    const action = await tx
      .insertInto('long_actions')
      .values({
        kind: 'bulk_users',
        actor_id: actor.kind === 'user' ? actor.id : null,
        actor_label:
          actor.kind === 'user' ? actor.email : actor.kind === 'system' ? actor.label : 'anonymous',
        total: data.ids.length,
        params: jsonb(params),
        runner_job: runner,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await ctx.jobs.enqueue(tx, 'long-action', { id: action.id }, { id: runner });
    return {
      result: action.id,
      target: null,
      projectId,
      after: {
        action: data.action,
        users: data.ids.length,
        roleId: data.roleId || null,
        actionId: action.id,
      },
    };
  });
}

type Item = Omit<LongActionItemsTable, 'action_id'>;

async function recordItem(tx: Db, actionId: string, item: Item): Promise<void> {
  await tx
    .insertInto('long_action_items')
    .values({ action_id: actionId, ...item })
    .onConflict((oc) => oc.columns(['action_id', 'user_id']).doNothing())
    .execute();
}

/**
 * The `long-action` job of a bulk action: the people not yet reported, in batches. Each person's
 * change and its report line are one transaction (the report line is written inside the domain
 * function's transaction), so after a crash the retried job goes on with the people left and
 * never does anyone twice. Every rule is checked again when it runs: someone who changed since
 * the preview is skipped and the reason given, and a refusal for one does not stop the others.
 */
export async function runBulkAction(
  system: Pick<ActionContext, 'db' | 'clock' | 'config' | 'jobs'>,
  job: { actionId: string; jobId: string },
): Promise<void> {
  const { db } = system;
  const action = await db
    .selectFrom('long_actions')
    .selectAll()
    .where('id', '=', job.actionId)
    .executeTakeFirst();
  if (action?.kind !== 'bulk_users' || action.state !== 'running' || action.runner_job !== job.jobId) return;
  // postgres.js hands jsonb back as text here, PGlite as a value.
  const raw: unknown = action.params;
  const params = (typeof raw === 'string' ? JSON.parse(raw) : raw) as BulkParams;
  const actor: Actor =
    params.actor.kind === 'user' ? { ...params.actor, permissions: new Set<string>() } : params.actor;
  const ctx: ActionContext = { ...system, actor, meta: params.meta };
  const reported = new Set(
    (
      await db.selectFrom('long_action_items').select('user_id').where('action_id', '=', action.id).execute()
    ).map((r) => r.user_id),
  );
  const pending = params.ids.filter((id) => !reported.has(id));
  for (let i = 0; i < pending.length; i += BULK_BATCH) {
    const batch = pending.slice(i, i + BULK_BATCH);
    const users = await db.selectFrom('users').selectAll().where('id', 'in', batch).execute();
    const reasons = await skipReasons(ctx, params, users);
    for (const id of batch) {
      const user = users.find((u) => u.id === id);
      const reason = user ? reasons.get(id) : 'no longer exists';
      const email = user?.email ?? '';
      if (reason) {
        await recordItem(db, action.id, { user_id: id, email, outcome: 'skipped', reason });
        continue;
      }
      const done: Item = { user_id: id, email, outcome: 'done', reason: null };
      try {
        await applyBulk(
          { ...ctx, alsoInTransaction: (tx) => recordItem(tx, action.id, done) },
          params,
          params.projectId,
          id,
        );
      } catch (error) {
        const refused = error instanceof DomainError;
        if (!refused) console.error(`bulk ${params.action} failed for ${id}`, error);
        await recordItem(db, action.id, {
          user_id: id,
          email,
          outcome: refused ? 'skipped' : 'failed',
          reason: refused
            ? `refused: ${error.message}`
            : 'an unexpected error, logged for the administrators',
        });
      }
    }
    await countOutcomes(db, action.id, system.clock.now());
  }
  await db.transaction().execute(async (tx) => {
    const counts = await countOutcomes(tx, action.id, system.clock.now(), true);
    await writeAudit(tx, ctx, {
      action: 'users.bulk_finished',
      outcome: 'success',
      actor: { id: action.actor_id, label: action.actor_label },
      target: null,
      projectId: params.projectId,
      after: { actionId: action.id, action: params.action, ...counts },
    });
  });
}

/** The action's counters from its report lines (and, at the end, its state). */
async function countOutcomes(db: Db, actionId: string, now: Date, finish = false) {
  const rows = await db
    .selectFrom('long_action_items')
    .select(['outcome', (eb) => eb.fn.countAll<number>().as('n')])
    .where('action_id', '=', actionId)
    .groupBy('outcome')
    .execute();
  const count = (outcome: string) => Number(rows.find((r) => r.outcome === outcome)?.n ?? 0);
  const counts = { done: count('done'), skipped: count('skipped'), failed: count('failed') };
  await db
    .updateTable('long_actions')
    .set({ ...counts, updated_at: now, ...(finish ? { state: 'done' as const, finished_at: now } : {}) })
    .where('id', '=', actionId)
    .execute();
  return counts;
}

/** The action's name, for its page ("Deactivate"). */
export const bulkTitle = (params: unknown): string => {
  const parsed = (typeof params === 'string' ? JSON.parse(params) : params) as Partial<BulkParams> | null;
  return BULK_ACTIONS[parsed?.action ?? 'deactivate'] ?? 'Bulk action';
};
