import { sql } from 'kysely';
import { passwordUsable } from '../auth/passwords/reset-epoch';
import { assertRecentAuth } from '../auth/sessions/recent-auth';
import type { ActionContext, Actor } from '../core/context';
import { DomainError } from '../core/errors';
import type { Db } from '../db/connect';
import {
  actorGrantsOf,
  bindingPermissions,
  covers,
  type Grant,
  grantsOf,
  permissionsEverywhere,
  permissionsIn,
  projectIds,
} from './grants';

/** A refusal by one of the access rules; the message names the rule. Nothing was changed. */
export class RuleError extends DomainError {
  override name = 'RuleError';
  constructor(
    readonly rule: 'no-escalation' | 'rank' | 'self' | 'last-admin' | 'scope' | 'invitation-limit',
    message: string,
  ) {
    super(message);
  }
}

export const MANAGER_PERMISSIONS = ['account.settings', 'users.manage'] as const;

/**
 * Serialises every change that could remove the last account manager: the one account row is
 * locked until the transaction ends, so two admins demoting each other run one after the other.
 */
export async function lockAccount(tx: Db): Promise<void> {
  await sql`select id from account_settings where id = 1 for update`.execute(tx);
}

/** The people who keep the account manageable: active, never-expiring, holding both permissions account-wide. */
export async function accountManagers(tx: Db): Promise<string[]> {
  const rows = await tx
    .selectFrom('role_bindings as b')
    .leftJoin('roles as r', 'r.id', 'b.role_id')
    .leftJoin('team_members as m', 'm.team_id', 'b.team_id')
    .innerJoin('users as u', (join) =>
      join.on((eb) => eb('u.id', '=', eb.fn.coalesce('b.user_id', 'm.user_id'))),
    )
    .select([
      'u.id',
      'r.id as roleId',
      'r.key as roleKey',
      'r.permissions as rolePermissions',
      'b.permissions',
    ])
    .where('b.project_id', 'is', null)
    .where('b.expires_at', 'is', null)
    .where('u.deactivated_at', 'is', null)
    .where('u.access_expires_at', 'is', null)
    // Someone who never set a password cannot manage anything yet. A lockout passes; it counts.
    .where(passwordUsable('u'))
    .execute();
  const held = new Map<string, Set<string>>();
  for (const row of rows) {
    const keys = bindingPermissions(row);
    const set = held.get(row.id) ?? new Set<string>();
    for (const key of keys) set.add(key);
    held.set(row.id, set);
  }
  return [...held].filter(([, set]) => MANAGER_PERMISSIONS.every((p) => set.has(p))).map(([id]) => id);
}

export async function assertAccountManagerRemains(tx: Db): Promise<void> {
  if ((await accountManagers(tx)).length === 0) {
    throw new RuleError(
      'last-admin',
      'This would leave the account without an active person who can manage users and settings. Give someone else that access first.',
    );
  }
}

/** The actor's grants and the project list, read inside the transaction. */
export async function actorGrants(
  tx: Db,
  ctx: ActionContext,
): Promise<{ grants: Grant[]; projects: string[] }> {
  const projects = await projectIds(tx);
  if (ctx.actor.kind !== 'user') return { grants: [], projects };
  return { grants: await actorGrantsOf(tx, ctx.actor, ctx.clock.now()), projects };
}

/** Nobody changes their own roles, bindings or permissions: an admin cannot raise their own rights. */
export function assertNotSelf(
  actor: Actor,
  userIds: Iterable<string | null | undefined>,
  what = 'your own roles or permissions',
) {
  if (actor.kind !== 'user') return;
  for (const id of userIds) {
    if (id === actor.id) throw new RuleError('self', `You cannot change ${what}. Ask another administrator.`);
  }
}

/**
 * An actor acts on people only when, in every project, the actor holds all each of them holds.
 * Many at once (a team's members, a role's holders) read the actor's grants once.
 */
export async function assertOutranks(tx: Db, ctx: ActionContext, userIds: Iterable<string>) {
  if (ctx.actor.kind !== 'user') return;
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return;
  const { grants, projects } = await actorGrants(tx, ctx);
  const users = await tx.selectFrom('users').select(['id', 'email']).where('id', 'in', ids).execute();
  for (const user of users) {
    if (!covers(grants, await grantsOf(tx, user.id, ctx.clock.now()), projects)) {
      throw new RuleError(
        'rank',
        `${user.email} has access you do not have, so you cannot change their access.`,
      );
    }
  }
}

/** Changing people's access: never your own, and only people you outrank. */
export async function assertMayChangeAccessOf(
  tx: Db,
  ctx: ActionContext,
  userIds: string[],
  what?: string,
): Promise<void> {
  assertNotSelf(ctx.actor, userIds, what);
  await assertOutranks(tx, ctx, userIds);
}

/** What a grant is: permissions, where (null: the whole account), the permission that allows it. */
export interface GrantRequest {
  permissions: Iterable<string>;
  projectId: string | null;
  permission: string;
  /** For a binding: its end. Access may not outlast the actor's own (null: no end). */
  expiresAt?: Date | null;
}

/**
 * No escalation: permissions granted in a project must all be held there by the granter;
 * granted account-wide, held in every project. `permission` must also be held in that scope.
 * The refusal, or null when the grants allow it.
 */
export function grantRefusal(
  grants: readonly Grant[],
  projects: readonly string[],
  input: GrantRequest,
): RuleError | null {
  const permissions = [...input.permissions];
  if (input.expiresAt !== undefined) {
    const outlasting = outlastingRefusal(grants, projects, permissions, input);
    if (outlasting) return outlasting;
  }
  const held = input.projectId
    ? permissionsIn(grants, input.projectId)
    : permissionsEverywhere(grants, projects);
  const where = input.projectId ? 'in that project' : 'in every project';
  if (!held.has(input.permission)) {
    return new RuleError('scope', `You need the permission ${input.permission} ${where} to do this.`);
  }
  const missing = permissions.filter((key) => !held.has(key));
  if (missing.length > 0) {
    return new RuleError(
      'no-escalation',
      `You can only grant permissions you hold ${where}; you do not hold ${missing.join(', ')}.`,
    );
  }
  return null;
}

/** The actor may grant it (grantRefusal), with a recent password when it hands out admin rights. */
export async function assertCanGrant(tx: Db, ctx: ActionContext, input: GrantRequest) {
  if (ctx.actor.kind !== 'user') return;
  const { grants, projects } = await actorGrants(tx, ctx);
  const refusal = grantRefusal(grants, projects, input);
  if (refusal) throw refusal;
  await assertRecentAuthForAdminRights(tx, ctx, input.permissions);
}

/** Handing out admin rights, by any path, needs the password confirmed in the last 10 minutes. */
export async function assertRecentAuthForAdminRights(
  tx: Db,
  ctx: ActionContext,
  permissions: Iterable<string>,
) {
  if ([...permissions].some((key) => ADMIN_RIGHTS.has(key))) await assertRecentAuth(tx, ctx);
}

/**
 * Granting these is granting admin rights: a session left open must not be enough to hand them
 * out, so they need a recent re-authentication.
 */
const ADMIN_RIGHTS = new Set(['users.manage', 'account.settings']);

/**
 * The latest moment the actor holds a permission in the scope (null: with no end). A grant may
 * not outlast it, or access that is about to expire could be handed on for good.
 */
function heldUntil(
  grants: readonly Grant[],
  projects: readonly string[],
  key: string,
  projectId: string | null,
): Date | null {
  const scopes = projectId ? [projectId] : projects;
  let earliestOfScopes: Date | null = null;
  for (const scope of scopes) {
    let latest: Date | null | undefined;
    for (const g of grants) {
      if ((g.projectId !== null && g.projectId !== scope) || !g.permissions.includes(key)) continue;
      if (g.expiresAt === null) latest = null;
      else if (latest !== null && (latest === undefined || g.expiresAt > latest)) latest = g.expiresAt;
      if (latest === null) break;
    }
    if (latest === undefined || latest === null) continue;
    if (earliestOfScopes === null || latest < earliestOfScopes) earliestOfScopes = latest;
  }
  return earliestOfScopes;
}

function outlastingRefusal(
  grants: readonly Grant[],
  projects: readonly string[],
  permissions: string[],
  input: { projectId: string | null; expiresAt?: Date | null },
): RuleError | null {
  for (const key of permissions) {
    const until = heldUntil(grants, projects, key, input.projectId);
    if (until && (input.expiresAt === null || (input.expiresAt && input.expiresAt > until))) {
      return new RuleError(
        'no-escalation',
        `Your own ${key} ends on ${until.toISOString().slice(0, 10)}; access you grant cannot last longer. Choose an earlier end date.`,
      );
    }
  }
  return null;
}
