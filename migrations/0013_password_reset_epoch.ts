import { type Kysely, sql } from 'kysely';

// "Reset all passwords" records when it began and who began it instead of rewriting every
// user's row (src/auth/passwords/reset-epoch.ts): a password set before it stops working at once.
// That needs every set password to know when it was set.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table account_settings
      add column passwords_reset_at timestamptz,
      add column passwords_reset_by uuid`.execute(db);
  await sql`
    update users set password_changed_at = created_at
    where password_hash is not null and password_changed_at is null`.execute(db);
  // A row written with a password but without its time (a seed, an import) gets the write's time.
  await sql`alter table users alter column password_changed_at set default now()`.execute(db);
  await sql`
    alter table users add constraint users_password_changed_known
      check (password_hash is null or password_changed_at is not null)`.execute(db);
  // The "Password not set" filter after a reset: the passwords set before it.
  await sql`create index users_password_changed on users (password_changed_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists users_password_changed`.execute(db);
  await sql`alter table users drop constraint if exists users_password_changed_known`.execute(db);
  await sql`alter table users alter column password_changed_at drop default`.execute(db);
  await sql`alter table account_settings drop column passwords_reset_at, drop column passwords_reset_by`.execute(
    db,
  );
}
