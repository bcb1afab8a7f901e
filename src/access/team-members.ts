import { z } from 'zod';
import { perform } from '../audit/perform';
import type { ActionContext } from '../core/context';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../core/errors';
import { emailSchema, parseInput } from '../core/validation';
import type { Db } from '../db/connect';
import {
  actorGrantsOf,
  bindingPermissions,
  permissionsEverywhere,
  permissionsIn,
  projectIds,
} from './grants';
import {
  assertAccountManagerRemains,
  assertMayChangeAccessOf,
  assertRecentAuthForAdminRights,
  RuleError,
} from './rules';
import { assertNotDirectoryTeam, teamForUpdate } from './teams';

/**
 * Who is in a team and who administers it: a team admin may add and remove members, nothing more.
 * A directory team's members are the directory's: nobody adds, removes or promotes them by hand.
 * A membership a provider's group claim added (source 'sso') to a team of Gatehouse's may be
 * removed by hand; the next sign-in through that provider adds it back while the group is asserted.
 */

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
  const grants = await actorGrantsOf(tx, actor, ctx.clock.now());
  if (permissionsEverywhere(grants, await projectIds(tx)).has('teams.manage')) return;
  // A team admin's rights are the membership's, not a permission: a token limited to a list
  // does not carry them.
  if (adminsMay && !actor.token?.permissions) {
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
  const grants = await actorGrantsOf(tx, ctx.actor, now);
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
    assertNotDirectoryTeam(team);
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
    assertNotDirectoryTeam(team);
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
    assertNotDirectoryTeam(team);
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

/** A team's page is for those who manage teams, and for that team's admins. */
export async function mayOpenTeam(
  db: Db,
  viewer: { id: string; permissions: ReadonlySet<string> },
  teamId: string,
): Promise<boolean> {
  return (
    viewer.permissions.has('teams.manage') || (await teamsAdministeredBy(db, viewer.id)).includes(teamId)
  );
}
