import { z } from 'zod';
import { consumeToken, findUsableToken } from '../auth/one-time-tokens';
import { hashPassword, PASSWORD_MAX_LENGTH, passwordProblem, verifyPassword } from '../auth/passwords';
import { createSession, deleteSession, deleteUserSessions } from '../auth/sessions';
import { perform } from './audit';
import type { ActionContext } from './context';
import { ValidationError } from './errors';
import { getSettings } from './settings';
import { parseInput } from './validation';

/** One message for every refusal, so it never tells which part was wrong. */
export const SIGN_IN_FAILED = 'The email address or password is incorrect.';

const credentialsSchema = z.object({
  email: z.string().trim().min(1, 'Enter your email address.').max(254, SIGN_IN_FAILED),
  password: z
    .string()
    .min(1, 'Enter your password.')
    .max(PASSWORD_MAX_LENGTH * 4, SIGN_IN_FAILED),
});

export type SignInResult = { ok: true; token: string; userId: string } | { ok: false };

type SignInCandidate = {
  password_hash: string | null;
  deactivated_at: Date | null;
  access_expires_at: Date | null;
  locked_until: Date | null;
};

/** Why a sign-in is refused (for the audit trail only), or null when it may proceed. */
function refusalOf(user: SignInCandidate | undefined, passwordOk: boolean, now: Date): string | null {
  if (!user) return 'unknown email';
  if (!user.password_hash) return 'password not set';
  if (!passwordOk) return 'wrong password';
  if (user.deactivated_at) return 'deactivated';
  if (user.access_expires_at && user.access_expires_at <= now) return 'access expired';
  if (user.locked_until && user.locked_until > now) return 'locked';
  return null;
}

/**
 * Checks the password (against a dummy hash for an unknown email, so every refusal costs the
 * same) and opens a new session, ending the one the browser had. The user is judged again on
 * its locked row inside the transaction, so a deactivation or password change that lands during
 * the hash cannot be slipped past. Success and failure are both audited.
 */
export async function signIn(
  ctx: ActionContext,
  input: { email?: unknown; password?: unknown; previousSessionId?: string | null },
): Promise<SignInResult> {
  const { email, password } = parseInput(credentialsSchema, input);
  const found = await ctx.db
    .selectFrom('users')
    .select(['id', 'password_hash'])
    .where('email', '=', email)
    .executeTakeFirst();
  const passwordOk = await verifyPassword(found?.password_hash ?? null, password);
  const now = ctx.clock.now();
  return perform<SignInResult>(ctx, { action: 'auth.sign_in', permission: null }, async (tx) => {
    const user = found
      ? await tx
          .selectFrom('users')
          .select(['id', 'email', 'password_hash', 'deactivated_at', 'access_expires_at', 'locked_until'])
          .where('id', '=', found.id)
          .forUpdate()
          .executeTakeFirst()
      : undefined;
    const unchanged = user?.password_hash === found?.password_hash;
    const refusal = refusalOf(user, passwordOk && unchanged, now);
    if (!user || refusal) {
      if (user && refusal === 'wrong password') {
        await tx
          .updateTable('users')
          .set((eb) => ({ failed_login_count: eb('failed_login_count', '+', 1) }))
          .where('id', '=', user.id)
          .execute();
      }
      return {
        result: { ok: false },
        outcome: 'failed',
        actor: { id: null, label: email },
        target: user ? { type: 'user', id: user.id, label: user.email } : null,
        projectId: null,
        reason: refusal,
      };
    }
    if (input.previousSessionId) await deleteSession(tx, input.previousSessionId);
    const settings = await getSettings(tx);
    const token = await createSession(tx, {
      userId: user.id,
      now,
      settings,
      ip: ctx.meta.ip,
      userAgent: ctx.meta.userAgent,
    });
    await tx
      .updateTable('users')
      .set({ last_login_at: now, failed_login_count: 0 })
      .where('id', '=', user.id)
      .execute();
    return {
      result: { ok: true, token, userId: user.id },
      actor: { id: user.id, label: user.email },
      target: { type: 'user', id: user.id, label: user.email },
      projectId: null,
    };
  });
}

/** Ends the session on the server; the cookie alone is worth nothing afterwards. */
export async function signOut(ctx: ActionContext, sessionId: string): Promise<void> {
  await perform(ctx, { action: 'auth.sign_out', permission: null }, async (tx) => {
    await deleteSession(tx, sessionId);
    const target =
      ctx.actor.kind === 'user' ? { type: 'user', id: ctx.actor.id, label: ctx.actor.email } : null;
    return { result: undefined, target, projectId: null };
  });
}

export interface SetPasswordTarget {
  email: string;
  name: string;
  minLength: number;
}

/** Who the link is for, while it is usable; null for an unknown, used or expired link. */
export async function describeSetPasswordLink(
  ctx: ActionContext,
  token: string,
): Promise<SetPasswordTarget | null> {
  const found = await findUsableToken(ctx.db, token, 'set_password', ctx.clock.now());
  if (!found) return null;
  const user = await ctx.db
    .selectFrom('users')
    .select(['email', 'name'])
    .where('id', '=', found.userId)
    .executeTakeFirstOrThrow();
  const settings = await getSettings(ctx.db);
  return { ...user, minLength: settings.password_min_length };
}

export class LinkNotUsableError extends Error {
  override name = 'LinkNotUsableError';
}

/**
 * Sets the password behind a one-time link. The link is consumed in the same transaction; every
 * session of the user ends; the user is not signed in automatically.
 */
export async function setPasswordWithLink(
  ctx: ActionContext,
  input: { token: string; password?: unknown; confirm?: unknown },
): Promise<void> {
  const target = await describeSetPasswordLink(ctx, input.token);
  if (!target) throw new LinkNotUsableError('This link is no longer valid.');
  const { password, confirm } = parseInput(
    z.object({ password: z.string().min(1, 'Enter a new password.'), confirm: z.string() }),
    input,
  );
  const problem = passwordProblem({ password, ...target });
  if (problem) throw new ValidationError({ password: problem });
  if (confirm !== password) throw new ValidationError({ confirm: 'The two passwords do not match.' });
  const passwordHash = await hashPassword(password);
  const now = ctx.clock.now();
  await perform(ctx, { action: 'user.password_set', permission: null }, async (tx) => {
    const used = await consumeToken(tx, input.token, 'set_password', now);
    if (!used) throw new LinkNotUsableError('This link is no longer valid.');
    await tx
      .updateTable('users')
      .set({ password_hash: passwordHash, password_changed_at: now, failed_login_count: 0 })
      .where('id', '=', used.userId)
      .execute();
    const endedSessions = await deleteUserSessions(tx, used.userId);
    return {
      result: undefined,
      actor: { id: used.userId, label: target.email },
      target: { type: 'user', id: used.userId, label: target.email },
      projectId: null,
      after: { password: 'set', endedSessions },
    };
  });
}
