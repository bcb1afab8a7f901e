/**
 * `npm run bench:writers`: audited writes at once, on the bench cluster of `npm run bench`.
 *
 * Every state change is a perform(): its transaction ends with the audit event, appended to a
 * chain under the chain head's row lock (src/audit/chain.ts). With one head for everything the
 * lock was held about 2 ms by every writer of every instance, so 32 writers did no better than
 * one. The chains are now partitioned by connection. Printed side by side, each class run three
 * times interleaved (median and spread), on one pool of 32 connections:
 *
 * - an audited action with nothing else to do (the lock's cost alone), by 1 and by 32 writers,
 *   and by 32 writers forced through one head as before (the old write path, emulated by locking
 *   head 1 just before the event is written, where the old code locked its only head);
 * - editing a person's name through the edit form's domain function by 32 writers, as now (no
 *   account lock: the edit cannot change access) and as before (the account row locked for the
 *   whole transaction, and one head).
 * Then the chain is verified.
 */
import { randomUUID } from 'node:crypto';
import { Kysely, sql } from 'kysely';
import { PostgresJSDialect } from 'kysely-postgres-js';
import postgres from 'postgres';
import { builtinRoleId, defaultProjectId } from '../../src/access/grants';
import { verifyChain } from '../../src/audit/chain';
import { perform } from '../../src/audit/perform';
import type { ActionContext } from '../../src/core/context';
import { systemClock } from '../../src/core/context';
import type { Db } from '../../src/db/connect';
import type { Database } from '../../src/db/schema';
import type { JobQueue } from '../../src/jobs/queue';
import { editUser, KEEP_ACCESS } from '../../src/users/edit';
import { openBench, runBench } from './harness';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WRITERS = 32;
const ROUNDS = 3;

const noJobs: JobQueue = { enqueue: async () => {}, enqueueMany: async () => {} };

/** Runs `writers` loops of `task` for SECONDS; returns completed tasks per second. */
async function rate(writers: number, task: (writer: number, n: number) => Promise<unknown>): Promise<number> {
  const until = Date.now() + SECONDS * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let n = 0; Date.now() < until; n++) {
        await task(w, n);
        done++;
      }
    }),
  );
  return done / SECONDS;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

runBench(async () => {
  const { url, database, config } = await openBench();
  // A pool of 32, as 32 concurrent writers need (the app's own pool is 10 per instance).
  const db = new Kysely<Database>({
    dialect: new PostgresJSDialect({ postgres: postgres(url, { max: WRITERS + 1, onnotice: () => {} }) }),
  }) as Db;
  const projectId = await defaultProjectId(db);
  const adminRole = await builtinRoleId(db, 'account_admin');
  const admin = await db
    .insertInto('users')
    .values({ email: `writers-admin-${randomUUID()}@example.com`, name: 'Writers Admin' })
    .returning(['id', 'email', 'name'])
    .executeTakeFirstOrThrow();
  await db
    .insertInto('role_bindings')
    .values({ user_id: admin.id, role_id: adminRole, project_id: null })
    .execute();
  const people = await db
    .insertInto('users')
    .values(
      Array.from({ length: WRITERS }, (_, i) => ({
        email: `writers-person-${i}-${randomUUID()}@example.com`,
        name: `Writers Person ${i}`,
      })),
    )
    .returning('id')
    .execute();

  const base = {
    db,
    clock: systemClock,
    config,
    jobs: noJobs,
    meta: { ip: null, requestId: null, userAgent: null },
  };
  const system: ActionContext = { ...base, actor: { kind: 'system', label: 'bench-writers' } };
  const asAdmin: ActionContext = {
    ...base,
    actor: { kind: 'user', ...admin, projectId, permissions: new Set() },
  };
  /** The old path's single head: every writer queues on head 1 just before its event. */
  const oneHead = async (tx: Db) => {
    await sql`select id from audit_chain where id = 1 for update`.execute(tx);
  };

  const noop = (ctx: ActionContext) => () =>
    perform(ctx, 'users.export', async () => ({ result: null, after: { bench: true } }));
  /**
   * Before: without the values the form showed, editUser cannot tell that access stays as it is,
   * so it takes the account row for the whole transaction, as `serialize` did for every edit;
   * and one head at the end.
   */
  const rename = (before: boolean) => async (writer: number, n: number) => {
    await editUser(
      before ? { ...asAdmin, alsoInTransaction: oneHead } : asAdmin,
      people[writer]?.id ?? '',
      projectId,
      {
        name: `Writers Person ${writer} #${n}`,
        language: 'en',
        until: '',
        roleId: KEEP_ACCESS,
        teamIds: [],
        was: before ? undefined : { until: '', roleId: KEEP_ACCESS, teamIds: [] },
      },
    );
  };

  const classes: Array<[string, () => Promise<number>]> = [
    ['audited action, 1 writer', () => rate(1, noop(system))],
    ['audited action, 32 writers', () => rate(WRITERS, noop(system))],
    [
      'audited action, 32 writers, one head (before)',
      () => rate(WRITERS, noop({ ...system, alsoInTransaction: oneHead })),
    ],
    ['edit a name, 32 writers', () => rate(WRITERS, rename(false))],
    ['edit a name, 32 writers, account lock + one head (before)', () => rate(WRITERS, rename(true))],
  ];
  const results = new Map<string, number[]>(classes.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of classes) results.get(name)?.push(await run());
  }
  const load = (await import('node:os')).loadavg()[0]?.toFixed(2);
  console.log(`\naudited writes, ${SECONDS} s per run, median of ${ROUNDS} (min–max); load average ${load}`);
  for (const [name, values] of results) {
    console.log(
      `  ${name.padEnd(58)} ${fmt(median(values)).padStart(7)}/s  (${fmt(Math.min(...values))}–${fmt(Math.max(...values))})`,
    );
  }
  const one = median(results.get('audited action, 1 writer') ?? []);
  const many = median(results.get('audited action, 32 writers') ?? []);
  const before = median(results.get('audited action, 32 writers, one head (before)') ?? []);
  const edit = median(results.get('edit a name, 32 writers') ?? []);
  const editBefore = median(results.get('edit a name, 32 writers, account lock + one head (before)') ?? []);
  console.log(
    `  32 writers / 1 writer: ${(many / one).toFixed(2)} (target ≥ 2); ≥ 1,500/s: ${many >= 1500 ? 'met' : 'not met'}`,
  );
  console.log(
    `  32 writers now / one head: ${(many / before).toFixed(2)}; editing now / before: ${(edit / editBefore).toFixed(2)} (target ≥ 2)`,
  );
  const started = Date.now();
  const report = await verifyChain(database.db, config.secretKey);
  console.log(
    `  audit verify: ${report.ok ? `ok, ${fmt(report.checked)} events` : `BROKEN: ${report.problem}`} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  await db.destroy();
  await database.db.destroy();
});
