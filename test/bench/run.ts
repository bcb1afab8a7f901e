/**
 * `npm run bench`: the users list at a million users on PostgreSQL.
 *
 * Uses BENCH_DATABASE_URL, or starts (and keeps, for the next run) a PostgreSQL cluster in
 * /tmp/gatehouse-bench-pg with .ci/postgres.sh. Seeds up to BENCH_USERS (default 1,000,000),
 * starts the app in production mode and the static ceiling page, loads both with autocannon
 * (32 connections, 10 s) and prints requests/s, p50, p99 and the ratio; then times the export
 * of every user and samples the server's memory.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { builtinRoleId } from '../../src/access/grants';
import { systemClock } from '../../src/core/context';
import { Jobs } from '../../src/jobs/queue';
import { seedUsers } from '../../src/users/seed';
import {
  appEnv,
  benchAdminCookie,
  buildApp,
  CONNECTIONS,
  DURATION,
  freePort,
  load,
  openBench,
  startApp,
  startCeiling,
  waitFor,
} from './harness';

const USERS = Number(process.env.BENCH_USERS ?? 1_000_000);

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function main() {
  const { url, database, db, config } = await openBench();
  const system = {
    db,
    clock: systemClock,
    config,
    jobs: await Jobs.start(database, { supervise: false }),
    actor: { kind: 'system' as const, label: 'bench' },
    meta: { ip: null, requestId: null, userAgent: 'bench' },
  };
  const have = Number(
    (await sql<{ n: number }>`select count(*) as n from users`.execute(db)).rows[0]?.n ?? 0,
  );
  if (have < USERS) {
    console.log(`seeding ${USERS - have} users...`);
    const started = performance.now();
    await seedUsers(system, USERS - have);
    await sql`analyze`.execute(db);
    console.log(`seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const cookie = await benchAdminCookie(db);
  const editor = await builtinRoleId(db, 'editor');
  const team = await db.selectFrom('teams').select('id').orderBy('name').executeTakeFirstOrThrow();
  const deep = await sql<{
    key: string;
    id: string;
  }>`select lower(name) as key, id from users where deactivated_at is null order by lower(name), id offset ${Math.floor(USERS / 2)} limit 1`.execute(
    db,
  );
  const cursor = Buffer.from(JSON.stringify([deep.rows[0]?.key, deep.rows[0]?.id])).toString('base64url');
  await database.close();

  const appPort = await freePort();
  const ceilingPort = await freePort();
  const env = appEnv(url, appPort);
  buildApp();
  const children: ChildProcess[] = [startApp(env), startCeiling(env, ceilingPort)];
  try {
    await waitFor(`http://127.0.0.1:${appPort}/readyz`);
    await waitFor(`http://127.0.0.1:${ceilingPort}/ceiling`);
    const paths = [
      '/users',
      '/users?q=lovelace',
      '/users?q=acme.example',
      '/users?q=turing&sort=-last_login',
      '/users?status=locked',
      `/users?role=${editor}`,
      `/users?team=${team.id}&sort=created`,
      '/users?inactive=200&per=50',
      `/users?after=${cursor}&pos=${Math.floor(USERS / 2) + 1}`,
      '/users?page=last',
      '/users?q=ada&status=active&per=100',
    ];
    const check = await fetch(`http://127.0.0.1:${appPort}/users`, { headers: cookie });
    if (!check.ok || !(await check.text()).includes('Showing 1–25'))
      throw new Error(`list check failed: ${check.status}`);
    console.log(`\n${USERS.toLocaleString('en-US')} users, ${CONNECTIONS} connections, ${DURATION} s each`);
    await load('warm-up', `http://127.0.0.1:${appPort}`, paths, cookie).catch(() => undefined);
    const ceiling = await load('ceiling', `http://127.0.0.1:${ceilingPort}`, ['/ceiling']);
    const list = await load('list', `http://127.0.0.1:${appPort}`, paths, cookie);
    console.log(
      `ratio list/ceiling: ${(list.rps / ceiling.rps).toFixed(2)} (target >= 0.4; p99 target <= 60 ms)`,
    );

    const exportAll = async (label: string, pid: number) => {
      const before = rssMb(pid);
      let peak = before;
      const sampler = setInterval(() => {
        peak = Math.max(peak, rssMb(pid));
      }, 100);
      const started = performance.now();
      const response = await fetch(`http://127.0.0.1:${appPort}/users/export.csv`, { headers: cookie });
      let bytes = 0;
      let lines = 0;
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        bytes += chunk.length;
        for (const b of chunk) if (b === 10) lines++;
      }
      clearInterval(sampler);
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `export   ${label}: ${(lines - 1).toLocaleString('en-US')} rows, ${(bytes / 1e6).toFixed(0)} MB in ${seconds.toFixed(1)} s, server RSS ${before.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB (target <= 15 s, < 200 MB)`,
      );
    };
    // Once on the server that has just served the load, once on a fresh one: the heap a load
    // leaves behind is not the export's.
    await exportAll('after the load', children[0]?.pid as number);
    const stopped = new Promise((resolve) => children[0]?.once('exit', resolve));
    children[0]?.kill('SIGTERM');
    await stopped;
    children[0] = startApp(env);
    await waitFor(`http://127.0.0.1:${appPort}/readyz`);
    await exportAll('fresh server', children[0].pid as number);
  } finally {
    for (const child of children) child.kill('SIGTERM');
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
