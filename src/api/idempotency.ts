import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { sql } from 'kysely';
import type { ApiDeps, ApiEnv } from './auth';
import { problem } from './problems';

const KEPT_HOURS = 24;

/**
 * `Idempotency-Key` on a POST (the IETF draft): the first answer (below 500) is kept for 24 hours
 * per token and key, and a retry with the same key and the same request gets it again instead of
 * acting twice; the same key with another request is refused (422). A retry is expected after
 * the first answer (or its time-out), not alongside it: two requests with one key in flight at
 * once both act, and the first answer is the one kept.
 */
export function idempotency(deps: ApiDeps): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (key.length < 1 || key.length > 200)
      return problem(c, 400, 'bad-request', 'Idempotency-Key is 1 to 200 characters.');
    const tokenId = c.get('holder').tokenId;
    const body = await c.req.raw.clone().text();
    const requestHash = createHash('sha256')
      .update(`${c.req.method} ${c.req.path}?${new URL(c.req.url).search}\n${body}`)
      .digest('base64url');
    const since = new Date(deps.clock.now().getTime() - KEPT_HOURS * 3_600_000);
    const kept = await deps.db
      .selectFrom('api_idempotency')
      .selectAll()
      .where('token_id', '=', tokenId)
      .where('key', '=', key)
      .where('created_at', '>', since)
      .executeTakeFirst();
    if (kept) {
      if (kept.request_hash !== requestHash)
        return problem(
          c,
          422,
          'idempotency-key-reused',
          'This Idempotency-Key was used for a different request.',
        );
      const headers: Record<string, string> = {
        'Content-Type': 'application/json',
        'Idempotent-Replayed': 'true',
      };
      if (kept.location) headers.Location = kept.location;
      return c.body(kept.body, kept.status as 200, headers);
    }
    await next();
    if (c.res.status >= 500) return;
    const answer = c.res.clone();
    await sql`
      insert into api_idempotency (token_id, key, request_hash, status, body, location, created_at)
      values (${tokenId}, ${key}, ${requestHash}, ${answer.status}, ${await answer.text()},
        ${answer.headers.get('location')}, ${deps.clock.now()})
      on conflict (token_id, key) do update set request_hash = excluded.request_hash,
        status = excluded.status, body = excluded.body, location = excluded.location,
        created_at = excluded.created_at
      where api_idempotency.created_at <= ${since}`.execute(deps.db);
  };
}
