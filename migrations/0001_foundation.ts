import { type Kysely, sql } from 'kysely';

// Migrations are frozen history: they spell out their SQL and never import application code.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists citext`.execute(db);
  await sql`create extension if not exists pg_trgm`.execute(db);

  await sql`
    create table users (
      id uuid primary key default gen_random_uuid(),
      email citext not null unique check (char_length(email) between 3 and 254),
      name text not null check (char_length(name) between 1 and 200),
      language text not null default 'en' check (language in ('en', 'fr', 'de', 'es')),
      password_hash text,
      password_changed_at timestamptz,
      totp_secret text,
      totp_last_step bigint,
      failed_login_count integer not null default 0,
      lockout_count integer not null default 0,
      locked_until timestamptz,
      deactivated_at timestamptz,
      access_expires_at timestamptz,
      last_login_at timestamptz,
      created_at timestamptz not null default now(),
      created_by uuid references users (id) on delete set null
    )`.execute(db);

  await sql`
    create table sessions (
      id text primary key,
      secret_hash bytea not null,
      user_id uuid not null references users (id) on delete cascade,
      created_at timestamptz not null default now(),
      last_seen_at timestamptz not null,
      expires_at timestamptz not null,
      ip text,
      user_agent text,
      reauthenticated_at timestamptz,
      two_factor_verified boolean not null default false
    )`.execute(db);
  await sql`create index sessions_user_id on sessions (user_id)`.execute(db);

  await sql`
    create table one_time_tokens (
      id uuid primary key default gen_random_uuid(),
      token_hash bytea not null unique,
      purpose text not null check (purpose in ('set_password', 'reset_password', 'email_change')),
      user_id uuid not null references users (id) on delete cascade,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      used_at timestamptz,
      created_by uuid references users (id) on delete set null
    )`.execute(db);
  await sql`create index one_time_tokens_user_purpose on one_time_tokens (user_id, purpose)`.execute(db);

  await sql`
    create table projects (
      id uuid primary key default gen_random_uuid(),
      name citext not null unique check (char_length(name) between 1 and 100),
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`insert into projects (name) values ('Default project')`.execute(db);

  await sql`
    create table roles (
      id uuid primary key default gen_random_uuid(),
      key text unique,
      name citext not null unique check (char_length(name) between 1 and 100),
      description text not null default '',
      permissions text[] not null default '{}',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`
    insert into roles (key, name) values
      ('viewer', 'Viewer'),
      ('editor', 'Editor'),
      ('publisher', 'Publisher'),
      ('co_admin', 'Co-admin'),
      ('admin', 'Admin'),
      ('account_admin', 'Account Admin')`.execute(db);

  await sql`
    create table role_bindings (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null references users (id) on delete cascade,
      role_id uuid references roles (id) on delete restrict,
      permissions text[],
      project_id uuid references projects (id) on delete cascade,
      expires_at timestamptz,
      created_at timestamptz not null default now(),
      created_by uuid references users (id) on delete set null,
      check ((role_id is null) <> (permissions is null))
    )`.execute(db);
  await sql`create index role_bindings_user on role_bindings (user_id)`.execute(db);
  await sql`create index role_bindings_role on role_bindings (role_id)`.execute(db);

  await sql`
    create table account_settings (
      id smallint primary key default 1 check (id = 1),
      account_name text not null default 'Gatehouse' check (char_length(account_name) between 1 and 100),
      require_two_factor boolean not null default true,
      password_min_length integer not null default 12 check (password_min_length between 8 and 128),
      invitation_lifetime_hours integer not null default 168 check (invitation_lifetime_hours between 1 and 720),
      reset_lifetime_minutes integer not null default 60 check (reset_lifetime_minutes between 5 and 1440),
      lockout_threshold integer not null default 10 check (lockout_threshold between 3 and 100),
      lockout_minutes integer not null default 15 check (lockout_minutes between 1 and 1440),
      session_idle_minutes integer not null default 30 check (session_idle_minutes between 5 and 1440),
      session_absolute_hours integer not null default 12 check (session_absolute_hours between 1 and 720),
      allow_manual_links boolean not null default true,
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`insert into account_settings default values`.execute(db);

  // No foreign keys: an event outlives the user, project or role it names.
  await sql`
    create table audit_events (
      id bigint generated always as identity primary key,
      occurred_at timestamptz not null default now(),
      actor_id uuid,
      actor_label text not null,
      action text not null,
      outcome text not null check (outcome in ('success', 'failed', 'denied')),
      target_type text,
      target_id text,
      target_label text,
      project_id uuid,
      ip text,
      request_id text,
      before jsonb,
      after jsonb,
      reason text
    )`.execute(db);
  await sql`create index audit_events_occurred_at on audit_events (occurred_at desc)`.execute(db);
  await sql`create index audit_events_actor on audit_events (actor_id, occurred_at desc)`.execute(db);
  await sql`create index audit_events_target on audit_events (target_type, target_id, occurred_at desc)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'audit_events',
    'account_settings',
    'role_bindings',
    'roles',
    'projects',
    'one_time_tokens',
    'sessions',
    'users',
  ]) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
}
