import { z } from 'zod';
import { perform } from '../audit/perform';
import type { ActionContext } from '../core/context';
import { ConflictError } from '../core/errors';
import { endAfterLastDay, lastDaySchema, parseInput } from '../core/validation';
import type { Db } from '../db/connect';
import {
  assertMayActOnSubject,
  bindingForUpdate,
  describeBinding,
  resolveAccess,
  resolveSubject,
} from './binding-resolve';
import { bindingPermissions } from './grants';
import { assertAccountManagerRemains, assertCanGrant } from './rules';

export interface BindingRow {
  id: string;
  subject:
    | { kind: 'user'; id: string; name: string; email: string }
    | { kind: 'team'; id: string; name: string };
  role: { id: string; name: string } | null;
  permissions: string[];
  projectId: string | null;
  projectName: string | null;
  expiresAt: Date | null;
  expired: boolean;
}

/** The bindings that apply in a project: its own and the account-wide ones. */
export async function listBindings(db: Db, projectId: string, now: Date): Promise<BindingRow[]> {
  const rows = await db
    .selectFrom('role_bindings as b')
    .leftJoin('users as u', 'u.id', 'b.user_id')
    .leftJoin('teams as t', 't.id', 'b.team_id')
    .leftJoin('roles as r', 'r.id', 'b.role_id')
    .leftJoin('projects as p', 'p.id', 'b.project_id')
    .select([
      'b.id',
      'b.user_id',
      'b.team_id',
      'b.project_id',
      'b.expires_at',
      'b.permissions',
      'u.name as userName',
      'u.email',
      't.name as teamName',
      'r.id as roleId',
      'r.key as roleKey',
      'r.name as roleName',
      'r.permissions as rolePermissions',
      'p.name as projectName',
    ])
    .where((eb) => eb.or([eb('b.project_id', 'is', null), eb('b.project_id', '=', projectId)]))
    .orderBy('b.project_id', (ob) => ob.nullsFirst())
    .orderBy('b.created_at')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    subject: row.user_id
      ? { kind: 'user', id: row.user_id, name: row.userName ?? '', email: row.email ?? '' }
      : { kind: 'team', id: row.team_id ?? '', name: row.teamName ?? '' },
    role: row.roleId ? { id: row.roleId, name: row.roleName ?? '' } : null,
    permissions: bindingPermissions(row),
    projectId: row.project_id,
    projectName: row.projectName,
    expiresAt: row.expires_at,
    expired: row.expires_at !== null && row.expires_at <= now,
  }));
}

const bindingFields = z.object({
  subject: z.enum(['user', 'team'], { error: 'Choose a person or a team.' }).default('user'),
  email: z.string().trim().max(254, 'Use at most 254 characters for the email address.').default(''),
  teamId: z.string().default(''),
  access: z.string().min(1, 'Choose a role, or a manual permission set.'),
  permissions: z.array(z.string()).default([]),
  scope: z
    .enum(['project', 'account'], { error: 'Choose this project or the whole account.' })
    .default('project'),
  until: lastDaySchema.default(''),
});

const bindingSchema = bindingFields.superRefine((v, ctx) => {
  if (v.subject === 'user' && v.email === '')
    ctx.addIssue({ code: 'custom', path: ['email'], message: 'Enter the email of an existing user.' });
  if (v.subject === 'team' && v.teamId === '')
    ctx.addIssue({ code: 'custom', path: ['teamId'], message: 'Choose a team.' });
});

export type BindingInput = Partial<
  Record<'subject' | 'email' | 'teamId' | 'access' | 'scope' | 'until', unknown>
> & {
  permissions?: unknown;
};

/**
 * "Create role binding": a user (by email) or a team gets a role or a manual permission set, in
 * the current project or account-wide, optionally until a date.
 */
export async function createBinding(
  ctx: ActionContext,
  projectId: string,
  input: BindingInput,
): Promise<string> {
  const data = parseInput(bindingSchema, input);
  const now = ctx.clock.now();
  const expiresAt = endAfterLastDay(data.until, now);
  const scope = data.scope === 'account' ? null : projectId;
  return perform(ctx, 'binding.create', async (tx) => {
    const subject = await resolveSubject(tx, data);
    const access = await resolveAccess(tx, data.access, data.permissions);
    await assertMayActOnSubject(tx, ctx, subject);
    await assertCanGrant(tx, ctx, {
      permissions: access.permissions,
      projectId: scope,
      permission: 'users.manage',
      expiresAt,
    });
    if (access.roleId) {
      const duplicate = await tx
        .selectFrom('role_bindings')
        .select('id')
        .where(subject.type === 'user' ? 'user_id' : 'team_id', '=', subject.id)
        .where('role_id', '=', access.roleId)
        .where((eb) => (scope ? eb('project_id', '=', scope) : eb('project_id', 'is', null)))
        .executeTakeFirst();
      if (duplicate)
        throw new ConflictError(`${subject.label} already has the role ${access.roleName} there.`);
    }
    const row = await tx
      .insertInto('role_bindings')
      .values({
        user_id: subject.type === 'user' ? subject.id : null,
        team_id: subject.type === 'team' ? subject.id : null,
        role_id: access.roleId,
        permissions: access.roleId ? null : access.permissions,
        project_id: scope,
        expires_at: expiresAt,
        created_at: now,
        created_by: ctx.actor.kind === 'user' ? ctx.actor.id : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return {
      result: row.id,
      target: { type: subject.type, id: subject.id, label: subject.label },
      projectId: scope,
      after: {
        binding: row.id,
        role: access.roleName,
        permissions: access.permissions,
        scope: scope ?? 'account',
        expiresAt,
      },
    };
  });
}

/** A role change (or a new end date) on an existing binding; applies on the next request. */
export async function updateBinding(
  ctx: ActionContext,
  id: string,
  input: { access?: unknown; permissions?: unknown; until?: unknown },
): Promise<void> {
  const data = parseInput(bindingFields.pick({ access: true, permissions: true, until: true }), input);
  const now = ctx.clock.now();
  const expiresAt = endAfterLastDay(data.until, now);
  await perform(ctx, 'binding.update', async (tx) => {
    const { binding, subject, access: before } = await bindingForUpdate(tx, id);
    const after = await resolveAccess(tx, data.access, data.permissions);
    await assertMayActOnSubject(tx, ctx, subject);
    await assertCanGrant(tx, ctx, {
      permissions: new Set([...before.permissions, ...after.permissions]),
      projectId: binding.project_id,
      permission: 'users.manage',
      expiresAt,
    });
    await tx
      .updateTable('role_bindings')
      .set({
        role_id: after.roleId,
        permissions: after.roleId ? null : after.permissions,
        expires_at: expiresAt,
        expiry_recorded_at: null,
      })
      .where('id', '=', id)
      .execute();
    await assertAccountManagerRemains(tx);
    return {
      result: undefined,
      target: { type: subject.type, id: subject.id, label: subject.label },
      projectId: binding.project_id,
      before: describeBinding(before, binding.project_id, binding.expires_at),
      after: describeBinding(after, binding.project_id, expiresAt),
    };
  });
}

export async function deleteBinding(ctx: ActionContext, id: string): Promise<void> {
  await perform(ctx, 'binding.delete', async (tx) => {
    const { binding, subject, access } = await bindingForUpdate(tx, id);
    await assertMayActOnSubject(tx, ctx, subject);
    await assertCanGrant(tx, ctx, {
      permissions: access.permissions,
      projectId: binding.project_id,
      permission: 'users.manage',
    });
    await tx.deleteFrom('role_bindings').where('id', '=', id).execute();
    await assertAccountManagerRemains(tx);
    return {
      result: undefined,
      target: { type: subject.type, id: subject.id, label: subject.label },
      projectId: binding.project_id,
      before: describeBinding(access, binding.project_id, binding.expires_at),
    };
  });
}
