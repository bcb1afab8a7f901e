/**
 * `npm run bench -- --embedded`: the embedded database (PGlite, the default of `npm start`) at
 * BENCH_EMBEDDED_USERS (default 100,000) users, in /tmp/gatehouse-bench-pglite-<users> (kept between
 * runs). Seeds, then starts the app on it in production mode and prints: the list mix at 8
 * connections (target p99 ≤ 100 ms) beside the ceiling page, the export of every user with the
 * server's peak memory, and sign-ins a second.
 */
import { loadavg } from 'node:os';
import { sql } from 'kysely';
import { builtinRoleId } from '../../src/access/grants';
import { loadConfig } from '../../src/config';
import { openDatabase } from '../../src/db/connect';
import { migrateToLatest } from '../../src/db/migrate';
import { Jobs } from '../../src/jobs/queue';
import { seedUsers } from '../../src/users/seed';
import {
  appEnv,
  BENCH_SECRET_KEY,
  benchAdminCookie,
  benchSystem,
  buildApp,
  freePort,
  percentile,
  startApp,
  startCeiling,
  waitFor,
} from './harness';
import { measure, measureExport, signInAccounts, signInStorm } from './measure';

const USERS = Number(process.env.BENCH_EMBEDDED_USERS ?? 100_000);
/** One directory per size, kept between runs. */
const DATA_DIR = `/tmp/gatehouse-bench-pglite-${USERS}`;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = 3;
const median = (xs: number[]) => percentile(xs, 50);

export async function embedded() {
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR, SECRET_KEY: BENCH_SECRET_KEY });
  let database = await openDatabase({ dataDir: DATA_DIR });
  await migrateToLatest(database.db);
  const db = database.db;
  const have = Number(
    (await sql<{ n: number }>`select count(*) as n from users`.execute(db)).rows[0]?.n ?? 0,
  );
  if (have < USERS) {
    console.log(`seeding ${USERS - have} users into the embedded database...`);
    const started = performance.now();
    const jobs = await Jobs.start(database, { supervise: false });
    const system = benchSystem(db, config, jobs);
    await seedUsers(system, USERS - have, 20_000);
    await sql`analyze`.execute(db);
    // The queue runs on the embedded database's one connection: stopped before it closes.
    await jobs.stop();
    console.log(`seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const cookie = await benchAdminCookie(db);
  const editor = await builtinRoleId(db, 'editor');
  const signers = await signInAccounts(db, 500);
  // The embedded database serves one process: the app opens it next.
  await database.close();
  database = undefined as never;

  const appPort = await freePort();
  const ceilingPort = await freePort();
  const { DATABASE_URL: _, ...base } = appEnv('', appPort);
  const env = { ...base, DATA_DIR, TRUST_PROXY: 'true' };
  buildApp();
  const app = startApp(env);
  const ceiling = startCeiling(env, ceilingPort);
  const url = `http://127.0.0.1:${appPort}`;
  try {
    await waitFor(`${url}/readyz`, 180_000);
    await waitFor(`http://127.0.0.1:${ceilingPort}/ceiling`);
    const paths = [
      '/users',
      '/users?q=lovelace',
      '/users?q=acme.example',
      '/users?status=locked',
      `/users?role=${editor}`,
      '/users?inactive=200&per=50',
      '/users?page=last',
      '/users?q=ada&status=active&per=100',
    ];
    await measure(url, paths, { headers: cookie, connections: 8, seconds: 3 });
    const lists = [];
    const ceilings = [];
    for (let round = 0; round < ROUNDS; round++) {
      ceilings.push(
        await measure(`http://127.0.0.1:${ceilingPort}`, ['/ceiling'], { connections: 8, seconds: SECONDS }),
      );
      lists.push(await measure(url, paths, { headers: cookie, connections: 8, seconds: SECONDS }));
    }
    const rps = median(lists.map((r) => r.rps));
    const p99 = median(lists.map((r) => r.p99));
    console.log(
      `\nembedded database, ${USERS.toLocaleString('en-US')} users: the list mix at 8 connections ${Math.round(rps)} req/s (${lists.map((r) => Math.round(r.rps)).join(', ')}), p50 ${median(lists.map((r) => r.p50))} ms, p99 ${p99} ms (target ≤ 100 ms ${p99 <= 100 ? 'met' : 'NOT met'}); ${(rps / median(ceilings.map((r) => r.rps))).toFixed(2)} of the ceiling; load average ${loadavg()[0]?.toFixed(1)}`,
    );

    // Where the mix's time goes: each request alone, one connection. The database runs in the
    // server's thread, so eight connections queue behind the slowest of these.
    const alone = [];
    for (const path of paths) {
      const r = await measure(url, [path], { headers: cookie, connections: 1, seconds: 2 });
      alone.push(`${path.replace(/role=[^&]+/, 'role=editor')} ${r.p50} ms`);
    }
    console.log(`each alone (p50, one connection): ${alone.join('; ')}`);

    const e = await measureExport(url, cookie, app.pid as number);
    console.log(
      `export: ${e.rows.toLocaleString('en-US')} rows in ${e.seconds.toFixed(1)} s, server RSS ${e.before.toFixed(0)} MB before, peak ${e.peak.toFixed(0)} MB`,
    );

    const storm = await signInStorm(url, signers, 8);
    console.log(
      `sign-ins: ${((storm['3xx'] ?? 0) / SECONDS).toFixed(0)}/s completed at 8 connections, p99 ${storm.latency.p99} ms`,
    );
  } finally {
    app.kill('SIGTERM');
    ceiling.kill('SIGTERM');
  }
}
