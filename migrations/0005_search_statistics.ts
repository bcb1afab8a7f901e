import { type Kysely, sql } from 'kysely';

// The planner estimates a substring search (lower(name) like '%term%') from the histogram of the
// sort indexes' expressions. With the default 100 entries a surname shared by 1% of a million
// users matched none of them and was estimated at 200 rows, so the list gathered 8,000 matches
// and sorted them (22 ms) instead of walking the name index (5 ms). 1,000 entries fix that.
const EXPRESSIONS = ['users_sort_name', 'users_sort_email'];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const index of EXPRESSIONS) {
    await sql`alter index ${sql.id(index)} alter column 1 set statistics 1000`.execute(db);
  }
  await sql`analyze users`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const index of EXPRESSIONS) {
    await sql`alter index ${sql.id(index)} alter column 1 set statistics -1`.execute(db);
  }
}
