/** What the benchmarks share: the PostgreSQL cluster, free ports, waiting for a server, a load run. */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import autocannon from 'autocannon';
import { builtinRoleId } from '../../src/access/grants';
import { getSettings } from '../../src/account/read-settings';
import { createSession } from '../../src/auth/sessions/sessions';
import { type Config, loadConfig } from '../../src/config';
import { type ActionContext, systemClock } from '../../src/core/context';
import { type Db, openDatabase } from '../../src/db/connect';
import { migrateToLatest } from '../../src/db/migrate';
import type { JobQueue } from '../../src/jobs/queue';

export const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
export const CONNECTIONS = 32;
/** One key for every benchmark, so the audit events they write form one verifiable chain. */
export const BENCH_SECRET_KEY = 'b'.repeat(64);
export const BENCH_PG_DIR = '/tmp/gatehouse-bench-pg';
const PG_DIR = BENCH_PG_DIR;

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export function databaseUrl(): string {
  if (process.env.BENCH_DATABASE_URL) return process.env.BENCH_DATABASE_URL;
  const port = 54_391;
  const url = `postgres://gatehouse:gatehouse@127.0.0.1:${port}/gatehouse`;
  const bin = execFileSync('sh', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1'])
    .toString()
    .trim();
  if (existsSync(`${PG_DIR}/data`)) {
    // A postmaster.pid left by a machine that restarted names a process that is gone.
    const pid = existsSync(`${PG_DIR}/data/postmaster.pid`)
      ? Number(readFileSync(`${PG_DIR}/data/postmaster.pid`, 'utf8').split('\n')[0])
      : 0;
    const running = pid > 0 && existsSync(`/proc/${pid}`);
    if (!running) {
      rmSync(`${PG_DIR}/data/postmaster.pid`, { force: true });
      const start = `'${bin}/pg_ctl' -D '${PG_DIR}/data' -l '${PG_DIR}/server.log' -w -o "-c listen_addresses=127.0.0.1 -p ${port} -k '${PG_DIR}'" start`;
      execFileSync('sh', [
        '-c',
        process.getuid?.() === 0 ? `su postgres -s /bin/sh -c "${start.replaceAll('"', '\\"')}"` : start,
      ]);
    }
    return url;
  }
  console.log(`starting a PostgreSQL cluster in ${PG_DIR} (kept for later runs)`);
  execFileSync('bash', ['.ci/postgres.sh', 'start', PG_DIR, String(port)], { stdio: 'inherit' });
  return url;
}

export async function waitFor(url: string, ms = 60_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not come up`);
}

export async function load(name: string, url: string, paths: string[], headers: Record<string, string> = {}) {
  let next = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION,
    headers,
    requests: [{ setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] as string }) }],
  });
  const row = {
    name,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
  console.log(
    `${name.padEnd(8)} ${String(row.rps).padStart(6)} req/s   p50 ${row.p50} ms   p99 ${row.p99} ms   errors ${row.errors}`,
  );
  return row;
}

/**
 * The bench's Account Admin, signed in for a day: the cookie the loads send. The bench account
 * does not require 2FA: the admin has no authenticator, and the loads measure the lists.
 */
export async function benchAdminCookie(db: Db): Promise<{ cookie: string }> {
  let admin = await db
    .selectFrom('users')
    .select('id')
    .where('email', '=', 'bench-admin@example.com')
    .executeTakeFirst();
  if (!admin) {
    admin = await db
      .insertInto('users')
      .values({ email: 'bench-admin@example.com', name: 'Bench Admin' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('role_bindings')
      .values({ user_id: admin.id, role_id: await builtinRoleId(db, 'account_admin'), project_id: null })
      .execute();
  }
  await db
    .updateTable('account_settings')
    .set({ session_idle_minutes: 1440, require_two_factor: false })
    .execute();
  const token = await createSession(db, {
    userId: admin.id,
    now: new Date(),
    settings: await getSettings(db),
    ip: null,
    userAgent: 'bench',
  });
  await db
    .updateTable('sessions')
    .set({ expires_at: new Date(Date.now() + 86_400_000) })
    .where('user_id', '=', admin.id)
    .execute();
  return { cookie: `__Host-gh_session=${token}` };
}

/** The app in production mode on the bench database, as `npm run start:production` runs it. */
export function appEnv(databaseUrl: string, port: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    SECRET_KEY: BENCH_SECRET_KEY,
    DATABASE_URL: databaseUrl,
  };
}

const V8 = ['--max-semi-space-size=8', '--max-old-space-size=128'];

/** Builds the bundle once; then startApp runs it (the image's V8 flags too). */
export const buildApp = () => execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });

export const startApp = (env: NodeJS.ProcessEnv): ChildProcess =>
  spawn(process.execPath, [...V8, 'dist/bundle/server.js'], { env, stdio: ['ignore', 'ignore', 'inherit'] });

/** The static 25-row page the lists are judged against. */
export const startCeiling = (env: NodeJS.ProcessEnv, port: number): ChildProcess =>
  spawn(process.execPath, [...V8, '--import', 'tsx', 'test/bench/ceiling-server.tsx', String(port)], {
    env,
    stdio: 'ignore',
  });

/** The bench database, migrated, and the configuration the bench scripts act with. */
export async function openBench() {
  const url = databaseUrl();
  const database = await openDatabase({ databaseUrl: url, dataDir: 'unused' });
  await migrateToLatest(database.db);
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: '/tmp/gatehouse-bench-data',
    SECRET_KEY: BENCH_SECRET_KEY,
  });
  return { url, database, db: database.db, config };
}

/** The value below which p percent of the values fall. */
export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

/** Runs a bench script's main: exit 0 when done (the pools would keep the process alive), 1 on error. */
export function runBench(main: () => Promise<void>) {
  main().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}

/** The system acting in a bench script: seeding, creating what a bench needs. */
export const benchSystem = (db: Db, config: Config, jobs: JobQueue): ActionContext => ({
  db,
  clock: systemClock,
  config,
  jobs,
  actor: { kind: 'system', label: 'bench' },
  meta: { ip: null, requestId: null, userAgent: 'bench' },
});
