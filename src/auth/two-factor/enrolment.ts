import { getSettings } from '../../account/read-settings';
import { perform } from '../../audit/perform';
import { userTarget } from '../../audit/write';
import type { ActionContext } from '../../core/context';
import { ConflictError, ValidationError } from '../../core/errors';
import type { Db } from '../../db/connect';
import { notifyUser } from '../notices';
import { recoveryCodesLeft } from './code-step';
import { hashRecoveryCode, newRecoveryCodes } from './recovery-codes';
import { decryptSecret, encryptSecret } from './secret-box';
import { newTotpSecret, type TotpSetup, totpSetup, verifyTotp } from './totp';

/** A user's own 2FA, from My account or the enrolment the account requires after sign-in. */

function selfOf(ctx: ActionContext): string {
  if (ctx.actor.kind !== 'user') throw new ConflictError('Only a signed-in user manages their own 2FA.');
  return ctx.actor.id;
}

async function lockSelf(tx: Db, id: string) {
  return tx
    .selectFrom('users')
    .select(['id', 'email', 'name', 'language', 'totp_secret', 'totp_pending_secret'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

/** Ten new codes replace every old one; only their hashes are kept. */
export async function replaceRecoveryCodes(tx: Db, userId: string, now: Date): Promise<string[]> {
  const codes = newRecoveryCodes();
  await tx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  await tx
    .insertInto('recovery_codes')
    .values(codes.map((code) => ({ user_id: userId, code_hash: hashRecoveryCode(code), created_at: now })))
    .execute();
  return codes;
}

/** Starts (or keeps) an enrolment: a new key waits, encrypted, until a code confirms it. */
export async function startTwoFactorEnrolment(ctx: ActionContext): Promise<void> {
  const id = selfOf(ctx);
  await perform(ctx, 'user.two_factor_enrol_start', async (tx) => {
    const user = await lockSelf(tx, id);
    if (user.totp_secret) throw new ConflictError('Two-factor authentication is already on.');
    if (!user.totp_pending_secret) {
      await tx
        .updateTable('users')
        .set({ totp_pending_secret: encryptSecret(ctx.config.secretKey, newTotpSecret()) })
        .where('id', '=', id)
        .execute();
    }
    return { result: undefined, target: userTarget(user), projectId: null };
  });
}

/** The key waiting for its first code, as text and as a QR code; null if none was started. */
export async function pendingEnrolment(ctx: ActionContext): Promise<TotpSetup | null> {
  const id = selfOf(ctx);
  const user = await ctx.db
    .selectFrom('users')
    .select(['email', 'totp_secret', 'totp_pending_secret'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  if (user.totp_secret || !user.totp_pending_secret) return null;
  const secret = decryptSecret(ctx.config.secretKey, user.totp_pending_secret);
  const settings = await getSettings(ctx.db);
  return totpSetup({ secret, account: user.email, issuer: settings.account_name });
}

/**
 * A valid code turns the waiting key into the user's factor, makes ten recovery codes (returned
 * to be shown once) and marks this session as having passed the second factor.
 */
export async function confirmTwoFactorEnrolment(
  ctx: ActionContext,
  input: { code?: unknown },
): Promise<string[]> {
  const id = selfOf(ctx);
  const code = typeof input.code === 'string' ? input.code.trim().slice(0, 32) : '';
  if (!code) throw new ValidationError({ code: 'Enter the 6-digit code your authenticator app shows.' });
  const now = ctx.clock.now();
  const done = await perform(ctx, 'user.two_factor_enable', async (tx) => {
    const user = await lockSelf(tx, id);
    if (user.totp_secret) throw new ConflictError('Two-factor authentication is already on.');
    if (!user.totp_pending_secret) throw new ConflictError('Start the set-up again: no key is waiting.');
    const step = verifyTotp(decryptSecret(ctx.config.secretKey, user.totp_pending_secret), code, now, null);
    if (step === null)
      throw new ValidationError({
        code: 'That code is not right. Check the app shows Gatehouse and enter the current 6-digit code.',
      });
    await tx
      .updateTable('users')
      .set({
        totp_secret: user.totp_pending_secret,
        totp_pending_secret: null,
        totp_last_step: step,
        totp_failed_count: 0,
        totp_blocked_until: null,
        must_enrol_two_factor: false,
      })
      .where('id', '=', id)
      .execute();
    const codes = await replaceRecoveryCodes(tx, id, now);
    if (ctx.sessionId)
      await tx
        .updateTable('sessions')
        .set({ two_factor_verified: true })
        .where('id', '=', ctx.sessionId)
        .execute();
    await notifyUser(tx, ctx, 'twoFactorEnabled', user);
    return {
      result: { codes, user },
      target: userTarget(user),
      projectId: null,
      after: { twoFactor: 'on' },
    };
  });
  return done.codes;
}

export async function regenerateRecoveryCodes(ctx: ActionContext): Promise<string[]> {
  const id = selfOf(ctx);
  return perform(ctx, 'user.recovery_codes_regenerate', async (tx) => {
    const user = await lockSelf(tx, id);
    if (!user.totp_secret) throw new ConflictError('Turn on two-factor authentication first.');
    const before = await recoveryCodesLeft(tx, id);
    const codes = await replaceRecoveryCodes(tx, id, ctx.clock.now());
    return {
      result: codes,
      target: userTarget(user),
      projectId: null,
      before: { codesLeft: before },
      after: { codesLeft: codes.length },
    };
  });
}

/** Only where the account does not require 2FA; the user is emailed. */
export async function removeTwoFactor(ctx: ActionContext): Promise<void> {
  const id = selfOf(ctx);
  await perform(ctx, 'user.two_factor_remove', async (tx) => {
    const user = await lockSelf(tx, id);
    if (!user.totp_secret) throw new ConflictError('Two-factor authentication is already off.');
    const settings = await getSettings(tx);
    if (settings.require_two_factor)
      throw new ConflictError('This account requires two-factor authentication, so it cannot be removed.');
    await clearFactors(tx, id);
    // A sign-in waiting for its code would otherwise pass on the password alone.
    await tx
      .deleteFrom('sessions')
      .where('user_id', '=', id)
      .where('two_factor_verified', '=', false)
      .execute();
    await notifyUser(tx, ctx, 'twoFactorRemoved', user);
    return { result: user, target: userTarget(user), projectId: null, after: { twoFactor: 'off' } };
  });
}

/** The key, any waiting key, the code counters and every recovery code go. */
export async function clearFactors(tx: Db, userId: string): Promise<void> {
  await tx
    .updateTable('users')
    .set({
      totp_secret: null,
      totp_pending_secret: null,
      totp_last_step: null,
      totp_failed_count: 0,
      totp_blocked_until: null,
    })
    .where('id', '=', userId)
    .execute();
  await tx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
}
