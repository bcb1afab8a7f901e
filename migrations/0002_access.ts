import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table teams (
      id uuid primary key default gen_random_uuid(),
      name citext not null unique check (char_length(name) between 1 and 100),
      description text not null default '' check (char_length(description) <= 500),
      created_at timestamptz not null default now(),
      created_by uuid references users (id) on delete set null
    )`.execute(db);
  await sql`
    create table team_members (
      team_id uuid not null references teams (id) on delete cascade,
      user_id uuid not null references users (id) on delete cascade,
      is_admin boolean not null default false,
      added_at timestamptz not null default now(),
      primary key (team_id, user_id)
    )`.execute(db);
  await sql`create index team_members_user on team_members (user_id)`.execute(db);

  await sql`alter table role_bindings alter column user_id drop not null`.execute(db);
  await sql`alter table role_bindings add column team_id uuid references teams (id) on delete cascade`.execute(
    db,
  );
  await sql`alter table role_bindings add constraint role_bindings_one_subject check ((user_id is null) <> (team_id is null))`.execute(
    db,
  );
  // Set once the expiry of the binding has been written to the audit trail.
  await sql`alter table role_bindings add column expiry_recorded_at timestamptz`.execute(db);
  await sql`create index role_bindings_team on role_bindings (team_id)`.execute(db);
  await sql`create index role_bindings_project on role_bindings (project_id)`.execute(db);
  await sql`create index role_bindings_unrecorded_expiry on role_bindings (expires_at) where expiry_recorded_at is null and expires_at is not null`.execute(
    db,
  );

  // The project a session works in; null falls back to the oldest project.
  await sql`alter table sessions add column project_id uuid references projects (id) on delete set null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sessions drop column project_id`.execute(db);
  await sql`delete from role_bindings where team_id is not null`.execute(db);
  await sql`drop index role_bindings_unrecorded_expiry`.execute(db);
  await sql`drop index role_bindings_project`.execute(db);
  await sql`drop index role_bindings_team`.execute(db);
  await sql`alter table role_bindings drop column expiry_recorded_at`.execute(db);
  await sql`alter table role_bindings drop constraint role_bindings_one_subject`.execute(db);
  await sql`alter table role_bindings drop column team_id`.execute(db);
  await sql`alter table role_bindings alter column user_id set not null`.execute(db);
  await sql`drop table team_members`.execute(db);
  await sql`drop table teams`.execute(db);
}
