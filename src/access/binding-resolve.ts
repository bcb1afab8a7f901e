import { z } from 'zod';
import type { ActionContext } from '../core/context';
import { NotFoundError, ValidationError } from '../core/errors';
import type { Db } from '../db/connect';
import { rolePermissions } from './grants';
import { isKnownPermission, sortPermissions } from './permissions';
import { assertMayChangeAccessOf } from './rules';

/**
 * What a role binding names, read and checked: its access (a role or a manual permission set)
 * and its subject (a person, or a team with everyone in it).
 */

export interface ResolvedAccess {
  roleId: string | null;
  roleName: string | null;
  permissions: string[];
}

export async function resolveAccess(tx: Db, access: string, manual: string[]): Promise<ResolvedAccess> {
  if (access === 'manual') {
    if (manual.length === 0 || !manual.every(isKnownPermission)) {
      throw new ValidationError({ permissions: 'Choose at least one permission for a manual set.' });
    }
    return { roleId: null, roleName: null, permissions: sortPermissions(manual) };
  }
  const role = z.uuid().safeParse(access).success
    ? await tx
        .selectFrom('roles')
        .select(['id', 'key', 'name', 'permissions'])
        .where('id', '=', access)
        .executeTakeFirst()
    : undefined;
  if (!role) throw new ValidationError({ access: 'Choose a role from the list.' });
  return { roleId: role.id, roleName: role.name, permissions: rolePermissions(role) };
}

export interface Subject {
  type: 'user' | 'team';
  id: string;
  label: string;
  /** The users the binding reaches. */
  userIds: string[];
}

export async function resolveSubject(
  tx: Db,
  data: { subject: 'user' | 'team'; email: string; teamId: string },
): Promise<Subject> {
  if (data.subject === 'user') {
    const user = await tx
      .selectFrom('users')
      .select(['id', 'email'])
      .where('email', '=', data.email)
      .executeTakeFirst();
    if (!user)
      throw new ValidationError({
        email: `There is no user with the email ${data.email}. Invite them instead.`,
      });
    return { type: 'user', id: user.id, label: user.email, userIds: [user.id] };
  }
  return teamSubject(tx, data.teamId);
}

async function teamSubject(tx: Db, teamId: string): Promise<Subject> {
  const team = z.uuid().safeParse(teamId).success
    ? await tx.selectFrom('teams').select(['id', 'name']).where('id', '=', teamId).executeTakeFirst()
    : undefined;
  if (!team) throw new ValidationError({ teamId: 'Choose a team from the list.' });
  const members = await tx
    .selectFrom('team_members')
    .select('user_id')
    .where('team_id', '=', team.id)
    .execute();
  return { type: 'team', id: team.id, label: team.name, userIds: members.map((m) => m.user_id) };
}

/** Everyone a binding reaches: never yourself (nor a team you are in), and only people you outrank. */
export async function assertMayActOnSubject(tx: Db, ctx: ActionContext, subject: Subject) {
  await assertMayChangeAccessOf(
    tx,
    ctx,
    subject.userIds,
    subject.type === 'team' ? 'the access of a team you belong to' : undefined,
  );
}

/** A binding, locked, with its subject and its access as they are now. */
export async function bindingForUpdate(tx: Db, id: string) {
  const binding = z.uuid().safeParse(id).success
    ? await tx.selectFrom('role_bindings').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
    : undefined;
  if (!binding) throw new NotFoundError('There is no such role binding.');
  const subject: Subject = binding.user_id
    ? await tx
        .selectFrom('users')
        .select(['id', 'email'])
        .where('id', '=', binding.user_id)
        .executeTakeFirstOrThrow()
        .then((u) => ({ type: 'user' as const, id: u.id, label: u.email, userIds: [u.id] }))
    : await teamSubject(tx, binding.team_id ?? '');
  const access = binding.role_id
    ? await resolveAccess(tx, binding.role_id, [])
    : { roleId: null, roleName: null, permissions: binding.permissions ?? [] };
  return { binding, subject, access };
}

/** A binding as the audit trail records it, before or after a change. */
export const describeBinding = (
  access: ResolvedAccess,
  projectId: string | null,
  expiresAt: Date | null,
) => ({
  role: access.roleName,
  permissions: access.permissions,
  scope: projectId ?? 'account',
  expiresAt,
});
