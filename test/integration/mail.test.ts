import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer, MailError, OutboxMailer, ResendMailer } from '../../src/mail/mailer';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

const received: Received[] = [];
let status = 200;
const server = createServer((req, res) => {
  let data = '';
  req.on('data', (chunk) => {
    data += chunk;
  });
  req.on('end', () => {
    received.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: JSON.parse(data || 'null'),
    });
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(
        status === 200
          ? { id: 'email_123' }
          : { name: 'validation_error', message: 'The from address is not verified.', statusCode: status },
      ),
    );
  });
});
let baseUrl: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const message = {
  to: 'ada@example.com',
  subject: 'Welcome to Gatehouse',
  html: '<p>Hello</p>',
  text: 'Hello',
  tags: [{ name: 'category', value: 'test' }],
  idempotencyKey: 'welcome-ada',
};

describe('the Resend transport (real SDK, local server)', () => {
  it('sends POST /emails with the key, the message and the idempotency key', async () => {
    status = 200;
    const mailer = new ResendMailer('re_test_key', 'Gatehouse <no-reply@example.com>', baseUrl);
    await mailer.send(message);
    const request = received.at(-1);
    expect(request).toMatchObject({ method: 'POST', url: '/emails' });
    expect(request?.headers.authorization).toBe('Bearer re_test_key');
    expect(request?.headers['idempotency-key']).toBe('welcome-ada');
    expect(request?.body).toMatchObject({
      from: 'Gatehouse <no-reply@example.com>',
      to: 'ada@example.com',
      subject: 'Welcome to Gatehouse',
      html: '<p>Hello</p>',
      text: 'Hello',
      tags: [{ name: 'category', value: 'test' }],
    });
  });

  it('turns a refusal into a MailError', async () => {
    status = 422;
    const mailer = new ResendMailer('re_test_key', 'Gatehouse <no-reply@example.com>', baseUrl);
    await expect(mailer.send(message)).rejects.toThrow(MailError);
    await expect(mailer.send(message)).rejects.toThrow('The from address is not verified.');
  });

  it('is chosen when RESEND_API_KEY is set; the outbox otherwise', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-mail-'));
    const common = { resendBaseUrl: baseUrl, mailFrom: 'x <x@example.com>', dataDir };
    expect(createMailer({ ...common, resendApiKey: 're_1' }).kind).toBe('resend');
    expect(createMailer({ ...common, resendApiKey: undefined }).kind).toBe('outbox');
  });
});

describe('the file outbox', () => {
  it('writes one JSON file per message and logs recipient and subject', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'gatehouse-outbox-')), 'outbox');
    const lines: string[] = [];
    const mailer = new OutboxMailer(dir, 'Gatehouse <g@example.com>', (line) => lines.push(line));
    await mailer.send(message);
    await mailer.send({ ...message, subject: 'Second' });
    const files = readdirSync(dir);
    expect(files).toHaveLength(2);
    const first = JSON.parse(readFileSync(join(dir, files.sort()[0] as string), 'utf8'));
    expect(first).toMatchObject({ from: 'Gatehouse <g@example.com>', to: 'ada@example.com', text: 'Hello' });
    expect(lines[0]).toContain('"Welcome to Gatehouse" to ada@example.com');
  });
});
