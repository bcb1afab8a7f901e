import { z } from 'zod';
import { perform } from '../audit/perform';
import type { ActionContext } from '../core/context';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../core/errors';
import { emailSchema, isUniqueViolation, parseInput } from '../core/validation';
import type { Db } from '../db/connect';
import { bindingPermissions, grantsOf, permissionsEverywhere, permissionsIn, projectIds } from './grants';
import {
  assertAccountManagerRemains,
  assertNotSelf,
  assertOutranks,
  assertRecentAuthForAdminRights,
  RuleError,
} from './rules';

export interface TeamSummary {
  id: string;
  name: string;
  description: string;
  members: number;
  admins: number;
  bindings: number;
}

export async function listTeams(db: Db): Promise<TeamSummary[]> {
  const rows = await db
    .selectFrom('teams as t')
    .select((eb) => [
      't.id',
      't.name',
      't.description',
      eb
        .selectFrom('team_members as m')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('m.team_id', '=', 't.id')
        .as('members'),
      eb
        .selectFrom('team_members as m')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('m.team_id', '=', 't.id')
        .where('m.is_admin', '=', true)
        .as('admins'),
      eb
        .selectFrom('role_bindings as b')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('b.team_id', '=', 't.id')
        .as('bindings'),
    ])
    .orderBy('t.name')
    .execute();
  return rows.map((r) => ({
    ...r,
    members: Number(r.members),
    admins: Number(r.admins),
    bindings: Number(r.bindings),
  }));
}

export interface TeamMember {
  userId: string;
  name: string;
  email: string;
  isAdmin: boolean;
}

export async function getTeam(db: Db, id: string) {
  const team = z.uuid().safeParse(id).success
    ? await db
        .selectFrom('teams')
        .select(['id', 'name', 'description'])
        .where('id', '=', id)
        .executeTakeFirst()
    : undefined;
  if (!team) throw new NotFoundError('There is no such team.');
  const members: TeamMember[] = await db
    .selectFrom('team_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id as userId', 'u.name', 'u.email', 'm.is_admin as isAdmin'])
    .where('m.team_id', '=', id)
    .orderBy('u.name')
    .execute();
  return { ...team, members };
}

const teamSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'Enter a name for the team.')
    .max(100, 'Use at most 100 characters for the name.'),
  description: z.string().trim().max(500, 'Use at most 500 characters for the description.').default(''),
});

const duplicateName = (name: string) => new ValidationError({ name: `A team named ${name} already exists.` });

export async function createTeam(
  ctx: ActionContext,
  input: { name?: unknown; description?: unknown },
): Promise<string> {
  const data = parseInput(teamSchema, input);
  try {
    return await perform(ctx, 'team.create', async (tx) => {
      const row = await tx
        .insertInto('teams')
        .values({ ...data, created_by: ctx.actor.kind === 'user' ? ctx.actor.id : null })
        .returning('id')
        .executeTakeFirstOrThrow();
      return {
        result: row.id,
        target: { type: 'team', id: row.id, label: data.name },
        projectId: null,
        after: data,
      };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateName(data.name);
    throw error;
  }
}

async function teamForUpdate(tx: Db, id: string) {
  const team = z.uuid().safeParse(id).success
    ? await tx.selectFrom('teams').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
    : undefined;
  if (!team) throw new NotFoundError('There is no such team.');
  return team;
}

export async function updateTeam(
  ctx: ActionContext,
  id: string,
  input: { name?: unknown; description?: unknown },
) {
  const data = parseInput(teamSchema, input);
  try {
    await perform(ctx, 'team.update', async (tx) => {
      const team = await teamForUpdate(tx, id);
      await tx.updateTable('teams').set(data).where('id', '=', id).execute();
      return {
        result: undefined,
        target: { type: 'team', id, label: data.name },
        projectId: null,
        before: { name: team.name, description: team.description },
        after: data,
      };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateName(data.name);
    throw error;
  }
}

async function memberIds(tx: Db, teamId: string): Promise<string[]> {
  return (await tx.selectFrom('team_members').select('user_id').where('team_id', '=', teamId).execute()).map(
    (m) => m.user_id,
  );
}

async function hasBindings(tx: Db, teamId: string): Promise<boolean> {
  return Boolean(
    await tx.selectFrom('role_bindings').select('id').where('team_id', '=', teamId).executeTakeFirst(),
  );
}

/** Acting on members' access: not yourself, and only people you outrank. */
async function assertMayChangeAccessOf(tx: Db, ctx: ActionContext, userIds: string[], what: string) {
  assertNotSelf(ctx.actor, userIds, what);
  await assertOutranks(tx, ctx, userIds);
}

/** Deleting a team ends its bindings, so its members must all be people the actor outranks. */
export async function deleteTeam(ctx: ActionContext, id: string): Promise<void> {
  await perform(ctx, 'team.delete', async (tx) => {
    const team = await teamForUpdate(tx, id);
    const members = await memberIds(tx, id);
    if (await hasBindings(tx, id))
      await assertMayChangeAccessOf(tx, ctx, members, 'the access of a team you belong to');
    await tx.deleteFrom('teams').where('id', '=', id).execute();
    await assertAccountManagerRemains(tx);
    return {
      result: undefined,
      target: { type: 'team', id, label: team.name },
      projectId: null,
      before: { name: team.name, description: team.description, members: members.length },
    };
  });
}

/** teams.manage, or being an admin of this team. */
export async function assertManagesTeam(
  tx: Db,
  ctx: ActionContext,
  teamId: string,
  { adminsMay }: { adminsMay: boolean },
) {
  const { actor } = ctx;
  if (actor.kind === 'system') return;
  if (actor.kind !== 'user') throw new ForbiddenError('teams.manage');
  const grants = await grantsOf(tx, actor.id, ctx.clock.now());
  if (permissionsEverywhere(grants, await projectIds(tx)).has('teams.manage')) return;
  if (adminsMay) {
    const admin = await tx
      .selectFrom('team_members')
      .select('is_admin')
      .where('team_id', '=', teamId)
      .where('user_id', '=', actor.id)
      .executeTakeFirst();
    if (admin?.is_admin) return;
  }
  throw new ForbiddenError('teams.manage');
}

/** What joining the team grants: each unexpired binding's permissions and project. */
async function teamGrants(tx: Db, teamId: string, now: Date) {
  const bindings = await tx
    .selectFrom('role_bindings as b')
    .leftJoin('roles as r', 'r.id', 'b.role_id')
    .select([
      'b.project_id',
      'b.permissions',
      'r.key as roleKey',
      'r.permissions as rolePermissions',
      'r.id as roleId',
    ])
    .where('b.team_id', '=', teamId)
    .where((eb) => eb.or([eb('b.expires_at', 'is', null), eb('b.expires_at', '>', now)]))
    .execute();
  return bindings.map((b) => ({ projectId: b.project_id, keys: bindingPermissions(b) }));
}

/**
 * Joining a team grants its bindings: the actor must hold what they grant, where they grant it,
 * and have confirmed their password lately when that includes admin rights.
 */
export async function assertCanGrantTeamAccess(tx: Db, ctx: ActionContext, teamId: string) {
  if (ctx.actor.kind !== 'user') return;
  const now = ctx.clock.now();
  const grants = await grantsOf(tx, ctx.actor.id, now);
  const projects = await projectIds(tx);
  const granted = await teamGrants(tx, teamId, now);
  for (const b of granted) {
    const held = b.projectId ? permissionsIn(grants, b.projectId) : permissionsEverywhere(grants, projects);
    const missing = b.keys.filter((k) => !held.has(k));
    if (missing.length > 0) {
      throw new RuleError(
        'no-escalation',
        `Members of this team get permissions you do not hold (${missing.join(', ')}), so you cannot add members.`,
      );
    }
  }
  await assertRecentAuthForAdminRights(
    tx,
    ctx,
    granted.flatMap((b) => b.keys),
  );
}

const memberSchema = z.object({ email: emailSchema, admin: z.enum(['on', 'true', '']).optional() });

/** Adds an existing user to the team; team admins may do this for their own team. */
export async function addTeamMember(
  ctx: ActionContext,
  teamId: string,
  input: { email?: unknown; admin?: unknown },
) {
  const data = parseInput(memberSchema, input);
  const makeAdmin = data.admin === 'on' || data.admin === 'true';
  await perform(ctx, 'team.member_add', async (tx) => {
    const team = await teamForUpdate(tx, teamId);
    await assertManagesTeam(tx, ctx, teamId, { adminsMay: !makeAdmin });
    const user = await tx
      .selectFrom('users')
      .select(['id', 'email'])
      .where('email', '=', data.email)
      .executeTakeFirst();
    if (!user) throw new ValidationError({ email: `There is no user with the email ${data.email}.` });
    await assertMayChangeAccessOf(tx, ctx, [user.id], 'your own team memberships');
    await assertCanGrantTeamAccess(tx, ctx, teamId);
    const existing = await tx
      .selectFrom('team_members')
      .select('user_id')
      .where('team_id', '=', teamId)
      .where('user_id', '=', user.id)
      .executeTakeFirst();
    if (existing) throw new ConflictError(`${user.email} is already a member of ${team.name}.`);
    await tx
      .insertInto('team_members')
      .values({ team_id: teamId, user_id: user.id, is_admin: makeAdmin })
      .execute();
    return {
      result: undefined,
      target: { type: 'team', id: teamId, label: team.name },
      projectId: null,
      after: { member: user.email, admin: makeAdmin },
    };
  });
}

export async function removeTeamMember(ctx: ActionContext, teamId: string, userId: string) {
  await perform(ctx, 'team.member_remove', async (tx) => {
    const team = await teamForUpdate(tx, teamId);
    await assertManagesTeam(tx, ctx, teamId, { adminsMay: true });
    const member = z.uuid().safeParse(userId).success
      ? await tx
          .selectFrom('team_members as m')
          .innerJoin('users as u', 'u.id', 'm.user_id')
          .select(['u.id', 'u.email', 'm.is_admin'])
          .where('m.team_id', '=', teamId)
          .where('m.user_id', '=', userId)
          .executeTakeFirst()
      : undefined;
    if (!member) throw new NotFoundError('That person is not a member of this team.');
    await assertMayChangeAccessOf(tx, ctx, [member.id], 'your own team memberships');
    await tx.deleteFrom('team_members').where('team_id', '=', teamId).where('user_id', '=', userId).execute();
    await assertAccountManagerRemains(tx);
    return {
      result: undefined,
      target: { type: 'team', id: teamId, label: team.name },
      projectId: null,
      before: { member: member.email, admin: member.is_admin },
    };
  });
}

/** Only teams.manage makes or unmakes team admins: a team admin may add and remove members, nothing more. */
export async function setTeamAdmin(ctx: ActionContext, teamId: string, userId: string, admin: boolean) {
  await perform(ctx, 'team.member_admin', async (tx) => {
    const team = await teamForUpdate(tx, teamId);
    const updated = z.uuid().safeParse(userId).success
      ? await tx
          .updateTable('team_members')
          .set({ is_admin: admin })
          .where('team_id', '=', teamId)
          .where('user_id', '=', userId)
          .returning('user_id')
          .executeTakeFirst()
      : undefined;
    if (!updated) throw new NotFoundError('That person is not a member of this team.');
    // A team admin adds members, who get what the team grants: admin rights need a fresh password.
    if (admin)
      await assertRecentAuthForAdminRights(
        tx,
        ctx,
        (await teamGrants(tx, teamId, ctx.clock.now())).flatMap((b) => b.keys),
      );
    const user = await tx
      .selectFrom('users')
      .select('email')
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    await assertMayChangeAccessOf(tx, ctx, [userId], 'your own team role');
    return {
      result: undefined,
      target: { type: 'team', id: teamId, label: team.name },
      projectId: null,
      before: { member: user.email, admin: !admin },
      after: { member: user.email, admin },
    };
  });
}

/** Teams a user administers (to show them the pages they may use). */
export async function teamsAdministeredBy(db: Db, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('team_members')
    .select('team_id')
    .where('user_id', '=', userId)
    .where('is_admin', '=', true)
    .execute();
  return rows.map((r) => r.team_id);
}
