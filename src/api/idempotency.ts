import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { ApiDeps, ApiEnv } from './auth';
import { problem } from './problems';

const KEPT_HOURS = 24;
/** A reserved key whose first request has not answered: status 0 until it does. */
const PENDING = 0;

/**
 * `Idempotency-Key` on a POST (the IETF draft): the first answer (below 500) is kept for 24 hours
 * per token and key, and a retry with the same key and the same request gets it again instead of
 * acting twice; the same key with another request is refused (422). The key is reserved before
 * the request acts, so a retry sent while the first is still running is told so (409) rather than
 * acting alongside it; a first request that fails (5xx) gives its key back. The answer is kept
 * after the change committed: if keeping it fails, the retry acts again (the domain's own rules,
 * a duplicate email say, then refuse it). The maintenance job removes keys after 24 hours.
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
    const now = deps.clock.now();
    const since = new Date(now.getTime() - KEPT_HOURS * 3_600_000);
    const mine = deps.db.deleteFrom('api_idempotency').where('token_id', '=', tokenId).where('key', '=', key);
    await mine.where('created_at', '<=', since).execute();
    const reserved = await deps.db
      .insertInto('api_idempotency')
      .values({
        token_id: tokenId,
        key,
        request_hash: requestHash,
        status: PENDING,
        body: '',
        created_at: now,
      })
      .onConflict((oc) => oc.columns(['token_id', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst();
    if (!reserved) {
      const kept = await deps.db
        .selectFrom('api_idempotency')
        .selectAll()
        .where('token_id', '=', tokenId)
        .where('key', '=', key)
        .executeTakeFirst();
      if (kept && kept.request_hash !== requestHash)
        return problem(
          c,
          422,
          'idempotency-key-reused',
          'This Idempotency-Key was used for a different request.',
        );
      if (!kept || kept.status === PENDING)
        return problem(
          c,
          409,
          'conflict',
          'A request with this Idempotency-Key is still running: retry in a moment.',
        );
      const headers: Record<string, string> = {
        'Content-Type': kept.status >= 400 ? 'application/problem+json' : 'application/json',
        'Idempotent-Replayed': 'true',
      };
      if (kept.location) headers.Location = kept.location;
      return kept.body
        ? c.body(kept.body, kept.status as 200, headers)
        : c.body(null, kept.status as 204, headers);
    }
    try {
      await next();
    } finally {
      if (c.res.status >= 500) await mine.execute();
      else {
        const answer = c.res.clone();
        await deps.db
          .updateTable('api_idempotency')
          .set({ status: answer.status, body: await answer.text(), location: answer.headers.get('location') })
          .where('token_id', '=', tokenId)
          .where('key', '=', key)
          .execute();
      }
    }
  };
}
