import { sql } from 'kysely';
import { z } from 'zod';
import { perform } from '../audit/perform';
import { userTarget } from '../audit/write';
import type { ActionContext } from '../core/context';
import { NotFoundError } from '../core/errors';
import type { Db } from '../db/connect';
import { assertMayActOnSubject, resolveAccess } from './binding-resolve';
import { assertAccountManagerRemains, assertCanGrant } from './rules';

/**
 * The user's own bindings in a project replaced by one binding to the role, or by none (account-
 * wide and team bindings stay). The caller has checked that the actor may act on the user; the
 * new role must pass the no-escalation rule here. Shared by "Change role" (one user or many) and
 * the user's edit dialog.
 */
export async function replaceProjectRole(
  tx: Db,
  ctx: ActionContext,
  user: { id: string },
  projectId: string,
  roleId: string | null,
): Promise<{ removed: string[]; roleName: string | null }> {
  const access = roleId === null ? null : await resolveAccess(tx, roleId, []);
  if (access) {
    await assertCanGrant(tx, ctx, {
      permissions: access.permissions,
      projectId,
      permission: 'users.manage',
      expiresAt: null,
    });
  }
  // What the bindings granted, for the audit trail: role names, or the size of a manual set.
  const removed = await tx
    .deleteFrom('role_bindings as b')
    .where('b.user_id', '=', user.id)
    .where('b.project_id', '=', projectId)
    .returning((eb) =>
      eb
        .selectFrom('roles as r')
        .select(sql<string>`r.name::text`.as('label'))
        .whereRef('r.id', '=', 'b.role_id')
        .as('label'),
    )
    .returning(sql<number>`coalesce(cardinality(b.permissions), 0)`.as('manual'))
    .execute();
  if (access) {
    await tx
      .insertInto('role_bindings')
      .values({
        user_id: user.id,
        role_id: access.roleId,
        project_id: projectId,
        created_at: ctx.clock.now(),
        created_by: ctx.actor.kind === 'user' ? ctx.actor.id : null,
      })
      .execute();
  }
  return {
    removed: removed.map((r) => r.label ?? `Manual set (${r.manual})`),
    roleName: access?.roleName ?? null,
  };
}

/**
 * "Change role in the current project": the user's own bindings in that project are replaced by
 * one binding to the role (account-wide and team bindings stay). The rules of createBinding apply.
 */
export async function setProjectRole(
  ctx: ActionContext,
  userId: string,
  projectId: string,
  roleId: string,
): Promise<void> {
  await perform(ctx, 'binding.set_project_role', async (tx) => {
    const user = z.uuid().safeParse(userId).success
      ? await tx.selectFrom('users').select(['id', 'email']).where('id', '=', userId).executeTakeFirst()
      : undefined;
    if (!user) throw new NotFoundError('There is no such user.');
    await assertMayActOnSubject(tx, ctx, {
      type: 'user',
      id: user.id,
      label: user.email,
      userIds: [user.id],
    });
    const { removed, roleName } = await replaceProjectRole(tx, ctx, user, projectId, roleId);
    await assertAccountManagerRemains(tx);
    return {
      result: undefined,
      target: userTarget(user),
      projectId,
      before: { roles: removed },
      after: { role: roleName },
    };
  });
}
