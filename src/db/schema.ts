import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
/** jsonb: both drivers serialise the value they are given and parse what they read. */
type Json = ColumnType<unknown, unknown, unknown>;

export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  language: Generated<string>;
  password_hash: string | null;
  password_changed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  totp_secret: string | null;
  totp_last_step: number | null;
  failed_login_count: Generated<number>;
  lockout_count: Generated<number>;
  locked_until: Timestamp | null;
  deactivated_at: Timestamp | null;
  access_expires_at: Timestamp | null;
  last_login_at: Timestamp | null;
  email_verified_at: Timestamp | null;
  totp_failed_count: Generated<number>;
  totp_blocked_until: Timestamp | null;
  /** An enrolment started in My account, encrypted like totp_secret, until a code confirms it. */
  totp_pending_secret: string | null;
  /** Set when an admin reset the user's 2FA: they enrol again before anything else. */
  must_enrol_two_factor: Generated<boolean>;
  /** IANA time zone the console shows times in; null is UTC. */
  time_zone: string | null;
  created_at: CreatedAt;
  created_by: string | null;
  /** A service account: no password, never signs in, acts only through its API tokens. */
  service_account: Generated<boolean>;
  /** Where they came from: null made in Gatehouse, 'scim' the directory, 'sso' a first single sign-on. */
  source: 'scim' | 'sso' | null;
  /** The directory's id for them (SCIM externalId). */
  external_id: string | null;
  given_name: string | null;
  family_name: string | null;
  locale: string | null;
  preferred_language: string | null;
  /** The directory removed them (SCIM DELETE): deactivated and marked; an admin deletes for good. */
  directory_removed_at: Timestamp | null;
}

export interface SessionsTable {
  id: string;
  secret_hash: Uint8Array;
  user_id: string;
  created_at: CreatedAt;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  ip: string | null;
  user_agent: string | null;
  reauthenticated_at: Timestamp | null;
  two_factor_verified: Generated<boolean>;
  project_id: string | null;
}

export type TokenPurpose = 'set_password' | 'reset_password' | 'email_change' | 'unlock_account';

export interface OneTimeTokensTable {
  id: Generated<string>;
  token_hash: Uint8Array;
  purpose: TokenPurpose;
  user_id: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  created_by: string | null;
  factor_verified_at: Timestamp | null;
}

export interface ProjectsTable {
  id: Generated<string>;
  name: string;
  created_at: CreatedAt;
}

export interface RolesTable {
  id: Generated<string>;
  /** Set for built-in roles, whose permissions are defined in code. */
  key: string | null;
  name: string;
  description: Generated<string>;
  /** Custom roles only. */
  permissions: Generated<string[]>;
  created_at: CreatedAt;
  updated_at: Generated<Date>;
}

export interface RoleBindingsTable {
  id: Generated<string>;
  /** Exactly one of user_id and team_id is set. */
  user_id: string | null;
  team_id: string | null;
  expiry_recorded_at: Timestamp | null;
  role_id: string | null;
  /** A manual permission set, when the binding names no role. */
  permissions: string[] | null;
  /** Null: the whole account. */
  project_id: string | null;
  expires_at: Timestamp | null;
  created_at: CreatedAt;
  created_by: string | null;
}

export interface TeamsTable {
  id: Generated<string>;
  name: string;
  description: Generated<string>;
  created_at: CreatedAt;
  created_by: string | null;
  /** 'scim': pushed by the directory, whose members only the directory changes. */
  source: 'scim' | null;
  external_id: string | null;
}

export type MembershipSource = 'manual' | 'scim' | 'sso';

export interface TeamMembersTable {
  team_id: string;
  user_id: string;
  is_admin: Generated<boolean>;
  added_at: CreatedAt;
  /** By hand, from the directory, or from a provider's group claim (reconciled at each sign-in). */
  source: ColumnType<MembershipSource, MembershipSource | undefined, MembershipSource>;
  source_provider_id: string | null;
}

export interface AccountSettingsTable {
  id: Generated<number>;
  account_name: Generated<string>;
  require_two_factor: Generated<boolean>;
  password_min_length: Generated<number>;
  invitation_lifetime_hours: Generated<number>;
  reset_lifetime_minutes: Generated<number>;
  lockout_threshold: Generated<number>;
  lockout_minutes: Generated<number>;
  /** Wrong passwords from all addresses together that lock the account for everyone. */
  lockout_account_threshold: Generated<number>;
  session_idle_minutes: Generated<number>;
  session_absolute_hours: Generated<number>;
  allow_manual_links: Generated<boolean>;
  invitations_per_day: Generated<number>;
  audit_retention_days: Generated<number>;
  /** How long applications' access tokens live (the OpenID provider, oidc/provider.ts). */
  access_token_minutes: Generated<number>;
  /** The last "Reset all passwords": passwords set before it stop working (auth/passwords/reset-epoch.ts). */
  passwords_reset_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** Who started it: their password goes on working. */
  passwords_reset_by: ColumnType<string | null, string | null | undefined, string | null>;
  updated_at: Generated<Date>;
}

export type Language = 'en' | 'fr' | 'de' | 'es';

export interface InvitationsTable {
  id: Generated<string>;
  email: string;
  project_id: string;
  role_id: string | null;
  role_name: string;
  invited_by: string | null;
  invited_by_label: string;
  hide_inviter: Generated<boolean>;
  language: Language;
  message: Generated<string>;
  token_hash: Uint8Array;
  created_at: CreatedAt;
  sent_at: Timestamp;
  expires_at: Timestamp;
  opened_at: Timestamp | null;
  declined_at: Timestamp | null;
  accepted_at: Timestamp | null;
  accepted_user_id: string | null;
  revoked_at: Timestamp | null;
  /** A sign-up in progress (SignupDraft in invitations/signup-draft.ts). */
  signup: Json;
}

export interface RecoveryCodesTable {
  id: Generated<string>;
  user_id: string;
  code_hash: Uint8Array;
  created_at: CreatedAt;
  used_at: Timestamp | null;
}

export type AuditOutcome = 'success' | 'failed' | 'denied';

export interface AuditEventsTable {
  id: Generated<number>;
  occurred_at: Date;
  actor_id: string | null;
  actor_label: string;
  action: string;
  outcome: AuditOutcome;
  target_type: string | null;
  target_id: string | null;
  target_label: string | null;
  project_id: string | null;
  ip: string | null;
  request_id: string | null;
  before: Json;
  after: Json;
  reason: string | null;
  /** The keyed hash of the event before this one in the chain; null for the first. */
  prev_hash: string | null;
  /** This event's keyed hash (audit/chain.ts); null for events older than the chain. */
  hash: string | null;
  /** The chain (partition) it was appended to: its head is `audit_chain.id` (migration 0020). */
  chain: Generated<number>;
}

/** The chain's head: one row, locked by every writer. */
export interface AuditChainTable {
  id: Generated<number>;
  last_id: number | null;
  last_hash: string | null;
  /** Events up to this id were written before the chain existed. */
  unchained_through: Generated<number>;
  /** Keyed MAC of the three fields above (audit/chain.ts). */
  head_mac: string | null;
}

export interface RateLimitsTable {
  key: string;
  tokens: number;
  updated_at: Timestamp;
  allowed: boolean;
}

/** Wrong passwords and the lock of one account from one client address. */
export interface SignInFailuresTable {
  user_id: string;
  ip: string;
  failed_count: Generated<number>;
  lockout_count: Generated<number>;
  locked_until: Timestamp | null;
  updated_at: Timestamp;
}

/** Requests a rate limit refused, per action, address and window, until written as one event. */
export interface RefusalCountsTable {
  action: string;
  subject: string;
  window_start: Timestamp;
  bucket: string;
  refused: number;
}

export type MailState = 'queued' | 'sent' | 'delivered' | 'delayed' | 'bounced' | 'complained' | 'failed';

export interface MailMessagesTable {
  id: Generated<string>;
  kind: string;
  recipient: string;
  subject: string;
  user_id: string | null;
  invitation_id: string | null;
  state: Generated<MailState>;
  reason: string | null;
  provider_id: string | null;
  sealed_body: string | null;
  idempotency_key: string;
  attempts: Generated<number>;
  created_at: Generated<Date>;
  sent_at: Date | null;
  updated_at: Generated<Date>;
}

export interface LongActionsTable {
  id: Generated<string>;
  kind: 'reset_all_passwords' | 'bulk_users';
  actor_id: string | null;
  actor_label: string;
  state: Generated<'running' | 'done' | 'failed'>;
  total: number;
  done: Generated<number>;
  skipped: Generated<number>;
  failed: Generated<number>;
  cursor: string | null;
  runner_job: string | null;
  params: ColumnType<Record<string, unknown>, unknown, unknown>;
  error: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  finished_at: Date | null;
}

export interface LongActionItemsTable {
  action_id: string;
  user_id: string;
  email: string;
  outcome: 'done' | 'skipped' | 'failed';
  reason: string | null;
}

export interface ApplicationsTable {
  id: Generated<string>;
  client_id: string;
  name: string;
  app_type: 'web' | 'spa' | 'native';
  secret_hash: string | null;
  redirect_uris: string[];
  post_logout_redirect_uris: ColumnType<string[], string[] | undefined, string[]>;
  backchannel_logout_uri: string | null;
  /** The APIs its access tokens may be for (resource indicators; JWT access tokens). */
  api_resources: ColumnType<string[], string[] | undefined, string[]>;
  project_ids: string[] | null;
  first_party: Generated<boolean>;
  active: Generated<boolean>;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface OidcSigningKeysTable {
  kid: string;
  sealed_jwk: string;
  created_at: Generated<Date>;
  retired_at: Date | null;
}

export interface OidcPayloadsTable {
  model: string;
  id: string;
  payload: Json;
  grant_id: string | null;
  account_id: string | null;
  uid: string | null;
  user_code: string | null;
  expires_at: Date | null;
  consumed_at: Date | null;
}

export interface ApiTokensTable {
  id: string;
  secret_hash: Uint8Array;
  owner_id: string;
  name: string;
  /** Null: whatever the owner may do. */
  permissions: string[] | null;
  expires_at: Date | null;
  created_at: Generated<Date>;
  created_by: string | null;
  last_used_at: Date | null;
  last_used_ip: string | null;
  revoked_at: Date | null;
}

export type IdentityProviderKind = 'oidc' | 'saml';

export interface IdentityProvidersTable {
  id: Generated<string>;
  name: string;
  kind: IdentityProviderKind;
  enabled: Generated<boolean>;
  issuer: string | null;
  client_id: string | null;
  /** Sealed with SECRET_KEY (oidc/keys.ts's seal). */
  client_secret_sealed: string | null;
  saml_entity_id: string | null;
  saml_sso_url: string | null;
  saml_certificates: string[] | null;
  groups_attribute: Generated<string>;
  required: Generated<boolean>;
  jit: Generated<boolean>;
  jit_role_id: string | null;
  jit_project_id: string | null;
  created_at: CreatedAt;
  created_by: string | null;
  updated_at: Generated<Date>;
}

export interface SsoRequestsTable {
  id: string;
  provider_id: string;
  browser_hash: Uint8Array;
  nonce: string | null;
  code_verifier: string | null;
  next: string | null;
  test: Generated<boolean>;
  identity: unknown | null;
  created_at: CreatedAt;
  expires_at: Date;
}

export interface ApiIdempotencyTable {
  token_id: string;
  key: string;
  request_hash: string;
  status: number;
  body: string;
  location: string | null;
  created_at: Generated<Date>;
}

export interface AccessDecisionCountsTable {
  day: string;
  token_id: string;
  caller_label: string;
  allowed: Generated<number>;
  denied: Generated<number>;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  one_time_tokens: OneTimeTokensTable;
  projects: ProjectsTable;
  roles: RolesTable;
  role_bindings: RoleBindingsTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  account_settings: AccountSettingsTable;
  audit_events: AuditEventsTable;
  audit_chain: AuditChainTable;
  invitations: InvitationsTable;
  recovery_codes: RecoveryCodesTable;
  rate_limits: RateLimitsTable;
  sign_in_failures: SignInFailuresTable;
  refusal_counts: RefusalCountsTable;
  mail_messages: MailMessagesTable;
  mail_send_slots: { id: number; next_at: Date };
  webhook_events: { id: string; received_at: Generated<Date> };
  long_actions: LongActionsTable;
  long_action_items: LongActionItemsTable;
  applications: ApplicationsTable;
  oidc_signing_keys: OidcSigningKeysTable;
  oidc_payloads: OidcPayloadsTable;
  api_tokens: ApiTokensTable;
  api_idempotency: ApiIdempotencyTable;
  access_decision_counts: AccessDecisionCountsTable;
  identity_providers: IdentityProvidersTable;
  sso_domains: { domain: string; provider_id: string };
  sso_group_teams: { provider_id: string; group_name: string; team_id: string };
  user_identities: {
    provider_id: string;
    subject: string;
    user_id: string;
    created_at: CreatedAt;
    last_sign_in_at: Date | null;
  };
  sso_requests: SsoRequestsTable;
  sso_used_assertions: { id: string; expires_at: Date };
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type AccountSettings = Selectable<AccountSettingsTable>;
