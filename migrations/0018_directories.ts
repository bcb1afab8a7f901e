import { type Kysely, sql } from 'kysely';

// Enterprise directories: people and teams provisioned by SCIM (src/scim/), single sign-on
// through the company's identity providers (src/sso/), accounts made just in time at a first
// sign-in, and where each person and membership came from.

export async function up(db: Kysely<unknown>): Promise<void> {
  // Where a person came from: null made in Gatehouse (console, invitation, CLI), 'scim' the
  // directory, 'sso' a first single sign-on. The directory's own id for them (SCIM externalId),
  // the name parts and locale it sends, and when the directory removed them (DELETE: they are
  // deactivated and marked, an admin deletes for good).
  await sql`
    alter table users
      add column source text check (source in ('scim', 'sso')),
      add column external_id text check (char_length(external_id) <= 255),
      add column given_name text check (char_length(given_name) <= 100),
      add column family_name text check (char_length(family_name) <= 100),
      add column locale text check (char_length(locale) <= 35),
      add column preferred_language text check (char_length(preferred_language) <= 35),
      add column directory_removed_at timestamptz`.execute(db);
  // The users list's Source filter (Directory, Single sign-on) reads the few marked people.
  await sql`create index users_source on users (source) where source is not null`.execute(db);
  await sql`create unique index users_external_id on users (external_id) where external_id is not null`.execute(
    db,
  );
  // A team the directory pushed (a SCIM group): its members are the directory's to change.
  await sql`
    alter table teams
      add column source text check (source in ('scim')),
      add column external_id text check (char_length(external_id) <= 255)`.execute(db);
  await sql`create unique index teams_external_id on teams (external_id) where external_id is not null`.execute(
    db,
  );

  await sql`
    create table identity_providers (
      id uuid primary key default gen_random_uuid(),
      name text not null unique check (char_length(name) between 1 and 100),
      kind text not null check (kind in ('oidc', 'saml')),
      enabled boolean not null default true,
      -- OpenID Connect: the issuer (discovered), the client registered there, its secret sealed
      -- with SECRET_KEY.
      issuer text,
      client_id text,
      client_secret_sealed text,
      -- SAML 2.0, from the IdP's metadata: its entity id, sign-in address and signing certificates.
      saml_entity_id text,
      saml_sso_url text,
      saml_certificates text[],
      -- The claim (OIDC) or attribute (SAML) that lists the person's groups.
      groups_attribute text not null default 'groups',
      -- People of its domains must sign in through it (Account Admins keep a break-glass password).
      required boolean not null default false,
      -- A first sign-in without an account creates one, bound to this role in this project.
      jit boolean not null default false,
      jit_role_id uuid references roles (id) on delete set null,
      jit_project_id uuid references projects (id) on delete set null,
      created_at timestamptz not null default now(),
      created_by uuid references users (id) on delete set null,
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index identity_providers_jit_role on identity_providers (jit_role_id) where jit_role_id is not null`.execute(
    db,
  );
  await sql`create index identity_providers_jit_project on identity_providers (jit_project_id) where jit_project_id is not null`.execute(
    db,
  );
  await sql`create index identity_providers_created_by on identity_providers (created_by) where created_by is not null`.execute(
    db,
  );
  // An email domain belongs to one provider: its people sign in there.
  await sql`
    create table sso_domains (
      domain text primary key check (domain = lower(domain) and char_length(domain) between 3 and 253),
      provider_id uuid not null references identity_providers (id) on delete cascade
    )`.execute(db);
  await sql`create index sso_domains_provider on sso_domains (provider_id)`.execute(db);
  // A group the provider names maps to a team: members at each sign-in.
  await sql`
    create table sso_group_teams (
      provider_id uuid not null references identity_providers (id) on delete cascade,
      group_name text not null check (char_length(group_name) between 1 and 255),
      team_id uuid not null references teams (id) on delete cascade,
      primary key (provider_id, group_name, team_id)
    )`.execute(db);
  await sql`create index sso_group_teams_team on sso_group_teams (team_id)`.execute(db);
  // The provider's subject for a person, linked at their first sign-in through it.
  await sql`
    create table user_identities (
      provider_id uuid not null references identity_providers (id) on delete cascade,
      subject text not null check (char_length(subject) between 1 and 255),
      user_id uuid not null references users (id) on delete cascade,
      created_at timestamptz not null default now(),
      last_sign_in_at timestamptz,
      primary key (provider_id, subject)
    )`.execute(db);
  await sql`create index user_identities_user on user_identities (user_id)`.execute(db);
  // A sign-in sent to the provider and not yet back: its state, nonce and PKCE verifier (OIDC)
  // or request id (SAML), bound to the browser that started it by a cookie's hash.
  await sql`
    create table sso_requests (
      id text primary key,
      provider_id uuid not null references identity_providers (id) on delete cascade,
      browser_hash bytea not null,
      nonce text,
      code_verifier text,
      next text,
      test boolean not null default false,
      -- A SAML response validated at the assertion consumer (a cross-site POST, which brings no
      -- cookie): kept here until the browser's own GET comes to finish the sign-in.
      identity jsonb,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null
    )`.execute(db);
  await sql`create index sso_requests_provider on sso_requests (provider_id)`.execute(db);
  await sql`create index sso_requests_expires on sso_requests (expires_at)`.execute(db);
  // SAML assertions already used, kept until they expire: a replay is refused.
  await sql`
    create table sso_used_assertions (
      id text primary key,
      expires_at timestamptz not null
    )`.execute(db);
  await sql`create index sso_used_assertions_expires on sso_used_assertions (expires_at)`.execute(db);

  // How each membership came to be: by hand ('manual'), from the directory ('scim'), or from a
  // provider's group claim at sign-in ('sso', with the provider): only the last are reconciled
  // at each sign-in, and only by that provider.
  await sql`
    alter table team_members
      add column source text not null default 'manual' check (source in ('manual', 'scim', 'sso')),
      add column source_provider_id uuid references identity_providers (id) on delete set null`.execute(db);
  await sql`create index team_members_source_provider on team_members (source_provider_id) where source_provider_id is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table team_members drop column source_provider_id, drop column source`.execute(db);
  for (const table of [
    'sso_used_assertions',
    'sso_requests',
    'user_identities',
    'sso_group_teams',
    'sso_domains',
    'identity_providers',
  ])
    await sql`drop table ${sql.table(table)}`.execute(db);
  await sql`alter table teams drop column external_id, drop column source`.execute(db);
  await sql`
    alter table users
      drop column directory_removed_at, drop column preferred_language, drop column locale,
      drop column family_name, drop column given_name, drop column external_id, drop column source`.execute(
    db,
  );
}
