import { z } from 'zod';
import { assertAccountManagerRemains, assertMayChangeAccessOf } from '../access/rules';
import { assertCanGrantTeamAccess } from '../access/team-members';
import { perform } from '../audit/perform';
import type { ActionContext } from '../core/context';
import { NotFoundError, ValidationError } from '../core/errors';
import { isUniqueViolation } from '../core/validation';
import type { Db } from '../db/connect';
import { UniquenessError } from './errors';
import { directoryText, parseDirectoryInput } from './validation';

/*
 * The directory's groups are Gatehouse teams with source 'scim', and only those: a team made in
 * Gatehouse is the admins' (its members and bindings are managed in the console), so the
 * directory neither sees nor changes it, and cannot take it over by pushing a group of the same
 * name (names are unique among all teams: that is a uniqueness refusal). Memberships the
 * directory writes have source 'scim'. Joining a team grants its role bindings, so adding members
 * needs the token's owner to hold what the team grants (no escalation), and adding or removing
 * members of a team with bindings, or deleting it, needs the owner to outrank each of them.
 */

export interface DirectoryTeamInput {
  displayName?: unknown;
  /** Undefined: left as it is; null: cleared. */
  externalId?: unknown;
  /** User ids; undefined: the members are left as they are. */
  members?: unknown;
}

const teamSchema = z.object({
  displayName: z
    .string({ error: 'displayName is required: the team’s name.' })
    .pipe(directoryText('displayName', 100))
    .pipe(z.string().min(1, 'displayName is required: the team’s name.')),
  externalId: z
    .union([z.null(), directoryText('externalId', 255)], { error: 'externalId is a string.' })
    .optional()
    .transform((s) => (s === '' ? null : s)),
  members: z
    .array(z.string({ error: 'members[].value is a User id.' }).max(100, 'members[].value is a User id.'), {
      error: 'members is a list of Users.',
    })
    .max(100_000)
    .optional(),
});

/** The people the directory sees (not service accounts, not those it removed) among `ids`. */
async function visibleUserIds(tx: Db, ids: string[]): Promise<Set<string>> {
  const uuids = ids.filter((id) => z.uuid().safeParse(id).success);
  if (uuids.length === 0) return new Set();
  const found = new Set<string>();
  for (let i = 0; i < uuids.length; i += 1000) {
    const rows = await tx
      .selectFrom('users')
      .select('id')
      .where('id', 'in', uuids.slice(i, i + 1000))
      .where('service_account', '=', false)
      .where('directory_removed_at', 'is', null)
      .execute();
    for (const row of rows) found.add(row.id);
  }
  return found;
}

/** The members asked for, each a person the directory sees; lower-cased ids, once each. */
async function membersOf(tx: Db, ids: string[]): Promise<string[]> {
  const wanted = [...new Set(ids.map((id) => id.trim().toLowerCase()))];
  const visible = await visibleUserIds(tx, wanted);
  const unknown = wanted.filter((id) => !visible.has(id));
  if (unknown.length > 0)
    throw new ValidationError({
      members: `members: there is no User with the id ${unknown
        .slice(0, 5)
        .map((id) => JSON.stringify(id))
        .join(', ')}${unknown.length > 5 ? ` (and ${unknown.length - 5} more)` : ''}.`,
    });
  return wanted;
}

async function assertNameFree(tx: Db, name: string, exceptId: string | null) {
  const team = await tx
    .selectFrom('teams')
    .select('id')
    .where('name', '=', name)
    .$if(exceptId !== null, (q) => q.where('id', '<>', exceptId as string))
    .executeTakeFirst();
  if (team) throw new UniquenessError(`A team named ${JSON.stringify(name)} already exists.`);
}

async function assertExternalIdFree(tx: Db, externalId: string | null, exceptId: string | null) {
  if (externalId === null) return;
  const team = await tx
    .selectFrom('teams')
    .select('id')
    .where('external_id', '=', externalId)
    .$if(exceptId !== null, (q) => q.where('id', '<>', exceptId as string))
    .executeTakeFirst();
  if (team)
    throw new UniquenessError(`externalId ${JSON.stringify(externalId)} is already taken by another group.`);
}

async function hasBindings(tx: Db, teamId: string): Promise<boolean> {
  return Boolean(
    await tx.selectFrom('role_bindings').select('id').where('team_id', '=', teamId).executeTakeFirst(),
  );
}

const uniqueness = () => new UniquenessError('displayName or externalId is already taken by another team.');

/** The rules for a change of members: no escalation for those who join, rank when it grants access. */
async function assertMayChangeMembers(
  tx: Db,
  ctx: ActionContext,
  teamId: string,
  added: string[],
  removed: string[],
) {
  if (added.length > 0) await assertCanGrantTeamAccess(tx, ctx, teamId);
  if ((added.length > 0 || removed.length > 0) && (await hasBindings(tx, teamId)))
    await assertMayChangeAccessOf(tx, ctx, [...added, ...removed], 'your own team memberships');
}

/** POST /Groups: a new directory team, with the members the directory sends. */
export async function createDirectoryTeam(ctx: ActionContext, input: DirectoryTeamInput): Promise<string> {
  const data = parseDirectoryInput(teamSchema, input);
  try {
    return await perform(ctx, 'directory.team_create', async (tx) => {
      await assertNameFree(tx, data.displayName, null);
      await assertExternalIdFree(tx, data.externalId ?? null, null);
      const members = await membersOf(tx, data.members ?? []);
      const team = await tx
        .insertInto('teams')
        .values({
          name: data.displayName,
          source: 'scim',
          external_id: data.externalId ?? null,
          created_at: ctx.clock.now(),
          created_by: ctx.actor.kind === 'user' ? ctx.actor.id : null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      // A new team grants nothing yet; the rules are asked all the same.
      await assertMayChangeMembers(tx, ctx, team.id, members, []);
      if (members.length > 0)
        await tx
          .insertInto('team_members')
          .values(members.map((userId) => ({ team_id: team.id, user_id: userId, source: 'scim' as const })))
          .execute();
      return {
        result: team.id,
        target: { type: 'team', id: team.id, label: data.displayName },
        projectId: null,
        after: { name: data.displayName, externalId: data.externalId ?? null, members: members.length },
      };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw uniqueness();
    throw error;
  }
}

/** A directory team, locked for a change; any other team is not there for the directory. */
async function directoryTeamForUpdate(tx: Db, id: string) {
  const team = z.uuid().safeParse(id).success
    ? await tx
        .selectFrom('teams')
        .selectAll()
        .where('id', '=', id)
        .where('source', '=', 'scim')
        .forUpdate()
        .executeTakeFirst()
    : undefined;
  if (!team) throw new NotFoundError('There is no such group.');
  return team;
}

/** The team's members the directory sees, in the order it added them. */
export async function visibleMemberIds(db: Db, teamId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('team_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select('m.user_id')
    .where('m.team_id', '=', teamId)
    .where('u.service_account', '=', false)
    .where('u.directory_removed_at', 'is', null)
    .orderBy('m.added_at')
    .orderBy('m.user_id')
    .execute();
  return rows.map((r) => r.user_id);
}

export interface DirectoryTeamState {
  name: string;
  externalId: string | null;
  memberIds: string[];
}

class Unchanged extends Error {}

/**
 * PUT and PATCH /Groups/{id}: `change` states the team from its current state, read in the
 * transaction that writes it (two membership changes at once never undo each other). Members
 * are set to the list given: those not in it leave (only those the directory sees), the others
 * join with source 'scim'.
 */
export async function updateDirectoryTeam(
  ctx: ActionContext,
  id: string,
  change: (current: DirectoryTeamState) => DirectoryTeamInput,
): Promise<void> {
  try {
    await perform(ctx, 'directory.team_update', async (tx) => {
      const team = await directoryTeamForUpdate(tx, id);
      const current = await visibleMemberIds(tx, id);
      const data = parseDirectoryInput(
        teamSchema,
        change({ name: team.name, externalId: team.external_id, memberIds: current }),
      );
      const externalId = data.externalId === undefined ? team.external_id : data.externalId;
      const members = data.members === undefined ? current : await membersOf(tx, data.members);
      const had = new Set(current);
      const wanted = new Set(members);
      const added = members.filter((userId) => !had.has(userId));
      const removed = current.filter((userId) => !wanted.has(userId));
      const renamed = data.displayName !== team.name;
      const before: Record<string, unknown> = {};
      const after: Record<string, unknown> = {};
      if (renamed) {
        await assertNameFree(tx, data.displayName, id);
        before.name = team.name;
        after.name = data.displayName;
      }
      if (externalId !== team.external_id) {
        await assertExternalIdFree(tx, externalId, id);
        before.externalId = team.external_id;
        after.externalId = externalId;
      }
      if (!renamed && externalId === team.external_id && added.length === 0 && removed.length === 0)
        throw new Unchanged();
      await assertMayChangeMembers(tx, ctx, id, added, removed);
      if (renamed || externalId !== team.external_id)
        await tx
          .updateTable('teams')
          .set({ name: data.displayName, external_id: externalId })
          .where('id', '=', id)
          .execute();
      if (added.length > 0)
        await tx
          .insertInto('team_members')
          .values(added.map((userId) => ({ team_id: id, user_id: userId, source: 'scim' as const })))
          .execute();
      if (removed.length > 0) {
        for (let i = 0; i < removed.length; i += 1000)
          await tx
            .deleteFrom('team_members')
            .where('team_id', '=', id)
            .where('user_id', 'in', removed.slice(i, i + 1000))
            .execute();
        await assertAccountManagerRemains(tx);
      }
      const emails = await emailsOf(tx, [...added, ...removed]);
      if (added.length > 0) after.membersAdded = added.map((userId) => emails.get(userId) ?? userId);
      if (removed.length > 0) before.membersRemoved = removed.map((userId) => emails.get(userId) ?? userId);
      return {
        result: undefined,
        target: { type: 'team', id, label: data.displayName },
        projectId: null,
        before,
        after,
      };
    });
  } catch (error) {
    if (error instanceof Unchanged) return;
    if (isUniqueViolation(error)) throw uniqueness();
    throw error;
  }
}

/** The audit trail names people by email; a long list is cut (the count says how many). */
async function emailsOf(tx: Db, ids: string[]): Promise<Map<string, string>> {
  const named = ids.slice(0, 100);
  if (named.length === 0) return new Map();
  const rows = await tx.selectFrom('users').select(['id', 'email']).where('id', 'in', named).execute();
  return new Map(rows.map((r) => [r.id, r.email]));
}

/**
 * DELETE /Groups/{id}: the team goes, and with it its bindings, on deleteTeam's rules (the owner
 * outranks every member when it grants something; the account keeps a manager).
 */
export async function deleteDirectoryTeam(ctx: ActionContext, id: string): Promise<void> {
  await perform(ctx, 'directory.team_delete', async (tx) => {
    const team = await directoryTeamForUpdate(tx, id);
    const members = (
      await tx.selectFrom('team_members').select('user_id').where('team_id', '=', id).execute()
    ).map((m) => m.user_id);
    if (await hasBindings(tx, id))
      await assertMayChangeAccessOf(tx, ctx, members, 'the access of a team you belong to');
    await tx.deleteFrom('teams').where('id', '=', id).execute();
    await assertAccountManagerRemains(tx);
    return {
      result: undefined,
      target: { type: 'team', id, label: team.name },
      projectId: null,
      before: { name: team.name, externalId: team.external_id, members: members.length },
    };
  });
}
