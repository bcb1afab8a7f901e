import { type Kysely, sql } from 'kysely';

// The machine interface (src/api/): personal API tokens and service accounts, the REST API's
// idempotency keys, the permission check's daily counts, and the notifications that tell every
// instance's in-memory answers that access changed.

const ACCESS_TABLES = ['role_bindings', 'team_members', 'roles', 'projects'];

export async function up(db: Kysely<unknown>): Promise<void> {
  // A service account is a user that never signs in: no password, no email sent, its own role
  // bindings like anyone's, acting only through its tokens.
  await sql`alter table users add column service_account boolean not null default false`.execute(db);
  await sql`
    create table api_tokens (
      -- The token is gh_<id>_<secret>: the id finds the row, the secret is kept as its SHA-256.
      id text primary key check (char_length(id) = 20),
      secret_hash bytea not null,
      owner_id uuid not null references users (id) on delete cascade,
      name text not null check (char_length(name) between 1 and 100),
      -- null: whatever its owner may do; else these keys (each held by the owner when made).
      permissions text[],
      expires_at timestamptz,
      created_at timestamptz not null default now(),
      created_by uuid references users (id) on delete set null,
      last_used_at timestamptz,
      last_used_ip text,
      revoked_at timestamptz
    )`.execute(db);
  await sql`create index api_tokens_owner on api_tokens (owner_id)`.execute(db);
  await sql`create index api_tokens_created_by on api_tokens (created_by) where created_by is not null`.execute(
    db,
  );
  // A POST retried with the same Idempotency-Key gets the first answer again (24 hours).
  await sql`
    create table api_idempotency (
      token_id text not null references api_tokens (id) on delete cascade,
      key text not null check (char_length(key) between 1 and 200),
      request_hash text not null,
      status integer not null,
      body text not null,
      location text,
      created_at timestamptz not null default now(),
      primary key (token_id, key)
    )`.execute(db);
  // Permission checks are not audited one by one: counted per caller (token) and day.
  await sql`
    create table access_decision_counts (
      day date not null,
      token_id text not null,
      caller_label text not null,
      allowed bigint not null default 0,
      denied bigint not null default 0,
      primary key (day, token_id)
    )`.execute(db);
  // Every instance keeps the permission check's answers in memory and drops them when access
  // changes: a statement that changes who may do what notifies 'gatehouse_access', delivered to
  // the listeners when its transaction commits.
  await sql`
    create function gatehouse_access_changed() returns trigger language plpgsql as $$
    begin
      perform pg_notify('gatehouse_access', tg_table_name);
      return null;
    end $$`.execute(db);
  for (const table of ACCESS_TABLES)
    await sql`
      create trigger ${sql.raw(`${table}_access_changed`)}
      after insert or update or delete on ${sql.table(table)}
      for each statement execute function gatehouse_access_changed()`.execute(db);
  // Of a token, what decides what it may do (its last use, written once a minute, does not).
  await sql`
    create trigger api_tokens_access_changed
    after insert or delete or update of revoked_at, expires_at, permissions, owner_id on api_tokens
    for each statement execute function gatehouse_access_changed()`.execute(db);
  // Of a user's row, only what decides access (a sign-in's bookkeeping does not notify).
  await sql`
    create trigger users_access_changed
    after update of deactivated_at, access_expires_at, locked_until, email, service_account or delete
    on users for each statement execute function gatehouse_access_changed()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [...ACCESS_TABLES, 'api_tokens', 'users'])
    await sql`drop trigger ${sql.raw(`${table}_access_changed`)} on ${sql.table(table)}`.execute(db);
  await sql`drop function gatehouse_access_changed()`.execute(db);
  await sql`drop table access_decision_counts`.execute(db);
  await sql`drop table api_idempotency`.execute(db);
  await sql`drop table api_tokens`.execute(db);
  await sql`alter table users drop column service_account`.execute(db);
}
