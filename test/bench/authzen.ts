/**
 * `npm run bench:authzen`: the machine interface on the bench database (harness.ts; 1,000,000
 * users on PostgreSQL), the production bundle with WORKERS=false, side by side in one run:
 * 1. AuthZEN single evaluations, 32 connections as fast as they go (decisions a second, p99);
 * 2. a batch of 50 evaluations in one call, 1, 4 and 32 connections as fast as they go (autocannon's
 *    offered-rate mode sends in bursts, so its latencies say more about the bursts than the server);
 * 3. the REST API's users list page against the console's HTML list, 32 connections each.
 * Subjects are 1,000 seeded people, asked about in turn (the cache holds them all, as it would
 * the people active in a product); the caller is a service account holding access.evaluate.
 * Goals (issue 19): ≥ 5,000 decisions/s with p99 ≤ 5 ms; batch p99 ≤ 10 ms; API list p99 within
 * 1.5x of the console's.
 */
import autocannon from 'autocannon';
import { defaultProjectId } from '../../src/access/grants';
import { createServiceAccount } from '../../src/api/service-accounts';
import { createApiToken } from '../../src/api/tokens';
import { Jobs } from '../../src/jobs/queue';
import {
  appEnv,
  benchAdminCookie,
  benchSystem,
  buildApp,
  CONNECTIONS,
  DURATION,
  freePort,
  load,
  openBench,
  runBench,
  startApp,
  waitFor,
} from './harness';

const SUBJECTS = 1000;
const BATCH = 50;
const ACTIONS = ['reports.view', 'content.edit', 'content.publish', 'users.view'];

async function main() {
  const { url, database, db, config } = await openBench();
  const jobs = await Jobs.start(database, { supervise: false });
  const system = benchSystem(db, config, jobs);
  const project = await defaultProjectId(db);
  const account = await createServiceAccount(system, { name: 'Bench backend' });
  await db
    .insertInto('role_bindings')
    .values({
      user_id: account.id,
      role_id: null,
      permissions: ['access.evaluate', 'users.view'],
      project_id: null,
    })
    .execute();
  const { token } = await createApiToken(system, { ownerId: account.id, name: 'bench' });
  const subjects = (
    await db.selectFrom('users').select('id').where('service_account', '=', false).limit(SUBJECTS).execute()
  ).map((u) => u.id);
  const cookie = await benchAdminCookie(db);

  buildApp();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // The bench's own rate: the API's per-token limit is not what is measured here.
  const server = startApp({
    ...appEnv(url, port),
    WORKERS: 'false',
    PUBLIC_URL: base,
    API_RATE_PER_MINUTE: '1000000',
  });
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  try {
    await waitFor(`${base}/healthz`);
    let n = 0;
    const single = () =>
      JSON.stringify({
        subject: { type: 'user', id: subjects[n % subjects.length] },
        action: { name: ACTIONS[n++ % ACTIONS.length] },
        resource: { type: 'project', id: project },
      });
    const batch = () =>
      JSON.stringify({
        resource: { type: 'project', id: project },
        evaluations: Array.from({ length: BATCH }, () => ({
          subject: { type: 'user', id: subjects[n % subjects.length] },
          action: { name: ACTIONS[n++ % ACTIONS.length] },
        })),
      });
    const run = async (name: string, path: string, body: () => string, connections = CONNECTIONS) => {
      const result = await autocannon({
        url: base,
        connections,
        duration: DURATION,
        requests: [
          { method: 'POST', path, headers: auth, setupRequest: (req) => ({ ...req, body: body() }) },
        ],
      });
      const errors = result.errors + result.non2xx;
      console.log(
        `${name.padEnd(34)} ${String(Math.round(result.requests.average)).padStart(6)} calls/s   ` +
          `p50 ${result.latency.p50} ms   p99 ${result.latency.p99} ms   errors ${errors}`,
      );
      return result;
    };

    // Warm: every subject once (the cache's first reads).
    await run('warm-up', '/access/v1/evaluation', single);

    console.log(`\n== AuthZEN single evaluations, ${CONNECTIONS} connections, ${DURATION} s each`);
    await run('single, 32 connections', '/access/v1/evaluation', single);

    console.log(`\n== AuthZEN batches of ${BATCH} in one call`);
    await run(`batch of ${BATCH}, 1 connection`, '/access/v1/evaluations', batch, 1);
    await run(`batch of ${BATCH}, 4 connections`, '/access/v1/evaluations', batch, 4);
    await run(`batch of ${BATCH}, 32 connections`, '/access/v1/evaluations', batch);

    console.log(`\n== users list page 1: REST API against the console, ${CONNECTIONS} connections`);
    const api = await load('api', base, ['/api/v1/users'], { authorization: `Bearer ${token}` });
    const html = await load('console', base, ['/users'], cookie);
    console.log(`API list p99 / console list p99: ${(api.p99 / html.p99).toFixed(2)} (goal ≤ 1.5)`);
  } finally {
    // The load generator stops with requests still in the server: let them finish first.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    server.kill('SIGTERM');
    await jobs.stop();
    await database.close();
  }
}

runBench(main);
