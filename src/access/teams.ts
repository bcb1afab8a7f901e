import { z } from 'zod';
import { perform } from '../audit/perform';
import type { ActionContext } from '../core/context';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors';
import { plural } from '../core/plural';
import { isUniqueViolation, parseInput } from '../core/validation';
import type { Db } from '../db/connect';
import type { MembershipSource } from '../db/schema';
import { assertAccountManagerRemains, assertMayChangeAccessOf } from './rules';

/**
 * A team the company directory pushed (SCIM, source 'scim'): its name and members are the
 * directory's, changed only through it (src/scim/). Nobody changes them by hand, in the console
 * or the API; its role bindings stay the admins' to set (that is how directory groups get roles).
 */
export const isDirectoryTeam = (team: { source: string | null }) => team.source === 'scim';

/** The refusal of a change by hand to a directory team. */
export function directoryTeamRefusal(name: string): ConflictError {
  return new ConflictError(
    `Your company directory manages the name and members of team ${name}: change them in the directory.`,
  );
}

/** Refuses a change by hand to the name or members of a directory team. */
export function assertNotDirectoryTeam(team: { name: string; source: string | null }): void {
  if (isDirectoryTeam(team)) throw directoryTeamRefusal(team.name);
}

export interface TeamSummary {
  id: string;
  name: string;
  description: string;
  members: number;
  admins: number;
  bindings: number;
  /** 'scim': pushed by the directory, which manages its name and members. */
  source: 'scim' | null;
}

export async function listTeams(db: Db): Promise<TeamSummary[]> {
  const rows = await db
    .selectFrom('teams as t')
    .select((eb) => [
      't.id',
      't.name',
      't.description',
      't.source',
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
  /** How the membership came to be: by hand, from the directory, or from a provider's group claim. */
  source: MembershipSource;
  /** The identity provider whose group claim added it (source 'sso'), when it still exists. */
  providerName: string | null;
}

export async function getTeam(db: Db, id: string) {
  const team = z.uuid().safeParse(id).success
    ? await db
        .selectFrom('teams')
        .select(['id', 'name', 'description', 'source', 'external_id as externalId'])
        .where('id', '=', id)
        .executeTakeFirst()
    : undefined;
  if (!team) throw new NotFoundError('There is no such team.');
  const members: TeamMember[] = await db
    .selectFrom('team_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .leftJoin('identity_providers as p', 'p.id', 'm.source_provider_id')
    .select([
      'u.id as userId',
      'u.name',
      'u.email',
      'm.is_admin as isAdmin',
      'm.source',
      'p.name as providerName',
    ])
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

/** The team, locked for a change. */
export async function teamForUpdate(tx: Db, id: string) {
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
      assertNotDirectoryTeam(team);
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

/** Deleting a team ends its bindings, so its members must all be people the actor outranks. */
export async function deleteTeam(ctx: ActionContext, id: string): Promise<void> {
  await perform(ctx, 'team.delete', async (tx) => {
    const team = await teamForUpdate(tx, id);
    assertNotDirectoryTeam(team);
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

/** The team's own role bindings, as its page lists them. */
export async function teamBindings(
  db: Db,
  teamId: string,
): Promise<Array<{ id: string; access: string; where: string }>> {
  const rows = await db
    .selectFrom('role_bindings as b')
    .leftJoin('roles as r', 'r.id', 'b.role_id')
    .leftJoin('projects as p', 'p.id', 'b.project_id')
    .select([
      'b.id',
      'b.permissions',
      'r.key',
      'r.name as roleName',
      'r.permissions as rolePermissions',
      'p.name as projectName',
    ])
    .where('b.team_id', '=', teamId)
    .execute();
  return rows.map((b) => ({
    id: b.id,
    access: b.roleName ?? `Manual set (${plural(b.permissions?.length ?? 0, 'permission')})`,
    where: b.projectName ? `in ${b.projectName}` : 'in every project',
  }));
}
