import { type Kysely, sql } from 'kysely';

// Gatehouse as the OpenID provider of the host product (src/oidc/): the applications that sign
// people in through it, the provider's signing keys, and everything the provider stores
// (sessions, codes, grants, tokens, interactions) in one table, so that instances share it.

export async function up(db: Kysely<unknown>): Promise<void> {
  // How long an application's access token lives: the longest a revocation can go unseen by an
  // API that only checks a token's signature.
  await sql`
    alter table account_settings add column access_token_minutes integer not null default 5
      check (access_token_minutes between 1 and 60)`.execute(db);
  await sql`
    create table applications (
      id uuid primary key default gen_random_uuid(),
      client_id text not null unique check (char_length(client_id) between 8 and 100),
      name text not null check (char_length(name) between 1 and 100),
      app_type text not null check (app_type in ('web', 'spa', 'native')),
      -- Public clients (SPA, native) have no secret; a confidential one keeps only its hash.
      secret_hash text,
      redirect_uris text[] not null,
      post_logout_redirect_uris text[] not null default '{}',
      backchannel_logout_uri text,
      -- null: every project; else the projects it serves.
      project_ids uuid[],
      first_party boolean not null default false,
      active boolean not null default true,
      created_by uuid references users (id) on delete set null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index applications_created_by on applications (created_by) where created_by is not null`.execute(
    db,
  );
  await sql`
    create table oidc_signing_keys (
      kid text primary key,
      -- The private JWK, sealed with SECRET_KEY (the secret box).
      sealed_jwk text not null,
      created_at timestamptz not null default now(),
      -- Set by a rotation: no longer signs, still served until the tokens it signed expire.
      retired_at timestamptz
    )`.execute(db);
  await sql`
    create table oidc_payloads (
      model text not null,
      id text not null,
      payload jsonb not null,
      grant_id text,
      -- The person it concerns: their provider state ends with their console sessions, and
      -- with them (a deleted user's tokens go with the row).
      account_id uuid references users (id) on delete cascade,
      uid text,
      user_code text,
      expires_at timestamptz,
      consumed_at timestamptz,
      primary key (model, id)
    )`.execute(db);
  await sql`create index oidc_payloads_grant on oidc_payloads (grant_id) where grant_id is not null`.execute(
    db,
  );
  await sql`create index oidc_payloads_account on oidc_payloads (account_id) where account_id is not null`.execute(
    db,
  );
  await sql`create unique index oidc_payloads_uid on oidc_payloads (model, uid) where uid is not null`.execute(
    db,
  );
  await sql`create index oidc_payloads_user_code on oidc_payloads (user_code) where user_code is not null`.execute(
    db,
  );
  await sql`create index oidc_payloads_expires on oidc_payloads (expires_at) where expires_at is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table account_settings drop column access_token_minutes`.execute(db);
  await sql`drop table if exists oidc_payloads`.execute(db);
  await sql`drop table if exists oidc_signing_keys`.execute(db);
  await sql`drop table if exists applications`.execute(db);
}
