import { builtinRole } from '../auth/permissions';
import type { Db } from '../db/connect';

/**
 * Union of the user's unexpired bindings for the project and for the whole account, read from
 * the database every time so that a change applies on the next request.
 */
export async function effectivePermissions(
  db: Db,
  userId: string,
  projectId: string,
  now: Date,
): Promise<Set<string>> {
  const rows = await db
    .selectFrom('role_bindings as b')
    .leftJoin('roles as r', 'r.id', 'b.role_id')
    .select(['r.key as roleKey', 'r.permissions as rolePermissions', 'b.permissions'])
    .where('b.user_id', '=', userId)
    .where((eb) => eb.or([eb('b.project_id', 'is', null), eb('b.project_id', '=', projectId)]))
    .where((eb) => eb.or([eb('b.expires_at', 'is', null), eb('b.expires_at', '>', now)]))
    .execute();
  const granted = new Set<string>();
  for (const row of rows) {
    const keys = row.roleKey
      ? (builtinRole(row.roleKey)?.permissions ?? [])
      : (row.rolePermissions ?? row.permissions ?? []);
    for (const key of keys) granted.add(key);
  }
  return granted;
}

/** The project a session works in until the project switcher exists: the oldest one. */
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
