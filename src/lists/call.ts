import type { PermissionScope } from '../access/grants';
import type { PasswordEpoch } from '../auth/passwords/reset-epoch';
import type { Db } from '../db/connect';
import type { List, ListCall } from './definition';
import type { Filters } from './filters';

/**
 * What a list is given for one viewer: the pool it reads (the search pool for lists that use one),
 * the time, zone and project, and the scope of its permission. One function, so that the list's
 * own routes and the home page's counts (src/home/list-counts.ts) ask exactly the same question.
 */

/** Who is looking, as a list's routes see them. */
export interface ListViewer {
  db: Db;
  /** The search pool, for lists that read from it (`searchPool`). */
  searchDb?: Db | undefined;
  now: Date;
  timeZone: string;
  projectId: string;
  /** In the current project: what the list's guard checks. */
  permissions: ReadonlySet<string>;
  /** The projects where the viewer holds a permission: what a `granted` list shows. */
  scopeOf(permission: string): PermissionScope;
  /** Read with the session (ListCall.passwords). */
  passwords?: PasswordEpoch | undefined;
}

/** The call a list's route makes for this viewer. */
export function listCall<F extends Filters>(
  list: Pick<List<F, string, unknown, object, unknown>, 'searchPool' | 'scope' | 'permission' | 'filters'>,
  viewer: ListViewer,
) {
  return {
    db: list.searchPool ? (viewer.searchDb ?? viewer.db) : viewer.db,
    now: viewer.now,
    timeZone: viewer.timeZone,
    projectId: viewer.projectId,
    scope: list.scope === 'granted' ? viewer.scopeOf(list.permission) : { all: true },
    filters: list.filters,
    ...(viewer.passwords ? { passwords: viewer.passwords } : {}),
  } satisfies ListCall<F>;
}
