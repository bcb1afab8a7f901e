import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { passwordUsable } from '../../src/auth/passwords/reset-epoch';
import { databaseKind, testDatabaseUrl } from '../helpers/database';
import { clientFor, makeUser } from '../helpers/fixtures';
import { Client } from '../helpers/http';
import { setUpApp } from '../helpers/set-up-app';

const t = setUpApp();

/** `npm run cli -- worker` from source, on the test's database; its output kept for a failure. */
function worker(url: string): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'worker'], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: url,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'gatehouse-worker-')),
      SECRET_KEY: t.config.secretKey.toString('hex'),
      PUBLIC_URL: 'http://localhost:3000',
      // Slow mail, so that the worker's time goes to the long action.
      MAIL_RATE_PER_SECOND: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  return { child, output: () => output };
}

// Two processes on one database: the embedded one admits a single process (its data directory
// is locked), so this runs on PostgreSQL.
describe.skipIf(!testDatabaseUrl)(`a worker killed in the middle of a long action (${databaseKind})`, () => {
  it('kill -9 mid-way: another worker finishes it, every person reset once, the report whole', async () => {
    const owner = await makeUser(t.db, { role: 'account_admin' });
    await sql`
      insert into users (email, name, password_hash, created_at)
      select 'killed' || g || '@example.com', 'Person ' || g, 'not-a-real-hash', now()
      from generate_series(1, 30000) g`.execute(t.db);
    const total = Number(
      (await t.db.selectFrom('users').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n,
    );
    const session = await clientFor(t, owner.id);
    const bare = new Client(createApp(t.deps));
    for (const [k, v] of session.cookies) bare.cookies.set(k, v);
    const location = (await bare.post('/users/reset-all', {})).headers.get('location') as string;
    const id = location.split('/').at(-1) as string;
    const progress = () =>
      t.db
        .selectFrom('long_actions')
        .select(['state', 'done', 'skipped'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();

    const first = worker(t.database.url as string);
    await expect
      .poll(async () => (await progress()).done, { timeout: 60_000, interval: 50 })
      .toBeGreaterThan(2000);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    const atKill = await progress();
    expect(atKill.state).toBe('running');
    expect(atKill.done + atKill.skipped).toBeLessThan(total);

    const second = worker(t.database.url as string);
    try {
      await expect
        .poll(async () => (await progress()).state, { timeout: 90_000, interval: 500 })
        .toBe('done');
    } finally {
      second.child.kill('SIGTERM');
    }
    expect(await progress()).toMatchObject({ state: 'done', done: total - 1, skipped: 1 });
    const report = await t.db
      .selectFrom('long_action_items')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('action_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(report.n).toBe(total);
    const mails = await t.db
      .selectFrom('mail_messages')
      .select(sql<number>`count(distinct user_id)::int`.as('people'))
      .select(sql<number>`count(*)::int`.as('n'))
      .where('kind', '=', 'password_reset')
      .executeTakeFirstOrThrow();
    expect(mails).toEqual({ people: total - 1, n: total - 1 });
    // The owner's password alone still works (the others stopped when the reset began).
    const left = await t.db
      .selectFrom('users as u')
      .select(sql<number>`count(*)::int`.as('n'))
      .where(passwordUsable('u'))
      .executeTakeFirstOrThrow();
    expect(left.n).toBe(1);
    await t.jobs.dropQueued('mail-send');
  }, 180_000);

  it('kill -9 in the middle of a bulk action: the rest is done by another worker, nobody twice', async () => {
    await t.db.deleteFrom('long_actions').execute();
    const owner = await makeUser(t.db, { role: 'account_admin' });
    const rows = await sql<{ id: string }>`
      insert into users (email, name, password_hash, created_at)
      select 'bulk-killed' || g || '@example.com', 'Bulk ' || g, 'not-a-real-hash', now()
      from generate_series(1, 499) g
      returning id`.execute(t.db);
    const ids = rows.rows.map((r) => r.id);
    const session = await clientFor(t, owner.id);
    const bare = new Client(createApp(t.deps));
    for (const [k, v] of session.cookies) bare.cookies.set(k, v);
    const body = new URLSearchParams([['action', 'deactivate'], ...ids.map((id) => ['ids', id])]);
    const started = await bare.request('/users/bulk', {
      method: 'POST',
      body: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(started.status).toBe(303);
    const id = (started.headers.get('location') as string).split('/').at(-1) as string;
    const reported = async () =>
      Number(
        (
          await t.db
            .selectFrom('long_action_items')
            .select(sql<number>`count(*)::int`.as('n'))
            .where('action_id', '=', id)
            .executeTakeFirstOrThrow()
        ).n,
      );

    const first = worker(t.database.url as string);
    await expect.poll(reported, { timeout: 60_000, interval: 20 }).toBeGreaterThan(30);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    expect(await reported()).toBeLessThan(ids.length);

    const second = worker(t.database.url as string);
    try {
      await expect
        .poll(
          async () =>
            (
              await t.db
                .selectFrom('long_actions')
                .select('state')
                .where('id', '=', id)
                .executeTakeFirstOrThrow()
            ).state,
          { timeout: 90_000, interval: 500 },
        )
        .toBe('done');
    } finally {
      second.child.kill('SIGTERM');
    }
    const action = await t.db
      .selectFrom('long_actions')
      .select(['done', 'skipped', 'failed'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(action).toEqual({ done: ids.length, skipped: 0, failed: 0 });
    // Each person deactivated once: one audit event each, and every one of them reported done.
    const events = await t.db
      .selectFrom('audit_events')
      .select(['target_id', sql<number>`count(*)::int`.as('n')])
      .where('action', '=', 'user.deactivate')
      .where('outcome', '=', 'success')
      .groupBy('target_id')
      .execute();
    expect(events).toHaveLength(ids.length);
    expect(events.every((e) => e.n === 1)).toBe(true);
    const still = await t.db
      .selectFrom('users')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('id', 'in', ids)
      .where('deactivated_at', 'is', null)
      .executeTakeFirstOrThrow();
    expect(still.n).toBe(0);
  }, 180_000);
});
