import { writeAudit } from '../audit/write';
import type { Config } from '../config';
import type { Clock } from '../core/context';
import type { Db } from '../db/connect';
import type { MailState } from '../db/schema';

/** What a provider's event says of a message: its new state and why. */
export interface DeliveryEvent {
  /** The provider's event id (svix-id): each is applied once. */
  eventId: string;
  /** The provider's id of the message (Resend's email_id). */
  providerId: string;
  state: MailState;
  reason: string | null;
  at: Date;
}

/**
 * How far a message has got; an event never moves it back (they arrive out of order and more
 * than once). A complaint can follow a delivery; a delay never overrides a delivery or an end.
 */
const RANK: Record<MailState, number> = {
  queued: 0,
  sent: 1,
  delayed: 2,
  delivered: 3,
  bounced: 4,
  failed: 4,
  complained: 5,
};
const UNDELIVERED = new Set<MailState>(['bounced', 'complained', 'failed']);

/** Resend's event types (https://resend.com/docs/dashboard/webhooks/event-types) as our states. */
export function fromResendEvent(
  eventId: string,
  event: { type?: unknown; created_at?: unknown; data?: Record<string, unknown> },
): DeliveryEvent | null {
  const data = event.data ?? {};
  const providerId = typeof data.email_id === 'string' ? data.email_id : null;
  if (!providerId) return null;
  const at = new Date(typeof event.created_at === 'string' ? event.created_at : Date.now());
  const detail = (key: string, field: string) => {
    const part = data[key] as Record<string, unknown> | undefined;
    return typeof part?.[field] === 'string' ? (part[field] as string) : null;
  };
  const base = { eventId, providerId, at: Number.isNaN(at.getTime()) ? new Date() : at };
  switch (event.type) {
    case 'email.sent':
      return { ...base, state: 'sent', reason: null };
    case 'email.delivered':
      return { ...base, state: 'delivered', reason: null };
    case 'email.delivery_delayed':
      return { ...base, state: 'delayed', reason: 'the receiving server has not accepted it yet' };
    case 'email.bounced':
      return { ...base, state: 'bounced', reason: detail('bounce', 'message') ?? 'bounced' };
    case 'email.complained':
      return { ...base, state: 'complained', reason: 'the recipient marked it as spam' };
    case 'email.failed':
      return {
        ...base,
        state: 'failed',
        reason: detail('failed', 'reason') ?? 'the provider could not send it',
      };
    case 'email.suppressed':
      return {
        ...base,
        state: 'failed',
        reason: `not sent: the address is on the suppression list (${detail('suppressed', 'message') ?? 'an earlier bounce or complaint'})`,
      };
    default:
      return null;
  }
}

/**
 * Applies one provider event to its message, once per event id, in one transaction. A message
 * that ends undelivered is audited (`mail.undelivered`) with what it was about, so that the user
 * or invitation's history shows it. Returns what happened, for the webhook's answer.
 */
export async function applyDeliveryEvent(
  db: Db,
  ctx: { clock: Clock; config: Config },
  event: DeliveryEvent,
): Promise<'applied' | 'duplicate' | 'unknown message' | 'older than the state it has'> {
  return db.transaction().execute(async (tx) => {
    const fresh = await tx
      .insertInto('webhook_events')
      .values({ id: event.eventId })
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!fresh) return 'duplicate';
    const row = await tx
      .selectFrom('mail_messages')
      .select(['id', 'state', 'kind', 'recipient', 'user_id', 'invitation_id'])
      .where('provider_id', '=', event.providerId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return 'unknown message';
    if (RANK[event.state] < RANK[row.state] || (event.state === row.state && event.state !== 'delayed'))
      return 'older than the state it has';
    await tx
      .updateTable('mail_messages')
      .set({ state: event.state, reason: event.reason, updated_at: ctx.clock.now() })
      .where('id', '=', row.id)
      .execute();
    if (UNDELIVERED.has(event.state)) {
      const target = row.invitation_id
        ? { type: 'invitation', id: row.invitation_id, label: row.recipient }
        : row.user_id
          ? { type: 'user', id: row.user_id, label: row.recipient }
          : null;
      await writeAudit(
        tx,
        { clock: ctx.clock, config: ctx.config, meta: { ip: null, requestId: null, userAgent: null } },
        {
          action: 'mail.undelivered',
          outcome: 'failed',
          actor: { id: null, label: 'mail provider' },
          target,
          after: { email: row.kind, state: event.state },
          reason: event.reason,
        },
      );
    }
    return 'applied';
  });
}
