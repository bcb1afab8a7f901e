import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Resend } from 'resend';

export interface MailMessage {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Resend tags, e.g. { name: 'category', value: 'invitation' }. */
  tags?: Array<{ name: string; value: string }>;
  /** Sending twice with the same key sends once (Resend honours it). */
  idempotencyKey?: string;
}

export interface Mailer {
  readonly kind: string;
  /** The provider's id for the message (delivery events name it), when it gives one. */
  send(message: MailMessage): Promise<{ id: string | null }>;
}

/**
 * The provider did not take the message. `status` is its HTTP status (null: no answer, a network
 * error); 429 with `retryAfterSeconds`, 5xx and no answer are worth retrying, other 4xx are final.
 */
export class MailError extends Error {
  override name = 'MailError';
  constructor(
    message: string,
    readonly status: number | null = null,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
  get retryable(): boolean {
    return this.status === null || this.status === 429 || this.status >= 500;
  }
}

/** Retry-After in seconds, or as an HTTP date. */
export function retryAfter(value: string | null | undefined, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

export class ResendMailer implements Mailer {
  readonly kind = 'resend';
  readonly #client: Resend;

  constructor(
    apiKey: string,
    readonly from: string,
    baseUrl?: string,
  ) {
    this.#client = new Resend(apiKey, baseUrl ? { baseUrl } : undefined);
  }

  async send(message: MailMessage): Promise<{ id: string | null }> {
    // The SDK reports failures in `error` rather than throwing; a network failure has no status.
    const { data, error, headers } = await this.#client.emails.send(
      {
        from: this.from,
        to: message.to,
        subject: message.subject,
        html: message.html,
        text: message.text,
        ...(message.tags ? { tags: message.tags } : {}),
      },
      message.idempotencyKey ? { idempotencyKey: message.idempotencyKey } : undefined,
    );
    if (error) {
      const status = typeof error.statusCode === 'number' && error.statusCode > 0 ? error.statusCode : null;
      throw new MailError(
        `Resend refused the message to ${message.to}: ${error.message}`,
        status,
        retryAfter(headers?.['retry-after']),
      );
    }
    return { id: data?.id ?? null };
  }
}

/** Development without an API key: one JSON file per message, and a log line. */
export class OutboxMailer implements Mailer {
  readonly kind = 'outbox';

  constructor(
    readonly dir: string,
    readonly from: string,
    private readonly log: (line: string) => void = console.log,
  ) {}

  async send(message: MailMessage): Promise<{ id: string | null }> {
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, `${new Date().toISOString().replaceAll(':', '-')}-${randomUUID()}.json`);
    await writeFile(file, `${JSON.stringify({ from: this.from, ...message }, null, 2)}\n`, { mode: 0o600 });
    this.log(`mail: "${message.subject}" to ${message.to} written to ${file}`);
    return { id: null };
  }
}

/** Tests: keeps every message in memory. */
export class MemoryMailer implements Mailer {
  readonly kind = 'memory';
  readonly messages: MailMessage[] = [];

  async send(message: MailMessage): Promise<{ id: string | null }> {
    this.messages.push(message);
    return { id: `memory-${this.messages.length}` };
  }
}

export function createMailer(config: {
  resendApiKey: string | undefined;
  resendBaseUrl: string | undefined;
  mailFrom: string;
  dataDir: string;
}): Mailer {
  if (config.resendApiKey)
    return new ResendMailer(config.resendApiKey, config.mailFrom, config.resendBaseUrl);
  return new OutboxMailer(join(config.dataDir, 'outbox'), config.mailFrom);
}
