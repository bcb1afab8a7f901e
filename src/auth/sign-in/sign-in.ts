import { z } from 'zod';
import { getSettings } from '../../account/read-settings';
import type { AuditAction } from '../../audit/actions';
import { perform } from '../../audit/perform';
import { userActor, userTarget, writeAudit } from '../../audit/write';
import type { ActionContext } from '../../core/context';
import { RateLimitedError } from '../../core/errors';
import { parseInput } from '../../core/validation';
import { mayBreakGlass, requiredSsoFor } from '../../sso/required';
import { PASSWORD_MAX_LENGTH, verifyPassword } from '../passwords/hashing';
import { usableHash } from '../passwords/reset-epoch';
import { createSession, deleteSession } from '../sessions/sessions';
import { type Proof, proveSecondFactor } from '../two-factor/code-step';
import { addressOf, clearFailures, countWrongPassword, lockFor } from './lockout';
import { type Bucket, SIGN_IN_PER_IP, takeToken } from './rate-limit';
import { countRefusal } from './refusal-counts';

/** One message for every refusal, so it never tells which part was wrong. */
export const SIGN_IN_FAILED = 'The email address or password is incorrect.';

const credentialsSchema = z.object({
  email: z.string().trim().min(1, 'Enter your email address.').max(254, SIGN_IN_FAILED),
  password: z
    .string()
    .min(1, 'Enter your password.')
    .max(PASSWORD_MAX_LENGTH * 4, SIGN_IN_FAILED),
});

export type SignInResult =
  | {
      ok: true;
      token: string;
      userId: string;
      email: string;
      needsCode: boolean;
      /** No second factor yet where the account or an admin requires one: enrolment comes first. */
      mustEnrol: boolean;
    }
  | {
      ok: false;
      /** The address's provider requires single sign-on: its name, to send the person there. */
      ssoRequired?: string;
    };

/** The application whose sign-in form this is (the OpenID provider's interaction), if any. */
export type SignInApplication = { id: string; name: string; clientId: string };

type SignInCandidate = {
  password_hash: string | null;
  deactivated_at: Date | null;
  access_expires_at: Date | null;
};

/** Why a sign-in is refused (for the audit trail only), or null when it may proceed. */
function refusalOf(
  user: SignInCandidate | undefined,
  lock: 'account' | 'address' | null,
  passwordOk: boolean,
  now: Date,
): string | null {
  if (!user) return 'unknown email';
  if (!user.password_hash) return 'password not set';
  // Checked before the password: tries during a lock neither count nor reveal a right guess.
  if (lock === 'account') return 'locked';
  if (lock === 'address') return 'locked for this address';
  if (!passwordOk) return 'wrong password';
  if (user.deactivated_at) return 'deactivated';
  if (user.access_expires_at && user.access_expires_at <= now) return 'access expired';
  return null;
}

/**
 * Spends a token of a per-client bucket; when it is empty the attempt is refused before any
 * password is hashed, and counted for the audit trail (one event per address and window).
 */
export async function spendOrRefuse(
  ctx: ActionContext,
  bucket: Bucket,
  subject: string,
  event: { action: AuditAction },
): Promise<void> {
  const now = ctx.clock.now();
  const take = await takeToken(ctx.db, bucket, subject, now);
  if (take.allowed) return;
  await countRefusal(ctx.db, { action: event.action, subject, bucket, now });
  throw new RateLimitedError(take.retryAfter);
}

const LOCK_FIELDS = [
  'id',
  'email',
  'name',
  'language',
  'failed_login_count',
  'lockout_count',
  'locked_until',
] as const;

/**
 * Checks the password (against a dummy hash for an unknown email, so every refusal costs the
 * same) and opens a new session, ending the one the browser had. The user is judged again on
 * its locked row inside the transaction, so a deactivation or password change that lands during
 * the hash cannot be slipped past. A user with 2FA gets a short session that can only take the
 * code (`needsCode`). Success, failure and a lock are all audited.
 */
export async function signIn(
  ctx: ActionContext,
  input: {
    email?: unknown;
    password?: unknown;
    previousSessionId?: string | null;
    application?: SignInApplication | null;
  },
): Promise<SignInResult> {
  const { email, password } = parseInput(credentialsSchema, input);
  await spendOrRefuse(ctx, SIGN_IN_PER_IP, ctx.meta.ip ?? 'unknown', { action: 'auth.sign_in' });
  const found = await ctx.db
    .selectFrom('users')
    .select(['id', usableHash('users').as('password_hash')])
    .where('email', '=', email)
    .executeTakeFirst();
  const passwordOk = await verifyPassword(found?.password_hash ?? null, password);
  const now = ctx.clock.now();
  const done = await perform(ctx, 'auth.sign_in', async (tx) => {
    const user = found
      ? await tx
          .selectFrom('users')
          .select([
            ...LOCK_FIELDS,
            usableHash('users').as('password_hash'),
            'deactivated_at',
            'access_expires_at',
            'totp_secret',
            'must_enrol_two_factor',
          ])
          .where('id', '=', found.id)
          .forUpdate()
          .executeTakeFirst()
      : undefined;
    const unchanged = user?.password_hash === found?.password_hash;
    const address = addressOf(ctx);
    const lock = user ? await lockFor(tx, user, address, now) : null;
    let refusal = refusalOf(user, lock, passwordOk && unchanged, now);
    const settings = await getSettings(tx);
    // Where the address's provider requires single sign-on, a password opens nothing, right or
    // wrong (so the answer tells nothing about it), except an Account Admin's with 2FA:
    // break-glass (sso/required.ts). One answer for every refusal here, so it does not tell
    // which addresses may break glass either.
    const sso = user ? await requiredSsoFor(tx, user.email) : null;
    const breakGlass = Boolean(
      sso && user?.totp_secret && (await mayBreakGlass(tx, (user as { id: string }).id, now)),
    );
    if (sso && !breakGlass) refusal = 'single sign-on required';
    if (!user || refusal) {
      const locked =
        user && refusal === 'wrong password' ? await countWrongPassword(tx, ctx, user, settings) : null;
      return {
        result: {
          signIn: (sso ? { ok: false, ssoRequired: sso.name } : { ok: false }) as SignInResult,
          locked: user && locked ? { user, ...locked } : null,
        },
        outcome: 'failed',
        actor: { id: null, label: email },
        target: user ? userTarget(user) : null,
        projectId: null,
        reason: refusal,
      };
    }
    if (sso && breakGlass)
      await writeAudit(tx, ctx, {
        action: 'sso.break_glass',
        outcome: 'success',
        actor: userActor(user),
        target: userTarget(user),
        projectId: null,
        reason: `single sign-on through ${sso.name} is required for this address`,
      });
    if (input.previousSessionId) await deleteSession(tx, input.previousSessionId);
    const needsCode = user.totp_secret !== null;
    const token = await createSession(tx, {
      userId: user.id,
      now,
      settings,
      ip: ctx.meta.ip,
      userAgent: ctx.meta.userAgent,
      authenticated: !needsCode,
    });
    await clearFailures(tx, user.id, address, needsCode ? {} : { last_login_at: now });
    const mustEnrol = !needsCode && (settings.require_two_factor || user.must_enrol_two_factor);
    // Signed in, through an application's form and with nothing more to do: this one event
    // records the sign-in and the application reached (otherwise the application's own event
    // comes when the person reaches it, oidc/interaction-routes.ts).
    const app = needsCode || mustEnrol ? null : (input.application ?? null);
    return {
      result: {
        signIn: { ok: true, token, userId: user.id, email: user.email, needsCode, mustEnrol } as SignInResult,
        locked: null,
      },
      actor: userActor(user),
      target: app ? { type: 'application', id: app.id, label: app.name } : userTarget(user),
      projectId: null,
      after: needsCode
        ? { secondFactor: 'pending' }
        : app
          ? { application: app.name, clientId: app.clientId, secondFactor: false }
          : undefined,
    };
  });
  return done.signIn;
}

export type CodeResult =
  | { ok: true; token: string; method: 'totp' | 'recovery'; codesLeft: number }
  | { ok: false; blockedUntil: Date | null; sessionGone?: boolean };

/**
 * The second step: an authenticator or recovery code for the session the password opened. On
 * success that session is replaced by a full one (a new id for the new privilege); a recovery
 * code is audited on its own and the user emailed. Wrong codes count on the user (5 block the
 * step for 15 minutes, for every session).
 */
export async function signInWithCode(
  ctx: ActionContext,
  input: { sessionId: string; code?: unknown },
): Promise<CodeResult> {
  const code = typeof input.code === 'string' ? input.code.slice(0, 64) : '';
  const now = ctx.clock.now();
  return perform<CodeResult>(ctx, 'auth.sign_in_code', async (tx) => {
    const session = await tx
      .selectFrom('sessions')
      .select(['id', 'user_id', 'project_id', 'expires_at'])
      .where('id', '=', input.sessionId)
      .where('two_factor_verified', '=', false)
      .forUpdate()
      .executeTakeFirst();
    if (!session || session.expires_at <= now) {
      return {
        result: { ok: false, blockedUntil: null, sessionGone: true } as CodeResult,
        outcome: 'failed',
        actor: { id: null, label: 'anonymous' },
        projectId: null,
        reason: 'no session waiting for a code',
      };
    }
    const proof: Proof = await proveSecondFactor(tx, ctx, session.user_id, code);
    const { user } = proof;
    const who = { actor: userActor(user), target: userTarget(user), projectId: null };
    if (!proof.ok) {
      const result: CodeResult = { ok: false, blockedUntil: proof.blockedUntil };
      return { ...who, result, outcome: 'failed', reason: proof.reason };
    }
    await deleteSession(tx, session.id);
    const token = await createSession(tx, {
      userId: user.id,
      now,
      settings: await getSettings(tx),
      ip: ctx.meta.ip,
      userAgent: ctx.meta.userAgent,
      projectId: session.project_id,
      twoFactorVerified: true,
    });
    await tx.updateTable('users').set({ last_login_at: now }).where('id', '=', user.id).execute();
    const signedIn: CodeResult = { ok: true, token, method: proof.method, codesLeft: proof.codesLeft };
    return { ...who, result: signedIn, after: { method: proof.method } };
  });
}

/** Ends the session on the server; the cookie alone is worth nothing afterwards. */
export async function signOut(ctx: ActionContext, sessionId: string): Promise<void> {
  await perform(ctx, 'auth.sign_out', async (tx) => {
    await deleteSession(tx, sessionId);
    const target = ctx.actor.kind === 'user' ? userTarget(ctx.actor) : null;
    return { result: undefined, target, projectId: null };
  });
}
