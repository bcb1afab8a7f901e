import { userActor, userTarget, writeAudit } from '../../audit/write';
import type { ActionContext } from '../../core/context';
import type { Db } from '../../db/connect';
import { notifyUser } from '../notices';
import { hashRecoveryCode } from './recovery-codes';
import { decryptSecret } from './secret-box';
import { verifyTotp } from './totp';

/** 5 wrong codes in a row block further tries for 15 minutes: a 6-digit code cannot be guessed in time. */
const CODE_ATTEMPTS = 5;
const CODE_BLOCK_MINUTES = 15;

export interface FactorHolder {
  id: string;
  totp_secret: string | null;
  totp_last_step: number | null;
  totp_failed_count: number;
  totp_blocked_until: Date | null;
}

export type CodeCheck =
  | { ok: true; method: 'totp' | 'recovery'; codesLeft: number }
  | { ok: false; blockedUntil: Date | null };

/**
 * Checks an authenticator code, or else a recovery code, for a user whose row the caller has
 * locked. A TOTP step is accepted once; a recovery code is spent. Wrong codes are counted on the
 * user (not the session, which the password alone can renew) and the fifth blocks the step.
 * The caller must commit a failure too: the count is the point.
 */
async function checkSecondFactor(
  tx: Db,
  ctx: ActionContext,
  user: FactorHolder,
  code: string,
): Promise<CodeCheck> {
  const now = ctx.clock.now();
  if (user.totp_blocked_until && user.totp_blocked_until > now)
    return { ok: false, blockedUntil: user.totp_blocked_until };
  const typed = code.trim();
  let method: 'totp' | 'recovery' | null = null;
  if (user.totp_secret && /^[0-9\s]{6,9}$/.test(typed)) {
    const step = verifyTotp(
      decryptSecret(ctx.config.secretKey, user.totp_secret),
      typed,
      now,
      user.totp_last_step,
    );
    if (step !== null) {
      await tx.updateTable('users').set({ totp_last_step: step }).where('id', '=', user.id).execute();
      method = 'totp';
    }
  } else if (typed.length >= 16 && typed.length <= 40) {
    const spent = await tx
      .updateTable('recovery_codes')
      .set({ used_at: now })
      .where('user_id', '=', user.id)
      .where('code_hash', '=', hashRecoveryCode(typed))
      .where('used_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (spent) method = 'recovery';
  }
  if (method) {
    await tx
      .updateTable('users')
      .set({ totp_failed_count: 0, totp_blocked_until: null })
      .where('id', '=', user.id)
      .execute();
    return { ok: true, method, codesLeft: await recoveryCodesLeft(tx, user.id) };
  }
  const failures = user.totp_failed_count + 1;
  const blockedUntil =
    failures >= CODE_ATTEMPTS ? new Date(now.getTime() + CODE_BLOCK_MINUTES * 60_000) : null;
  await tx
    .updateTable('users')
    .set({ totp_failed_count: blockedUntil ? 0 : failures, totp_blocked_until: blockedUntil })
    .where('id', '=', user.id)
    .execute();
  return { ok: false, blockedUntil };
}

export async function recoveryCodesLeft(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The columns checkSecondFactor needs, for a select. */
const FACTOR_COLUMNS = ['totp_secret', 'totp_last_step', 'totp_failed_count', 'totp_blocked_until'] as const;

/** The columns checkSecondFactor needs, and what a notice to the user needs. */
const PROOF_COLUMNS = ['id', 'email', 'name', 'language', ...FACTOR_COLUMNS] as const;

type CodeHolder = FactorHolder & { email: string; name: string; language: string };

export type Proof =
  | { ok: true; user: CodeHolder; method: 'totp' | 'recovery'; codesLeft: number }
  | { ok: false; user: CodeHolder; blockedUntil: Date | null; reason: string };

/**
 * The code step that sign-in and password links share: locks the user's row, checks the code,
 * and audits a spent recovery code as an event of its own in the same transaction.
 * A failed proof must be committed too, as a failed event with its `reason`.
 */
export async function proveSecondFactor(
  tx: Db,
  ctx: ActionContext,
  userId: string,
  code: string,
  context: { for?: string } = {},
): Promise<Proof> {
  const user = await tx
    .selectFrom('users')
    .select(PROOF_COLUMNS)
    .where('id', '=', userId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const check = await checkSecondFactor(tx, ctx, user, code);
  if (!check.ok) {
    const reason = check.blockedUntil ? `code step blocked for ${CODE_BLOCK_MINUTES} minutes` : 'wrong code';
    return { ok: false, user, blockedUntil: check.blockedUntil, reason };
  }
  if (check.method === 'recovery') {
    await writeAudit(tx, ctx, {
      action: 'auth.recovery_code_used',
      outcome: 'success',
      actor: userActor(user),
      target: userTarget(user),
      after: { codesLeft: check.codesLeft, ...context },
    });
    // The owner of a spent recovery code is told, with how many are left.
    await notifyUser(tx, ctx, 'recoveryCodeUsed', user, { codesLeft: check.codesLeft });
  }
  return { ok: true, user, method: check.method, codesLeft: check.codesLeft };
}
