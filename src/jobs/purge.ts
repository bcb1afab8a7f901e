import type { Db } from '../db/connect';

const DAY_MS = 86_400_000;

/**
 * What has stopped mattering goes daily: sessions past their end, one-time links a day after
 * they expired (kept that long so that "this link has expired" can still be told apart from a
 * wrong link), rate-limit and lockout rows idle for a day, provider event ids after 30 days (a
 * provider retries for 3 days at most), the OpenID provider's expired sessions, codes and tokens,
 * single sign-on's unanswered requests and expired assertion ids.
 * pg-boss deletes finished jobs itself.
 */
export async function purgeExpired(db: Db, now: Date): Promise<Record<string, number>> {
  const dayAgo = new Date(now.getTime() - DAY_MS);
  const count = (r: { numDeletedRows: bigint }) => Number(r.numDeletedRows);
  return {
    sessions: count(await db.deleteFrom('sessions').where('expires_at', '<', now).executeTakeFirst()),
    oneTimeTokens: count(
      await db.deleteFrom('one_time_tokens').where('expires_at', '<', dayAgo).executeTakeFirst(),
    ),
    rateLimits: count(await db.deleteFrom('rate_limits').where('updated_at', '<', dayAgo).executeTakeFirst()),
    signInFailures: count(
      await db
        .deleteFrom('sign_in_failures')
        .where('updated_at', '<', dayAgo)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
        .executeTakeFirst(),
    ),
    oidcPayloads: count(
      await db.deleteFrom('oidc_payloads').where('expires_at', '<', now).executeTakeFirst(),
    ),
    // Idempotency keys answer retries for 24 hours; their kept answers go after that.
    apiIdempotency: count(
      await db.deleteFrom('api_idempotency').where('created_at', '<', dayAgo).executeTakeFirst(),
    ),
    // Single sign-on: sign-ins sent to a provider and never answered; SAML assertion ids kept
    // against replay until the assertion would have expired anyway.
    ssoRequests: count(await db.deleteFrom('sso_requests').where('expires_at', '<', now).executeTakeFirst()),
    ssoUsedAssertions: count(
      await db.deleteFrom('sso_used_assertions').where('expires_at', '<', now).executeTakeFirst(),
    ),
    webhookEvents: count(
      await db
        .deleteFrom('webhook_events')
        .where('received_at', '<', new Date(now.getTime() - 30 * DAY_MS))
        .executeTakeFirst(),
    ),
  };
}
