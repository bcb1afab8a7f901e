import { sql } from 'kysely';
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
 * only: listRoles's holder counts would scan every binding.
 */
export async function roleAndTeamChoices(db: Db) {
  const { rows } = await choicesQuery(db, {});
  const pick = (kind: 'role' | 'team'): Choice[] =>
    rows.filter((r) => r.kind === kind).map(({ id, name }) => ({ id, name }));
  return { roles: pick('role'), teams: pick('team') };
}
