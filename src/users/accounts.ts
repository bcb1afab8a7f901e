import { z } from 'zod';
import { builtinRoleId } from '../access/grants';
import { perform, userTarget } from '../audit/perform';
import { issueToken } from '../auth/one-time-tokens';
import type { ActionContext } from '../core/context';
import { ConflictError } from '../core/errors';
import { emailSchema, isUniqueViolation, nameSchema, parseInput } from '../core/validation';
import type { Db } from '../db/connect';

const SET_PASSWORD_LIFETIME_MS = 60 * 60 * 1000;

/**
 * A one-time set-password link, built from the public URL. The CLI's first admin, admin-created
 * users and admin resets share the page and the purpose.
 */
export async function setPasswordLink(tx: Db, ctx: ActionContext, userId: string, lifetimeMs: number) {
  const now = ctx.clock.now();
  const token = await issueToken(tx, {
    userId,
    purpose: 'set_password',
    now,
    lifetimeMs,
    createdBy: ctx.actor.kind === 'user' ? ctx.actor.id : null,
  });
  return {
    link: `${ctx.config.publicUrl}/set-password/${token}`,
    expiresAt: new Date(now.getTime() + lifetimeMs),
  };
}

const newAdminSchema = z.object({ email: emailSchema, name: nameSchema });

/**
 * Creates an Account Admin with no password (bound account-wide) and returns a one-time link,
 * valid one hour, to set it. The CLI's way in: there is no default account.
 */
export async function createAccountAdmin(
  ctx: ActionContext,
  input: { email?: unknown; name?: unknown },
): Promise<{ userId: string; link: string; expiresAt: Date }> {
  const { email, name } = parseInput(newAdminSchema, input);
  const now = ctx.clock.now();
  try {
    return await perform(ctx, 'user.create_admin', async (tx) => {
      const existing = await tx
        .selectFrom('users')
        .select('id')
        .where('email', '=', email)
        .executeTakeFirst();
      if (existing) throw new ConflictError(`A user with the email ${email} already exists.`);
      const createdBy = ctx.actor.kind === 'user' ? ctx.actor.id : null;
      const user = await tx
        .insertInto('users')
        .values({ email, name, created_at: now, created_by: createdBy })
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
      const { link, expiresAt } = await setPasswordLink(tx, ctx, user.id, SET_PASSWORD_LIFETIME_MS);
      return {
        result: { userId: user.id, link, expiresAt },
        target: userTarget(user),
        projectId: null,
        after: { email: user.email, name: user.name, role: 'account_admin', scope: 'account' },
      };
    });
  } catch (error) {
    // Two creators racing past the check above meet the unique index instead.
    if (isUniqueViolation(error)) throw new ConflictError(`A user with the email ${email} already exists.`);
    throw error;
  }
}
