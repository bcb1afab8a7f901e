import { type Kysely, sql } from 'kysely';

// Sign-in abuse: lockouts per account and client address, an account-wide lock far above them
// that its owner can end by an emailed link, and rate-limit refusals counted instead of written
// one event each.

export async function up(db: Kysely<unknown>): Promise<void> {
  // Wrong passwords per account and address: the threshold locks that account for that address
  // only, so someone who knows an email cannot keep its owner out from elsewhere. The users
  // row keeps the account-wide count, lock and doubling (failed_login_count, locked_until,
  // lockout_count), which now need lockout_account_threshold failures from any addresses.
  await sql`
    create table sign_in_failures (
      user_id uuid not null references users (id) on delete cascade,
      ip text not null check (char_length(ip) <= 100),
      failed_count integer not null default 0,
      lockout_count integer not null default 0,
      locked_until timestamptz,
      updated_at timestamptz not null,
      primary key (user_id, ip)
    )`.execute(db);
  await sql`create index sign_in_failures_updated_at on sign_in_failures (updated_at)`.execute(db);
  await sql`
    alter table account_settings
      add column lockout_account_threshold integer not null default 100
        check (lockout_account_threshold between 10 and 100)`.execute(db);

  // The owner of an account locked account-wide ends the lock with an emailed link.
  await sql`alter table one_time_tokens drop constraint one_time_tokens_purpose_check`.execute(db);
  await sql`
    alter table one_time_tokens add constraint one_time_tokens_purpose_check
      check (purpose in ('set_password', 'reset_password', 'email_change', 'unlock_account'))`.execute(db);

  // Requests a rate limit refused, per action, client address and five-minute window: written
  // to the audit trail as one event when the window has passed, however many there were.
  await sql`
    create table refusal_counts (
      action text not null,
      subject text not null check (char_length(subject) <= 100),
      window_start timestamptz not null,
      bucket text not null,
      refused integer not null,
      primary key (action, subject, window_start)
    )`.execute(db);
  await sql`create index refusal_counts_window_start on refusal_counts (window_start)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists refusal_counts`.execute(db);
  await sql`delete from one_time_tokens where purpose = 'unlock_account'`.execute(db);
  await sql`alter table one_time_tokens drop constraint one_time_tokens_purpose_check`.execute(db);
  await sql`
    alter table one_time_tokens add constraint one_time_tokens_purpose_check
      check (purpose in ('set_password', 'reset_password', 'email_change'))`.execute(db);
  await sql`alter table account_settings drop column if exists lockout_account_threshold`.execute(db);
  await sql`drop table if exists sign_in_failures`.execute(db);
}
