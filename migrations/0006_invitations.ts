import { type Kysely, sql } from 'kysely';

// Invitations, the sign-up they lead to, and recovery codes.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table users add column email_verified_at timestamptz`.execute(db);
  await sql`
    alter table account_settings
      add column invitations_per_day integer not null default 50 check (invitations_per_day between 1 and 10000)`.execute(
    db,
  );

  // The role is kept by name too: a custom role may be deleted after its invitation was used.
  // A sign-up in progress (name, password hash, encrypted TOTP key, recovery code hashes) waits
  // in `signup` until the invitee finishes; a resend or revoke throws it away with the token.
  await sql`
    create table invitations (
      id uuid primary key default gen_random_uuid(),
      email citext not null check (char_length(email) between 3 and 254),
      project_id uuid not null references projects (id) on delete cascade,
      role_id uuid references roles (id) on delete set null,
      role_name text not null,
      invited_by uuid references users (id) on delete set null,
      invited_by_label text not null,
      hide_inviter boolean not null default false,
      language text not null check (language in ('en', 'fr', 'de', 'es')),
      message text not null default '' check (char_length(message) <= 1000),
      token_hash bytea not null unique,
      created_at timestamptz not null default now(),
      sent_at timestamptz not null,
      expires_at timestamptz not null,
      opened_at timestamptz,
      declined_at timestamptz,
      accepted_at timestamptz,
      accepted_user_id uuid references users (id) on delete set null,
      revoked_at timestamptz,
      signup jsonb
    )`.execute(db);
  // One open invitation per address and project: a second one is a resend.
  await sql`
    create unique index invitations_open_per_project on invitations (email, project_id)
      where accepted_at is null and declined_at is null and revoked_at is null`.execute(db);
  await sql`create index invitations_created_at on invitations (created_at desc, id desc)`.execute(db);
  await sql`create index invitations_invited_by on invitations (invited_by, created_at desc)`.execute(db);
  await sql`create index invitations_role on invitations (role_id)`.execute(db);

  await sql`
    create table recovery_codes (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null references users (id) on delete cascade,
      code_hash bytea not null,
      created_at timestamptz not null default now(),
      used_at timestamptz
    )`.execute(db);
  await sql`create index recovery_codes_user on recovery_codes (user_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists recovery_codes`.execute(db);
  await sql`drop table if exists invitations`.execute(db);
  await sql`alter table account_settings drop column if exists invitations_per_day`.execute(db);
  await sql`alter table users drop column if exists email_verified_at`.execute(db);
}
