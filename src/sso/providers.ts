import { createHash, X509Certificate } from 'node:crypto';
import { domainToASCII } from 'node:url';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import { rolePermissions } from '../access/grants';
import { MANAGER_PERMISSIONS } from '../access/rules';
import { perform } from '../audit/perform';
import { encryptSecret } from '../auth/two-factor/secret-box';
import type { ActionContext } from '../core/context';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors';
import { controlCharacterIn, isUniqueViolation } from '../core/validation';
import type { Db } from '../db/connect';
import type { IdentityProviderKind, IdentityProvidersTable } from '../db/schema';
import { isLoopbackUrl } from './oidc-client';
import { MAX_METADATA_BYTES, parseIdpMetadata } from './saml-metadata';

/**
 * The account's identity providers (single sign-on): configured here by those holding
 * account.settings account-wide, read by the sign-in (flow-*.ts, sign-in.ts). Every change is one
 * perform() (one transaction, one audit event); the client secret is sealed with SECRET_KEY and
 * never shown, logged nor audited. updated_at moves on at every change: the OpenID discovery
 * cache (oidc-client.ts) keys on it.
 */

export type IdentityProvider = Selectable<IdentityProvidersTable>;

export interface GroupMapping {
  groupName: string;
  teamId: string;
  teamName: string;
}

export interface ProviderDetails extends IdentityProvider {
  /** Its email domains, sorted. */
  domains: string[];
  /** Its group-to-team mappings, by group then team. */
  groupMappings: GroupMapping[];
}

export interface ListedProvider {
  id: string;
  name: string;
  kind: IdentityProviderKind;
  enabled: boolean;
  required: boolean;
  jit: boolean;
  domains: string[];
  created_at: Date;
  updated_at: Date;
}

export const KIND_LABELS: Record<IdentityProviderKind, string> = {
  oidc: 'OpenID Connect',
  saml: 'SAML 2.0',
};

const isUuid = (value: string) => z.uuid().safeParse(value).success;

/** The providers, by name, with their domains. */
export async function listProviders(db: Db): Promise<ListedProvider[]> {
  const providers = await db
    .selectFrom('identity_providers')
    .select(['id', 'name', 'kind', 'enabled', 'required', 'jit', 'created_at', 'updated_at'])
    .orderBy('name')
    .execute();
  const domains = await db.selectFrom('sso_domains').selectAll().orderBy('domain').execute();
  return providers.map((p) => ({
    ...p,
    domains: domains.filter((d) => d.provider_id === p.id).map((d) => d.domain),
  }));
}

/** One provider with its domains and group mappings; undefined for an unknown or malformed id. */
export async function getProvider(db: Db, id: string): Promise<ProviderDetails | undefined> {
  if (!isUuid(id)) return undefined;
  const provider = await db
    .selectFrom('identity_providers')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!provider) return undefined;
  return { ...provider, ...(await detailsOf(db, id)) };
}

async function detailsOf(db: Db, id: string) {
  const domains = await db
    .selectFrom('sso_domains')
    .select('domain')
    .where('provider_id', '=', id)
    .orderBy('domain')
    .execute();
  const groupMappings = await db
    .selectFrom('sso_group_teams as g')
    .innerJoin('teams as t', 't.id', 'g.team_id')
    .select(['g.group_name as groupName', 'g.team_id as teamId', 't.name as teamName'])
    .where('g.provider_id', '=', id)
    .orderBy('g.group_name')
    .orderBy('t.name')
    .execute();
  return { domains: domains.map((d) => d.domain), groupMappings };
}

// --- Input ------------------------------------------------------------------------------------

const text = (what: string, max: number, multiLine = false) =>
  z
    .string()
    .refine(
      (s) => controlCharacterIn(s, multiLine) === null,
      `Remove the control character from the ${what}.`,
    )
    .refine((s) => s.length <= max, `Use at most ${max.toLocaleString('en')} characters for the ${what}.`);

/** A list given as text (one per line, or comma separated) or as an array of lines. */
const lines = (what: string, max: number) =>
  z.union([text(what, max, true), z.array(text(what, 1000))]).default('');

const providerSchema = z.object({
  name: text('name', 100)
    .default('')
    .transform((s) => s.trim()),
  kind: z.enum(['oidc', 'saml'], { error: 'Choose OpenID Connect or SAML 2.0.' }),
  issuer: text('issuer', 2000)
    .default('')
    .transform((s) => s.trim()),
  clientId: text('client id', 255)
    .default('')
    .transform((s) => s.trim()),
  clientSecret: text('client secret', 1000)
    .default('')
    .transform((s) => s.trim()),
  metadata: text('metadata', MAX_METADATA_BYTES, true)
    .default('')
    .transform((s) => s.trim()),
  domains: lines('domains', 20_000),
  groupsAttribute: text('groups attribute', 255)
    .default('')
    .transform((s) => s.trim() || 'groups'),
  required: z.boolean({ error: 'Tick or untick “required”.' }).default(false),
  jit: z.boolean({ error: 'Tick or untick “create accounts”.' }).default(false),
  jitRoleId: z
    .string({ error: 'Choose one of the roles listed.' })
    .nullish()
    .transform((s) => s?.trim() ?? ''),
  jitProjectId: z
    .string({ error: 'Choose one of the projects listed.' })
    .nullish()
    .transform((s) => s?.trim() ?? ''),
  groupMappings: lines('group mappings', 20_000),
});

/** What a provider is made of: the form's fields. */
export type ProviderInput = z.input<typeof providerSchema>;
/** A change: the same fields; the kind, when given, must be the provider's (it cannot change). */
export type ProviderUpdate = Omit<ProviderInput, 'kind'> & { kind?: IdentityProviderKind };

type Parsed = z.output<typeof providerSchema>;

/** The form's order: the error summary lists the problems as the fields come. */
const FIELD_ORDER = [
  'form',
  'name',
  'kind',
  'issuer',
  'clientId',
  'clientSecret',
  'metadata',
  'domains',
  'required',
  'jit',
  'jitRoleId',
  'jitProjectId',
  'groupsAttribute',
  'groupMappings',
];
const ordered = (errors: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(errors).sort(([a], [b]) => FIELD_ORDER.indexOf(a) - FIELD_ORDER.indexOf(b)),
  );

/**
 * Each field parsed on its own, so that every problem is said at once: a field refused takes its
 * default (the kind none) and the other checks go on.
 */
function parseFields(input: unknown, errors: Record<string, string>): Parsed {
  const given = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const data: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(providerSchema.shape)) {
    const parsed = (schema as z.ZodType).safeParse(given[key]);
    if (parsed.success) data[key] = parsed.data;
    else {
      errors[key] = parsed.error.issues[0]?.message ?? 'Check this field.';
      data[key] = (schema as z.ZodType).safeParse(undefined).data;
    }
  }
  return data as Parsed;
}

const MAX_DOMAINS = 200;
const MAX_MAPPINGS = 500;

/** A lower-case DNS name of two labels or more (IDNs in their xn-- form), as email domains are. */
const DOMAIN =
  /^(?=.{3,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

const itemsOf = (value: string | string[], split: RegExp) =>
  (Array.isArray(value) ? value : value.split(split)).map((s) => s.trim()).filter(Boolean);

function parseDomains(value: string | string[], errors: Record<string, string>): string[] {
  const domains = new Set<string>();
  const bad: string[] = [];
  for (const item of itemsOf(value, /[\s,;]+/)) {
    const bare = item.replace(/^@/, '').replace(/\.$/, '').toLowerCase();
    const ascii = bare.includes('xn--') || /^[\x21-\x7e]*$/.test(bare) ? bare : domainToASCII(bare);
    if (DOMAIN.test(ascii)) domains.add(ascii);
    else bad.push(`“${item}”`);
  }
  if (bad.length > 0)
    errors.domains = `${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ` and ${bad.length - 5} more` : ''} ${
      bad.length === 1 ? 'is not a domain name' : 'are not domain names'
    }: give names like example.com, one per line or separated by commas.`;
  else if (domains.size > MAX_DOMAINS) errors.domains = `Give at most ${MAX_DOMAINS} domains.`;
  return [...domains].sort();
}

interface MappingLine {
  line: number;
  source: string;
  group: string;
  team: string;
}

/**
 * `group name = Team name`, one a line. A group name may hold "=" itself (an LDAP DN such as
 * CN=Admins,OU=Groups): the team is after the last one.
 */
function parseMappings(value: string | string[], errors: Record<string, string>): MappingLine[] {
  const parsed: MappingLine[] = [];
  const problems: string[] = [];
  const all = Array.isArray(value) ? value : value.split(/\r?\n/);
  all.forEach((raw, index) => {
    const source = raw.trim();
    if (!source) return;
    const line = index + 1;
    const at = source.lastIndexOf('=');
    const group = at < 0 ? '' : source.slice(0, at).trim();
    const team = at < 0 ? '' : source.slice(at + 1).trim();
    if (!group || !team) problems.push(`Line ${line} (“${source}”) is not “group name = Team name”.`);
    else if (group.length > 255) problems.push(`Line ${line}: the group name is longer than 255 characters.`);
    else if (team.length > 100) problems.push(`Line ${line}: there is no team called “${team}”.`);
    else parsed.push({ line, source, group, team });
  });
  if (problems.length > 0) errors.groupMappings = problems.slice(0, 5).join(' ');
  else if (parsed.length > MAX_MAPPINGS)
    errors.groupMappings = `Give at most ${MAX_MAPPINGS} group mappings.`;
  return parsed;
}

/** The issuer's rule: https, or http to this machine only (a local IdP, the tests). */
function issuerProblem(issuer: string): string | null {
  if (!issuer) return 'Enter the issuer URL the identity provider gives (as in its discovery document).';
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return 'The issuer is a URL such as https://login.example.com.';
  }
  if (url.username || url.password || url.search || url.hash)
    return 'The issuer is a URL without a user name, query or fragment.';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && isLoopbackUrl(url)) return null;
  return 'The issuer must be an https URL (http only for 127.0.0.1, localhost or [::1]).';
}

/** A certificate as PEM, whether it came as PEM or as the bare base64 of metadata's X509Certificate. */
export function asPem(certificate: string): string {
  if (certificate.includes('-----BEGIN')) return certificate;
  const body = certificate.replace(/\s+/g, '');
  return `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END CERTIFICATE-----\n`;
}

export interface CertificateInfo {
  subject: string;
  issuer: string;
  validFrom: Date;
  validTo: Date;
  /** SHA-256, colon-separated hex. */
  fingerprint: string;
}

/** What a signing certificate says about itself (the provider's page, its test). Throws when it is not one. */
export function certificateInfo(certificate: string): CertificateInfo {
  const x509 = new X509Certificate(asPem(certificate));
  return {
    subject: x509.subject.replaceAll('\n', ', '),
    issuer: x509.issuer.replaceAll('\n', ', '),
    validFrom: x509.validFromDate,
    validTo: x509.validToDate,
    fingerprint: x509.fingerprint256,
  };
}

const fingerprintOf = (certificate: string) => {
  try {
    return certificateInfo(certificate).fingerprint;
  } catch {
    return `sha256:${createHash('sha256').update(certificate).digest('hex')}`;
  }
};

/** The columns and lists a valid input comes to, and the audit's picture of them. */
interface Resolved {
  values: {
    name: string;
    kind: IdentityProviderKind;
    issuer: string | null;
    client_id: string | null;
    client_secret_sealed: string | null;
    saml_entity_id: string | null;
    saml_sso_url: string | null;
    saml_certificates: string[] | null;
    groups_attribute: string;
    required: boolean;
    jit: boolean;
    jit_role_id: string | null;
    jit_project_id: string | null;
  };
  domains: string[];
  mappings: Array<{ group: string; teamId: string; teamName: string }>;
  secretChanged: boolean;
  jitRoleName: string | null;
  jitProjectName: string | null;
}

/**
 * Checks an input against the rules and the database (inside the change's transaction), and
 * resolves it to columns: every problem found, each keyed by its field, in one ValidationError.
 */
async function resolveInput(
  tx: Db,
  ctx: ActionContext,
  input: unknown,
  current: ProviderDetails | null,
): Promise<Resolved> {
  const errors: Record<string, string> = {};
  const data = parseFields(input, errors);
  if (!data.name && !errors.name) errors.name = 'Name the identity provider.';
  if (current && data.kind && data.kind !== current.kind)
    errors.kind = `The kind of a provider cannot change: add a new ${KIND_LABELS[data.kind]} provider instead.`;

  const sameName =
    data.name &&
    (await tx
      .selectFrom('identity_providers')
      .select('id')
      .where((eb) => eb(eb.fn('lower', ['name']), '=', data.name.toLowerCase()))
      .$if(current !== null, (q) => q.where('id', '<>', current?.id ?? ''))
      .executeTakeFirst());
  if (sameName) errors.name = `Another identity provider is called ${data.name}: choose another name.`;

  const values: Resolved['values'] = {
    name: data.name,
    kind: data.kind,
    issuer: null,
    client_id: null,
    client_secret_sealed: null,
    saml_entity_id: null,
    saml_sso_url: null,
    saml_certificates: null,
    groups_attribute: data.groupsAttribute,
    required: data.required,
    jit: data.jit,
    jit_role_id: null,
    jit_project_id: null,
  };
  let secretChanged = false;
  if (data.kind === 'oidc') {
    const problem = issuerProblem(data.issuer);
    if (problem) errors.issuer = problem;
    if (!data.clientId) errors.clientId = 'Enter the client id the identity provider gave Gatehouse.';
    values.issuer = data.issuer;
    values.client_id = data.clientId;
    if (data.clientSecret) {
      secretChanged = true;
      values.client_secret_sealed = encryptSecret(ctx.config.secretKey, data.clientSecret);
    } else if (current?.client_secret_sealed) {
      values.client_secret_sealed = current.client_secret_sealed;
    } else {
      errors.clientSecret = 'Enter the client secret the identity provider gave Gatehouse.';
    }
  } else if (data.kind === 'saml') {
    if (data.metadata) {
      try {
        const metadata = parseIdpMetadata(data.metadata);
        values.saml_entity_id = metadata.entityId;
        values.saml_sso_url = metadata.ssoUrl;
        values.saml_certificates = metadata.certificates;
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        errors.metadata = error.fields.metadata ?? Object.values(error.fields).join(' ');
      }
    } else if (current?.kind === 'saml' && current.saml_entity_id) {
      values.saml_entity_id = current.saml_entity_id;
      values.saml_sso_url = current.saml_sso_url;
      values.saml_certificates = current.saml_certificates;
    } else {
      errors.metadata = 'Paste the identity provider’s metadata (XML).';
    }
  }

  const domains = parseDomains(data.domains, errors);
  if (!errors.domains && domains.length > 0) {
    const claimed = await tx
      .selectFrom('sso_domains as d')
      .innerJoin('identity_providers as p', 'p.id', 'd.provider_id')
      .select(['d.domain', 'p.name'])
      .where('d.domain', 'in', domains)
      .$if(current !== null, (q) => q.where('d.provider_id', '<>', current?.id ?? ''))
      .orderBy('d.domain')
      .execute();
    if (claimed.length > 0)
      errors.domains = claimed
        .map(
          (c) => `${c.domain} already belongs to the identity provider “${c.name}”: remove it there first.`,
        )
        .join(' ');
  }
  if (!errors.domains && domains.length === 0) {
    if (data.required)
      errors.domains =
        'Give at least one domain: single sign-on can only be required of the people of its domains.';
    else if (data.jit)
      errors.domains = 'Give at least one domain: accounts are created only for people of its domains.';
  }

  let jitRoleName: string | null = null;
  let jitProjectName: string | null = null;
  if (data.jitRoleId) {
    const role = isUuid(data.jitRoleId)
      ? await tx
          .selectFrom('roles')
          .select(['id', 'name', 'key', 'permissions'])
          .where('id', '=', data.jitRoleId)
          .executeTakeFirst()
      : undefined;
    // Anyone the provider vouches for gets this role on arrival: never admin rights, which the
    // console hands out only with a fresh password (access/rules.ts), one person at a time.
    const adminRights = role
      ? rolePermissions(role).filter((k) => (MANAGER_PERMISSIONS as readonly string[]).includes(k))
      : [];
    if (role && adminRights.length > 0)
      errors.jitRoleId = `Choose a role without admin rights (${adminRights.join(', ')}): everyone the provider signs in for the first time gets it.`;
    else if (role) {
      values.jit_role_id = role.id;
      jitRoleName = role.name;
    } else errors.jitRoleId = 'Choose one of the roles listed: that role no longer exists.';
  } else if (data.jit) errors.jitRoleId = 'Choose the role that the accounts it creates get.';
  if (data.jitProjectId) {
    const project = isUuid(data.jitProjectId)
      ? await tx
          .selectFrom('projects')
          .select(['id', 'name'])
          .where('id', '=', data.jitProjectId)
          .executeTakeFirst()
      : undefined;
    if (project) {
      values.jit_project_id = project.id;
      jitProjectName = project.name;
    } else errors.jitProjectId = 'Choose one of the projects listed: that project no longer exists.';
  } else if (data.jit)
    errors.jitProjectId = 'Choose the project in which the accounts it creates get that role.';

  const lines = parseMappings(data.groupMappings, errors);
  const mappings: Resolved['mappings'] = [];
  if (!errors.groupMappings && lines.length > 0) {
    const teams = await tx
      .selectFrom('teams')
      .select(['id', 'name', 'source'])
      .where(
        'name',
        'in',
        lines.map((l) => l.team),
      )
      .execute();
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const l of lines) {
      // Team names are case-insensitive (citext): "engineering" finds Engineering.
      const team = teams.find((t) => t.name.toLowerCase() === l.team.toLowerCase());
      if (!team) problems.push(`Line ${l.line} (“${l.source}”): there is no team called “${l.team}”.`);
      else if (team.source === 'scim')
        problems.push(
          `Line ${l.line} (“${l.source}”): the team “${team.name}” is kept by the directory (SCIM); map the group to another team.`,
        );
      else if (!seen.has(`${l.group}\n${team.id}`)) {
        seen.add(`${l.group}\n${team.id}`);
        mappings.push({ group: l.group, teamId: team.id, teamName: team.name });
      }
    }
    if (problems.length > 0) errors.groupMappings = problems.slice(0, 5).join(' ');
  }

  if (Object.keys(errors).length > 0) throw new ValidationError(ordered(errors));
  return { values, domains, mappings, secretChanged, jitRoleName, jitProjectName };
}

/** The audit's picture of a provider: never its secret, its certificates by fingerprint. */
function auditView(
  p: Resolved['values'] & { enabled: boolean },
  domains: string[],
  mappings: Array<{ group: string; teamName: string }>,
  names: { role: string | null; project: string | null },
) {
  return {
    name: p.name,
    kind: p.kind,
    enabled: p.enabled,
    ...(p.kind === 'oidc'
      ? { issuer: p.issuer, clientId: p.client_id }
      : {
          entityId: p.saml_entity_id,
          ssoUrl: p.saml_sso_url,
          certificates: (p.saml_certificates ?? []).map(fingerprintOf),
        }),
    domains,
    groupsAttribute: p.groups_attribute,
    required: p.required,
    jit: p.jit,
    jitRole: names.role,
    jitProject: names.project,
    groupMappings: mappings.map((m) => `${m.group} = ${m.teamName}`).sort(),
  };
}

async function currentAuditView(tx: Db, p: ProviderDetails) {
  const role = p.jit_role_id
    ? await tx.selectFrom('roles').select('name').where('id', '=', p.jit_role_id).executeTakeFirst()
    : undefined;
  const project = p.jit_project_id
    ? await tx.selectFrom('projects').select('name').where('id', '=', p.jit_project_id).executeTakeFirst()
    : undefined;
  return auditView(
    p,
    p.domains,
    p.groupMappings.map((m) => ({ group: m.groupName, teamName: m.teamName })),
    { role: role?.name ?? null, project: project?.name ?? null },
  );
}

async function writeLists(tx: Db, id: string, resolved: Resolved) {
  await tx.deleteFrom('sso_domains').where('provider_id', '=', id).execute();
  await tx.deleteFrom('sso_group_teams').where('provider_id', '=', id).execute();
  if (resolved.domains.length > 0)
    await tx
      .insertInto('sso_domains')
      .values(resolved.domains.map((domain) => ({ domain, provider_id: id })))
      .execute();
  if (resolved.mappings.length > 0)
    await tx
      .insertInto('sso_group_teams')
      .values(resolved.mappings.map((m) => ({ provider_id: id, group_name: m.group, team_id: m.teamId })))
      .execute();
}

/** A name or domain taken by a change committed meanwhile: said as the check would have. */
function raceRefusal(error: unknown): never {
  if (isUniqueViolation(error)) {
    const detail = String((error as { detail?: string; constraint_name?: string }).detail ?? '');
    throw new ValidationError(
      /domain/.test(detail)
        ? { domains: 'One of these domains was just given to another identity provider: look again.' }
        : { name: 'Another identity provider was just given this name: choose another.' },
    );
  }
  throw error;
}

/** The provider for a change, locked until the transaction ends; NotFoundError when there is none. */
async function providerForUpdate(tx: Db, id: string): Promise<ProviderDetails> {
  const row = isUuid(id)
    ? await tx
        .selectFrom('identity_providers')
        .selectAll()
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst()
    : undefined;
  if (!row) throw new NotFoundError('There is no such identity provider.');
  return { ...row, ...(await detailsOf(tx, id)) };
}

/**
 * A moment after the provider's last change, whatever the clock says: the discovery cache keys on
 * updated_at, so two changes in the same millisecond must not share it.
 */
const nextUpdate = (ctx: ActionContext, last: Date) =>
  new Date(Math.max(ctx.clock.now().getTime(), last.getTime() + 1));

/** Adds an identity provider (enabled); returns its id. */
export async function createProvider(ctx: ActionContext, input: ProviderInput): Promise<string> {
  try {
    return await perform(ctx, 'sso.provider_create', async (tx) => {
      const resolved = await resolveInput(tx, ctx, input, null);
      const now = ctx.clock.now();
      const row = await tx
        .insertInto('identity_providers')
        .values({
          ...resolved.values,
          enabled: true,
          created_by: ctx.actor.kind === 'user' ? ctx.actor.id : null,
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await writeLists(tx, row.id, resolved);
      const after = auditView({ ...resolved.values, enabled: true }, resolved.domains, resolved.mappings, {
        role: resolved.jitRoleName,
        project: resolved.jitProjectName,
      });
      return {
        result: row.id,
        target: { type: 'identity_provider', id: row.id, label: resolved.values.name },
        projectId: null,
        after: resolved.values.kind === 'oidc' ? { ...after, clientSecret: 'set' } : after,
      };
    });
  } catch (error) {
    raceRefusal(error);
  }
}

/**
 * Changes a provider's settings. A blank client secret keeps the sealed one, blank metadata the
 * current entity id, sign-in URL and certificates; the domains and group mappings given replace
 * the current ones.
 */
export async function updateProvider(ctx: ActionContext, id: string, input: ProviderUpdate): Promise<void> {
  try {
    await perform(ctx, 'sso.provider_update', async (tx) => {
      const current = await providerForUpdate(tx, id);
      const resolved = await resolveInput(tx, ctx, { ...input, kind: input.kind ?? current.kind }, current);
      await tx
        .updateTable('identity_providers')
        .set({ ...resolved.values, updated_at: nextUpdate(ctx, current.updated_at) })
        .where('id', '=', id)
        .execute();
      await writeLists(tx, id, resolved);
      const before = await currentAuditView(tx, current);
      const after = auditView(
        { ...resolved.values, enabled: current.enabled },
        resolved.domains,
        resolved.mappings,
        {
          role: resolved.jitRoleName,
          project: resolved.jitProjectName,
        },
      );
      return {
        result: undefined,
        target: { type: 'identity_provider', id, label: resolved.values.name },
        projectId: null,
        before: resolved.secretChanged ? { ...before, clientSecret: 'set' } : before,
        after: resolved.secretChanged ? { ...after, clientSecret: 'changed' } : after,
      };
    });
  } catch (error) {
    raceRefusal(error);
  }
}

/** Turns a provider on or off: off, nobody signs in through it (its settings stay). */
export async function setProviderEnabled(ctx: ActionContext, id: string, enabled: boolean): Promise<void> {
  await perform(ctx, 'sso.provider_update', async (tx) => {
    const current = await providerForUpdate(tx, id);
    if (current.enabled === enabled)
      throw new ConflictError(`${current.name} is already ${enabled ? 'enabled' : 'disabled'}.`);
    await tx
      .updateTable('identity_providers')
      .set({ enabled, updated_at: nextUpdate(ctx, current.updated_at) })
      .where('id', '=', id)
      .execute();
    return {
      result: undefined,
      target: { type: 'identity_provider', id, label: current.name },
      projectId: null,
      before: { enabled: current.enabled },
      after: { enabled },
    };
  });
}

/**
 * Deletes a provider: its domains, group mappings, people's links to it and sign-ins under way
 * go with it (cascade). The people it created stay, with their memberships and access.
 */
export async function deleteProvider(ctx: ActionContext, id: string): Promise<void> {
  await perform(ctx, 'sso.provider_delete', async (tx) => {
    const current = await providerForUpdate(tx, id);
    const before = await currentAuditView(tx, current);
    await tx.deleteFrom('identity_providers').where('id', '=', id).execute();
    return {
      result: undefined,
      target: { type: 'identity_provider', id, label: current.name },
      projectId: null,
      before,
    };
  });
}
