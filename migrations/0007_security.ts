import { type Kysely, sql } from 'kysely';

// Passwords, two-factor authentication, lockout and rate limits.

export async function up(db: Kysely<unknown>): Promise<void> {
  // Wrong second-factor codes are counted per user, not per session: a new session from the
  // password alone must not buy five more guesses.
  await sql`
    alter table users
      add column totp_failed_count integer not null default 0,
      add column totp_blocked_until timestamptz,
      add column totp_pending_secret text,
      add column must_enrol_two_factor boolean not null default false`.execute(db);

  // A reset link for an account with 2FA is usable for the new password only after a code.
  await sql`alter table one_time_tokens add column factor_verified_at timestamptz`.execute(db);

  // Token buckets shared by every app instance on the database: `allowed` is the verdict of the
  // last take, written in the same statement so two instances cannot both spend the last token.
  await sql`
    create table rate_limits (
      key text primary key check (char_length(key) <= 400),
      tokens double precision not null,
      updated_at timestamptz not null,
      allowed boolean not null
    )`.execute(db);
  await sql`create index rate_limits_updated_at on rate_limits (updated_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists rate_limits`.execute(db);
  await sql`alter table one_time_tokens drop column if exists factor_verified_at`.execute(db);
  await sql`
    alter table users
      drop column if exists totp_failed_count,
      drop column if exists totp_blocked_until,
      drop column if exists totp_pending_secret,
      drop column if exists must_enrol_two_factor`.execute(db);
}
