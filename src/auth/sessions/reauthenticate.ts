import { getSettings } from '../../account/read-settings';
import { self } from '../../account/self';
import { perform } from '../../audit/perform';
import { userTarget } from '../../audit/write';
import type { ActionContext } from '../../core/context';
import { ValidationError } from '../../core/errors';
import { PASSWORD_MAX_LENGTH } from '../passwords/hashing';
import { isLocked, lockedSelf, verifyOwnPassword } from '../passwords/own-password';
import { addressOf, clearFailures, countWrongPassword } from '../sign-in/lockout';

/**
 * Proves the password again for the sensitive actions of the next 10 minutes. A wrong one counts
 * towards the lockout like a failed sign-in, so a borrowed session cannot guess at leisure.
 */
export async function reauthenticate(ctx: ActionContext, input: { password?: unknown }): Promise<boolean> {
  const me = self(ctx);
  const password = typeof input.password === 'string' ? input.password : '';
  if (!password) throw new ValidationError({ password: 'Enter your password.' });
  if (password.length > PASSWORD_MAX_LENGTH * 4) return false;
  const stored = await verifyOwnPassword(ctx, me, password, 'auth.reauthenticate');
  const done = await perform(ctx, 'auth.reauthenticate', async (tx) => {
    const user = await lockedSelf(tx, me.id);
    const target = userTarget(user);
    if (await isLocked(tx, ctx, user))
      return {
        result: { ok: false, locked: null },
        outcome: 'failed',
        target,
        projectId: null,
        reason: 'locked',
      };
    if (!stored.ok || user.password_hash !== stored.hash) {
      const locked = await countWrongPassword(tx, ctx, user, await getSettings(tx));
      return {
        result: { ok: false, locked: locked ? { user, ...locked } : null },
        outcome: 'failed',
        target,
        projectId: null,
        reason: 'wrong password',
      };
    }
    if (ctx.sessionId)
      await tx
        .updateTable('sessions')
        .set({ reauthenticated_at: ctx.clock.now() })
        .where('id', '=', ctx.sessionId)
        .where('user_id', '=', me.id)
        .execute();
    await clearFailures(tx, me.id, addressOf(ctx));
    return { result: { ok: true, locked: null }, target, projectId: null };
  });
  return done.ok;
}
