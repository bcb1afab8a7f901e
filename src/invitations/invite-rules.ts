import { actorGrantsOf, grantsOf, permissionsIn, rolePermissions } from '../access/grants';
import { assertCanGrant } from '../access/rules';
import type { ActionContext } from '../core/context';
import { ConflictError, ValidationError } from '../core/errors';
import type { Db } from '../db/connect';

/** Who may invite whom to what: no escalation, and nobody invited to a project they are in. */

/**
 * No escalation through invitations: the actor manages invitations in the project and holds
 * there everything the role grants (no role: only the first).
 */
export async function assertMayInvite(
  tx: Db,
  ctx: ActionContext,
  projectId: string,
  role: { key: string | null; permissions: string[] } | null = null,
) {
  await assertCanGrant(tx, ctx, {
    permissions: role ? rolePermissions(role) : [],
    projectId,
    permission: 'invitations.manage',
    ...(role ? { expiresAt: null } : {}),
  });
}

/** The role an open invitation offers, which the actor must still be able to grant. */
export async function grantableRole(tx: Db, ctx: ActionContext, roleId: string | null, projectId: string) {
  const role = roleId
    ? await tx.selectFrom('roles').selectAll().where('id', '=', roleId).executeTakeFirst()
    : undefined;
  if (!role) throw new ConflictError('The role of this invitation was deleted; choose another role first.');
  await assertMayInvite(tx, ctx, projectId, role);
  return role;
}

/** Anyone whose access (own or a team's, account-wide or in the project) already reaches it. */
export async function isMember(tx: Db, email: string, projectId: string, now: Date): Promise<boolean> {
  const user = await tx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  if (!user) return false;
  const grants = await grantsOf(tx, user.id, now);
  return grants.some((g) => g.projectId === null || g.projectId === projectId);
}

/** The role and project an invitation names, or which of them is not a choice. */
export async function roleAndProject(tx: Db, roleId: string, projectId: string) {
  const role = await tx.selectFrom('roles').selectAll().where('id', '=', roleId).executeTakeFirst();
  const project = await tx
    .selectFrom('projects')
    .select(['id', 'name'])
    .where('id', '=', projectId)
    .executeTakeFirst();
  const errors: Record<string, string> = {};
  if (!role) errors.roleId = 'Choose a role from the list.';
  if (!project) errors.projectId = 'Choose a project from the list.';
  if (!role || !project) throw new ValidationError(errors);
  return { role, project };
}

/** Roles the actor may hand out in a project (no escalation), for the invite and edit dialogs. */
export async function grantableRoles(
  db: Db,
  ctx: Pick<ActionContext, 'actor' | 'clock'>,
  projectId: string,
): Promise<Array<{ id: string; name: string }>> {
  if (ctx.actor.kind !== 'user') return [];
  const [grants, roles] = await Promise.all([
    actorGrantsOf(db, ctx.actor, ctx.clock.now()),
    db.selectFrom('roles').select(['id', 'name', 'key', 'permissions']).orderBy('name').execute(),
  ]);
  const held = permissionsIn(grants, projectId);
  return roles
    .filter((r) => rolePermissions(r).every((p) => held.has(p)))
    .map((r) => ({ id: r.id, name: r.name }));
}
