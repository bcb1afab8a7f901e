import { effectiveAccess } from '../access/effective-access';
import { getSettings } from '../account/read-settings';
import type { Db } from '../db/connect';

/** What the home page tells the signed-in user: where they are, their roles here, their teams. */
export async function homeSummary(db: Db, user: { id: string; projectId: string }, now: Date) {
  const [settings, access] = await Promise.all([getSettings(db), effectiveAccess(db, user.id, now)]);
  const here = access.projects.find((p) => p.projectId === user.projectId);
  // Each role or set once, however many permissions it gives.
  const roles = new Map<string, string>();
  for (const permission of here?.permissions ?? []) {
    for (const source of permission.sources) {
      roles.set(source.label, source.accountWide ? 'in every project' : 'in this project');
    }
  }
  return {
    accountName: settings.account_name,
    projectName: here?.projectName ?? '',
    roles: [...roles].map(([name, scope]) => ({ name, scope })),
    teams: access.teams,
  };
}
