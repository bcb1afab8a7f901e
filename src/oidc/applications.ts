import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { perform } from '../audit/perform';
import type { ActionContext } from '../core/context';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors';
import { parseInput } from '../core/validation';
import type { Db } from '../db/connect';
import { endApplicationState } from './end-sessions';

/**
 * Applications: the host product's apps that sign people in through Gatehouse (OpenID
 * Connect). A confidential one (a web app with a server) gets a secret, shown once and kept only
 * as a hash: it is 32 random bytes, so a fast hash is as strong as a slow one would be.
 */

const hashSecret = (secret: string) => `sha256:${createHash('sha256').update(secret).digest('base64url')}`;

/** The provider's check of a presented client secret against the stored hash. */
export function verifyClientSecret(stored: string, presented: string): boolean {
  const a = Buffer.from(stored);
  const b = Buffer.from(hashSecret(presented));
  return a.length === b.length && timingSafeEqual(a, b);
}

/** https anywhere, http only to this machine (a developer's app, a native app's loopback). */
const appUri = (what: string) =>
  z
    .string()
    .trim()
    .max(2000)
    .refine((value) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        return false;
      }
      if (url.hash || url.username || url.password) return false;
      if (url.protocol === 'https:') return true;
      return url.protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
    }, `Each ${what} is an https URL (http only to 127.0.0.1, [::1] or localhost), without a fragment.`);

const applicationSchema = z.object({
  name: z.string().trim().min(1, 'Name the application.').max(100, 'Keep the name under 100 characters.'),
  type: z.enum(['web', 'spa', 'native'], { error: 'The type is web, spa or native.' }).default('web'),
  redirectUris: z.array(appUri('redirect URI')).min(1, 'Give at least one redirect URI.').max(20),
  postLogoutRedirectUris: z.array(appUri('post-logout redirect URI')).max(20).default([]),
  backchannelLogoutUri: appUri('back-channel logout URI').optional(),
  /** Its APIs' identifiers: an access token asked for one (resource=) is a JWT for it. */
  apiResources: z.array(appUri('API identifier')).max(20).default([]),
  /** Project ids or names; none: every project. */
  projects: z.array(z.string().trim().min(1)).max(100).default([]),
  public: z.boolean().default(false),
  firstParty: z.boolean().default(false),
});

export type ApplicationInput = z.input<typeof applicationSchema>;

export interface CreatedApplication {
  id: string;
  clientId: string;
  /** Only for a confidential client, only now. */
  clientSecret: string | null;
}

export async function createApplication(
  ctx: ActionContext,
  input: ApplicationInput,
): Promise<CreatedApplication> {
  const data = parseInput(applicationSchema, input);
  const confidential = data.type === 'web' && !data.public;
  return perform(ctx, 'application.create', async (tx) => {
    let projectIds: string[] | null = null;
    if (data.projects.length > 0) {
      const uuids = data.projects.filter((p) => z.uuid().safeParse(p).success);
      const found = await tx
        .selectFrom('projects')
        .select(['id', 'name'])
        .where((eb) =>
          eb.or([eb('name', 'in', data.projects), ...(uuids.length > 0 ? [eb('id', 'in', uuids)] : [])]),
        )
        .execute();
      const missing = data.projects.filter((p) => !found.some((f) => f.id === p || f.name === p));
      if (missing.length > 0)
        throw new ValidationError({ projects: `No such project: ${missing.join(', ')}.` });
      projectIds = [...new Set(found.map((f) => f.id))];
    }
    const clientId = `gh_${randomBytes(16).toString('base64url')}`;
    const secret = confidential ? randomBytes(32).toString('base64url') : null;
    const row = await tx
      .insertInto('applications')
      .values({
        client_id: clientId,
        name: data.name,
        app_type: data.type,
        secret_hash: secret ? hashSecret(secret) : null,
        redirect_uris: data.redirectUris,
        post_logout_redirect_uris: data.postLogoutRedirectUris,
        backchannel_logout_uri: data.backchannelLogoutUri ?? null,
        api_resources: data.apiResources,
        project_ids: projectIds,
        first_party: data.firstParty,
        created_by: ctx.actor.kind === 'user' ? ctx.actor.id : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return {
      result: { id: row.id, clientId, clientSecret: secret },
      target: { type: 'application', id: row.id, label: data.name },
      projectId: null,
      after: {
        clientId,
        type: data.type,
        confidential,
        redirectUris: data.redirectUris,
        projects: projectIds ?? 'all',
        firstParty: data.firstParty,
      },
    };
  });
}

/** An active application as the provider's client metadata, or undefined (unknown, deactivated). */
export async function applicationClient(
  db: Db,
  clientId: string,
): Promise<Record<string, unknown> | undefined> {
  const app = await db
    .selectFrom('applications')
    .selectAll()
    .where('client_id', '=', clientId)
    .where('active', '=', true)
    .executeTakeFirst();
  if (!app) return undefined;
  return {
    client_id: app.client_id,
    client_name: app.name,
    application_type: app.app_type === 'native' ? 'native' : 'web',
    redirect_uris: app.redirect_uris,
    post_logout_redirect_uris: app.post_logout_redirect_uris,
    ...(app.backchannel_logout_uri
      ? { backchannel_logout_uri: app.backchannel_logout_uri, backchannel_logout_session_required: true }
      : {}),
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    ...(app.secret_hash
      ? { client_secret: app.secret_hash, token_endpoint_auth_method: 'client_secret_basic' }
      : { token_endpoint_auth_method: 'none' }),
  };
}

/** Registered applications, newest first (the CLI's `app list`, the Applications page). */
export function listApplications(db: Db) {
  return db
    .selectFrom('applications')
    .select([
      'id',
      'client_id',
      'name',
      'app_type',
      'redirect_uris',
      'project_ids',
      'first_party',
      'active',
      'created_at',
      (eb) => eb('secret_hash', 'is not', null).as('confidential'),
    ])
    .orderBy('created_at', 'desc')
    .execute();
}

async function applicationFor(tx: Db, clientId: string) {
  const app = await tx
    .selectFrom('applications')
    .selectAll()
    .where('client_id', '=', clientId)
    .forUpdate()
    .executeTakeFirst();
  if (!app) throw new NotFoundError(`There is no application with client id ${clientId}.`);
  return app;
}

/**
 * A new secret for a confidential application; the old one stops working at once (the tokens
 * already issued go on until they expire or are revoked). Returns the secret, shown once.
 */
export async function rotateApplicationSecret(ctx: ActionContext, clientId: string): Promise<string> {
  return perform(ctx, 'application.rotate_secret', async (tx) => {
    const app = await applicationFor(tx, clientId);
    if (!app.secret_hash)
      throw new ConflictError(`${app.name} is a public client: it has no secret to rotate.`);
    const secret = randomBytes(32).toString('base64url');
    await tx
      .updateTable('applications')
      .set({ secret_hash: hashSecret(secret), updated_at: new Date() })
      .where('id', '=', app.id)
      .execute();
    return {
      result: secret,
      target: { type: 'application', id: app.id, label: app.name },
      projectId: null,
    };
  });
}

/**
 * Removes an application: it can no longer sign anyone in, and every session, grant and token
 * the provider holds for it goes in the same transaction.
 */
export async function deleteApplication(ctx: ActionContext, clientId: string): Promise<void> {
  await perform(ctx, 'application.delete', async (tx) => {
    const app = await applicationFor(tx, clientId);
    await tx.deleteFrom('applications').where('id', '=', app.id).execute();
    await endApplicationState(tx, clientId);
    return {
      result: undefined,
      target: { type: 'application', id: app.id, label: app.name },
      projectId: null,
      before: { clientId, name: app.name, redirectUris: app.redirect_uris },
    };
  });
}

/**
 * Deactivates an application (it can no longer sign anyone in; its tokens stop working and its
 * provider state ends at once) or makes it active again (people sign in anew).
 */
export async function setApplicationActive(
  ctx: ActionContext,
  clientId: string,
  active: boolean,
): Promise<void> {
  const action = active ? 'application.reactivate' : 'application.deactivate';
  await perform(ctx, action, async (tx) => {
    const app = await applicationFor(tx, clientId);
    if (app.active === active)
      throw new ConflictError(`${app.name} is already ${active ? 'active' : 'deactivated'}.`);
    await tx
      .updateTable('applications')
      .set({ active, updated_at: new Date() })
      .where('id', '=', app.id)
      .execute();
    if (!active) await endApplicationState(tx, clientId);
    return {
      result: undefined,
      target: { type: 'application', id: app.id, label: app.name },
      projectId: null,
    };
  });
}

/** One application by its row id, for its page. */
export function findApplication(db: Db, id: string) {
  return z.uuid().safeParse(id).success
    ? db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirst()
    : Promise.resolve(undefined);
}
