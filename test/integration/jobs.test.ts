import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { systemClock } from '../../src/core/context';
import { openDatabase } from '../../src/db/connect';
import { migrateToLatest } from '../../src/db/migrate';
import { jobHandlers } from '../../src/jobs/handlers';
import { Jobs } from '../../src/jobs/queue';
import { MemoryMailer, ResendMailer } from '../../src/mail/mailer';
import { queueMail } from '../../src/mail/outbox';
import { resetPassword } from '../../src/users/security';
import { createAdminWithPassword, TestClock, testConfig } from '../helpers/app';
import { createServerDatabase, databaseKind, dropServerDatabase, testDatabaseUrl } from '../helpers/database';
import { Client } from '../helpers/http';
import { setUpApp } from '../helpers/set-up-app';

const t = setUpApp();
const ADA = { email: 'ada@example.com', name: 'Ada Lovelace', password: 'a quiet harbour at dawn' };
beforeAll(async () => {
  await createAdminWithPassword(t, ADA);
  await t.runJobs();
});

const message = (to: string) => ({ to, subject: 'Hello', html: '<p>Hello</p>', text: 'Hello' });
const jobCount = async () =>
  Number(
    (
      await sql<{ n: number }>`select count(*)::int as n from pgboss.job where name = 'mail-send'`.execute(
        t.db,
      )
    ).rows[0]?.n,
  );

describe(`the job queue (${databaseKind})`, () => {
  it('a change that rolls back enqueues nothing; a committed one is sent once', async () => {
    const before = await jobCount();
    await expect(
      t.db.transaction().execute(async (tx) => {
        await queueMail(tx, t.system, message('rolled@example.com'), { kind: 'test' });
        throw new Error('the change fails after queueing its mail');
      }),
    ).rejects.toThrow('the change fails');
    expect(await jobCount()).toBe(before);
    expect(
      await t.db.selectFrom('mail_messages').where('recipient', '=', 'rolled@example.com').execute(),
    ).toEqual([]);

    // A domain function refused at its last check: the reset link's mail goes with the change.
    const admin = await t.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', ADA.email)
      .executeTakeFirstOrThrow();
    const other = { ...t.system, actor: { kind: 'system' as const, label: 'test' } };
    await expect(resetPassword(other, admin.id)).rejects.toThrow();
    expect(await jobCount()).toBe(before);

    await t.db.transaction().execute(async (tx) => {
      await queueMail(tx, t.system, message('kept@example.com'), { kind: 'test' });
    });
    expect(await jobCount()).toBe(before + 1);
    const sentBefore = t.mailer.messages.length;
    await t.runJobs();
    await t.runJobs();
    expect(t.mailer.messages.slice(sentBefore).map((m) => m.to)).toEqual(['kept@example.com']);
    const row = await t.db
      .selectFrom('mail_messages')
      .selectAll()
      .where('recipient', '=', 'kept@example.com')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'sent', attempts: 1, sealed_body: null, kind: 'test' });
    expect(row.provider_id).toMatch(/^memory-/);
  });

  it('stores the message sealed: the link it carries is not readable in the database', async () => {
    await t.db.transaction().execute(async (tx) => {
      await queueMail(
        tx,
        t.system,
        { ...message('sealed@example.com'), text: 'https://x/set-password/SECRET' },
        {
          kind: 'test',
        },
      );
    });
    const row = await t.db
      .selectFrom('mail_messages')
      .select('sealed_body')
      .where('recipient', '=', 'sealed@example.com')
      .executeTakeFirstOrThrow();
    expect(row.sealed_body).toMatch(/^v1\./);
    expect(row.sealed_body).not.toContain('SECRET');
    await t.runJobs();
  });

  it('forgot-password answers before any mail is sent, for known and unknown addresses alike', async () => {
    // The app without the test's after-request worker turn: what the browser gets is the answer
    // of the request alone.
    const bare = new Client(createApp(t.deps));
    const sent = t.mailer.messages.length;
    const known = await bare.post('/forgot-password', { email: ADA.email });
    const unknown = await bare.post('/forgot-password', { email: 'nobody@example.com' });
    expect(known.status).toBe(unknown.status);
    // The same page but for the address it repeats.
    const page = async (r: Response) => (await r.text()).replace(/[\w.]+@example\.com/, 'ADDRESS');
    expect(await page(known)).toBe(await page(unknown));
    expect(t.mailer.messages.length).toBe(sent);
    // Both requests wrote the same thing: one job each, no mail, no lookup's trace.
    const requests = await sql<{ email: string }>`
      select data->>'email' as email from pgboss.job where name = 'password-reset-request' order by created_on`.execute(
      t.db,
    );
    expect(requests.rows.map((r) => r.email)).toEqual([ADA.email, 'nobody@example.com']);
    expect(
      await t.db.selectFrom('mail_messages').where('kind', '=', 'password_reset_link').execute(),
    ).toEqual([]);
    await t.runJobs();
    const audited = await t.db
      .selectFrom('audit_events')
      .select(['actor_label', 'outcome', 'reason'])
      .where('action', '=', 'auth.password_reset_request')
      .orderBy('id')
      .execute();
    expect(audited).toEqual([
      { actor_label: ADA.email, outcome: 'success', reason: null },
      { actor_label: 'nobody@example.com', outcome: 'failed', reason: 'unknown email' },
    ]);
    expect(t.mailer.messages.slice(sent).map((m) => m.to)).toEqual([ADA.email]);
  });
});

describe('a mail provider that fails, then recovers (real Resend SDK, local server)', () => {
  const received: Array<{ headers: IncomingMessage['headers']; body: { to: string } }> = [];
  const answers: Array<{ status: number; headers?: Record<string, string> }> = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (chunk) => {
      data += chunk;
    });
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(data) });
      const answer = answers.shift() ?? { status: 200 };
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(
        JSON.stringify(
          answer.status === 200
            ? { id: `email_${received.length}` }
            : answer.status === 429
              ? { name: 'rate_limit_exceeded', message: 'Too many requests', statusCode: 429 }
              : answer.status === 422
                ? { name: 'validation_error', message: 'Invalid `to` field.', statusCode: 422 }
                : { name: 'internal_server_error', message: 'Something went wrong', statusCode: 500 },
        ),
      );
    });
  });
  let handlers: ReturnType<typeof jobHandlers>;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const mailer = new ResendMailer('re_test_key', 'Gatehouse <no-reply@example.com>', url);
    handlers = jobHandlers({
      db: t.db,
      config: t.config,
      clock: t.clock,
      mailer,
      jobs: t.deps.jobs,
      sleep: async () => {},
      log: () => {},
    });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  // Each test counts its own tries: what earlier tests queued goes first.
  beforeEach(() => t.runJobs());

  it('retries a 500 with backoff and a 429 at its Retry-After, and the message arrives once', async () => {
    answers.push({ status: 500 }, { status: 429, headers: { 'retry-after': '7' } }, { status: 200 });
    received.length = 0;
    await t.db.transaction().execute(async (tx) => {
      await queueMail(tx, t.system, message('flaky@example.com'), { kind: 'test' });
    });
    const row = () =>
      t.db
        .selectFrom('mail_messages')
        .selectAll()
        .where('recipient', '=', 'flaky@example.com')
        .executeTakeFirstOrThrow();

    // The first try meets the 500: the job waits for pg-boss's backoff.
    expect(await t.jobs.drain(handlers)).toBe(1);
    expect(await t.jobs.drain(handlers)).toBe(0);
    expect(await row()).toMatchObject({ state: 'queued', attempts: 1 });
    expect((await row()).reason).toContain('Something went wrong');
    // Its time come (not waited for here): the 429, then a new job at its Retry-After, then 200.
    expect(await t.jobs.drain(handlers, { ignoreStartAfter: true })).toBe(2);
    const jobs = await t.jobs.find('mail-send', { id: (await row()).id });
    expect(jobs).toHaveLength(2);
    const later = jobs.find(
      (j) => j.retryCount === 0 && j.startAfter.getTime() - j.createdOn.getTime() > 1000,
    );
    const delay = (later?.startAfter.getTime() ?? 0) - (later?.createdOn.getTime() ?? 0);
    expect(delay).toBeGreaterThan(6_000);
    expect(delay).toBeLessThan(9_000);

    expect(received.map((r) => r.body.to)).toEqual([
      'flaky@example.com',
      'flaky@example.com',
      'flaky@example.com',
    ]);
    // The same idempotency key on every try: a provider that took one never sends twice.
    const keys = new Set(received.map((r) => r.headers['idempotency-key']));
    expect(keys).toEqual(new Set([`mail-${(await row()).id}`]));
    expect(await row()).toMatchObject({
      state: 'sent',
      attempts: 3,
      provider_id: 'email_3',
      sealed_body: null,
    });
  });

  it("a 4xx other than 429 is final: the message fails with the provider's reason, not retried", async () => {
    answers.push({ status: 422 });
    received.length = 0;
    await t.db.transaction().execute(async (tx) => {
      await queueMail(tx, t.system, message('bad@example.com'), { kind: 'test' });
    });
    expect(await t.jobs.drain(handlers, { ignoreStartAfter: true })).toBe(1);
    expect(await t.jobs.drain(handlers, { ignoreStartAfter: true })).toBe(0);
    expect(received).toHaveLength(1);
    const row = await t.db
      .selectFrom('mail_messages')
      .selectAll()
      .where('recipient', '=', 'bad@example.com')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'failed', attempts: 1, sealed_body: null });
    expect(row.reason).toContain('Invalid `to` field.');
  });

  it('after the last retry the message is marked failed, and so is its job', async () => {
    for (let i = 0; i < 10; i++) answers.push({ status: 503 });
    received.length = 0;
    await t.db.transaction().execute(async (tx) => {
      await queueMail(tx, t.system, message('down@example.com'), { kind: 'test' });
    });
    while ((await t.jobs.drain(handlers, { ignoreStartAfter: true })) > 0) {}
    answers.length = 0;
    const row = await t.db
      .selectFrom('mail_messages')
      .selectAll()
      .where('recipient', '=', 'down@example.com')
      .executeTakeFirstOrThrow();
    // pg-boss's retryLimit for mail-send is 6: seven tries in all.
    expect(received).toHaveLength(7);
    expect(row).toMatchObject({ state: 'failed', attempts: 7, sealed_body: null });
    expect(row.reason).toMatch(/^gave up after 7 attempts: /);
  });
});

describe('durability and instances', () => {
  it.skipIf(databaseKind !== 'pglite')('jobs survive a restart of the embedded database', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-jobs-'));
    const config = testConfig({ DATA_DIR: dataDir });
    const first = await openDatabase({ dataDir });
    await migrateToLatest(first.db);
    const jobs1 = await Jobs.start(first, { supervise: false });
    await first.db.transaction().execute(async (tx) => {
      await queueMail(tx, { config, jobs: jobs1 }, message('later@example.com'), { kind: 'test' });
    });
    await jobs1.stop();
    await first.close();

    const second = await openDatabase({ dataDir });
    const jobs2 = await Jobs.start(second, { supervise: false });
    const mailer = new MemoryMailer();
    const ran = await jobs2.drain(
      jobHandlers({
        db: second.db,
        config,
        clock: new TestClock(),
        mailer,
        jobs: jobs2,
        sleep: async () => {},
      }),
    );
    expect(ran).toBe(1);
    expect(mailer.messages.map((m) => m.to)).toEqual(['later@example.com']);
    await jobs2.stop();
    await second.close();
  });

  it.skipIf(!testDatabaseUrl)(
    'two instances on one PostgreSQL send each of 60 messages once',
    async () => {
      const url = await createServerDatabase();
      const config = testConfig({ MAIL_RATE_PER_SECOND: '1000' });
      const one = await openDatabase({ databaseUrl: url, dataDir: 'unused' });
      const handles = [one, await openDatabase({ databaseUrl: url, dataDir: 'unused' })];
      await migrateToLatest(one.db);
      const instances: Array<{ jobs: Jobs; mailer: MemoryMailer }> = [];
      for (const handle of handles) {
        const jobs = await Jobs.start(handle, { supervise: true });
        const mailer = new MemoryMailer();
        await jobs.work(
          jobHandlers({ db: handle.db, config, clock: systemClock, mailer, jobs, log: () => {} }),
        );
        instances.push({ jobs, mailer });
      }
      // Both instances registered the schedules; pg-boss keeps one of each.
      const schedules = await sql<{ name: string; cron: string }>`
        select name, cron from pgboss.schedule order by name`.execute(one.db);
      expect(schedules.rows).toEqual([
        { name: 'maintenance-daily', cron: '17 3 * * *' },
        { name: 'maintenance-minute', cron: '* * * * *' },
      ]);
      const [first] = instances;
      if (!first) throw new Error('no instance');
      await one.db.transaction().execute(async (tx) => {
        for (let i = 0; i < 60; i++)
          await queueMail(tx, { config, jobs: first.jobs }, message(`p${i}@example.com`), { kind: 'test' });
      });
      const sent = () => instances.flatMap((i) => i.mailer.messages.map((m) => m.to));
      await expect.poll(() => sent().length, { timeout: 60_000, interval: 250 }).toBe(60);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(sent()).toHaveLength(60);
      expect(new Set(sent()).size).toBe(60);
      for (const i of instances) await i.jobs.stop();
      for (const h of handles) await h.close();
      await dropServerDatabase(url);
    },
    90_000,
  );
});
