import { sql } from 'kysely';
import { type Grant, grantsOf, permissionsIn } from '../access/grants';
import type { Db } from '../db/connect';

/*
 * Gatehouse's claims: for one project, the person's roles and permission keys there (flat
 * arrays, only that project's, so tokens stay small), and their team names. Which project: the
 * one the application serves, or, for an application serving several, the one it asks for with
 * the scope value `project:<id>`.
 */

export const PROJECT_SCOPE = /^project:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface ProjectChoice {
  id: string;
  name: string;
}

/** The project a token of this application, with this scope, speaks about; null when none. */
export async function projectFor(db: Db, clientId: string, scope: string): Promise<ProjectChoice | null> {
  // The projects the application serves (all of them when it serves every project), in one query.
  const served = await db
    .selectFrom('applications as a')
    .innerJoin('projects as p', (join) =>
      join.on((eb) =>
        eb.or([eb('a.project_ids', 'is', null), eb('p.id', '=', sql<string>`any(a.project_ids)`)]),
      ),
    )
    .select(['p.id', 'p.name'])
    .where('a.client_id', '=', clientId)
    .execute();
  const asked = scope
    .split(' ')
    .find((s) => PROJECT_SCOPE.test(s))
    ?.slice('project:'.length);
  if (asked) return served.find((p) => p.id === asked) ?? null;
  return served.length === 1 ? (served[0] ?? null) : null;
}

/**
 * Whether the person has any permission in the project: someone without is not signed in to
 * its apps, and their tokens about it are refused.
 */
export function hasAccessIn(grants: readonly Grant[], project: ProjectChoice) {
  return permissionsIn(grants, project.id).size > 0;
}

/**
 * The person's grants, read once however often asked (a refresh checks the project's access and
 * then writes the claims: one read serves both).
 */
export function grantsOnce(db: Db, userId: string, now: Date) {
  let read: Promise<Grant[]> | undefined;
  return () => {
    read ??= grantsOf(db, userId, now);
    return read;
  };
}

/** What the person is and may do in the project, as claims (`grants`: grantsOnce's reader). */
export async function accessClaims(
  db: Db,
  userId: string,
  project: ProjectChoice | null,
  grantsOfUser: () => Promise<Grant[]>,
) {
  const teams = await db
    .selectFrom('team_members as m')
    .innerJoin('teams as t', 't.id', 'm.team_id')
    .select('t.name')
    .where('m.user_id', '=', userId)
    .orderBy('t.name')
    .execute();
  if (!project) return { teams: teams.map((t) => t.name) };
  const grants = await grantsOfUser();
  const here = grants.filter((g) => g.projectId === null || g.projectId === project.id);
  return {
    project: project.id,
    project_name: project.name,
    roles: [...new Set(here.flatMap((g) => (g.role ? [g.role.name] : [])))].sort(),
    permissions: [...permissionsIn(grants, project.id)].sort(),
    teams: teams.map((t) => t.name),
  };
}
