import { z } from 'zod';
import { builtinRoleId, rolePermissions } from '../access/grants';
import { assertCanGrant } from '../access/rules';
import { getSettings } from '../account/read-settings';
import { perform } from '../audit/perform';
import { userTarget } from '../audit/write';
import type { ActionContext } from '../core/context';
import { ConflictError, ValidationError } from '../core/errors';
import { emailSchema, isUniqueViolation, nameSchema, parseInput } from '../core/validation';
import type { Db } from '../db/connect';
import { setPasswordMail } from '../mail/templates';
import { type LinkResult, queueLink, setPasswordLink } from './set-password-link';

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
      const sent = await queueLink(tx, ctx, setPasswordMail, 'set_password', { user, link, settings });
      return {
        result: sent,
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
    return created;
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ValidationError({ email: `A user with the email ${data.email} already exists.` });
    throw error;
  }
}

const SET_PASSWORD_LIFETIME_MS = 60 * 60 * 1000;

const newAdminSchema = z.object({ email: emailSchema, name: nameSchema });

type NewAdmin = { id: string; email: string; name: string };

/** How an Account Admin comes to have a password, and what its maker gets back. */
export interface AdminMaking<T> {
  /** The password they chose, checked against the policy and hashed; null: a set-password link. */
  passwordHash: string | null;
  /** Checked first in the transaction, with the account row locked; refuses by throwing. */
  onlyIf?: (tx: Db) => Promise<void>;
  /** Written in the same transaction once the admin exists: the result and what the audit adds. */
  finish: (tx: Db, admin: NewAdmin, now: Date) => Promise<{ result: T; after?: Record<string, unknown> }>;
}

/**
 * The one way an Account Admin is made, bound account-wide, for the CLI's `create-admin` and the
 * first-run setup link (auth/setup/): one `user.create_admin` action, whose line in the table of
 * actions locks the account row first, so `onlyIf` judges "no user yet" against every committed
 * admin and two makers run one after the other.
 */
export async function makeAccountAdmin<T>(
  ctx: ActionContext,
  input: { email?: unknown; name?: unknown },
  making: AdminMaking<T>,
): Promise<T> {
  const { email, name } = parseInput(newAdminSchema, input);
  const now = ctx.clock.now();
  try {
    return await perform(ctx, 'user.create_admin', async (tx) => {
      await making.onlyIf?.(tx);
      const existing = await tx
        .selectFrom('users')
        .select('id')
        .where('email', '=', email)
        .executeTakeFirst();
      if (existing) throw new ConflictError(`A user with the email ${email} already exists.`);
      const createdBy = ctx.actor.kind === 'user' ? ctx.actor.id : null;
      const password = making.passwordHash
        ? { password_hash: making.passwordHash, password_changed_at: now }
        : {};
      const user = await tx
        .insertInto('users')
        .values({ email, name, created_at: now, created_by: createdBy, ...password })
        .returning(['id', 'email', 'name'])
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('role_bindings')
        .values({
          user_id: user.id,
          role_id: await builtinRoleId(tx, 'account_admin'),
          project_id: null,
          created_at: now,
          created_by: createdBy,
        })
        .execute();
      const done = await making.finish(tx, user, now);
      return {
        result: done.result,
        target: userTarget(user),
        projectId: null,
        after: { email: user.email, name: user.name, role: 'account_admin', scope: 'account', ...done.after },
      };
    });
  } catch (error) {
    // Two creators racing past the check above meet the unique index instead.
    if (isUniqueViolation(error)) throw new ConflictError(`A user with the email ${email} already exists.`);
    throw error;
  }
}

/**
 * Creates an Account Admin with no password (bound account-wide) and returns a one-time link,
 * valid one hour, to set it. The CLI's way in, for automation.
 */
export async function createAccountAdmin(
  ctx: ActionContext,
  input: { email?: unknown; name?: unknown },
): Promise<{ userId: string; link: string; expiresAt: Date }> {
  return makeAccountAdmin(ctx, input, {
    passwordHash: null,
    finish: async (tx, admin) => {
      const { link, expiresAt } = await setPasswordLink(tx, ctx, admin.id, SET_PASSWORD_LIFETIME_MS);
      return { result: { userId: admin.id, link, expiresAt } };
    },
  });
}
