import { Hono } from 'hono';
import { Resend } from 'resend';
import type { AppDeps, AppEnv } from '../web/env';
import { guard } from '../web/guard';
import { applyDeliveryEvent, fromResendEvent } from './delivery-events';

/** Resend's events are small; a larger body is not one. */
const MAX_BODY = 256 * 1024;

/**
 * Resend's delivery events (POST /webhooks/resend). Signed the Svix / Standard Webhooks way
 * (`svix-id`, `svix-timestamp`, `svix-signature`: HMAC-SHA256 under RESEND_WEBHOOK_SECRET), and
 * checked by Resend's own SDK, which also refuses a timestamp more than five minutes off. Unsigned,
 * wrongly signed or stale events get 401 and change nothing; each event id is applied once.
 */
export function webhookRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const verifier = new Resend(deps.config.resendApiKey ?? 're_webhook_verification_only');

  app.post('/resend', guard(deps, 'public'), async (c) => {
    const secret = deps.config.resendWebhookSecret;
    if (!secret) return c.json({ error: 'webhooks are not configured (RESEND_WEBHOOK_SECRET)' }, 404);
    const payload = await c.req.text();
    if (payload.length > MAX_BODY) return c.json({ error: 'too large' }, 413);
    const headers = {
      id: c.req.header('svix-id') ?? '',
      timestamp: c.req.header('svix-timestamp') ?? '',
      signature: c.req.header('svix-signature') ?? '',
    };
    if (!headers.id || !headers.timestamp || !headers.signature)
      return c.json({ error: 'missing signature headers' }, 401);
    let event: Parameters<typeof fromResendEvent>[1];
    try {
      event = verifier.webhooks.verify({
        payload,
        headers,
        webhookSecret: secret,
      }) as unknown as typeof event;
    } catch {
      return c.json({ error: 'bad or stale signature' }, 401);
    }
    const delivery = fromResendEvent(headers.id, event);
    if (!delivery) return c.json({ result: 'ignored' });
    const result = await applyDeliveryEvent(deps.db, deps, delivery);
    return c.json({ result });
  });

  return app;
}
