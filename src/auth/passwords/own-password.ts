import { z } from 'zod';
import { getSettings } from '../../account/read-settings';
import { self } from '../../account/self';
import type { AuditAction } from '../../audit/actions';
import { perform } from '../../audit/perform';
import { userTarget } from '../../audit/write';
import type { ActionContext } from '../../core/context';
import { ValidationError } from '../../core/errors';
import { parseInput } from '../../core/validation';
import type { Db } from '../../db/connect';
import { notifyUser } from '../notices';
import { deleteUserSessions } from '../sessions/sessions';
import { addressOf, clearFailures, countWrongPassword, lockFor } from '../sign-in/lockout';
import { SIGN_IN_PER_IP } from '../sign-in/rate-limit';
import { spendOrRefuse } from '../sign-in/sign-in';
import { hashPassword, PASSWORD_MAX_LENGTH, passwordProblem, verifyPassword } from './hashing';
import { usableHash } from './reset-epoch';

/**
 * A signed-in user proving their own password: to change it, or to confirm it before a sensitive
 * action. Both count a wrong one towards the lockout and spend from the sign-in rate limit.
 */

/**
 * Spends a try from the client's bucket (as a sign-in does) and checks the password; the caller
 * compares `hash` with the locked row, so a change in between counts as wrong.
 */
export async function verifyOwnPassword(
  ctx: ActionContext,
  me: { id: string; email: string },
  password: string,
  action: AuditAction,
): Promise<{ ok: boolean; hash: string | null }> {
  await spendOrRefuse(ctx, SIGN_IN_PER_IP, ctx.meta.ip ?? 'unknown', { action });
  const stored = await ctx.db
    .selectFrom('users')
    .select(usableHash('users').as('password_hash'))
    .where('id', '=', me.id)
    .executeTakeFirst();
  const hash = stored?.password_hash ?? null;
  return { ok: await verifyPassword(hash, password), hash };
}

/** A locked account proves nothing with its password until the lock ends, as at sign-in. */
export const isLocked = async (tx: Db, ctx: ActionContext, user: { id: string; locked_until: Date | null }) =>
  (await lockFor(tx, user, addressOf(ctx), ctx.clock.now())) !== null;

export function lockedSelf(tx: Db, id: string) {
  return tx
    .selectFrom('users')
    .select([
      'id',
      'email',
      'name',
      'language',
      usableHash('users').as('password_hash'),
      'failed_login_count',
      'lockout_count',
      'locked_until',
    ])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

/**
 * Needs the current password; the new one meets the policy; every other session ends (this one
 * stays, and counts as freshly authenticated); the user is emailed.
 */
export async function changePassword(
  ctx: ActionContext,
  input: { current?: unknown; password?: unknown; confirm?: unknown },
): Promise<number> {
  const me = self(ctx);
  const { current, password, confirm } = parseInput(
    z.object({
      current: z
        .string()
        .min(1, 'Enter your current password.')
        .max(PASSWORD_MAX_LENGTH * 4),
      password: z.string().min(1, 'Enter a new password.'),
      confirm: z.string(),
    }),
    input,
  );
  const settings = await getSettings(ctx.db);
  const problem = passwordProblem({
    password,
    minLength: settings.password_min_length,
    email: me.email,
    name: me.name,
  });
  if (problem) throw new ValidationError({ password: problem });
  if (confirm !== password) throw new ValidationError({ confirm: 'The two new passwords do not match.' });
  if (current === password)
    throw new ValidationError({ password: 'Choose a password different from the current one.' });
  const [stored, passwordHash] = await Promise.all([
    verifyOwnPassword(ctx, me, current, 'user.password_change'),
    hashPassword(password),
  ]);
  const now = ctx.clock.now();
  const done = await perform(ctx, 'user.password_change', async (tx) => {
    const user = await lockedSelf(tx, me.id);
    const target = userTarget(user);
    if (await isLocked(tx, ctx, user))
      return {
        result: { ended: null as number | null, user, locked: null },
        outcome: 'failed',
        target,
        projectId: null,
        reason: 'locked',
      };
    if (!stored.ok || user.password_hash !== stored.hash) {
      const locked = await countWrongPassword(tx, ctx, user, settings);
      return {
        result: { ended: null as number | null, user, locked },
        outcome: 'failed',
        target,
        projectId: null,
        reason: 'wrong current password',
      };
    }
    await tx
      .updateTable('users')
      .set({ password_hash: passwordHash, password_changed_at: now })
      .where('id', '=', me.id)
      .execute();
    await clearFailures(tx, me.id, addressOf(ctx));
    const ended = await deleteUserSessions(tx, me.id, ctx.sessionId);
    if (ctx.sessionId)
      await tx
        .updateTable('sessions')
        .set({ reauthenticated_at: now })
        .where('id', '=', ctx.sessionId)
        .execute();
    await notifyUser(tx, ctx, 'passwordChanged', user);
    return {
      result: { ended, user, locked: null },
      target,
      projectId: null,
      after: { endedSessions: ended },
    };
  });
  if (done.ended === null) throw new ValidationError({ current: 'Your current password is not right.' });
  return done.ended;
}
