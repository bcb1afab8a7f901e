import { z } from 'zod';
import { replaceProjectRole } from '../access/project-role';
import { assertAccountManagerRemains, assertNotSelf, assertOutranks, lockAccount } from '../access/rules';
import { assertCanGrantTeamAccess, assertManagesTeam } from '../access/team-members';
import { assertNotDirectoryTeam } from '../access/teams';
import { perform } from '../audit/perform';
import { userTarget } from '../audit/write';
import type { ActionContext } from '../core/context';
import { NotFoundError, ValidationError } from '../core/errors';
import { endAfterLastDay, lastDayOf, lastDaySchema, nameSchema, parseInput } from '../core/validation';
import type { Db } from '../db/connect';
import { LANGUAGES } from '../i18n/messages';

/**
 * The role choice when the user's own access in the project is not one plain role binding
 * (several bindings, or a manual permission set): saving leaves those bindings as they are.
 */
export const KEEP_ACCESS = 'keep';

export interface UserEditState {
  name: string;
  language: string;
  /** Last day of access, YYYY-MM-DD, or '' for no end. */
  until: string;
  /** A role id, '' for no role of their own in the project, or KEEP_ACCESS. */
  roleId: string;
  teamIds: string[];
}

/** The user's own bindings in the project, as the edit dialog's role choice. */
async function projectRoleChoice(db: Db, userId: string, projectId: string): Promise<string> {
  const own = await db
    .selectFrom('role_bindings')
    .select(['role_id', 'expires_at'])
    .where('user_id', '=', userId)
    .where('project_id', '=', projectId)
    .execute();
  if (own.length === 0) return '';
  const only = own[0];
  return own.length === 1 && only?.role_id && only.expires_at === null ? only.role_id : KEEP_ACCESS;
}

async function teamIdsOf(db: Db, userId: string): Promise<string[]> {
  const rows = await db.selectFrom('team_members').select('team_id').where('user_id', '=', userId).execute();
  return rows.map((r) => r.team_id);
}

/** The teams the directory manages (SCIM): shown in the dialog, not changeable there. */
async function directoryTeamIds(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('teams').select('id').where('source', '=', 'scim').execute();
  return rows.map((r) => r.id);
}

/** Who the edit dialog is about, and the teams among its choices that the directory manages. */
export interface UserEditSubject {
  id: string;
  name: string;
  email: string;
  /** Their memberships of these teams are the directory's: the dialog shows them, and keeps them. */
  directoryTeamIds: string[];
}

/** Who the edit dialog is about, and the values it starts from. */
export async function userEditState(
  db: Db,
  id: string,
  projectId: string,
): Promise<{ user: UserEditSubject; values: UserEditState }> {
  const user = z.uuid().safeParse(id).success
    ? await db
        .selectFrom('users')
        .select(['id', 'name', 'email', 'language', 'access_expires_at'])
        .where('id', '=', id)
        .executeTakeFirst()
    : undefined;
  if (!user) throw new NotFoundError('There is no such user.');
  return {
    user: { id: user.id, name: user.name, email: user.email, directoryTeamIds: await directoryTeamIds(db) },
    values: {
      name: user.name,
      language: user.language,
      until: lastDayOf(user.access_expires_at),
      roleId: await projectRoleChoice(db, id, projectId),
      teamIds: await teamIdsOf(db, id),
    },
  };
}

const editSchema = z.object({
  name: nameSchema,
  language: z.enum(Object.keys(LANGUAGES) as [keyof typeof LANGUAGES], {
    error: 'Choose a language from the list.',
  }),
  until: lastDaySchema,
  roleId: z.union([z.literal(''), z.literal(KEEP_ACCESS), z.uuid({ error: 'Choose a role from the list.' })]),
  teamIds: z.array(z.uuid({ error: 'Choose teams from the list.' })).max(1000),
});

/**
 * `was`: the access fields as the dialog showed them when it opened. A field left as it was is
 * not saved, and teams are joined and left as ticked and unticked since then, so a dialog kept
 * open does not undo what another admin changed meanwhile. Without it (a client that sends the
 * whole state), the fields are the new state.
 */
export type UserEditInput = { [K in keyof UserEditState]?: unknown } & {
  was?: { until?: unknown; roleId?: unknown; teamIds?: unknown } | undefined;
};

export type UserEditWas = Pick<UserEditState, 'until' | 'roleId' | 'teamIds'>;

const wasSchema = z.object({
  until: z.string().max(20),
  roleId: z.string().max(40),
  teamIds: z.array(z.string().max(40)).max(1000),
});

const same = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null);

/**
 * The user's edit dialog: name and language, the access period, their role in the current
 * project and their teams, in one transaction and one audit event that lists what changed. The
 * email never changes here (it is who signs in). People may edit their own name and language but
 * not their own access; anyone else must be someone the actor outranks, and each team joined or
 * left needs the right to manage that team, and to grant what it grants. A directory team is
 * neither joined nor left here (ConflictError): the dialog sends its memberships back unchanged.
 */
export async function editUser(
  ctx: ActionContext,
  id: string,
  projectId: string,
  input: UserEditInput,
): Promise<{ changed: string[] }> {
  const data = parseInput(editSchema, {
    name: input.name,
    language: input.language,
    until: input.until ?? '',
    roleId: input.roleId ?? KEEP_ACCESS,
    teamIds: input.teamIds ?? [],
  });
  const was = input.was ? parseInput(wasSchema, { until: '', roleId: '', teamIds: [], ...input.was }) : null;
  // Only a change of access can take away the last account manager, so only then does the edit
  // queue behind every other such change (the account row, lockAccount). With the values the
  // form showed (`was`) that is known from the input alone, before any row is locked (always the
  // account row first, as the serialized actions do: no deadlock); without them, assume it may.
  const sameTeams = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && [...a].sort().join() === [...b].sort().join();
  const mayChangeAccess =
    !was ||
    data.until !== was.until ||
    (data.roleId !== KEEP_ACCESS && data.roleId !== was.roleId) ||
    !sameTeams(data.teamIds, was.teamIds);
  return perform(ctx, 'user.edit', async (tx) => {
    if (mayChangeAccess) await lockAccount(tx);
    const user = z.uuid().safeParse(id).success
      ? await tx.selectFrom('users').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
      : undefined;
    if (!user) throw new NotFoundError('There is no such user.');
    if (ctx.actor.kind !== 'user' || ctx.actor.id !== user.id) await assertOutranks(tx, ctx, [user.id]);
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};

    if (data.name !== user.name || data.language !== user.language) {
      Object.assign(before, { name: user.name, language: user.language });
      Object.assign(after, { name: data.name, language: data.language });
    }

    // An end already in the past stays as it is unless the date is changed.
    const expiresAt =
      data.until === (was ? was.until : lastDayOf(user.access_expires_at))
        ? user.access_expires_at
        : endAfterLastDay(data.until, ctx.clock.now());
    if (!same(user.access_expires_at, expiresAt)) {
      assertNotSelf(ctx.actor, [user.id], 'your own access period');
      before.accessExpiresAt = user.access_expires_at;
      after.accessExpiresAt = expiresAt;
    }
    await tx
      .updateTable('users')
      .set({ name: data.name, language: data.language, access_expires_at: expiresAt })
      .where('id', '=', user.id)
      .execute();

    const roleWas = was ? was.roleId : await projectRoleChoice(tx, user.id, projectId);
    if (data.roleId !== KEEP_ACCESS && data.roleId !== roleWas) {
      assertNotSelf(ctx.actor, [user.id], 'your own roles');
      if (data.roleId) {
        const role = await tx
          .selectFrom('roles')
          .select('id')
          .where('id', '=', data.roleId)
          .executeTakeFirst();
        if (!role) throw new ValidationError({ roleId: 'Choose a role from the list.' });
      }
      const { removed, roleName } = await replaceProjectRole(tx, ctx, user, projectId, data.roleId || null);
      before.projectRoles = removed;
      after.projectRole = roleName;
    }

    const current = new Set(await teamIdsOf(tx, user.id));
    const wanted = new Set(data.teamIds);
    const shown = new Set(was ? was.teamIds : current);
    const joined = [...wanted].filter((t) => !shown.has(t) && !current.has(t));
    const left = [...shown].filter((t) => !wanted.has(t) && current.has(t));
    if (joined.length + left.length > 0) {
      assertNotSelf(ctx.actor, [user.id], 'your own team memberships');
      // Names, not ids, in the trail: a team deleted later still reads there.
      const teams = await tx
        .selectFrom('teams')
        .select(['id', 'name', 'source'])
        .where('id', 'in', [...joined, ...left])
        .execute();
      const byId = new Map(teams.map((t) => [t.id, t]));
      const names = new Map(teams.map((t) => [t.id, t.name]));
      if (!joined.every((t) => names.has(t)))
        throw new ValidationError({ teamIds: 'Choose teams from the list.' });
      // Joined and left alike: a directory team's members are the directory's (the dialog sends them back).
      const unlessDirectory = (teamId: string) => {
        const team = byId.get(teamId);
        if (team) assertNotDirectoryTeam(team);
      };
      for (const teamId of joined) {
        await assertManagesTeam(tx, ctx, teamId, { adminsMay: true });
        unlessDirectory(teamId);
        await assertCanGrantTeamAccess(tx, ctx, teamId);
      }
      for (const teamId of left) {
        await assertManagesTeam(tx, ctx, teamId, { adminsMay: true });
        unlessDirectory(teamId);
      }
      if (joined.length > 0) {
        await tx
          .insertInto('team_members')
          .values(joined.map((team_id) => ({ team_id, user_id: user.id, is_admin: false })))
          .execute();
      }
      if (left.length > 0) {
        await tx
          .deleteFrom('team_members')
          .where('user_id', '=', user.id)
          .where('team_id', 'in', left)
          .execute();
      }
      if (joined.length > 0) after.teamsJoined = joined.map((t) => names.get(t) ?? t);
      if (left.length > 0) before.teamsLeft = left.map((t) => names.get(t) ?? t);
    }

    const accessChanged =
      ['accessExpiresAt', 'projectRole', 'teamsJoined'].some((k) => k in after) || 'teamsLeft' in before;
    if (accessChanged) await assertAccountManagerRemains(tx);
    return {
      result: { changed: [...new Set([...Object.keys(before), ...Object.keys(after)])] },
      target: userTarget(user),
      projectId,
      before,
      after,
    };
  });
}
