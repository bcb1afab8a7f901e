/**
 * `npm run bench:jobs`: the job queue at a million users on PostgreSQL.
 *
 * On the bench database (see harness.ts; seeded to BENCH_USERS, default 1,000,000) it starts the
 * production bundle twice — the web server with WORKERS=false and `cli worker` alone — and a
 * local Resend-compatible server that counts what it is sent. Then, side by side in one run:
 * 1. the users list's p99 idle, then while "Reset all passwords" runs, and the ratio (target
 *    <= 2x), and the reset's time from start to done (target <= 2 minutes);
 * 2. the mail the worker sends in 20 s against MAIL_RATE_PER_SECOND (BENCH_MAIL_RATE, 50);
 * 3. forgot-password for known and unknown addresses, interleaved, one at a time: p50 of each and
 *    their ratio (target within 10%).
 * The emails left queued are dropped at the end, so that a later bench does not send them, and
 * the next run first undoes the reset (its time in account_settings).
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { Jobs } from '../../src/jobs/queue';
import { seedUsers } from '../../src/users/seed';
import {
  appEnv,
  benchAdminCookie,
  benchSystem,
  buildApp,
  freePort,
  load,
  openBench,
  percentile,
  runBench,
  startApp,
  waitFor,
} from './harness';

const USERS = Number(process.env.BENCH_USERS ?? 1_000_000);
const MAIL_RATE = Number(process.env.BENCH_MAIL_RATE ?? 50);

async function main() {
  const { url, database, db, config } = await openBench();
  const jobs = await Jobs.start(database, { supervise: false });
  const have = Number(
    (await sql<{ n: number }>`select count(*) as n from users`.execute(db)).rows[0]?.n ?? 0,
  );
  if (have < USERS) {
    console.log(`seeding ${USERS - have} users...`);
    const system = benchSystem(db, config, jobs);
    await seedUsers(system, USERS - have);
    await sql`analyze`.execute(db);
  }
  // An earlier run reset every password (account_settings.passwords_reset_at): they work again,
  // so that each run starts from the same data (the list's filters and the sign-in state of a
  // million people are not what a real account has after a reset).
  await db
    .updateTable('account_settings')
    .set({ passwords_reset_at: null, passwords_reset_by: null })
    .execute();
  // Earlier runs' leftovers: no run in progress, no mail waiting.
  await db
    .updateTable('long_actions')
    .set({ state: 'failed', error: 'left by a bench run' })
    .where('state', '=', 'running')
    .execute();
  await jobs.dropQueued('mail-send');
  await jobs.dropQueued('long-action');
  const { cookie } = await benchAdminCookie(db);
  await db
    .updateTable('sessions')
    .set({ reauthenticated_at: new Date(Date.now() + 3_600_000) })
    .execute();

  // The provider: answers like Resend, counts.
  let mails = 0;
  const provider = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      mails++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `bench_${mails}` }));
    });
  });
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
  const providerUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;

  buildApp();
  const port = await freePort();
  const env = {
    ...appEnv(url, port),
    RESEND_API_KEY: 're_bench',
    RESEND_BASE_URL: providerUrl,
    MAIL_RATE_PER_SECOND: String(MAIL_RATE),
    TRUST_PROXY: 'true',
  };
  const children: ChildProcess[] = [startApp({ ...env, WORKERS: 'false' })];
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/healthz`);
  const headers = { cookie };
  const listPaths = ['/users?per=25', '/users?q=smith&per=25', '/users?status=active&per=25&sort=-created'];

  console.log(`\n== users list idle (${USERS.toLocaleString('en-US')} users)`);
  const idle = await load('idle', base, listPaths, headers);

  console.log('\n== reset all passwords, run by `cli worker`, while the list is loaded');
  const started = performance.now();
  const start = await fetch(`${base}/users/reset-all`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, origin: base, 'content-type': 'application/x-www-form-urlencoded' },
    body: '',
  });
  const location = start.headers.get('location') ?? '';
  if (start.status !== 303 || !location.startsWith('/users/reset-all/'))
    throw new Error(`reset all did not start: ${start.status} ${location}`);
  const answered = performance.now() - started;
  const actionId = location.split('/').at(-1) as string;
  const worker = spawn(process.execPath, ['dist/bundle/cli.js', 'worker'], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(worker);
  let finishedAt = 0;
  const watch = (async () => {
    for (;;) {
      const row = await db
        .selectFrom('long_actions')
        .select(['state', 'done', 'skipped'])
        .where('id', '=', actionId)
        .executeTakeFirstOrThrow();
      if (row.state !== 'running') {
        finishedAt = performance.now();
        return row;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  const busy = await load('busy', base, listPaths, headers);
  const result = await watch;
  const seconds = (finishedAt - started) / 1000;
  console.log(
    `reset all: answered in ${answered.toFixed(0)} ms; ${result.state} after ${seconds.toFixed(1)} s ` +
      `(${result.done.toLocaleString('en-US')} reset, ${result.skipped} skipped; target <= 120 s)`,
  );
  console.log(
    `list p99 while it ran / idle: ${busy.p99} / ${idle.p99} ms = ${(busy.p99 / Math.max(idle.p99, 1)).toFixed(2)} (target <= 2)`,
  );

  console.log(`\n== mail drained by the worker at MAIL_RATE_PER_SECOND=${MAIL_RATE}`);
  const before = mails;
  await new Promise((r) => setTimeout(r, 20_000));
  const rate = (mails - before) / 20;
  console.log(
    `sent ${mails - before} in 20 s: ${rate.toFixed(1)} a second (${((rate / MAIL_RATE) * 100).toFixed(0)}% of the setting)`,
  );

  console.log('\n== forgot password, known and unknown addresses, interleaved, one at a time');
  const known = (
    await db
      .selectFrom('users')
      .select('email')
      .where('deactivated_at', 'is', null)
      .orderBy('id', 'desc')
      .limit(300)
      .execute()
  ).map((u) => u.email);
  const timings: Record<'known' | 'unknown', number[]> = { known: [], unknown: [] };
  for (let i = 0; i < known.length * 2; i++) {
    const which = i % 2 === 0 ? 'known' : 'unknown';
    const email = which === 'known' ? known[i / 2] : `nobody-${i}-${Date.now()}@example.net`;
    const t0 = performance.now();
    const response = await fetch(`${base}/forgot-password`, {
      method: 'POST',
      headers: {
        origin: base,
        'content-type': 'application/x-www-form-urlencoded',
        'x-forwarded-for': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      },
      body: new URLSearchParams({ email: email as string }).toString(),
    });
    await response.text();
    if (i >= 20) timings[which].push(performance.now() - t0);
  }
  const p50 = { known: percentile(timings.known, 50), unknown: percentile(timings.unknown, 50) };
  console.log(
    `p50 known ${p50.known.toFixed(2)} ms, unknown ${p50.unknown.toFixed(2)} ms: ` +
      `${(((p50.known - p50.unknown) / p50.unknown) * 100).toFixed(1)}% apart (target within 10%)`,
  );

  for (const child of children) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 2000));
  await jobs.dropQueued('mail-send');
  await db.deleteFrom('mail_messages').where('state', '=', 'queued').execute();
  provider.close();
  await jobs.stop();
  await database.close();
}

runBench(main);
