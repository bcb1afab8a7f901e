/**
 * `npm run bench:audit`: the audit log at a million events on PostgreSQL.
 *
 * On the bench cluster of `npm run bench` (harness.ts), appends chained events up to
 * BENCH_AUDIT_EVENTS (default 1,000,000) spread over the last 400 days: sign-ins, failures,
 * lockouts and admin changes with before/after values. Then prints: the time to verify the
 * whole chain, to count the activity chart once (it is cached a minute), the list's
 * requests/s, p50 and p99 under load for a set of filters next to the static ceiling page, and
 * the time to export the failed sign-ins.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { defaultProjectId } from '../../src/access/grants';
import { signInActivity } from '../../src/audit/activity';
import {
  advanceChainHead,
  asStoredJson,
  type ChainedFields,
  eventHash,
  lockChainHead,
  verifyChain,
} from '../../src/audit/chain';
import { jsonb } from '../../src/audit/write';
import type { Db } from '../../src/db/connect';
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

const EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? 1_000_000);
const PEOPLE = 20_000;
const DAY = 86_400_000;
const BATCH = 1500;

const people = Array.from({ length: PEOPLE }, (_, i) => ({
  id: randomUUID(),
  email: `audit-person-${i}@example${i % 8}.com`,
}));
const admins = people.slice(0, 50);
const pick = <T>(list: readonly T[], i: number) => list[(i * 7919) % list.length] as T;

/** The i-th synthetic event, at `at`: mostly sign-ins, some failures and lockouts, some changes. */
function syntheticEvent(i: number, at: Date, projectId: string): ChainedFields {
  const person = pick(people, i);
  const base = {
    occurred_at: at,
    target_type: 'user',
    target_id: person.id,
    target_label: person.email,
    project_id: null,
    ip: `198.51.100.${i % 250}`,
    request_id: `bench-${i}`,
    before: null,
    after: null,
    reason: null,
  };
  const kind = i % 100;
  if (kind < 70) {
    return {
      ...base,
      actor_id: person.id,
      actor_label: person.email,
      action: 'auth.sign_in',
      outcome: 'success',
    };
  }
  if (kind < 85) {
    return {
      ...base,
      actor_id: null,
      actor_label: person.email,
      action: 'auth.sign_in',
      outcome: 'failed',
      reason: 'wrong password',
    };
  }
  if (kind < 86) {
    return {
      ...base,
      actor_id: null,
      actor_label: 'system',
      action: 'auth.lockout',
      outcome: 'success',
      after: { minutes: 15, failures: 10, lockout: 1 },
    };
  }
  const admin = pick(admins, i);
  return {
    ...base,
    actor_id: admin.id,
    actor_label: admin.email,
    action: 'user.edit',
    outcome: 'success',
    project_id: projectId,
    before: { name: `Person ${i}`, roles: ['Viewer'] },
    after: { name: `Person ${i} B`, roles: ['Editor'] },
  };
}

/** Appends `count` chained events, oldest first, spread evenly over the last 400 days. */
async function appendEvents(db: Db, secretKey: Buffer, count: number, projectId: string) {
  const start = Date.now() - 400 * DAY;
  const step = (400 * DAY) / count;
  for (let done = 0; done < count; done += BATCH) {
    await db.transaction().execute(async (tx) => {
      const head = await lockChainHead(tx);
      let prev = head.lastHash;
      const rows = [];
      for (let i = done; i < Math.min(count, done + BATCH); i++) {
        const event = syntheticEvent(i, new Date(Math.floor(start + i * step)), projectId);
        const hash = eventHash(secretKey, prev, event);
        rows.push({
          ...event,
          before: jsonb(asStoredJson(event.before)),
          after: jsonb(asStoredJson(event.after)),
          prev_hash: prev,
          hash,
          chain: head.chain,
        });
        prev = hash;
      }
      const inserted = await tx.insertInto('audit_events').values(rows).returning(['id', 'hash']).execute();
      const last = inserted.at(-1) as { id: number; hash: string };
      await advanceChainHead(tx, secretKey, head, last);
    });
  }
}

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

async function main() {
  const { url, database, db, config } = await openBench();
  const projectId = await defaultProjectId(db);
  const chained = Number(
    (await sql<{ n: number }>`select count(*) as n from audit_events where hash is not null`.execute(db))
      .rows[0]?.n,
  );
  if (chained < EVENTS) {
    console.log(`appending ${(EVENTS - chained).toLocaleString('en-US')} chained audit events...`);
    const started = performance.now();
    await appendEvents(db, config.secretKey, EVENTS - chained, projectId);
    await sql`analyze audit_events`.execute(db);
    console.log(`appended in ${seconds(started)} s`);
  }
  const total = Number(
    (await sql<{ n: number }>`select count(*) as n from audit_events`.execute(db)).rows[0]?.n,
  );

  let started = performance.now();
  const report = await verifyChain(db, config.secretKey);
  console.log(
    `verify   ${report.ok ? `intact, ${report.checked.toLocaleString('en-US')} events` : `BROKEN: ${report.problem}`} in ${seconds(started)} s`,
  );
  for (const zone of ['UTC', 'Europe/Paris']) {
    started = performance.now();
    await signInActivity(db, new Date(), zone);
    console.log(
      `chart    30 days counted in ${((performance.now() - started) / 1000).toFixed(2)} s (${zone}, then cached 1 min)`,
    );
  }

  const cookie = await benchAdminCookie(db);
  await database.close();

  const appPort = await freePort();
  const ceilingPort = await freePort();
  const env = appEnv(url, appPort);
  buildApp();
  const children: ChildProcess[] = [startApp(env), startCeiling(env, ceilingPort)];
  try {
    await waitFor(`http://127.0.0.1:${appPort}/readyz`);
    await waitFor(`http://127.0.0.1:${ceilingPort}/ceiling`);
    const person = pick(people, 12_345);
    const day = (ago: number) => new Date(Date.now() - ago * DAY).toISOString().slice(0, 10);
    const paths = [
      '/audit',
      '/audit?action=auth.sign_in&outcome=failed',
      `/audit?actor=${person.email}`,
      `/audit?user=${person.email}`,
      '/audit?q=example3',
      '/audit?q=audit-person-1234',
      `/audit?from=${day(60)}&to=${day(30)}`,
      `/audit?project=${projectId}&action=user.edit`,
      '/audit?action=auth.lockout&per=100',
      '/audit?page=last',
    ];
    for (const path of paths) {
      const t0 = performance.now();
      const response = await fetch(`http://127.0.0.1:${appPort}${path}`, { headers: cookie });
      const html = await response.text();
      const range = /<caption>([^<]*events?)<\/caption>/.exec(html)?.[1] ?? `status ${response.status}`;
      console.log(`  ${path.padEnd(48)} ${range} (${(performance.now() - t0).toFixed(0)} ms cold)`);
    }
    console.log(
      `\n${total.toLocaleString('en-US')} audit events, ${CONNECTIONS} connections, ${DURATION} s each`,
    );
    await load('warm-up', `http://127.0.0.1:${appPort}`, paths, cookie).catch(() => undefined);
    const ceiling = await load('ceiling', `http://127.0.0.1:${ceilingPort}`, ['/ceiling']);
    // Text search apart: a substring of target labels is the one filter no index makes cheap
    // when the text is common (pg_trgm reads every row's common trigrams).
    const searches = paths.filter((p) => p.includes('q='));
    const filters = await load(
      'filters',
      `http://127.0.0.1:${appPort}`,
      paths.filter((p) => !searches.includes(p)),
      cookie,
    );
    const search = await load('search', `http://127.0.0.1:${appPort}`, searches, cookie);
    const home = await load('home', `http://127.0.0.1:${appPort}`, ['/'], cookie);
    console.log(
      `ratio filters/ceiling: ${(filters.rps / ceiling.rps).toFixed(2)}; text search ${search.rps} req/s; home (with the chart) ${home.rps} req/s`,
    );

    started = performance.now();
    const response = await fetch(
      `http://127.0.0.1:${appPort}/audit/export.csv?action=auth.sign_in&outcome=failed`,
      { headers: cookie },
    );
    let lines = 0;
    let bytes = 0;
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (const b of chunk) if (b === 10) lines++;
    }
    console.log(
      `export   failed sign-ins: ${(lines - 1).toLocaleString('en-US')} rows, ${(bytes / 1e6).toFixed(0)} MB in ${seconds(started)} s`,
    );
  } finally {
    for (const child of children) child.kill('SIGTERM');
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
