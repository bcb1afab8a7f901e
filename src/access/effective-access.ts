import { z } from 'zod';
import { NotFoundError } from '../core/errors';
import type { Db } from '../db/connect';
import { type Grant, grantsOf, permissionsIn } from './grants';
import { PERMISSIONS } from './permissions';

export interface PermissionSource {
  kind: 'direct role' | 'team role' | 'manual set' | 'team manual set';
  label: string;
  accountWide: boolean;
  expiresAt: Date | null;
}

export interface ProjectAccess {
  projectId: string;
  projectName: string;
  permissions: Array<{ key: string; label: string; area: string; sources: PermissionSource[] }>;
}

function sourceOf(grant: Grant): PermissionSource {
  const team = grant.via.kind === 'team' ? grant.via.teamName : null;
  const role = grant.role?.name;
  const kind = role ? (team ? 'team role' : 'direct role') : team ? 'team manual set' : 'manual set';
  const label = [role ?? 'Manual permissions', team ? `via team ${team}` : null].filter(Boolean).join(' ');
  return { kind, label, accountWide: grant.projectId === null, expiresAt: grant.expiresAt };
}

/**
 * For each project: every permission the user holds there and every binding it comes from.
 * With a viewer, only the projects where the viewer holds users.view are shown.
 */
export async function effectiveAccess(db: Db, userId: string, now: Date, viewerId?: string) {
  if (!z.uuid().safeParse(userId).success) throw new NotFoundError('There is no such user.');
  const user = await db
    .selectFrom('users')
    .select(['id', 'name', 'email'])
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user) throw new NotFoundError('There is no such user.');
  const grants = await grantsOf(db, userId, now);
  const viewerGrants = viewerId ? await grantsOf(db, viewerId, now) : null;
  const projects = (await db.selectFrom('projects').select(['id', 'name']).orderBy('name').execute()).filter(
    (p) => !viewerGrants || permissionsIn(viewerGrants, p.id).has('users.view'),
  );
  const access: ProjectAccess[] = projects.map((project) => {
    const applicable = grants.filter((g) => g.projectId === null || g.projectId === project.id);
    return {
      projectId: project.id,
      projectName: project.name,
      permissions: PERMISSIONS.filter((p) => applicable.some((g) => g.permissions.includes(p.key))).map(
        (p) => ({
          key: p.key,
          label: p.label,
          area: p.areaLabel,
          sources: applicable.filter((g) => g.permissions.includes(p.key)).map(sourceOf),
        }),
      ),
    };
  });
  const teams = await db
    .selectFrom('team_members as m')
    .innerJoin('teams as t', 't.id', 'm.team_id')
    .select(['t.id', 't.name', 'm.is_admin as isAdmin'])
    .where('m.user_id', '=', userId)
    .orderBy('t.name')
    .execute();
  return { user, projects: access, teams };
}
