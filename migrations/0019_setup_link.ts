import { type Kysely, sql } from 'kysely';

// The first run in the browser (src/auth/setup/): while the account has no user, each server start
// writes a one-time setup link here and prints it. One row at most, so a new start replaces the
// link of the previous one (instances sharing a PostgreSQL: the last start wins), and only the
// SHA-256 of the link's secret is kept.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table setup_link (
      id smallint primary key default 1 check (id = 1),
      token_hash bytea not null,
      created_at timestamptz not null,
      expires_at timestamptz not null
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists setup_link`.execute(db);
}
