/**
 * `npm run bench`: the users list at a million users on PostgreSQL, judged against a static page.
 *
 * Uses BENCH_DATABASE_URL, or starts (and keeps, for the next run) a PostgreSQL cluster in
 * /tmp/gatehouse-bench-pg with .ci/postgres.sh. Seeds up to BENCH_USERS (default 1,000,000),
 * starts the app in production mode and the static ceiling page, and prints, for each class of
 * request, requests/s, p50 and p99 under 32 connections: each class three times, interleaved with
 * the ceiling, as the median (and the spread) and as a share of the ceiling measured in the same
 * rounds, beside its target. Then a sign-in storm (the list at 4 connections with and without 32
 * connections signing in), and the export of every user with the server's peak memory, on a
 * fresh server and after the load. `--embedded` runs the same on the embedded database
 * (bench-embedded.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { sql } from 'kysely';
import { builtinRoleId } from '../../src/access/grants';
import { Jobs } from '../../src/jobs/queue';
import { seedUsers } from '../../src/users/seed';
import { embedded } from './embedded';
import {
  appEnv,
  benchAdminCookie,
  benchSystem,
  buildApp,
  freePort,
  openBench,
  percentile,
  runBench,
  startApp,
  startCeiling,
  waitFor,
} from './harness';
import { measure, measureExport, type Run, rssMb, signInAccounts, signInStorm, threadsOf } from './measure';

const USERS = Number(process.env.BENCH_USERS ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = 3;

const median = (xs: number[]) => percentile(xs, 50);
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The median CPU a request of these runs, in ms. */
const cpuMs = (runs: Run[]) => median(runs.map((r) => r.cpuMs ?? 0));

/** A class: its requests and targets (a share of the ceiling, a p99 in ms). */
interface RequestClass {
  name: string;
  paths: string[];
  ratio?: number;
  p99?: number;
}

async function postgresBench() {
  const { url, database, db, config } = await openBench();
  const system = benchSystem(db, config, await Jobs.start(database, { supervise: false }));
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
  // Active seeded people with the seed's password, for the sign-in storm.
  const signers = await signInAccounts(db, 2000);
  await database.close();

  const appPort = await freePort();
  const ceilingPort = await freePort();
  // Behind a proxy as in production: the storm's sign-ins come from many addresses, so that the
  // per-address limit (30 at once) lets them reach the password check.
  const env = { ...appEnv(url, appPort), TRUST_PROXY: 'true' };
  buildApp();
  const children: ChildProcess[] = [startApp(env), startCeiling(env, ceilingPort)];
  const app = `http://127.0.0.1:${appPort}`;
  const ceilingUrl = `http://127.0.0.1:${ceilingPort}`;
  try {
    await waitFor(`${app}/readyz`);
    await waitFor(`${ceilingUrl}/ceiling`);
    const check = await fetch(`${app}/users`, { headers: cookie });
    if (!check.ok || !(await check.text()).includes('Showing 1–25'))
      throw new Error(`list check failed: ${check.status}`);

    const searches: RequestClass[] = [
      { name: 'search q=lovelace', paths: ['/users?q=lovelace'], p99: 150 },
      { name: 'search q=acme.example (a domain)', paths: ['/users?q=acme.example'], p99: 150 },
      { name: 'search q=turing, by last sign-in', paths: ['/users?q=turing&sort=-last_login'], p99: 150 },
      { name: 'search q=ada + active, 100 rows', paths: ['/users?q=ada&status=active&per=100'], p99: 150 },
      { name: 'filter status=locked', paths: ['/users?status=locked'], p99: 150 },
      { name: 'filter role=Editor', paths: [`/users?role=${editor}`], p99: 150 },
      { name: 'filter team, by created', paths: [`/users?team=${team.id}&sort=created`], p99: 150 },
      { name: 'filter inactive 200 days, 50 rows', paths: ['/users?inactive=200&per=50'], p99: 150 },
      { name: 'last page', paths: ['/users?page=last'], p99: 150 },
    ];
    const classes: RequestClass[] = [
      { name: '/users page 1', paths: ['/users'], ratio: 0.35, p99: 80 },
      {
        name: 'deep page (middle of the list)',
        paths: [`/users?after=${cursor}&pos=${Math.floor(USERS / 2) + 1}`],
        ratio: 0.35,
        p99: 80,
      },
      ...searches,
      {
        name: 'the mix of all the above',
        paths: [
          '/users',
          `/users?after=${cursor}&pos=${Math.floor(USERS / 2) + 1}`,
          ...searches.flatMap((s) => s.paths),
        ],
        ratio: 0.2,
      },
    ];
    console.log(
      `\n${USERS.toLocaleString('en-US')} users, 32 connections, ${SECONDS} s a run, ${ROUNDS} rounds interleaved with the ceiling`,
    );
    await measure(app, classes.at(-1)?.paths ?? ['/users'], { headers: cookie, seconds: 3 }).catch(
      () => undefined,
    );
    const ceiling: Run[] = [];
    const runs = new Map<string, Run[]>(classes.map((c) => [c.name, []]));
    const loads: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      ceiling.push(await measure(ceilingUrl, ['/ceiling'], { cpuPid: children[1]?.pid as number }));
      for (const c of classes)
        runs
          .get(c.name)
          ?.push(await measure(app, c.paths, { headers: cookie, cpuPid: children[0]?.pid as number }));
      loads.push(loadavg()[0] ?? 0);
    }
    const ceilingRps = median(ceiling.map((r) => r.rps));
    console.log(
      `\nceiling (static page, same layout and table): ${fmt(ceilingRps)} req/s (${fmt(Math.min(...ceiling.map((r) => r.rps)))}–${fmt(Math.max(...ceiling.map((r) => r.rps)))}), p99 ${median(ceiling.map((r) => r.p99))} ms, ${cpuMs(ceiling).toFixed(2)} ms of CPU a request`,
    );
    // CPU: of the app and PostgreSQL together, per request. With 32 connections kept busy on the
    // machine's cores, a request waits on average at least 32 × CPU / cores for its answer
    // (Little's law), however the work is scheduled: the floor of a class's mean latency here.
    console.log(
      `${'class'.padEnd(38)} ${'req/s'.padStart(7)} ${'spread'.padStart(11)}  ${'× ceiling'.padStart(9)}  ${'p50'.padStart(5)}  ${'p99'.padStart(5)}  ${'CPU ms'.padStart(6)}  ${'mean≥'.padStart(5)}  targets`,
    );
    for (const c of classes) {
      const rs = runs.get(c.name) ?? [];
      const rps = median(rs.map((r) => r.rps));
      const p99 = median(rs.map((r) => r.p99));
      const ratio = rps / ceilingRps;
      const targets = [
        c.ratio ? `≥ ${c.ratio} ${ratio >= c.ratio ? 'met' : 'NOT met'}` : '',
        c.p99 ? `p99 ≤ ${c.p99} ms ${p99 <= c.p99 ? 'met' : 'NOT met'}` : '',
      ]
        .filter(Boolean)
        .join('; ');
      const errors = rs.reduce((n, r) => n + r.errors, 0);
      console.log(
        `${c.name.padEnd(38)} ${fmt(rps).padStart(7)} ${`${fmt(Math.min(...rs.map((r) => r.rps)))}–${fmt(Math.max(...rs.map((r) => r.rps)))}`.padStart(11)}  ${ratio.toFixed(2).padStart(9)}  ${String(median(rs.map((r) => r.p50))).padStart(5)}  ${String(p99).padStart(5)}  ${cpuMs(rs).toFixed(2).padStart(6)}  ${fmt((32 * cpuMs(rs)) / availableParallelism()).padStart(5)}  ${targets}${errors ? `  (${errors} errors)` : ''}`,
      );
    }
    console.log(
      `load average during the rounds: ${loads.map((l) => l.toFixed(1)).join(', ')} (${availableParallelism()} cores)`,
    );

    // The sign-in storm: the list at 4 connections alone, then beside 32 connections signing in.
    const calm: Run[] = [];
    const stormy: Run[] = [];
    const signIns: number[] = [];
    const busy: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      calm.push(await measure(app, ['/users'], { headers: cookie, connections: 4 }));
      const storm = signInStorm(app, signers, 32);
      const during = await measure(app, ['/users'], { headers: cookie, connections: 4 });
      const result = await storm;
      stormy.push(during);
      // A successful sign-in answers 303 to the next page; 503 is the queue's bounded wait.
      signIns.push((result['3xx'] ?? 0) / SECONDS);
      busy.push((result.non2xx - (result['3xx'] ?? 0)) / SECONDS);
    }
    const calmP99 = median(calm.map((r) => r.p99));
    const stormP99 = median(stormy.map((r) => r.p99));
    console.log(
      `\nsign-in storm: /users at 4 connections p99 ${calmP99} ms alone, ${stormP99} ms during 32 connections signing in: ${(stormP99 / calmP99).toFixed(2)}× (target ≤ 2×); sign-ins completed ${fmt(median(signIns))}/s (target ≥ 50), refused busy or limited ${fmt(median(busy))}/s`,
    );

    const exportAll = async (label: string, pid: number) => {
      const e = await measureExport(app, cookie, pid);
      console.log(
        `export ${label}: ${e.rows.toLocaleString('en-US')} rows, ${(e.bytes / 1e6).toFixed(0)} MB in ${e.seconds.toFixed(1)} s, server RSS ${e.before.toFixed(0)} MB before, peak ${e.peak.toFixed(0)} MB (targets ≤ 15 s ${e.seconds <= 15 ? 'met' : 'NOT met'}, < 200 MB ${e.peak < 200 ? 'met' : 'NOT met'})`,
      );
    };
    // Once on the server that has just served the load, once on a fresh one: the heap a load
    // leaves behind is not the export's. The storm's hashing workers (threads of the server) stop
    // after 10 s idle (hash-workers.ts); the export after the load starts once they have.
    console.log('');
    const server = children[0]?.pid as number;
    const afterStorm = rssMb(server);
    const threads = threadsOf(server);
    const started = performance.now();
    while (threadsOf(server) > threads - availableParallelism() && performance.now() - started < 30_000)
      await new Promise((r) => setTimeout(r, 500));
    console.log(
      `server RSS right after the storm ${afterStorm.toFixed(0)} MB, ${fmt((performance.now() - started) / 1000)} s later, its hashing workers stopped, ${rssMb(server).toFixed(0)} MB`,
    );
    await exportAll('after the load', server);
    const stopped = new Promise((resolve) => children[0]?.once('exit', resolve));
    children[0]?.kill('SIGTERM');
    await stopped;
    children[0] = startApp(env);
    await waitFor(`${app}/readyz`);
    await exportAll('on a fresh server', children[0].pid as number);
  } finally {
    for (const child of children) child.kill('SIGTERM');
  }
}

runBench(process.argv.includes('--embedded') ? embedded : postgresBench);
