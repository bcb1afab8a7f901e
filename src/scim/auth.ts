import type { MiddlewareHandler } from 'hono';
import { grantsOf, narrowedTo, permissionsEverywhere, permissionsIn, projectIds } from '../access/grants';
import type { ApiDeps } from '../api/auth';
import { checkApiToken, type TokenHolder } from '../api/tokens';
import type { ActionContext, RequestMeta } from '../core/context';
import { scimError } from './errors';

export interface ScimEnv {
  Variables: {
    meta: RequestMeta;
    holder: TokenHolder;
    ctx: ActionContext;
    body: Record<string, unknown>;
  };
}

const PERMISSION = 'directory.provision';

/**
 * The directory's bearer token: a Gatehouse API token (checked as the REST API checks it, afresh
 * on every call, so a revocation applies to the next one) of a service account that holds
 * directory.provision in every project, as narrowed by the token's own list. A person's token is
 * refused: a directory is a machine, and its changes read "directory: <token name>" in the audit
 * trail. Every change is still perform()'s, which reads the permission again in its transaction.
 */
export function scimAuth(deps: ApiDeps): MiddlewareHandler<ScimEnv> {
  return async (c, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
    if (!match) {
      c.header('WWW-Authenticate', 'Bearer realm="gatehouse-scim"');
      return scimError(c, 401, null, 'Send the directory’s API token: Authorization: Bearer gh_…');
    }
    const meta = c.get('meta');
    const checked = await checkApiToken(
      { db: deps.db, clock: deps.clock, config: deps.config, meta },
      match[1] as string,
    );
    if (!checked.ok) {
      c.header('WWW-Authenticate', 'Bearer realm="gatehouse-scim", error="invalid_token"');
      return scimError(
        c,
        401,
        null,
        'The token is refused: unknown, expired, revoked, or its owner may not act.',
      );
    }
    const { holder } = checked;
    if (!holder.owner.serviceAccount)
      return scimError(c, 403, null, 'SCIM takes the token of a service account, not a person’s.');
    const now = deps.clock.now();
    const grants = narrowedTo(await grantsOf(deps.db, holder.owner.id, now), holder.permissions);
    // The projects oldest first: the first is the default project, the one the actor acts in.
    const projects = await projectIds(deps.db);
    if (!permissionsEverywhere(grants, projects).has(PERMISSION))
      return scimError(c, 403, null, `The token needs the permission ${PERMISSION} in every project.`);
    const projectId = projects[0] as string;
    c.set('holder', holder);
    c.set('ctx', {
      db: deps.db,
      clock: deps.clock,
      config: deps.config,
      jobs: deps.jobs,
      meta,
      actor: {
        kind: 'user',
        id: holder.owner.id,
        email: holder.owner.email,
        name: holder.owner.name,
        projectId,
        permissions: permissionsIn(grants, projectId),
        token: {
          id: holder.tokenId,
          name: holder.tokenName,
          permissions: holder.permissions,
          directory: true,
        },
      },
    });
    await next();
  };
}

/**
 * Per-token rate limit, a fixed window a minute in this instance (the REST API's, with SCIM's
 * error): a directory that sends more is told to wait (429 with Retry-After), which Okta and
 * Entra both honour.
 */
export function scimRateLimit(perMinute: number): MiddlewareHandler<ScimEnv> {
  const windows = new Map<string, { start: number; used: number }>();
  return async (c, next) => {
    const key = c.get('holder').tokenId;
    const now = Date.now();
    const start = now - (now % 60_000);
    let window = windows.get(key);
    if (!window || window.start !== start) {
      if (windows.size > 10_000) windows.clear();
      window = { start, used: 0 };
      windows.set(key, window);
    }
    window.used++;
    const reset = Math.ceil((start + 60_000 - now) / 1000);
    c.header('RateLimit-Policy', `"scim";q=${perMinute};w=60`);
    c.header('RateLimit', `"scim";r=${Math.max(0, perMinute - window.used)};t=${reset}`);
    if (window.used > perMinute) {
      c.header('Retry-After', String(reset));
      return scimError(c, 429, null, `At most ${perMinute} requests a minute for one token.`);
    }
    await next();
  };
}
