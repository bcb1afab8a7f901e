import { z } from 'zod';
import { getSettings } from '../account/read-settings';
import { perform } from '../audit/perform';
import { userActor, userTarget } from '../audit/write';
import type { ActionContext } from '../core/context';
import { DomainError, ValidationError } from '../core/errors';
import { emailSchema, parseInput } from '../core/validation';
import type { Db } from '../db/connect';
import { isLanguage } from '../i18n/messages';
import { queueMail } from '../mail/outbox';
import { resetLinkMail } from '../mail/security-mails';
import { mayBreakGlass, requiredSsoFor } from '../sso/required';
import { notifyUser } from './notices';
import { consumeToken, findUsableToken, issueToken } from './one-time-tokens';
import { hashPassword, passwordProblem } from './passwords/hashing';
import { deleteUserSessions } from './sessions/sessions';
import { clearAllLocks } from './sign-in/lockout';
import { FORGOT_PER_ADDRESS, FORGOT_PER_IP, takeToken } from './sign-in/rate-limit';
import { spendOrRefuse } from './sign-in/sign-in';
import { proveSecondFactor } from './two-factor/code-step';

/**
 * The emailed one-time links: `set_password` (an admin created the user or reset their
 * password) and `reset_password` (the user asked on the forgot-password page) lead to a new
 * password, end every session and never sign anyone in; `unlock_account` ends an account-wide
 * lock (lockout.ts). Each asks a user with 2FA for a code first.
 */
export type LinkPurpose = 'set_password' | 'reset_password' | 'unlock_account';

export class LinkNotUsableError extends DomainError {
  override name = 'LinkNotUsableError';
}

/** The link's holder has to give a code before the new password (2FA accounts). */
export class CodeFirstError extends DomainError {
  override name = 'CodeFirstError';
}

export interface PasswordLinkTarget {
  email: string;
  name: string;
  minLength: number;
  /** The user has 2FA and this link has not yet been given a code. */
  needsCode: boolean;
}

/** Who the link is for, while it is usable; null for an unknown, used or expired link. */
export async function describePasswordLink(
  ctx: ActionContext,
  token: string,
  purpose: LinkPurpose,
): Promise<PasswordLinkTarget | null> {
  const found = await findUsableToken(ctx.db, token, purpose, ctx.clock.now());
  if (!found) return null;
  const user = await ctx.db
    .selectFrom('users')
    .select(['email', 'name', 'totp_secret'])
    .where('id', '=', found.userId)
    .executeTakeFirstOrThrow();
  const settings = await getSettings(ctx.db);
  return {
    email: user.email,
    name: user.name,
    minLength: settings.password_min_length,
    needsCode: user.totp_secret !== null && found.factorVerifiedAt === null,
  };
}

export type LinkCodeResult = { ok: true } | { ok: false; blockedUntil: Date | null };

/** The code step of a link for a 2FA user: counted and blocked like the sign-in's. */
export async function confirmLinkCode(
  ctx: ActionContext,
  input: { token: string; purpose: LinkPurpose; code?: unknown },
): Promise<LinkCodeResult> {
  const code = typeof input.code === 'string' ? input.code.slice(0, 64) : '';
  if (!code.trim()) throw new ValidationError({ code: 'Enter the code from your authenticator app.' });
  const now = ctx.clock.now();
  return perform<LinkCodeResult>(ctx, 'auth.password_link_code', async (tx) => {
    const found = await findUsableToken(tx, input.token, input.purpose, now);
    if (!found) throw new LinkNotUsableError('This link is no longer valid.');
    const proof = await proveSecondFactor(tx, ctx, found.userId, code, { for: input.purpose });
    const who = { actor: userActor(proof.user), target: userTarget(proof.user), projectId: null };
    if (!proof.ok) {
      const result: LinkCodeResult = { ok: false, blockedUntil: proof.blockedUntil };
      return { ...who, result, outcome: 'failed', reason: proof.reason };
    }
    await tx
      .updateTable('one_time_tokens')
      .set({ factor_verified_at: now })
      .where('id', '=', found.id)
      .execute();
    return {
      ...who,
      result: { ok: true } as LinkCodeResult,
      after: { method: proof.method },
    };
  });
}

/**
 * Consumes the link inside the transaction that acts on it and locks its holder's row. 2FA may
 * have been switched on between the page and the submit: the code step is checked again here.
 */
async function useLink(tx: Db, token: string, purpose: LinkPurpose, now: Date) {
  const used = await consumeToken(tx, token, purpose, now);
  if (!used) throw new LinkNotUsableError('This link is no longer valid.');
  const holder = await tx
    .selectFrom('users')
    .select(['id', 'email', 'name', 'language', 'totp_secret', 'locked_until'])
    .where('id', '=', used.userId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (holder.totp_secret && !used.factorVerifiedAt)
    throw new CodeFirstError('Enter a code from your authenticator app first.');
  return holder;
}

/**
 * Sets the password behind a one-time link. The link is consumed in the same transaction; a
 * lock ends (the holder proved the mailbox, and the code when there is 2FA); every session of
 * the user ends; the user is not signed in automatically. A reset is emailed afterwards.
 */
export async function setPasswordWithLink(
  ctx: ActionContext,
  input: { token: string; purpose?: LinkPurpose; password?: unknown; confirm?: unknown },
): Promise<void> {
  const purpose = input.purpose ?? 'set_password';
  const target = await describePasswordLink(ctx, input.token, purpose);
  if (!target) throw new LinkNotUsableError('This link is no longer valid.');
  if (target.needsCode) throw new CodeFirstError('Enter a code from your authenticator app first.');
  const { password, confirm } = parseInput(
    z.object({ password: z.string().min(1, 'Enter a new password.'), confirm: z.string() }),
    input,
  );
  const problem = passwordProblem({ password, ...target });
  if (problem) throw new ValidationError({ password: problem });
  if (confirm !== password) throw new ValidationError({ confirm: 'The two passwords do not match.' });
  const passwordHash = await hashPassword(password);
  const now = ctx.clock.now();
  const action = purpose === 'reset_password' ? 'auth.password_reset' : 'user.password_set';
  await perform(ctx, action, async (tx) => {
    const holder = await useLink(tx, input.token, purpose, now);
    await tx
      .updateTable('users')
      .set({ password_hash: passwordHash, password_changed_at: now })
      .where('id', '=', holder.id)
      .execute();
    await clearAllLocks(tx, holder.id);
    const endedSessions = await deleteUserSessions(tx, holder.id, null, ctx.jobs);
    if (purpose === 'reset_password') await notifyUser(tx, ctx, 'passwordReset', holder);
    return {
      result: holder,
      actor: userActor(holder),
      target: userTarget(holder),
      projectId: null,
      after: { password: purpose === 'reset_password' ? 'reset' : 'set', endedSessions },
    };
  });
}

/**
 * The owner ends an account-wide lock with the emailed link: used once, after the code where
 * 2FA is on. Locks of single addresses stay (they keep out where the failures came from); the
 * owner still signs in with the password.
 */
export async function unlockWithLink(ctx: ActionContext, token: string): Promise<void> {
  const now = ctx.clock.now();
  await perform(ctx, 'auth.account_unlock', async (tx) => {
    const holder = await useLink(tx, token, 'unlock_account', now);
    await tx
      .updateTable('users')
      .set({ locked_until: null, failed_login_count: 0 })
      .where('id', '=', holder.id)
      .execute();
    return {
      result: undefined,
      actor: userActor(holder),
      target: userTarget(holder),
      projectId: null,
      before: { lockedUntil: holder.locked_until },
      after: { lockedUntil: null },
    };
  });
}

const forgotSchema = z.object({ email: emailSchema });

/**
 * "Forgot your password?": the same answer whatever the address, rate limited per client IP
 * (refused with 429, which says nothing about the address) and per address (quietly: no more
 * mail, same page). A known, active user gets a link valid for the account's reset lifetime;
 * issuing it ends any older one.
 */
export async function requestPasswordReset(ctx: ActionContext, input: { email?: unknown }): Promise<void> {
  const { email } = parseInput(forgotSchema, input);
  const now = ctx.clock.now();
  await spendOrRefuse(ctx, FORGOT_PER_IP, ctx.meta.ip ?? 'unknown', {
    action: 'auth.password_reset_request',
  });
  const perAddress = await takeToken(ctx.db, FORGOT_PER_ADDRESS, email.toLowerCase(), now);
  // Known or unknown, the request only writes this job and answers: the same work, the same time,
  // so the answer's timing does not tell whether the address has an account. The job looks.
  const request: ResetRequest = { email, allowed: perAddress.allowed, at: now.toISOString(), meta: ctx.meta };
  await ctx.db.transaction().execute((tx) => ctx.jobs.enqueue(tx, 'password-reset-request', request));
}

export interface ResetRequest {
  email: string;
  /** Whether the per-address rate limit let it through. */
  allowed: boolean;
  at: string;
  meta: ActionContext['meta'];
}

/**
 * The `password-reset-request` job: an eligible account gets a one-time link by email; any other
 * address gets nothing. Either way the request is audited, with the asker's address and request id.
 */
export async function answerPasswordResetRequest(ctx: ActionContext, request: ResetRequest): Promise<void> {
  const { email } = request;
  const now = new Date(request.at);
  const perAddress = { allowed: request.allowed };
  ctx = { ...ctx, meta: request.meta, actor: { kind: 'anonymous' } };
  await perform(ctx, 'auth.password_reset_request', async (tx) => {
    const user = await tx
      .selectFrom('users')
      .select(['id', 'email', 'name', 'language', 'deactivated_at', 'access_expires_at', 'service_account'])
      .where('email', '=', email)
      .executeTakeFirst();
    const refusal = !perAddress.allowed
      ? 'rate limited (address)'
      : !user
        ? 'unknown email'
        : user.service_account
          ? 'service account (no password)'
          : user.deactivated_at
            ? 'deactivated'
            : user.access_expires_at && user.access_expires_at <= now
              ? 'access expired'
              : (await requiredSsoFor(tx, user.email)) && !(await mayBreakGlass(tx, user.id, now))
                ? 'single sign-on required'
                : null;
    const base = {
      actor: { id: null, label: email },
      target: user ? userTarget(user) : null,
      projectId: null,
    };
    if (!user || refusal) return { ...base, result: null, outcome: 'failed' as const, reason: refusal };
    const settings = await getSettings(tx);
    const lifetimeMs = settings.reset_lifetime_minutes * 60_000;
    const token = await issueToken(tx, {
      userId: user.id,
      purpose: 'reset_password',
      now,
      lifetimeMs,
      createdBy: null,
    });
    const mail = {
      to: user.email,
      name: user.name,
      language: isLanguage(user.language) ? user.language : ('en' as const),
      accountName: settings.account_name,
      link: `${ctx.config.publicUrl}/reset-password/${token}`,
      expiresAt: new Date(now.getTime() + lifetimeMs),
    };
    await queueMail(tx, ctx, await resetLinkMail(mail), { kind: 'password_reset_link', userId: user.id });
    return { ...base, result: null, after: { expiresAt: mail.expiresAt } };
  });
}
