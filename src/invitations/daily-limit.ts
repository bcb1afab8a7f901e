import { RuleError } from '../access/rules';
import { getSettings } from '../account/read-settings';
import type { ActionContext } from '../core/context';
import { ValidationError } from '../core/errors';
import { formatNumber, plural } from '../core/plural';
import type { Db } from '../db/connect';

const DAY_MS = 86_400_000;

/** Invitation emails an admin sent (new and resent) in the last 24 hours, from the audit trail. */
export async function sentInLastDay(db: Db, actorId: string, now: Date): Promise<number> {
  const row = await db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('actor_id', '=', actorId)
    .where('occurred_at', '>', new Date(now.getTime() - DAY_MS))
    .where('action', 'in', ['invitation.create', 'invitation.resend'])
    .where('outcome', '=', 'success')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const limitText = (limit: number, sent: number) =>
  `You can send ${plural(limit, 'invitation')} in 24 hours and have sent ${formatNumber(sent)}; ${formatNumber(Math.max(0, limit - sent))} more ${limit - sent === 1 ? 'is' : 'are'} possible now`;

/** Locks the inviter's row, so two requests of one admin cannot both pass the limit. */
export async function assertWithinDailyLimit(tx: Db, ctx: ActionContext, adding: number) {
  if (ctx.actor.kind !== 'user') return;
  await tx.selectFrom('users').select('id').where('id', '=', ctx.actor.id).forUpdate().execute();
  const { invitations_per_day: limit } = await getSettings(tx);
  const sent = await sentInLastDay(tx, ctx.actor.id, ctx.clock.now());
  if (sent + adding > limit) {
    throw new RuleError('invitation-limit', `${limitText(limit, sent)}.`);
  }
}

/** Checked before any is sent: a list of addresses that would pass the limit sends none of them. */
export async function assertBatchWithinDailyLimit(ctx: ActionContext, count: number) {
  if (ctx.actor.kind !== 'user') return;
  const [{ invitations_per_day: limit }, sent] = await Promise.all([
    getSettings(ctx.db),
    sentInLastDay(ctx.db, ctx.actor.id, ctx.clock.now()),
  ]);
  if (sent + count > limit) {
    throw new ValidationError({
      emails: `${limitText(limit, sent)}, and you entered ${count}.`,
    });
  }
}
