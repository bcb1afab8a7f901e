import { z } from 'zod';
import { assertAccountManagerRemains } from '../access/rules';
import { getSettings } from '../account/read-settings';
import { perform } from '../audit/perform';
import { userTarget } from '../audit/write';
import { notifyUser } from '../auth/notices';
import { hasUsablePassword } from '../auth/passwords/reset-epoch';
import { deleteUserSessions } from '../auth/sessions/sessions';
import { clearFactors } from '../auth/two-factor/enrolment';
import type { ActionContext } from '../core/context';
import { ConflictError } from '../core/errors';
import { parseInput } from '../core/validation';
import { passwordResetMail, setPasswordMail } from '../mail/templates';
import { type LinkResult, queueLink, setPasswordLink } from './set-password-link';
import { assertPerson, targetForUpdate } from './target';

/** An admin's help with someone's sign-in: unlock, reset their 2FA or password, end their sessions. */

const reasonSchema = z.object({
  reason: z
    .string()
    .trim()
    .min(1, 'Give a reason: it is kept in the audit log.')
    .max(500, 'Use at most 500 characters for the reason.'),
});

/**
 * Ends a lock early: the account-wide one, or (with `address`) the lock of the account for that
 * client address. The reason is kept in the audit trail.
 */
export async function unlockUser(
  ctx: ActionContext,
  id: string,
  input: { reason?: unknown; address?: unknown },
) {
  const { reason } = parseInput(reasonSchema, input);
  const address = typeof input.address === 'string' ? input.address.trim() : '';
  await perform(ctx, 'user.unlock', async (tx) => {
    const user = await targetForUpdate(tx, ctx, id, 'your own account this way');
    const now = ctx.clock.now();
    if (address) {
      const ended = await tx
        .deleteFrom('sign_in_failures')
        .where('user_id', '=', id)
        .where('ip', '=', address.slice(0, 100))
        .where('locked_until', '>', now)
        .returning('locked_until')
        .executeTakeFirst();
      if (!ended) throw new ConflictError(`${user.email} is not locked for ${address.slice(0, 100)}.`);
      return {
        result: undefined,
        target: userTarget(user),
        before: { address, lockedUntil: ended.locked_until },
        after: { address, lockedUntil: null },
        reason,
      };
    }
    if (!user.locked_until || user.locked_until <= now)
      throw new ConflictError(`${user.email} is not locked.`);
    await tx
      .updateTable('users')
      .set({ locked_until: null, failed_login_count: 0 })
      .where('id', '=', id)
      .execute();
    return {
      result: undefined,
      target: userTarget(user),
      before: { lockedUntil: user.locked_until },
      after: { lockedUntil: null },
      reason,
    };
  });
}

/**
 * Removes another user's 2FA (a lost phone): key and recovery codes go, their sessions end, they
 * are emailed, and they set it up again at their next sign-in. Needs a reason and, as it removes
 * a factor, the admin's recent re-authentication.
 */
export async function resetTwoFactor(ctx: ActionContext, id: string, input: { reason?: unknown }) {
  const { reason } = parseInput(reasonSchema, input);
  await perform(ctx, 'user.two_factor_reset', async (tx) => {
    const user = await targetForUpdate(
      tx,
      ctx,
      id,
      'your own two-factor authentication here (use My account)',
    );
    if (!user.totp_secret)
      throw new ConflictError(`${user.email} has no two-factor authentication to reset.`);
    await clearFactors(tx, id);
    await tx.updateTable('users').set({ must_enrol_two_factor: true }).where('id', '=', id).execute();
    const endedSessions = await deleteUserSessions(tx, id, null, ctx.jobs);
    await notifyUser(tx, ctx, 'twoFactorReset', user);
    return {
      result: user,
      target: userTarget(user),
      before: { twoFactor: 'on' },
      after: { twoFactor: 'off', endedSessions },
      reason,
    };
  });
}

export async function signOutEverywhere(ctx: ActionContext, id: string): Promise<number> {
  return perform(ctx, 'user.sign_out_everywhere', async (tx) => {
    const user = await targetForUpdate(tx, ctx, id, 'your own sessions here (use sign out)');
    const ended = await deleteUserSessions(tx, id, null, ctx.jobs);
    return { result: ended, target: userTarget(user), after: { endedSessions: ended } };
  });
}

/**
 * An admin reset: the current password stops working at once, sessions end, and the user is
 * emailed a one-hour link to choose a new one. The admin never sees or sets the password.
 */
export async function resetPassword(ctx: ActionContext, id: string): Promise<LinkResult> {
  const done = await perform(ctx, 'user.password_reset', async (tx) => {
    const user = await targetForUpdate(tx, ctx, id, 'your own password here (use My account)');
    assertPerson(user);
    const settings = await getSettings(tx);
    await tx
      .updateTable('users')
      .set({ password_hash: null, password_changed_at: ctx.clock.now() })
      .where('id', '=', id)
      .execute();
    const endedSessions = await deleteUserSessions(tx, id, null, ctx.jobs);
    const link = await setPasswordLink(tx, ctx, user.id, settings.reset_lifetime_minutes * 60_000);
    // A manager without a password no longer counts: the account must keep another.
    await assertAccountManagerRemains(tx);
    return {
      result: await queueLink(tx, ctx, passwordResetMail, 'password_reset', { user, link, settings }),
      target: userTarget(user),
      after: { password: 'reset', endedSessions, manualLinkShown: settings.allow_manual_links },
    };
  });
  return done;
}

/** A new set-password link for someone who has not set one yet; the old link stops working. */
export async function resendSetPassword(ctx: ActionContext, id: string): Promise<LinkResult> {
  const done = await perform(ctx, 'user.set_password_resent', async (tx) => {
    const user = await targetForUpdate(tx, ctx, id, 'your own password here');
    assertPerson(user);
    const settings = await getSettings(tx);
    if (hasUsablePassword(user, settings))
      throw new ConflictError(`${user.email} has already set a password; reset it instead.`);
    const link = await setPasswordLink(tx, ctx, user.id, settings.invitation_lifetime_hours * 3_600_000);
    return {
      result: await queueLink(tx, ctx, setPasswordMail, 'set_password', { user, link, settings }),
      target: userTarget(user),
      after: { manualLinkShown: settings.allow_manual_links },
    };
  });
  return done;
}
