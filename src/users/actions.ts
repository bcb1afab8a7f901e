import { z } from 'zod';
import { rolePermissions } from '../access/grants';
import { assertAccountManagerRemains, assertCanGrant, assertNotSelf, assertOutranks } from '../access/rules';
import { getSettings } from '../account/read-settings';
import { perform, userTarget } from '../audit/perform';
import { notifyUser } from '../auth/notices';
import { deleteUserSessions } from '../auth/sessions/sessions';
import { clearFactors } from '../auth/two-factor/enrolment';
import type { ActionContext } from '../core/context';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors';
import { emailSchema, isUniqueViolation, nameSchema, parseInput } from '../core/validation';
import type { Db } from '../db/connect';
import type { AccountSettings, User } from '../db/schema';
import { revokeInvitationsBy } from '../invitations/validity';
import { passwordResetMail, setPasswordMail } from '../mail/templates';
import { setPasswordLink } from './accounts';

/** One status per user, in this priority (architecture.md). */
export type UserStatus = 'Deactivated' | 'Access expired' | 'Locked' | 'Password not set' | 'Active';

export function userStatus(
  user: Pick<User, 'deactivated_at' | 'access_expires_at' | 'locked_until' | 'password_hash'>,
  now: Date,
): UserStatus {
  if (user.deactivated_at) return 'Deactivated';
  if (user.access_expires_at && user.access_expires_at <= now) return 'Access expired';
  if (user.locked_until && user.locked_until > now) return 'Locked';
  if (!user.password_hash) return 'Password not set';
  return 'Active';
}

export { LANGUAGES } from '../i18n/messages';

/** The target of an action on a person: not yourself, and someone you outrank. */
async function targetForUpdate(tx: Db, ctx: ActionContext, id: string, what: string) {
  const user = z.uuid().safeParse(id).success
    ? await tx.selectFrom('users').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
    : undefined;
  if (!user) throw new NotFoundError('There is no such user.');
  assertNotSelf(ctx.actor, [user.id], what);
  await assertOutranks(tx, ctx, [user.id]);
  return user;
}

/** Emails the link (sent after the commit), and returns it when the account allows sending it by hand. */
async function sendLink(
  ctx: ActionContext,
  mail: typeof setPasswordMail,
  done: {
    user: { id: string; email: string; name: string };
    link: { link: string; expiresAt: Date };
    settings: AccountSettings;
  },
): Promise<LinkResult> {
  await ctx.mailer.send(
    await mail({
      to: done.user.email,
      name: done.user.name,
      accountName: done.settings.account_name,
      ...done.link,
    }),
  );
  return { userId: done.user.id, manualLink: done.settings.allow_manual_links ? done.link.link : null };
}

export interface LinkResult {
  userId: string;
  /** Shown to the admin only when the account allows sending it by other means. */
  manualLink: string | null;
}

const createSchema = z.object({
  name: nameSchema,
  email: emailSchema,
  roleId: z.string().min(1, 'Choose a role.'),
});

/**
 * Creates a user without a password, bound to a role in the current project, and emails them a
 * link to set one (valid for the invitation lifetime). They show "Password not set" until then.
 */
export async function createUser(
  ctx: ActionContext,
  projectId: string,
  input: { name?: unknown; email?: unknown; roleId?: unknown },
): Promise<LinkResult> {
  const data = parseInput(createSchema, input);
  const now = ctx.clock.now();
  try {
    const created = await perform(ctx, 'user.create', async (tx) => {
      const role = z.uuid().safeParse(data.roleId).success
        ? await tx.selectFrom('roles').selectAll().where('id', '=', data.roleId).executeTakeFirst()
        : undefined;
      if (!role) throw new ValidationError({ roleId: 'Choose a role from the list.' });
      await assertCanGrant(tx, ctx, {
        permissions: rolePermissions(role),
        projectId,
        permission: 'users.manage',
        expiresAt: null,
      });
      const existing = await tx
        .selectFrom('users')
        .select('id')
        .where('email', '=', data.email)
        .executeTakeFirst();
      if (existing)
        throw new ValidationError({ email: `A user with the email ${data.email} already exists.` });
      const createdBy = ctx.actor.kind === 'user' ? ctx.actor.id : null;
      const user = await tx
        .insertInto('users')
        .values({ name: data.name, email: data.email, created_at: now, created_by: createdBy })
        .returning(['id', 'email', 'name'])
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('role_bindings')
        .values({
          user_id: user.id,
          role_id: role.id,
          project_id: projectId,
          created_at: now,
          created_by: createdBy,
        })
        .execute();
      const settings = await getSettings(tx);
      const link = await setPasswordLink(tx, ctx, user.id, settings.invitation_lifetime_hours * 3_600_000);
      return {
        result: { user, link, settings },
        target: userTarget(user),
        projectId,
        after: {
          name: user.name,
          email: user.email,
          role: role.name,
          project: projectId,
          manualLinkShown: settings.allow_manual_links,
        },
      };
    });
    // Sent after the commit: a failed send leaves the user, whom "Resend" reaches later.
    return await sendLink(ctx, setPasswordMail, created);
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ValidationError({ email: `A user with the email ${data.email} already exists.` });
    throw error;
  }
}

/** Deactivation: sessions end at once and sign-in is refused until reactivated. */
export async function deactivateUser(ctx: ActionContext, id: string) {
  await perform(ctx, 'user.deactivate', async (tx) => {
    const user = await targetForUpdate(tx, ctx, id, 'your own account this way');
    if (user.deactivated_at) throw new ConflictError(`${user.email} is already deactivated.`);
    await tx.updateTable('users').set({ deactivated_at: ctx.clock.now() }).where('id', '=', id).execute();
    const endedSessions = await deleteUserSessions(tx, id);
    await assertAccountManagerRemains(tx);
    return {
      result: undefined,
      target: userTarget(user),
      before: { status: 'active' },
      after: { status: 'deactivated', endedSessions },
    };
  });
}

export async function reactivateUser(ctx: ActionContext, id: string) {
  await perform(ctx, 'user.reactivate', async (tx) => {
    const user = await targetForUpdate(tx, ctx, id, 'your own account this way');
    if (!user.deactivated_at) throw new ConflictError(`${user.email} is not deactivated.`);
    await tx.updateTable('users').set({ deactivated_at: null }).where('id', '=', id).execute();
    return {
      result: undefined,
      target: userTarget(user),
      before: { status: 'deactivated' },
      after: { status: 'active' },
    };
  });
}

/** Final: the user, their bindings, sessions, links and team memberships go. */
export async function deleteUser(ctx: ActionContext, id: string) {
  await perform(ctx, 'user.delete', async (tx) => {
    const user = await targetForUpdate(tx, ctx, id, 'your own account this way');
    await revokeInvitationsBy(tx, ctx, id);
    await tx.deleteFrom('users').where('id', '=', id).execute();
    await assertAccountManagerRemains(tx);
    return { result: undefined, target: userTarget(user), before: { name: user.name, email: user.email } };
  });
}

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
  const user = await perform(ctx, 'user.two_factor_reset', async (tx) => {
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
    const endedSessions = await deleteUserSessions(tx, id);
    return {
      result: user,
      target: userTarget(user),
      before: { twoFactor: 'on' },
      after: { twoFactor: 'off', endedSessions },
      reason,
    };
  });
  await notifyUser(ctx, 'twoFactorReset', user);
}

export async function signOutEverywhere(ctx: ActionContext, id: string): Promise<number> {
  return perform(ctx, 'user.sign_out_everywhere', async (tx) => {
    const user = await targetForUpdate(tx, ctx, id, 'your own sessions here (use sign out)');
    const ended = await deleteUserSessions(tx, id);
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
    const settings = await getSettings(tx);
    await tx
      .updateTable('users')
      .set({ password_hash: null, password_changed_at: ctx.clock.now() })
      .where('id', '=', id)
      .execute();
    const endedSessions = await deleteUserSessions(tx, id);
    const link = await setPasswordLink(tx, ctx, user.id, settings.reset_lifetime_minutes * 60_000);
    // A manager without a password no longer counts: the account must keep another.
    await assertAccountManagerRemains(tx);
    return {
      result: { user, link, settings },
      target: userTarget(user),
      after: { password: 'reset', endedSessions, manualLinkShown: settings.allow_manual_links },
    };
  });
  return sendLink(ctx, passwordResetMail, done);
}

/** A new set-password link for someone who has not set one yet; the old link stops working. */
export async function resendSetPassword(ctx: ActionContext, id: string): Promise<LinkResult> {
  const done = await perform(ctx, 'user.set_password_resent', async (tx) => {
    const user = await targetForUpdate(tx, ctx, id, 'your own password here');
    if (user.password_hash)
      throw new ConflictError(`${user.email} has already set a password; reset it instead.`);
    const settings = await getSettings(tx);
    const link = await setPasswordLink(tx, ctx, user.id, settings.invitation_lifetime_hours * 3_600_000);
    return {
      result: { user, link, settings },
      target: userTarget(user),
      after: { manualLinkShown: settings.allow_manual_links },
    };
  });
  return sendLink(ctx, setPasswordMail, done);
}

/** How many people "Reset all passwords" would reach: every active user but the actor. */
export async function resetAllCount(db: Db, actorId: string): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('deactivated_at', 'is', null)
    .where('id', '<>', actorId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Account action (reference 003): every password but the actor's stops working, every session
 * but the actor's ends, and each person is emailed a link to choose a new password.
 */
export async function resetAllPasswords(ctx: ActionContext): Promise<number> {
  if (ctx.actor.kind !== 'user')
    throw new ConflictError('Reset all passwords is an action for a signed-in administrator.');
  const actorId = ctx.actor.id;
  const done = await perform(ctx, 'account.reset_all_passwords', async (tx) => {
    const settings = await getSettings(tx);
    const users = await tx
      .selectFrom('users')
      .select(['id', 'email', 'name'])
      .where('deactivated_at', 'is', null)
      .where('id', '<>', actorId)
      .execute();
    const now = ctx.clock.now();
    await tx
      .updateTable('users')
      .set({ password_hash: null, password_changed_at: now })
      .where('deactivated_at', 'is', null)
      .where('id', '<>', actorId)
      .execute();
    await tx.deleteFrom('sessions').where('user_id', '<>', actorId).execute();
    const mails = [];
    for (const user of users) {
      const link = await setPasswordLink(tx, ctx, user.id, settings.reset_lifetime_minutes * 60_000);
      mails.push({ user, link });
    }
    await assertAccountManagerRemains(tx);
    return {
      result: { mails, settings },
      target: { type: 'account', id: '1', label: settings.account_name },
      projectId: null,
      after: { passwordsReset: users.length },
    };
  });
  for (const { user, link } of done.mails) {
    await ctx.mailer.send(
      await passwordResetMail({
        to: user.email,
        name: user.name,
        accountName: done.settings.account_name,
        ...link,
      }),
    );
  }
  return done.mails.length;
}
