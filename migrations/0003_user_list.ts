import { type Kysely, sql } from 'kysely';

// The users list at a million rows: trigram GIN indexes on the exact expressions the search uses, and a btree per sort order ending in id for keyset paging.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index users_name_trgm on users using gin (lower(name) gin_trgm_ops)`.execute(db);
  await sql`create index users_email_trgm on users using gin (lower(email::text) gin_trgm_ops)`.execute(db);
  await sql`create index users_sort_name on users (lower(name), id)`.execute(db);
  await sql`create index users_sort_email on users (lower(email::text), id)`.execute(db);
  await sql`create index users_sort_last_login on users ((coalesce(last_login_at, '-infinity'::timestamptz)), id)`.execute(
    db,
  );
  await sql`create index users_sort_created on users (created_at, id)`.execute(db);
  await sql`create index users_deactivated on users (deactivated_at) where deactivated_at is not null`.execute(
    db,
  );
  await sql`create index team_members_team_user on team_members (team_id, user_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const index of [
    'team_members_team_user',
    'users_deactivated',
    'users_sort_created',
    'users_sort_last_login',
    'users_sort_email',
    'users_sort_name',
    'users_email_trgm',
    'users_name_trgm',
  ]) {
    await sql`drop index if exists ${sql.id(index)}`.execute(db);
  }
}
