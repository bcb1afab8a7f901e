import { sql } from 'kysely';
import { z } from 'zod';
import { perform } from '../audit/perform';
import type { ActionContext } from '../core/context';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors';
import { isUniqueViolation, parseInput } from '../core/validation';
import type { Db } from '../db/connect';
import { pendingInvitationsWithRole } from '../invitations/state';
import { rolePermissions } from './grants';
import { BUILTIN_ROLES, builtinRole, isKnownPermission, sortPermissions } from './permissions';
import {
  assertAccountManagerRemains,
  assertCanGrant,
  assertNotSelf,
  assertOutranks,
  RuleError,
} from './rules';

export interface RoleSummary {
  id: string;
  key: string | null;
  name: string;
  description: string;
  builtin: boolean;
  permissions: string[];
  people: number;
  teams: number;
}

/** Every role with its permissions and how many people and teams hold it (unexpired bindings). */
export async function listRoles(db: Db, now: Date): Promise<RoleSummary[]> {
  const rows = await db
    .selectFrom('roles as r')
    .leftJoin('role_bindings as b', (join) =>
      join
        .onRef('b.role_id', '=', 'r.id')
        .on((eb) => eb.or([eb('b.expires_at', 'is', null), eb('b.expires_at', '>', now)])),
    )
    .select((eb) => [
      'r.id',
      'r.key',
      'r.name',
      'r.description',
      'r.permissions',
      eb.fn.count<number>(sql`distinct b.user_id`).as('people'),
      eb.fn.count<number>(sql`distinct b.team_id`).as('teams'),
    ])
    .groupBy('r.id')
    .execute();
  const order = (key: string | null) =>
    key ? BUILTIN_ROLES.findIndex((r) => r.key === key) : BUILTIN_ROLES.length;
  return rows
    .map((row) => {
      const builtin = row.key ? builtinRole(row.key) : undefined;
      return {
        id: row.id,
        key: row.key,
        name: row.name,
        description: builtin?.description ?? row.description,
        builtin: Boolean(builtin),
        permissions: rolePermissions({ key: row.key, permissions: row.permissions }),
        people: Number(row.people),
        teams: Number(row.teams),
      };
    })
    .sort((a, b) => order(a.key) - order(b.key) || a.name.localeCompare(b.name));
}

export async function getRole(db: Db, id: string, now: Date): Promise<RoleSummary> {
  if (!z.uuid().safeParse(id).success) throw new NotFoundError('There is no such role.');
  const role = (await listRoles(db, now)).find((r) => r.id === id);
  if (!role) throw new NotFoundError('There is no such role.');
  return role;
}

const roleSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'Enter a name for the role.')
    .max(100, 'Use at most 100 characters for the name.'),
  description: z.string().trim().max(500, 'Use at most 500 characters for the description.').default(''),
  permissions: z
    .array(z.string())
    .default([])
    .refine((keys) => keys.every(isKnownPermission), 'Choose permissions from the list.'),
});

export type RoleInput = { name?: unknown; description?: unknown; permissions?: unknown };

function parseRole(input: RoleInput) {
  const data = parseInput(roleSchema, input);
  if (data.permissions.length === 0)
    throw new ValidationError({ permissions: 'Choose at least one permission.' });
  return { ...data, permissions: sortPermissions(data.permissions) };
}

const duplicateName = (name: string) => new ValidationError({ name: `A role named ${name} already exists.` });

export async function createRole(ctx: ActionContext, input: RoleInput): Promise<string> {
  const data = parseRole(input);
  try {
    return await perform(ctx, 'role.create', async (tx) => {
      await assertCanGrant(tx, ctx, {
        permissions: data.permissions,
        projectId: null,
        permission: 'roles.manage',
      });
      const row = await tx
        .insertInto('roles')
        .values({ name: data.name, description: data.description, permissions: data.permissions })
        .returning('id')
        .executeTakeFirstOrThrow();
      return {
        result: row.id,
        target: { type: 'role', id: row.id, label: data.name },
        projectId: null,
        after: data,
      };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateName(data.name);
    throw error;
  }
}

/** Users the role reaches, directly or through teams: a role you hold is one you cannot edit. */
async function holdersOf(tx: Db, roleId: string): Promise<string[]> {
  const rows = await tx
    .selectFrom('role_bindings as b')
    .leftJoin('team_members as m', 'm.team_id', 'b.team_id')
    .select((eb) => eb.fn.coalesce('b.user_id', 'm.user_id').as('userId'))
    .where('b.role_id', '=', roleId)
    .execute();
  return rows.map((r) => r.userId).filter((id): id is string => id !== null);
}

async function customRoleForUpdate(tx: Db, id: string) {
  if (!z.uuid().safeParse(id).success) throw new NotFoundError('There is no such role.');
  const role = await tx.selectFrom('roles').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!role) throw new NotFoundError('There is no such role.');
  if (role.key) throw new ConflictError(`${role.name} is a built-in role and cannot be changed.`);
  return role;
}

/**
 * Editing a role changes everyone bound to it on their next request. The actor must hold both
 * the old and the new permissions, and must not hold the role.
 */
export async function updateRole(ctx: ActionContext, id: string, input: RoleInput): Promise<void> {
  const data = parseRole(input);
  try {
    await perform(ctx, 'role.update', async (tx) => {
      const role = await customRoleForUpdate(tx, id);
      const holders = await holdersOf(tx, id);
      assertNotSelf(ctx.actor, holders, 'a role you hold');
      // Changing a role acts on everyone who holds it: only people the actor outranks.
      await assertOutranks(tx, ctx, holders);
      await assertCanGrant(tx, ctx, {
        permissions: new Set([...role.permissions, ...data.permissions]),
        projectId: null,
        permission: 'roles.manage',
      });
      await tx
        .updateTable('roles')
        .set({
          name: data.name,
          description: data.description,
          permissions: data.permissions,
          updated_at: ctx.clock.now(),
        })
        .where('id', '=', id)
        .execute();
      await assertAccountManagerRemains(tx);
      return {
        result: undefined,
        target: { type: 'role', id, label: data.name },
        projectId: null,
        before: { name: role.name, description: role.description, permissions: role.permissions },
        after: data,
      };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateName(data.name);
    throw error;
  }
}

export interface RoleDeletionImpact {
  bindings: number;
  people: number;
  teams: number;
}

export async function roleDeletionImpact(db: Db, id: string): Promise<RoleDeletionImpact> {
  const row = await db
    .selectFrom('role_bindings')
    .select((eb) => [
      eb.fn.countAll<number>().as('bindings'),
      eb.fn.count<number>(sql`distinct user_id`).as('people'),
      eb.fn.count<number>(sql`distinct team_id`).as('teams'),
    ])
    .where('role_id', '=', id)
    .executeTakeFirstOrThrow();
  return { bindings: Number(row.bindings), people: Number(row.people), teams: Number(row.teams) };
}

/**
 * Deletes a custom role. Its bindings become manual permission sets with exactly the role's
 * permissions: people keep their access, no longer linked to a role.
 */
export async function deleteRole(ctx: ActionContext, id: string): Promise<RoleDeletionImpact> {
  return perform(ctx, 'role.delete', async (tx) => {
    const role = await customRoleForUpdate(tx, id);
    const invited = await pendingInvitationsWithRole(tx, id);
    if (invited > 0) {
      throw new ConflictError(
        `${invited === 1 ? 'An open invitation offers' : `${invited} open invitations offer`} this role. Change their role or revoke them first.`,
      );
    }
    assertNotSelf(ctx.actor, await holdersOf(tx, id), 'a role you hold');
    await assertCanGrant(tx, ctx, {
      permissions: role.permissions,
      projectId: null,
      permission: 'roles.manage',
    });
    const impact = await roleDeletionImpact(tx, id);
    await tx
      .updateTable('role_bindings')
      .set({ role_id: null, permissions: role.permissions })
      .where('role_id', '=', id)
      .execute();
    await tx.deleteFrom('roles').where('id', '=', id).execute();
    await assertAccountManagerRemains(tx);
    return {
      result: impact,
      target: { type: 'role', id, label: role.name },
      projectId: null,
      before: { name: role.name, description: role.description, permissions: role.permissions },
      after: { convertedBindings: impact.bindings },
    };
  });
}

export { RuleError };
