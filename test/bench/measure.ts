import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import type { Db } from '../../src/db/connect';
import { SEED_PASSWORD } from '../../src/users/seed';
import { BENCH_PG_DIR } from './harness';

/** What the benchmarks measure with: one load run, and a process's memory. */

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

/** A number from a process's /proc status (`VmRSS` in kB, `Threads`, `PPid`), 0 when absent. */
function statusField(pid: number | string, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
}

/** How many threads a process runs (the hashing workers are threads of the server). */
export const threadsOf = (pid: number) => statusField(pid, 'Threads');

/** The resident memory of a process, in MB. */
export const rssMb = (pid: number) => statusField(pid, 'VmRSS') / 1024;

export interface Run {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU per request of the app and PostgreSQL together, in ms, when asked to sample them. */
  cpuMs?: number;
}

/** Clock ticks a second, in which /proc reports CPU time. */
const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** CPU time (user + system) a process has used, in ms; 0 for one that has gone. */
function cpuOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
  } catch {
    return 0;
  }
}

/**
 * The bench cluster's server and its backends (its postmaster.pid names the server; the backends
 * are its children), none when the database is elsewhere (BENCH_DATABASE_URL). The pools keep
 * their connections for the whole run, so no backend's time is lost by exiting mid-run.
 */
function postgresPids(): number[] {
  const pidFile = `${BENCH_PG_DIR}/data/postmaster.pid`;
  if (process.env.BENCH_DATABASE_URL || !existsSync(pidFile)) return [];
  const server = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  const children = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return statusField(pid, 'PPid') === server;
      } catch {
        return false;
      }
    })
    .map(Number);
  return [server, ...children];
}

/** CPU used so far by the app `pid` and the bench cluster's processes, in ms. */
export function appAndDatabaseCpu(pid: number): number {
  return cpuOf(pid) + postgresPids().reduce((sum, p) => sum + cpuOf(p), 0);
}

/** One autocannon run over `paths` in turn. */
export async function measure(
  url: string,
  paths: string[],
  options: {
    connections?: number;
    seconds?: number;
    headers?: Record<string, string>;
    /** The app's process: the run also measures its and the bench cluster's CPU a request. */
    cpuPid?: number;
  } = {},
): Promise<Run> {
  let next = 0;
  const cpuBefore = options.cpuPid ? appAndDatabaseCpu(options.cpuPid) : 0;
  const result = await autocannon({
    url,
    connections: options.connections ?? 32,
    duration: options.seconds ?? SECONDS,
    headers: options.headers ?? {},
    requests: [{ setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] as string }) }],
  });
  const cpuMs = options.cpuPid
    ? (appAndDatabaseCpu(options.cpuPid) - cpuBefore) / result.requests.total
    : undefined;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
    ...(cpuMs !== undefined ? { cpuMs } : {}),
  };
}

/** Seeded people who can sign in with the seed's password (active, no 2FA): the storm's accounts. */
export async function signInAccounts(db: Db, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .select('email')
    .where('email', 'like', 'user%')
    .where('deactivated_at', 'is', null)
    .where('locked_until', 'is', null)
    .where('access_expires_at', 'is', null)
    .where('password_hash', 'is not', null)
    .where('totp_secret', 'is', null)
    .limit(limit)
    .execute();
  return rows.map((u) => u.email);
}

/**
 * `connections` clients signing in for `seconds`, each request as another of `emails` from
 * another address (the app trusts X-Forwarded-For in the benches), so that the per-address limit
 * lets them reach the password check. A sign-in that succeeds answers 303.
 */
export function signInStorm(app: string, emails: string[], connections: number, seconds = SECONDS) {
  let n = 0;
  return autocannon({
    url: app,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          n++;
          return {
            ...req,
            path: '/login',
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              origin: app,
              'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
            },
            body: new URLSearchParams({
              email: emails[n % emails.length] ?? '',
              password: SEED_PASSWORD,
            }).toString(),
          };
        },
      },
    ],
  });
}

/**
 * Every user exported as CSV from the app at `url`, while the server `pid`'s memory is sampled
 * every 100 ms: rows, bytes, seconds, and the server's RSS before and at its peak.
 */
export async function measureExport(url: string, headers: Record<string, string>, pid: number) {
  const before = rssMb(pid);
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb(pid));
  }, 100);
  const started = performance.now();
  let bytes = 0;
  let lines = 0;
  try {
    const response = await fetch(`${url}/users/export.csv`, { headers });
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (const b of chunk) if (b === 10) lines++;
    }
  } finally {
    clearInterval(sampler);
  }
  return { rows: lines - 1, bytes, seconds: (performance.now() - started) / 1000, before, peak };
}
