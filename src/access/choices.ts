import { sql } from 'kysely';
import type { AccessCache } from '../api/access-cache';
import type { Db } from '../db/connect';
import { prepared } from '../db/prepared';

type Choice = { id: string; name: string };

/** Both lists in one statement: every users page shows them, and each statement costs a round trip. */
const choicesQuery = prepared(
  (db) =>
    db
      .selectFrom('roles')
      .select([sql<'role' | 'team'>`'role'`.as('kind'), 'id', sql<string>`name::text`.as('name')])
      .select(sql<string>`lower(name::text)`.as('sort'))
      .unionAll(
        db
          .selectFrom('teams')
          .select([sql<'role' | 'team'>`'team'`.as('kind'), 'id', sql<string>`name::text`.as('name')])
          .select(sql<string>`lower(name::text)`.as('sort')),
      )
      .orderBy('kind')
      .orderBy('sort'),
  {},
);

/**
 * The roles and teams to choose from (filters, bulk role change, the edit dialog), by name. Names
 * only: listRoles's holder counts would scan every binding. Given the access cache, read from
 * there: every users list request shows them, and a change to roles or teams (triggers in
 * migrations 0017 and 0021) empties it on every instance.
 */
export async function roleAndTeamChoices(db: Db, cache?: AccessCache | null) {
  const { rows } = cache
    ? await cache.read('choices:roles-and-teams', () => choicesQuery(db, {}))
    : await choicesQuery(db, {});
  const pick = (kind: 'role' | 'team'): Choice[] =>
    rows.filter((r) => r.kind === kind).map(({ id, name }) => ({ id, name }));
  return { roles: pick('role'), teams: pick('team') };
}
