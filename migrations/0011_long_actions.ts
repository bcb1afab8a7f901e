import { type Kysely, sql } from 'kysely';

// Actions whose size grows with the number of users ("Reset all passwords") run as jobs, a batch
// per transaction, with their progress and a per-user report kept here.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table long_actions (
      id uuid primary key default gen_random_uuid(),
      kind text not null check (kind in ('reset_all_passwords')),
      actor_id uuid references users (id) on delete set null,
      actor_label text not null,
      state text not null default 'running' check (state in ('running', 'done', 'failed')),
      total integer not null,
      done integer not null default 0,
      skipped integer not null default 0,
      failed integer not null default 0,
      -- The last user handled (users are walked by id): a restart continues after it.
      cursor uuid,
      -- The job that drives it now: only that job may run its batches (a retry of it after a
      -- crash goes on; an older job that comes again finds it handed over and does nothing).
      runner_job uuid,
      params jsonb not null default '{}',
      error text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      finished_at timestamptz
    )`.execute(db);
  await sql`create index long_actions_created on long_actions (created_at desc)`.execute(db);
  await sql`
    create table long_action_items (
      action_id uuid not null references long_actions (id) on delete cascade,
      user_id uuid not null,
      email text not null,
      outcome text not null check (outcome in ('done', 'skipped', 'failed')),
      reason text,
      primary key (action_id, user_id)
    )`.execute(db);
  await sql`create index long_action_items_outcome on long_action_items (action_id, outcome, email)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists long_action_items`.execute(db);
  await sql`drop table if exists long_actions`.execute(db);
}
