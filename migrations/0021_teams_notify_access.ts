import { type Kysely, sql } from 'kysely';

// Team names join the data every instance keeps in memory and drops when access changes
// (src/api/access-cache.ts): the users list's filter menus read the roles and teams from there,
// so creating, renaming or deleting a team must notify 'gatehouse_access' as role changes do.
// Only those: every notification empties the whole cache (permission answers included) on every
// instance, and a team's creator set to null when that person is deleted changes nothing it holds.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create trigger teams_access_changed
    after insert or delete or update of name on teams
    for each statement execute function gatehouse_access_changed()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger teams_access_changed on teams`.execute(db);
}
