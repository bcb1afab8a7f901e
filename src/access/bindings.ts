import { sql } from 'kysely';
import { z } from 'zod';
import { perform, userTarget } from '../audit/perform';
import type { ActionContext } from '../core/context';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors';
import { endAfterLastDay, lastDaySchema, parseInput } from '../core/validation';
import type { Db } from '../db/connect';
import { bindingPermissions, rolePermissions } from './grants';
import { isKnownPermission, sortPermissions } from './permissions';
import { assertAccountManagerRemains, assertCanGrant, assertNotSelf, assertOutranks } from './rules';

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

interface ResolvedAccess {
  roleId: string | null;
  roleName: string | null;
  permissions: string[];
}

async function resolveAccess(tx: Db, access: string, manual: string[]): Promise<ResolvedAccess> {
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

interface Subject {
  type: 'user' | 'team';
  id: string;
  label: string;
  /** The users the binding reaches. */
  userIds: string[];
}

async function resolveSubject(
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

/** Rules for acting on everyone a binding reaches: not yourself, and only people you outrank. */
async function assertMayActOn(tx: Db, ctx: ActionContext, subject: Subject) {
  assertNotSelf(
    ctx.actor,
    subject.userIds,
    subject.type === 'team' ? 'the access of a team you belong to' : undefined,
  );
  await assertOutranks(tx, ctx, subject.userIds);
}

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
    await assertMayActOn(tx, ctx, subject);
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

async function bindingForUpdate(tx: Db, id: string) {
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

const describe = (access: ResolvedAccess, projectId: string | null, expiresAt: Date | null) => ({
  role: access.roleName,
  permissions: access.permissions,
  scope: projectId ?? 'account',
  expiresAt,
});

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
    await assertMayActOn(tx, ctx, subject);
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
      before: describe(before, binding.project_id, binding.expires_at),
      after: describe(after, binding.project_id, expiresAt),
    };
  });
}

export async function deleteBinding(ctx: ActionContext, id: string): Promise<void> {
  await perform(ctx, 'binding.delete', async (tx) => {
    const { binding, subject, access } = await bindingForUpdate(tx, id);
    await assertMayActOn(tx, ctx, subject);
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
      before: describe(access, binding.project_id, binding.expires_at),
    };
  });
}

/**
 * Expired bindings stop granting at once (every read filters on the time); this writes each
 * expiry to the audit trail afterwards, once. Run at start and every minute by the server.
 */
export async function recordExpiredBindings(ctx: ActionContext): Promise<number> {
  const now = ctx.clock.now();
  const due = await ctx.db
    .selectFrom('role_bindings')
    .select('id')
    .where('expires_at', '<=', now)
    .where('expiry_recorded_at', 'is', null)
    .limit(500)
    .execute();
  let recorded = 0;
  for (const { id } of due) {
    const done = await perform(ctx, 'binding.expired', async (tx) => {
      const claimed = await tx
        .updateTable('role_bindings')
        .set({ expiry_recorded_at: now })
        .where('id', '=', id)
        .where('expiry_recorded_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      // Another instance recorded it first: roll back rather than write a second event.
      if (!claimed) throw new AlreadyRecorded();
      const { subject, access } = await bindingForUpdate(tx, id);
      return {
        result: undefined,
        target: { type: subject.type, id: subject.id, label: subject.label },
        projectId: claimed.project_id,
        before: describe(access, claimed.project_id, claimed.expires_at),
        reason: 'access period ended',
      };
    }).then(
      () => true,
      (error) => {
        if (error instanceof AlreadyRecorded) return false;
        throw error;
      },
    );
    if (done) recorded++;
  }
  return recorded;
}

class AlreadyRecorded extends Error {}

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
    await assertMayActOn(tx, ctx, { type: 'user', id: user.id, label: user.email, userIds: [user.id] });
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
