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
  send(message: MailMessage): Promise<void>;
}

export class MailError extends Error {
  override name = 'MailError';
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

  async send(message: MailMessage): Promise<void> {
    // The SDK reports failures in `error` rather than throwing.
    const { error } = await this.#client.emails.send(
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
    if (error) throw new MailError(`Resend refused the message to ${message.to}: ${error.message}`);
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

  async send(message: MailMessage): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, `${new Date().toISOString().replaceAll(':', '-')}-${randomUUID()}.json`);
    await writeFile(file, `${JSON.stringify({ from: this.from, ...message }, null, 2)}\n`, { mode: 0o600 });
    this.log(`mail: "${message.subject}" to ${message.to} written to ${file}`);
  }
}

/** Tests: keeps every message in memory. */
export class MemoryMailer implements Mailer {
  readonly kind = 'memory';
  readonly messages: MailMessage[] = [];

  async send(message: MailMessage): Promise<void> {
    this.messages.push(message);
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
