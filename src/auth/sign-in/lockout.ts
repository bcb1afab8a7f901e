import { userTarget, writeAudit } from '../../audit/write';
import type { ActionContext } from '../../core/context';
import type { Db } from '../../db/connect';
import type { AccountSettings } from '../../db/schema';
import { notifyUser } from '../notices';
import { issueToken } from '../one-time-tokens';

/**
 * Lockout after wrong passwords, designed so that knowing someone's email is not enough to keep
 * them out:
 * - wrong passwords are counted per account and client address; `lockout_threshold` (10) in a
 *   row lock the account for that address only, for `lockout_minutes` doubled with each further
 *   lock of that address, at most a day;
 * - an account-wide lock needs `lockout_account_threshold` (100, the most NIST SP 800-63B
 *   allows) wrong passwords in a row from all addresses together, with the same doubling; its
 *   owner is emailed a single-use link, valid an hour, that ends it (after a code where 2FA is on);
 * - tries while a lock holds are refused before the password is checked: they neither count nor
 *   reveal a right guess. A good password resets that address's count and the account's.
 * The counters live in the database (sign_in_failures, users), so every instance shares them.
 */

/** A lock never lasts longer than a day, however often it doubled. */
const MAX_LOCK_MINUTES = 24 * 60;

export const UNLOCK_LINK_LIFETIME_MS = 60 * 60_000;

/** Where a try comes from: the client address (TRUST_PROXY decides which header says it). */
export const addressOf = (ctx: Pick<ActionContext, 'meta'>) => (ctx.meta.ip ?? 'unknown').slice(0, 100);

export interface LockCandidate {
  id: string;
  email: string;
  name: string;
  language: string;
  failed_login_count: number;
  lockout_count: number;
  locked_until: Date | null;
}

/** Whether a lock keeps this try out: the account's, or the account's for this address. */
export async function lockFor(
  tx: Db,
  user: { id: string; locked_until: Date | null },
  address: string,
  now: Date,
): Promise<'account' | 'address' | null> {
  if (user.locked_until && user.locked_until > now) return 'account';
  const row = await tx
    .selectFrom('sign_in_failures')
    .select('locked_until')
    .where('user_id', '=', user.id)
    .where('ip', '=', address)
    .executeTakeFirst();
  return row?.locked_until && row.locked_until > now ? 'address' : null;
}

const lockMinutes = (settings: AccountSettings, earlierLocks: number) =>
  Math.min(settings.lockout_minutes * 2 ** earlierLocks, MAX_LOCK_MINUTES);

/** A lock that began with this wrong password (its owner is emailed the unlock link). */
export interface AccountLock {
  lockedUntil: Date;
  unlock: { url: string; expiresAt: Date };
}

/**
 * Counts one wrong password for the account and the client's address, on the user's locked row.
 * Each lock that begins is audited; an account-wide one also issues the owner's unlock link,
 * emailed to the owner in this transaction. Returns that account-wide lock, if one began.
 */
export async function countWrongPassword(
  tx: Db,
  ctx: ActionContext,
  user: LockCandidate,
  settings: AccountSettings,
): Promise<AccountLock | null> {
  const now = ctx.clock.now();
  const address = addressOf(ctx);
  const row = await tx
    .insertInto('sign_in_failures')
    .values({ user_id: user.id, ip: address, failed_count: 1, updated_at: now })
    .onConflict((oc) =>
      oc.columns(['user_id', 'ip']).doUpdateSet((eb) => ({
        failed_count: eb('sign_in_failures.failed_count', '+', 1),
        updated_at: now,
      })),
    )
    .returning(['failed_count', 'lockout_count'])
    .executeTakeFirstOrThrow();
  if (row.failed_count >= settings.lockout_threshold) {
    const minutes = lockMinutes(settings, row.lockout_count);
    const lockedUntil = new Date(now.getTime() + minutes * 60_000);
    await tx
      .updateTable('sign_in_failures')
      .set({ failed_count: 0, lockout_count: row.lockout_count + 1, locked_until: lockedUntil })
      .where('user_id', '=', user.id)
      .where('ip', '=', address)
      .execute();
    await writeAudit(tx, ctx, {
      action: 'auth.lockout',
      outcome: 'success',
      actor: { id: null, label: 'system' },
      target: userTarget(user),
      after: {
        scope: 'address',
        address,
        lockedUntil,
        minutes,
        failures: row.failed_count,
        lockout: row.lockout_count + 1,
      },
    });
  }

  const failures = user.failed_login_count + 1;
  if (failures < settings.lockout_account_threshold) {
    await tx.updateTable('users').set({ failed_login_count: failures }).where('id', '=', user.id).execute();
    return null;
  }
  const minutes = lockMinutes(settings, user.lockout_count);
  const lockedUntil = new Date(now.getTime() + minutes * 60_000);
  await tx
    .updateTable('users')
    .set({ failed_login_count: 0, lockout_count: user.lockout_count + 1, locked_until: lockedUntil })
    .where('id', '=', user.id)
    .execute();
  const token = await issueToken(tx, {
    userId: user.id,
    purpose: 'unlock_account',
    now,
    lifetimeMs: UNLOCK_LINK_LIFETIME_MS,
    createdBy: null,
  });
  await writeAudit(tx, ctx, {
    action: 'auth.lockout',
    outcome: 'success',
    actor: { id: null, label: 'system' },
    target: userTarget(user),
    after: { scope: 'account', lockedUntil, minutes, failures, lockout: user.lockout_count + 1 },
  });
  const lock = {
    lockedUntil,
    unlock: {
      url: `${ctx.config.publicUrl}/unlock/${token}`,
      expiresAt: new Date(now.getTime() + UNLOCK_LINK_LIFETIME_MS),
    },
  };
  await notifyUser(tx, ctx, 'accountLocked', user, lock);
  return lock;
}

/** A good password: this address's count and the account's start again. */
export async function clearFailures(
  tx: Db,
  userId: string,
  address: string,
  /** More of the user's row to set in the same statement (a sign-in's last_login_at). */
  also: { last_login_at?: Date } = {},
): Promise<void> {
  // One statement, one round trip: it is on every sign-in's path.
  await tx
    .with('cleared', (db) =>
      db.deleteFrom('sign_in_failures').where('user_id', '=', userId).where('ip', '=', address),
    )
    .updateTable('users')
    .set({ failed_login_count: 0, lockout_count: 0, ...also })
    .where('id', '=', userId)
    .execute();
}

/** Every lock and count of the user ends (a password reset by link, an admin's unlock of all). */
export async function clearAllLocks(tx: Db, userId: string): Promise<void> {
  await tx.deleteFrom('sign_in_failures').where('user_id', '=', userId).execute();
  await tx
    .updateTable('users')
    .set({ failed_login_count: 0, locked_until: null })
    .where('id', '=', userId)
    .execute();
}

/** The locks an admin sees on the user page: the account's, and each address's. */
export async function activeLocks(db: Db, user: { id: string; locked_until: Date | null }, now: Date) {
  const addresses = await db
    .selectFrom('sign_in_failures')
    .select(['ip', 'locked_until'])
    .where('user_id', '=', user.id)
    .where('locked_until', '>', now)
    .orderBy('locked_until', 'desc')
    .limit(50)
    .execute();
  return {
    account: user.locked_until && user.locked_until > now ? user.locked_until : null,
    addresses: addresses.map((a) => ({ address: a.ip, lockedUntil: a.locked_until as Date })),
  };
}
