import type { InferResult, RawBuilder } from 'kysely';
import type { Actor } from '../core/context';
import type { Db } from '../db/connect';
import { builtinRole, isKnownPermission } from './permissions';

/** One unexpired binding that reaches a user, and what it grants. */
export interface Grant {
  bindingId: string;
  via: { kind: 'user' } | { kind: 'team'; teamId: string; teamName: string };
  role: { id: string; name: string; builtin: boolean } | null;
  /** Null: the whole account. */
  projectId: string | null;
  expiresAt: Date | null;
  permissions: readonly string[];
}

/** A role's permissions: built-in ones from code, custom ones from the row. */
export function rolePermissions(role: { key: string | null; permissions: readonly string[] }): string[] {
  const keys = role.key ? (builtinRole(role.key)?.permissions ?? []) : role.permissions;
  return keys.filter(isKnownPermission);
}

/** What a binding row grants: its role's permissions, or its manual set; keys the catalog knows. */
export function bindingPermissions(row: {
  roleId: string | null;
  roleKey: string | null;
  rolePermissions: readonly string[] | null;
  permissions: readonly string[] | null;
}): string[] {
  return row.roleId
    ? rolePermissions({ key: row.roleKey, permissions: row.rolePermissions ?? [] })
    : (row.permissions ?? []).filter(isKnownPermission);
}

/**
 * The binding rows that reach a user, direct or through a team, unexpired at `now`: a UNION ALL
 * of two indexed lookups (one query with an OR over both scans every binding). `userId` may be
 * a column of an outer query, so the session lookup reads them in its own round trip.
 */
export function grantRows(db: Db, userId: string | RawBuilder<string>, now: Date) {
  const base = () =>
    db
      .selectFrom('role_bindings as b')
      .leftJoin('roles as r', 'r.id', 'b.role_id')
      .leftJoin('teams as t', 't.id', 'b.team_id')
      .select([
        'b.id',
        'b.team_id',
        'b.project_id',
        'b.expires_at',
        'b.permissions',
        'r.id as roleId',
        'r.key as roleKey',
        'r.name as roleName',
        'r.permissions as rolePermissions',
        't.name as teamName',
      ])
      .where((eb) => eb.or([eb('b.expires_at', 'is', null), eb('b.expires_at', '>', now)]));
  return base()
    .where('b.user_id', '=', userId)
    .unionAll(
      base().where('b.team_id', 'in', (eb) =>
        eb.selectFrom('team_members').select('team_id').where('user_id', '=', userId),
      ),
    );
}

type GrantRow = InferResult<ReturnType<typeof grantRows>>[number];

/** A grant row as read, or as JSON from a subquery (timestamps as text). */
export function toGrant(row: Omit<GrantRow, 'expires_at'> & { expires_at: Date | string | null }): Grant {
  return {
    bindingId: row.id,
    via: row.team_id ? { kind: 'team', teamId: row.team_id, teamName: row.teamName ?? '' } : { kind: 'user' },
    role: row.roleId ? { id: row.roleId, name: row.roleName ?? '', builtin: row.roleKey !== null } : null,
    projectId: row.project_id,
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
    permissions: bindingPermissions(row),
  };
}

/**
 * Every unexpired binding of the user, direct or through a team, in any project: read from the
 * database each time, so a change applies on the next request and an expiry at once.
 */
export async function grantsOf(db: Db, userId: string, now: Date): Promise<Grant[]> {
  return (await grantRows(db, userId, now).execute()).map(toGrant);
}

/**
 * The grants an actor may use: all of theirs, or, acting through an API token with a permission
 * list, only those permissions of each (a token never uses more than its list, whatever it is
 * asked to grant, and whatever its owner holds). Nobody's for an actor who is not a user.
 */
export async function actorGrantsOf(db: Db, actor: Actor, now: Date): Promise<Grant[]> {
  if (actor.kind !== 'user') return [];
  return narrowedTo(await grantsOf(db, actor.id, now), actor.token?.permissions);
}

/** Grants cut down to a token's permission list; with no list (null), as they are. */
export function narrowedTo(grants: Grant[], list: readonly string[] | null | undefined): Grant[] {
  if (!list) return grants;
  return grants.map((g) => ({ ...g, permissions: g.permissions.filter((p) => list.includes(p)) }));
}

/** What the grants give in one project: its own bindings and the account-wide ones. */
export function permissionsIn(grants: readonly Grant[], projectId: string): Set<string> {
  const granted = new Set<string>();
  for (const grant of grants) {
    if (grant.projectId === null || grant.projectId === projectId) {
      for (const key of grant.permissions) granted.add(key);
    }
  }
  return granted;
}

export async function effectivePermissions(
  db: Db,
  userId: string,
  projectId: string,
  now: Date,
): Promise<Set<string>> {
  return permissionsIn(await grantsOf(db, userId, now), projectId);
}

/** Permissions held in every project: what may be granted account-wide. */
export function permissionsEverywhere(grants: readonly Grant[], projectIds: readonly string[]): Set<string> {
  const [first, ...rest] = projectIds.map((id) => permissionsIn(grants, id));
  const common = first ?? new Set<string>();
  for (const set of rest) for (const key of common) if (!set.has(key)) common.delete(key);
  return common;
}

export function isSubset(inner: Iterable<string>, outer: ReadonlySet<string>): boolean {
  for (const key of inner) if (!outer.has(key)) return false;
  return true;
}

/** True when, in every project, the actor holds everything the target holds. */
export function covers(
  actor: readonly Grant[],
  target: readonly Grant[],
  projectIds: readonly string[],
): boolean {
  return projectIds.every((id) => isSubset(permissionsIn(target, id), permissionsIn(actor, id)));
}

export async function projectIds(db: Db): Promise<string[]> {
  return (await db.selectFrom('projects').select('id').orderBy('created_at').orderBy('id').execute()).map(
    (p) => p.id,
  );
}

/** The oldest project: where a session works until it switches. */
export async function defaultProjectId(db: Db): Promise<string> {
  const row = await db
    .selectFrom('projects')
    .select('id')
    .orderBy('created_at')
    .orderBy('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function builtinRoleId(db: Db, key: string): Promise<string> {
  const row = await db.selectFrom('roles').select('id').where('key', '=', key).executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Where a viewer may read what a permission guards (audit events, invitations): everywhere when
 * they hold it in every project, else in the projects where they hold it. Objects of no project
 * (account-wide events) are for the first kind only.
 */
export type PermissionScope = { all: true } | { all: false; projectIds: string[] };

export function scopeOf(
  grants: readonly Grant[],
  projects: readonly string[],
  permission: string,
): PermissionScope {
  if (permissionsEverywhere(grants, projects).has(permission)) return { all: true };
  return { all: false, projectIds: projects.filter((p) => permissionsIn(grants, p).has(permission)) };
}

/** The scope read from the database (the CLI, an export after its own transaction). */
export async function scopeOfActor(
  db: Db,
  actor: { kind: string; id?: string },
  now: Date,
  permission: string,
): Promise<PermissionScope> {
  if (actor.kind === 'system') return { all: true };
  if (actor.kind !== 'user' || !actor.id) return { all: false, projectIds: [] };
  const [grants, projects] = await Promise.all([grantsOf(db, actor.id, now), projectIds(db)]);
  return scopeOf(grants, projects, permission);
}

/** Whether a scope reaches a project (null: an object of no project, account-wide viewers only). */
export const scopeReaches = (scope: PermissionScope, projectId: string | null): boolean =>
  scope.all || (projectId !== null && scope.projectIds.includes(projectId));
