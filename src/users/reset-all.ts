import { assertAccountManagerRemains } from '../access/rules';
import { getSettings } from '../account/read-settings';
import { perform } from '../audit/perform';
import type { ActionContext } from '../core/context';
import { ConflictError } from '../core/errors';
import type { Db } from '../db/connect';
import { passwordResetMail } from '../mail/templates';
import { queueLink, setPasswordLink } from './set-password-link';

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
 * but the actor's ends, and each person is emailed a link to choose a new password.
 */
export async function resetAllPasswords(ctx: ActionContext): Promise<number> {
  if (ctx.actor.kind !== 'user')
    throw new ConflictError('Reset all passwords is an action for a signed-in administrator.');
  const actorId = ctx.actor.id;
  const done = await perform(ctx, 'account.reset_all_passwords', async (tx) => {
    const settings = await getSettings(tx);
    const users = await tx
      .selectFrom('users')
      .select(['id', 'email', 'name'])
      .where('deactivated_at', 'is', null)
      .where('id', '<>', actorId)
      .execute();
    const now = ctx.clock.now();
    await tx
      .updateTable('users')
      .set({ password_hash: null, password_changed_at: now })
      .where('deactivated_at', 'is', null)
      .where('id', '<>', actorId)
      .execute();
    await tx.deleteFrom('sessions').where('user_id', '<>', actorId).execute();
    for (const user of users) {
      const link = await setPasswordLink(tx, ctx, user.id, settings.reset_lifetime_minutes * 60_000);
      await queueLink(tx, ctx, passwordResetMail, 'password_reset', { user, link, settings });
    }
    await assertAccountManagerRemains(tx);
    return {
      result: users.length,
      target: { type: 'account', id: '1', label: settings.account_name },
      projectId: null,
      after: { passwordsReset: users.length },
    };
  });
  return done;
}
