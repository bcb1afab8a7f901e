import { decryptSecret, encryptSecret } from '../auth/two-factor/secret-box';
import type { Config } from '../config';
import type { Clock } from '../core/context';
import type { Db } from '../db/connect';
import type { JobQueue } from '../jobs/queue';
import { MailError, type Mailer, type MailMessage } from './mailer';
import { takeSendSlot } from './send-rate';

/** What an email is about, so that the user and invitation pages can show what became of it. */
export interface MailAbout {
  kind: string;
  userId?: string | null;
  invitationId?: string | null;
}

/**
 * Writes the message and its send job in the caller's transaction: a change that rolls back sends
 * nothing, a committed one is never lost, and the request never waits for the provider. The body
 * is sealed with SECRET_KEY (it holds one-time links, which are otherwise stored only hashed).
 */
export async function queueMail(
  tx: Db,
  ctx: { config: Config; jobs: JobQueue },
  message: MailMessage,
  about: MailAbout,
): Promise<string> {
  const { html, text, tags } = message;
  const row = await tx
    .insertInto('mail_messages')
    .values({
      kind: about.kind,
      recipient: message.to,
      subject: message.subject,
      user_id: about.userId ?? null,
      invitation_id: about.invitationId ?? null,
      sealed_body: encryptSecret(ctx.config.secretKey, JSON.stringify({ html, text, tags })),
      idempotency_key: message.idempotencyKey ?? '',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (!message.idempotencyKey) {
    // One key per message: a retry after a lost answer never sends twice (the provider keeps it).
    await tx
      .updateTable('mail_messages')
      .set({ idempotency_key: `mail-${row.id}` })
      .where('id', '=', row.id)
      .execute();
  }
  await ctx.jobs.enqueue(tx, 'mail-send', { id: row.id });
  return row.id;
}

export interface DeliverContext {
  db: Db;
  config: Config;
  clock: Clock;
  mailer: Mailer;
  jobs: JobQueue;
  /** Waits (the worker); tests pass one that does not. */
  sleep?: (ms: number) => Promise<void>;
}

/** How a 429 is retried: at the provider's Retry-After, this many times before the message fails. */
const MAX_RATE_LIMITED = 10;

/**
 * The `mail-send` job: sends one queued message at the configured rate and records what the
 * provider said. Throws only for what is worth retrying later with backoff (no answer, 5xx), and
 * then marks the message failed itself on the last try, so that its state never stays "queued".
 */
export async function deliverMail(
  ctx: DeliverContext,
  job: { data: Record<string, unknown>; retryCount: number; retryLimit: number },
): Promise<void> {
  const id = String(job.data.id ?? '');
  const row = await ctx.db.selectFrom('mail_messages').selectAll().where('id', '=', id).executeTakeFirst();
  if (row?.state !== 'queued' || !row.sealed_body) return;
  const body = JSON.parse(decryptSecret(ctx.config.secretKey, row.sealed_body)) as Pick<
    MailMessage,
    'html' | 'text' | 'tags'
  >;
  const wait = await takeSendSlot(ctx.db, ctx.config.mailRatePerSecond);
  if (wait > 0) await (ctx.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))))(wait);
  const now = () => ctx.clock.now();
  try {
    const sent = await ctx.mailer.send({
      to: row.recipient,
      subject: row.subject,
      ...body,
      idempotencyKey: row.idempotency_key,
    });
    await ctx.db
      .updateTable('mail_messages')
      .set({
        state: 'sent',
        provider_id: sent.id,
        reason: null,
        sealed_body: null,
        attempts: row.attempts + 1,
        sent_at: now(),
        updated_at: now(),
      })
      .where('id', '=', id)
      .where('state', '=', 'queued')
      .execute();
  } catch (error) {
    const mailError = error instanceof MailError ? error : null;
    if (mailError?.status === 429 && row.attempts + 1 < MAX_RATE_LIMITED) {
      // The provider says when: a new job at that time, in the transaction that counts the try.
      await ctx.db.transaction().execute(async (tx) => {
        await tx
          .updateTable('mail_messages')
          .set({ attempts: row.attempts + 1, reason: mailError.message, updated_at: now() })
          .where('id', '=', id)
          .execute();
        const seconds = mailError.retryAfterSeconds ?? 60;
        await ctx.jobs.enqueue(
          tx,
          'mail-send',
          { id },
          { startAfter: new Date(Date.now() + seconds * 1000) },
        );
      });
      return;
    }
    const lastTry = job.retryCount >= job.retryLimit;
    const retryable = mailError ? mailError.retryable : true;
    const reason = mailError?.message ?? `could not reach the mail provider: ${(error as Error).message}`;
    if (retryable && !lastTry && mailError?.status !== 429) {
      await ctx.db
        .updateTable('mail_messages')
        .set({ attempts: row.attempts + 1, reason, updated_at: now() })
        .where('id', '=', id)
        .execute();
      throw error;
    }
    await ctx.db
      .updateTable('mail_messages')
      .set({
        state: 'failed',
        reason: retryable ? `gave up after ${row.attempts + 1} attempts: ${reason}` : reason,
        sealed_body: null,
        attempts: row.attempts + 1,
        updated_at: now(),
      })
      .where('id', '=', id)
      .execute();
  }
}
