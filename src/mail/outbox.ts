import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { decryptSecret, encryptSecret } from '../auth/two-factor/secret-box';
import type { Config } from '../config';
import type { Clock } from '../core/context';
import { plural } from '../core/plural';
import type { Db } from '../db/connect';
import type { JobQueue } from '../jobs/queue';
import { MailError, type Mailer, type MailMessage } from './mailer';
import { takeSendSlot } from './send-rate';

/**
 * A link email whose link is made when it is sent, not when it is queued: "Reset all passwords"
 * queues a million of them, which at the provider's rate take days to go, and a link issued at
 * queueing would have expired before it arrived. Its password stops working at once all the same.
 */
export interface DeferredLink {
  link: 'password_reset';
  userId: string;
  name: string;
  accountName: string;
  lifetimeMs: number;
}

/** Issues the deferred link (in the sending job's transaction) and renders its email. */
export type LinkRenderer = (tx: Db, deferred: DeferredLink, to: string) => Promise<MailMessage>;

type Queued = MailMessage | (Pick<MailMessage, 'to' | 'subject'> & { deferred: DeferredLink });

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
  const [id] = await queueMails(tx, ctx, [{ message, about }]);
  return id as string;
}

/** Many messages in one statement, and their jobs in another (a long action's batch). */
export async function queueMails(
  tx: Db,
  ctx: { config: Config; jobs: JobQueue },
  mails: Array<{ message: Queued; about: MailAbout }>,
  options: { priority?: number } = {},
): Promise<string[]> {
  if (mails.length === 0) return [];
  const rows = mails.map(({ message, about }) => {
    const id = randomUUID();
    const body =
      'deferred' in message
        ? message.deferred
        : { html: message.html, text: message.text, tags: message.tags };
    const key = 'deferred' in message ? undefined : message.idempotencyKey;
    return {
      id,
      kind: about.kind,
      recipient: message.to,
      subject: message.subject,
      user_id: about.userId ?? null,
      invitation_id: about.invitationId ?? null,
      sealed_body: encryptSecret(ctx.config.secretKey, JSON.stringify(body)),
      // One key per message: a retry after a lost answer never sends twice (the provider keeps it).
      idempotency_key: key ?? `mail-${id}`,
    };
  });
  // One array per column (unnest), not a parameter per value: a thousand rows bind 8 parameters.
  const column = <K extends keyof (typeof rows)[number]>(key: K) => rows.map((r) => r[key]);
  await sql`
    insert into mail_messages (id, kind, recipient, subject, user_id, invitation_id, sealed_body, idempotency_key)
    select * from unnest(${column('id')}::uuid[], ${column('kind')}::text[], ${column('recipient')}::text[],
      ${column('subject')}::text[], ${column('user_id')}::uuid[], ${column('invitation_id')}::uuid[],
      ${column('sealed_body')}::text[], ${column('idempotency_key')}::text[])`.execute(tx);
  await ctx.jobs.enqueueMany(
    tx,
    'mail-send',
    rows.map((r) => ({ id: r.id })),
    options,
  );
  return rows.map((r) => r.id);
}

export interface DeliverContext {
  db: Db;
  config: Config;
  clock: Clock;
  mailer: Mailer;
  jobs: JobQueue;
  /** Waits (the worker); tests pass one that does not. */
  sleep?: (ms: number) => Promise<void>;
  /** Makes the links of deferred link emails (jobs/handlers.ts gives the users area's). */
  renderLink?: LinkRenderer;
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
  let body = JSON.parse(decryptSecret(ctx.config.secretKey, row.sealed_body)) as
    | Pick<MailMessage, 'html' | 'text' | 'tags'>
    | DeferredLink;
  if ('link' in body) {
    // Its link is made now, once: the rendered email replaces the deferred one before the first
    // try, so that a retry sends the same link under the same idempotency key.
    const deferred = body;
    const render = ctx.renderLink;
    if (!render) throw new Error(`no renderer for deferred ${deferred.link} links`);
    body = await ctx.db.transaction().execute(async (tx) => {
      const message = await render(tx, deferred, row.recipient);
      const rendered = { html: message.html, text: message.text, tags: message.tags };
      await tx
        .updateTable('mail_messages')
        .set({
          sealed_body: encryptSecret(ctx.config.secretKey, JSON.stringify(rendered)),
          subject: message.subject,
        })
        .where('id', '=', id)
        .execute();
      return rendered;
    });
  }
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
        reason: retryable ? `gave up after ${plural(row.attempts + 1, 'attempt')}: ${reason}` : reason,
        sealed_body: null,
        attempts: row.attempts + 1,
        updated_at: now(),
      })
      .where('id', '=', id)
      .execute();
  }
}
