import type { Context, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { defaultProjectId } from '../access/grants';
import type { ActionContext, RequestMeta } from '../core/context';
import type { AppDeps } from '../web/env';
import type { AccessCache } from './access-cache';
import { problem } from './problems';
import { checkApiToken, type TokenHolder, tokenPermissionsIn } from './tokens';

export interface ApiDeps extends AppDeps {
  /** In-memory answers for token and permission checks (access-cache.ts); none: always read. */
  accessCache?: AccessCache | null;
}

export interface ApiEnv {
  Variables: {
    meta: RequestMeta;
    holder: TokenHolder;
  };
}

/**
 * Bearer tokens only: the API reads no cookie (so needs no CSRF defence) and the console reads no
 * bearer token. A refused token is a 401 with WWW-Authenticate (RFC 6750). The REST API reads the
 * token from the database on every call, so a revocation or deactivation applies to the next
 * call; the permission check (`cached`) reads it through the access cache, current to within a
 * second, as its decisions are.
 */
export function bearer(deps: ApiDeps, options: { cached: boolean }): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      c.header('WWW-Authenticate', 'Bearer realm="gatehouse"');
      return problem(c, 401, 'unauthorized', 'Send an API token: Authorization: Bearer gh_…');
    }
    const checked = await checkApiToken(
      { db: deps.db, clock: deps.clock, config: deps.config, meta: c.get('meta') },
      match[1] as string,
      options.cached ? (deps.accessCache ?? null) : null,
    );
    if (!checked.ok) {
      c.header('WWW-Authenticate', 'Bearer realm="gatehouse", error="invalid_token"');
      // One answer for every refusal: which one it was is in the audit trail, for the owner's admin.
      return problem(
        c,
        401,
        'unauthorized',
        'The token is refused: unknown, expired, revoked, or its owner may not act.',
      );
    }
    c.set('holder', checked.holder);
    await next();
  };
}

/** The project a call acts in: `?project=<id>`, else the account's first. */
export async function projectOf(c: Context<ApiEnv>, deps: ApiDeps): Promise<string | null> {
  const asked = c.req.query('project');
  if (asked === undefined) return defaultProjectId(deps.db);
  if (!z.uuid().safeParse(asked).success) return null;
  const found = await deps.db.selectFrom('projects').select('id').where('id', '=', asked).executeTakeFirst();
  return found?.id ?? null;
}

/** The domain's context for a call: the token's owner acting, narrowed to the token's list. */
export async function apiContext(
  c: Context<ApiEnv>,
  deps: ApiDeps,
  projectId: string,
): Promise<ActionContext> {
  const holder = c.get('holder');
  return {
    db: deps.db,
    clock: deps.clock,
    config: deps.config,
    jobs: deps.jobs,
    meta: c.get('meta'),
    actor: {
      kind: 'user',
      id: holder.owner.id,
      email: holder.owner.email,
      name: holder.owner.name,
      projectId,
      permissions: await tokenPermissionsIn(deps.db, holder, projectId, deps.clock.now()),
      token: { id: holder.tokenId, name: holder.tokenName, permissions: holder.permissions },
    },
  };
}

/**
 * Per-token rate limit, a fixed window a minute in this instance (the API's answers say how much
 * is left, in the IETF RateLimit header fields). Each instance counts its own share.
 */
export function rateLimit(policy: { name: string; perMinute: number }): MiddlewareHandler<ApiEnv> {
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
    const left = Math.max(0, policy.perMinute - window.used);
    const reset = Math.ceil((start + 60_000 - now) / 1000);
    c.header('RateLimit-Policy', `"${policy.name}";q=${policy.perMinute};w=60`);
    c.header('RateLimit', `"${policy.name}";r=${left};t=${reset}`);
    if (window.used > policy.perMinute) {
      c.header('Retry-After', String(reset));
      return problem(c, 429, 'rate-limited', `At most ${policy.perMinute} requests a minute for one token.`);
    }
    await next();
  };
}
