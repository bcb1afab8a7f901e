import { z } from 'zod';
import { type AuditAction, SECURITY_ACTIONS } from '../audit/actions';
import { perform, userTarget } from '../audit/perform';
import { notifyUser } from '../auth/notices';
import {
  hashPassword,
  PASSWORD_MAX_LENGTH,
  passwordProblem,
  verifyPassword,
} from '../auth/passwords/hashing';
import { deleteUserSessions } from '../auth/sessions/sessions';
import { addressOf, clearFailures, countWrongPassword, lockFor } from '../auth/sign-in/lockout';
import { SIGN_IN_PER_IP } from '../auth/sign-in/rate-limit';
import { spendOrRefuse } from '../auth/sign-in/sign-in';
import { recoveryCodesLeft } from '../auth/two-factor/code-step';
import type { ActionContext } from '../core/context';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors';
import { nameSchema, parseInput } from '../core/validation';
import type { Db } from '../db/connect';
import { LANGUAGES } from '../i18n/messages';
import { getSettings } from './read-settings';
import { isTimeZone, zoneOrUtc } from './time-zones';

/** The signed-in user's own account: profile, password, sessions and security events. */

function self(ctx: ActionContext) {
  if (ctx.actor.kind !== 'user') throw new ConflictError('My account is for a signed-in user.');
  return ctx.actor;
}

export interface MyAccount {
  id: string;
  name: string;
  email: string;
  language: string;
  timeZone: string;
  twoFactor: boolean;
  enrolmentStarted: boolean;
  codesLeft: number;
  passwordChangedAt: Date | null;
  requireTwoFactor: boolean;
  minLength: number;
}

export async function myAccount(ctx: ActionContext): Promise<MyAccount> {
  const me = self(ctx);
  const user = await ctx.db
    .selectFrom('users')
    .select([
      'id',
      'name',
      'email',
      'language',
      'time_zone',
      'totp_secret',
      'totp_pending_secret',
      'password_changed_at',
      'must_enrol_two_factor',
    ])
    .where('id', '=', me.id)
    .executeTakeFirstOrThrow();
  const settings = await getSettings(ctx.db);
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    language: user.language,
    timeZone: zoneOrUtc(user.time_zone),
    twoFactor: user.totp_secret !== null,
    enrolmentStarted: user.totp_pending_secret !== null,
    codesLeft: user.totp_secret ? await recoveryCodesLeft(ctx.db, user.id) : 0,
    passwordChangedAt: user.password_changed_at,
    requireTwoFactor: settings.require_two_factor || user.must_enrol_two_factor,
    minLength: settings.password_min_length,
  };
}

const profileSchema = z.object({
  name: nameSchema,
  language: z.enum(Object.keys(LANGUAGES) as [keyof typeof LANGUAGES], {
    error: 'Choose a language from the list.',
  }),
  // Absent from older forms: then unchanged.
  time_zone: z.string().refine(isTimeZone, 'Choose a time zone from the list.').optional(),
});

/** Name, the language of the emails Gatehouse sends you, and the time zone times are shown in. */
export async function updateProfile(
  ctx: ActionContext,
  input: { name?: unknown; language?: unknown; time_zone?: unknown },
): Promise<boolean> {
  const me = self(ctx);
  const { time_zone, ...rest } = parseInput(profileSchema, input);
  const data = { ...rest, ...(time_zone ? { time_zone } : {}) };
  return perform(ctx, 'user.profile_update', async (tx) => {
    const user = await tx
      .selectFrom('users')
      .select(['id', 'email', 'name', 'language', 'time_zone'])
      .where('id', '=', me.id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const before: Record<string, string | null> = {};
    const after: Record<string, string> = {};
    for (const key of ['name', 'language', 'time_zone'] as const) {
      const value = data[key as keyof typeof data];
      if (value !== undefined && user[key] !== value) {
        before[key] = user[key];
        after[key] = value;
      }
    }
    const changed = Object.keys(after).length > 0;
    if (changed) await tx.updateTable('users').set(data).where('id', '=', me.id).execute();
    return { result: changed, target: userTarget(user), projectId: null, before, after };
  });
}

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
  if (done.locked) await notifyUser(ctx, 'accountLocked', done.locked.user, done.locked);
  return done.ok;
}

/**
 * Spends a try from the client's bucket (as a sign-in does) and checks the password; the caller
 * compares `hash` with the locked row, so a change in between counts as wrong.
 */
async function verifyOwnPassword(
  ctx: ActionContext,
  me: { id: string; email: string },
  password: string,
  action: AuditAction,
): Promise<{ ok: boolean; hash: string | null }> {
  await spendOrRefuse(ctx, SIGN_IN_PER_IP, ctx.meta.ip ?? 'unknown', { action });
  const stored = await ctx.db
    .selectFrom('users')
    .select('password_hash')
    .where('id', '=', me.id)
    .executeTakeFirst();
  const hash = stored?.password_hash ?? null;
  return { ok: await verifyPassword(hash, password), hash };
}

/** A locked account proves nothing with its password until the lock ends, as at sign-in. */
const isLocked = async (tx: Db, ctx: ActionContext, user: { id: string; locked_until: Date | null }) =>
  (await lockFor(tx, user, addressOf(ctx), ctx.clock.now())) !== null;

function lockedSelf(tx: Db, id: string) {
  return tx
    .selectFrom('users')
    .select([
      'id',
      'email',
      'name',
      'language',
      'password_hash',
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
    return {
      result: { ended, user, locked: null },
      target,
      projectId: null,
      after: { endedSessions: ended },
    };
  });
  if (done.locked) await notifyUser(ctx, 'accountLocked', done.user, done.locked);
  if (done.ended === null) throw new ValidationError({ current: 'Your current password is not right.' });
  await notifyUser(ctx, 'passwordChanged', done.user);
  return done.ended;
}

export interface MySession {
  id: string;
  browser: string;
  ip: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  current: boolean;
}

export async function mySessions(ctx: ActionContext): Promise<MySession[]> {
  const me = self(ctx);
  const rows = await ctx.db
    .selectFrom('sessions')
    .select(['id', 'user_agent', 'ip', 'created_at', 'last_seen_at'])
    .where('user_id', '=', me.id)
    .where('expires_at', '>', ctx.clock.now())
    .orderBy('last_seen_at', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    browser: describeBrowser(r.user_agent),
    ip: r.ip,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    current: r.id === ctx.sessionId,
  }));
}

/** "Firefox on Linux": enough to recognise a device; the full string is not worth showing. */
function describeBrowser(userAgent: string | null): string {
  if (!userAgent) return 'Unknown browser';
  const browser =
    [
      [/Edg\//, 'Edge'],
      [/OPR\//, 'Opera'],
      [/Firefox\//, 'Firefox'],
      [/Chrome\/|Chromium\//, 'Chrome'],
      [/Safari\//, 'Safari'],
    ].find(([re]) => (re as RegExp).test(userAgent))?.[1] ?? 'Unknown browser';
  const os =
    [
      [/Windows/, 'Windows'],
      [/iPhone|iPad/, 'iOS'],
      [/Android/, 'Android'],
      [/Mac OS X|Macintosh/, 'macOS'],
      [/CrOS/, 'ChromeOS'],
      [/Linux/, 'Linux'],
    ].find(([re]) => (re as RegExp).test(userAgent))?.[1] ?? null;
  return os ? `${browser} on ${os}` : (browser as string);
}

/** Signs out one of your sessions (this one too, if you choose it). */
export async function endMySession(ctx: ActionContext, sessionId: string): Promise<void> {
  const me = self(ctx);
  await perform(ctx, 'user.session_end', async (tx) => {
    const ended = await tx
      .deleteFrom('sessions')
      .where('id', '=', sessionId)
      .where('user_id', '=', me.id)
      .executeTakeFirst();
    if (Number(ended.numDeletedRows) === 0) throw new NotFoundError('There is no such session.');
    return {
      result: undefined,
      target: userTarget(me),
      projectId: null,
      after: { session: sessionId.slice(0, 6) },
    };
  });
}

export async function endOtherSessions(ctx: ActionContext): Promise<number> {
  const me = self(ctx);
  return perform(ctx, 'user.sessions_end_others', async (tx) => {
    const ended = await deleteUserSessions(tx, me.id, ctx.sessionId);
    return { result: ended, target: userTarget(me), projectId: null, after: { endedSessions: ended } };
  });
}

/** Sign-ins, lockouts and changes to your password, 2FA and sessions, newest first. */
export async function mySecurityEvents(ctx: ActionContext, limit = 20) {
  const me = self(ctx);
  return ctx.db
    .selectFrom('audit_events')
    .select(['id', 'occurred_at', 'action', 'outcome', 'ip'])
    .where((eb) =>
      eb.or([
        eb.and([eb('target_type', '=', 'user'), eb('target_id', '=', me.id)]),
        eb.and([eb('actor_id', '=', me.id), eb('action', 'like', 'auth.%')]),
      ]),
    )
    .where('action', 'in', SECURITY_ACTIONS)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
