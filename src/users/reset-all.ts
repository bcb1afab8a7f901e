import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { getSettings } from '../account/read-settings';
import { perform } from '../audit/perform';
import { jsonb, writeAudit } from '../audit/write';
import type { ActionContext } from '../core/context';
import { ConflictError } from '../core/errors';
import type { Db } from '../db/connect';
import { type DeferredLink, type LinkRenderer, queueMails } from '../mail/outbox';
import { passwordResetMail } from '../mail/templates';
import { endProviderState } from '../oidc/end-sessions';
import { setPasswordLink } from './set-password-link';

/** Users per batch: one transaction each (a few statements, whatever the batch's size). */
export const RESET_ALL_BATCH = 1000;

/** How many people "Reset all passwords" would reach: every active user but the actor. */
export async function resetAllCount(db: Db, actorId: string): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('deactivated_at', 'is', null)
    .where('id', '<>', actorId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * An account action, for a breach: every password but the actor's stops working, every session
 * but the actor's ends, and each person is emailed a link to choose a new one. The first two
 * happen here, at once and for everyone, in the transaction that checks permission and recent
 * password and records the start: the reset's time and starter go into account_settings (a
 * password set before it no longer works: auth/passwords/reset-epoch.ts), and the sessions and
 * unused links of everyone else are deleted. The emails grow with the number of users, so they
 * are a long action: a `long_actions` row and its first batch job. Returns the action's id.
 */
export async function startResetAllPasswords(ctx: ActionContext): Promise<string> {
  if (ctx.actor.kind !== 'user')
    throw new ConflictError('Reset all passwords is an action for a signed-in administrator.');
  const actor = ctx.actor;
  return perform(ctx, 'account.reset_all_passwords', async (tx) => {
    const running = await tx
      .selectFrom('long_actions')
      .select('id')
      .where('kind', '=', 'reset_all_passwords')
      .where('state', '=', 'running')
      .executeTakeFirst();
    if (running)
      throw new ConflictError('Reset all passwords is already running; its page shows how far it is.');
    const settings = await getSettings(tx);
    const reached = await resetAllCount(tx, actor.id);
    // Every user is walked and reported (the actor and deactivated people as skipped).
    const everyone = await tx
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const total = Number(everyone.n);
    const now = ctx.clock.now();
    const action = await tx
      .insertInto('long_actions')
      .values({
        kind: 'reset_all_passwords',
        actor_id: actor.id,
        actor_label: actor.email,
        total,
        params: jsonb({
          lifetimeMinutes: settings.reset_lifetime_minutes,
          accountName: settings.account_name,
          resetAt: now.toISOString(),
        }),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await tx
      .updateTable('account_settings')
      .set({ passwords_reset_at: now, passwords_reset_by: actor.id })
      .where('id', '=', 1)
      .execute();
    const sessions = await tx.deleteFrom('sessions').where('user_id', '<>', actor.id).executeTakeFirst();
    // The applications' sessions, grants and tokens (the OpenID provider's state) end as well.
    await endProviderState(tx, ctx.jobs, { allBut: actor.id });
    // Links already out stop working; each email gets its own link when it is sent.
    await tx
      .deleteFrom('one_time_tokens')
      .where('user_id', '<>', actor.id)
      .where('purpose', 'in', ['set_password', 'reset_password'])
      .where('used_at', 'is', null)
      .execute();
    const runner = randomUUID();
    await tx.updateTable('long_actions').set({ runner_job: runner }).where('id', '=', action.id).execute();
    await ctx.jobs.enqueue(tx, 'long-action', { id: action.id }, { id: runner });
    return {
      result: action.id,
      target: { type: 'account', id: '1', label: settings.account_name },
      projectId: null,
      after: {
        passwordsToReset: reached,
        actionId: action.id,
        passwordsResetAt: now.toISOString(),
        endedSessions: Number(sessions.numDeletedRows),
      },
    };
  });
}

interface ResetParams {
  lifetimeMinutes: number;
  accountName: string;
  /** When the reset began: someone who chose a new password since is not emailed. */
  resetAt: string;
}

/**
 * One batch of "Reset all passwords": the emails of the next RESET_ALL_BATCH users by id after
 * the cursor (their passwords and sessions ended at the start), set-based (a statement per step,
 * not per user), its report lines and its audit event, in one transaction. Only the job recorded
 * as the action's runner may run it: a retry of that job after a crash goes on from the cursor;
 * any other job does nothing. With `handOver`, the batch
 * also writes the next runner's job and records it, in the same transaction.
 */
export async function runResetAllBatch(
  ctx: Pick<ActionContext, 'db' | 'clock' | 'config' | 'jobs' | 'meta'>,
  job: { actionId: string; jobId: string; handOver: boolean },
): Promise<'more' | 'finished' | 'not mine'> {
  return ctx.db.transaction().execute(async (tx) => {
    const action = await tx
      .selectFrom('long_actions')
      .selectAll()
      .where('id', '=', job.actionId)
      .forUpdate()
      .executeTakeFirst();
    if (action?.state !== 'running' || action.runner_job !== job.jobId) return 'not mine';
    // postgres.js hands jsonb back as text here, PGlite as a value.
    const raw: unknown = action.params;
    const params = (typeof raw === 'string' ? JSON.parse(raw) : raw) as ResetParams;
    const users = await tx
      .selectFrom('users')
      .select(['id', 'email', 'name', 'deactivated_at', 'created_at', 'password_changed_at'])
      .select(sql<boolean>`password_hash is not null`.as('has_hash'))
      .$if(action.cursor !== null, (q) => q.where('id', '>', action.cursor as string))
      .orderBy('id')
      .limit(RESET_ALL_BATCH)
      .execute();
    const now = ctx.clock.now();
    const resetAt = new Date(params.resetAt);
    const skip = (u: (typeof users)[number]) =>
      u.id === action.actor_id
        ? 'that is you'
        : u.deactivated_at
          ? 'deactivated'
          : u.created_at > resetAt
            ? 'joined after the reset began'
            : u.has_hash && u.password_changed_at && u.password_changed_at > resetAt
              ? 'chose a new password since the reset began'
              : null;
    const reasons = users.map(skip);
    const reached = users.filter((_, i) => reasons[i] === null);
    if (reached.length > 0) {
      const lifetimeMs = params.lifetimeMinutes * 60_000;
      await queueMails(
        tx,
        ctx,
        reached.map((u) => ({
          message: {
            to: u.email,
            subject: `Your ${params.accountName} password was reset`,
            deferred: {
              link: 'password_reset',
              userId: u.id,
              name: u.name,
              accountName: params.accountName,
              lifetimeMs,
            },
          },
          about: { kind: 'password_reset', userId: u.id },
        })),
        { priority: 0 },
      );
    }
    if (users.length > 0) {
      // One array per column (unnest), not a parameter per value.
      await sql`
        insert into long_action_items (action_id, user_id, email, outcome, reason)
        select ${action.id}::uuid, * from unnest(${users.map((u) => u.id)}::uuid[], ${users.map((u) => u.email)}::text[],
          ${reasons.map((r) => (r ? 'skipped' : 'done'))}::text[], ${reasons}::text[])
        on conflict (action_id, user_id) do nothing`.execute(tx);
    }
    const last = users.at(-1)?.id ?? action.cursor;
    const finished = users.length < RESET_ALL_BATCH;
    const skipped = users.length - reached.length;
    await tx
      .updateTable('long_actions')
      .set({
        done: action.done + reached.length,
        skipped: action.skipped + skipped,
        cursor: last,
        updated_at: now,
        ...(finished ? { state: 'done' as const, finished_at: now } : {}),
      })
      .where('id', '=', action.id)
      .execute();
    if (users.length > 0 || finished) {
      await writeAudit(tx, ctx, {
        action: 'account.reset_all_passwords_batch',
        outcome: 'success',
        actor: { id: action.actor_id, label: action.actor_label },
        target: { type: 'account', id: '1', label: params.accountName },
        after: {
          actionId: action.id,
          reset: reached.length,
          skipped,
          done: action.done + reached.length,
          total: action.total,
          finished,
        },
      });
    }
    if (finished) return 'finished';
    if (job.handOver) {
      const runner = randomUUID();
      await tx.updateTable('long_actions').set({ runner_job: runner }).where('id', '=', action.id).execute();
      await ctx.jobs.enqueue(tx, 'long-action', { id: action.id }, { id: runner });
    }
    return 'more';
  });
}

/** How long one job goes on from batch to batch before it leaves the rest to its successor. */
const RUN_FOR_MS = 20_000;

/**
 * The `long-action` job: batch after batch while there is work, for up to RUN_FOR_MS; its last
 * batch hands over to a new job (so that one job never runs for hours, and the work goes on in
 * whichever worker polls next). If its process dies, pg-boss gives this same job to another
 * worker when its heartbeat stops, and it goes on from the last committed batch.
 */
export async function runResetAll(
  ctx: Pick<ActionContext, 'db' | 'clock' | 'config' | 'jobs' | 'meta'>,
  job: { actionId: string; jobId: string },
): Promise<void> {
  const until = Date.now() + RUN_FOR_MS;
  for (;;) {
    const handOver = Date.now() > until;
    const result = await runResetAllBatch(ctx, { ...job, handOver });
    if (result !== 'more' || handOver) return;
  }
}

/** Makes a reset-all email's link when the email is sent (mail/outbox.ts, DeferredLink). */
export const resetLinkRenderer =
  (ctx: Pick<ActionContext, 'clock' | 'config'>): LinkRenderer =>
  async (tx, deferred: DeferredLink, to) => {
    const link = await setPasswordLink(
      tx,
      { ...ctx, actor: { kind: 'system', label: 'gatehouse' } },
      deferred.userId,
      deferred.lifetimeMs,
    );
    return passwordResetMail({ to, name: deferred.name, accountName: deferred.accountName, ...link });
  };
