import { type Kysely, sql } from 'kysely';

// Status filters select small sets (locked, expired, without a password): partial indexes let the
// list build them directly instead of scanning every user.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index users_locked on users (locked_until) where locked_until is not null`.execute(db);
  await sql`create index users_access_expires on users (access_expires_at) where access_expires_at is not null`.execute(
    db,
  );
  await sql`create index users_password_not_set on users (id) where password_hash is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists users_password_not_set`.execute(db);
  await sql`drop index if exists users_access_expires`.execute(db);
  await sql`drop index if exists users_locked`.execute(db);
}
