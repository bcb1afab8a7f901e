import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { RESET_ALL_BATCH, runResetAllBatch } from '../../src/users/reset-all';
import { databaseKind } from '../helpers/database';
import { clientFor, makeUser, resetData } from '../helpers/fixtures';
import { Client } from '../helpers/http';
import { setUpApp } from '../helpers/set-up-app';

const t = setUpApp();

/** Plain users, made in one statement: the action's cost, not the fixture's, is what is tested. */
async function manyUsers(n: number, prefix: string) {
  await sql`
    insert into users (email, name, password_hash, created_at)
    select ${prefix} || g || '@example.com', 'Person ' || g, 'not-a-real-hash', now()
    from generate_series(1, ${n}) g`.execute(t.db);
}

const actionOf = (id: string) =>
  t.db.selectFrom('long_actions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
/** A client on the app without the tests' after-request worker turn: jobs wait until run. */
const bareClient = async (userId: string) => {
  const client = await clientFor(t, userId);
  const bare = new Client(createApp(t.deps));
  for (const [k, v] of client.cookies) bare.cookies.set(k, v);
  return bare;
};

describe(`reset all passwords as a long action (${databaseKind})`, () => {
  it('runs in batches, reports every person, survives a failed batch, and each email carries a link made when sent', async () => {
    await resetData(t.db);
    const owner = await makeUser(t.db, { role: 'account_admin' });
    await manyUsers(2 * RESET_ALL_BATCH + 500, 'batch');
    const gone = await makeUser(t.db);
    await t.db.updateTable('users').set({ deactivated_at: new Date() }).where('id', '=', gone.id).execute();
    const client = await bareClient(owner.id);

    const started = await client.post('/users/reset-all', {});
    expect(started.status).toBe(303);
    const location = started.headers.get('location') as string;
    const id = location.split('/').at(-1) as string;
    expect(location).toBe(`/users/reset-all/${id}`);
    // Nothing is done in the request: the page shows the action waiting for its first batch.
    const page = await (await client.get(location)).text();
    expect(page).toContain('Resetting passwords');
    expect(page).toContain(`hx-get="/users/reset-all/${id}?said=0"`);
    expect(page).toContain('<a href="/users/reset-all/' + id + '">Refresh</a>');
    expect(await actionOf(id)).toMatchObject({ state: 'running', done: 0, total: 2 * RESET_ALL_BATCH + 502 });
    // A second start while it runs is refused.
    expect((await client.post('/users/reset-all', {})).status).toBe(409);

    // The job that drives it: its first batch commits; the next fails at its last step (as a
    // crash would) and rolls back whole, hand-over included.
    const runner = (await actionOf(id)).runner_job as string;
    expect(await runResetAllBatch(t.system, { actionId: id, jobId: runner, handOver: false })).toBe('more');
    const first = await actionOf(id);
    expect(first.state).toBe('running');
    expect(first.done + first.skipped).toBe(RESET_ALL_BATCH);
    const failing = {
      ...t.system,
      jobs: {
        ...t.system.jobs,
        enqueue: async () => {
          throw new Error('the process died at the end of a batch');
        },
      },
    };
    await expect(runResetAllBatch(failing, { actionId: id, jobId: runner, handOver: true })).rejects.toThrow(
      'the process died',
    );
    expect(await actionOf(id)).toMatchObject({
      done: first.done,
      skipped: first.skipped,
      cursor: first.cursor,
      runner_job: runner,
    });
    // Any other job (an old one that comes again) does nothing.
    expect(await runResetAllBatch(t.system, { actionId: id, jobId: randomUUID(), handOver: false })).toBe(
      'not mine',
    );
    expect(await actionOf(id)).toMatchObject({ done: first.done, skipped: first.skipped });
    // The runner's job, from the queue, goes on from the cursor to the end.
    expect(await t.jobs.drain(t.handlers, { only: ['long-action'] })).toBe(1);
    const finished = await actionOf(id);
    expect(finished).toMatchObject({ state: 'done', done: 2 * RESET_ALL_BATCH + 500, skipped: 2, failed: 0 });

    const items = await t.db
      .selectFrom('long_action_items')
      .select([sql<number>`count(*)::int`.as('n'), 'outcome', 'reason'])
      .where('action_id', '=', id)
      .groupBy(['outcome', 'reason'])
      .orderBy('outcome')
      .execute();
    expect(items).toEqual([
      { n: 2 * RESET_ALL_BATCH + 500, outcome: 'done', reason: null },
      { n: 1, outcome: 'skipped', reason: 'deactivated' },
      { n: 1, outcome: 'skipped', reason: 'that is you' },
    ]);
    const done = await (await client.get(location)).text();
    expect(done).toContain('Finished');
    expect(done).toContain('that is you');
    const csv = await (await client.get(`${location}/report.csv`)).text();
    expect(csv.trim().split(/\r?\n/)).toHaveLength(1 + 2 * RESET_ALL_BATCH + 502);

    const stillSet = await t.db
      .selectFrom('users')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('password_hash', 'is not', null)
      .executeTakeFirstOrThrow();
    expect(stillSet.n).toBe(2); // the owner's, and the deactivated person's (skipped)
    // One email per person, at low priority, its link not yet made.
    const queued = await t.db
      .selectFrom('mail_messages')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('kind', '=', 'password_reset')
      .where('state', '=', 'queued')
      .executeTakeFirstOrThrow();
    expect(queued.n).toBe(2 * RESET_ALL_BATCH + 500);
    const tokens = await t.db.selectFrom('one_time_tokens').select('id').execute();
    expect(tokens).toEqual([]);

    // Sent: each email now carries its own working link, valid from when it was sent.
    const sentBefore = t.mailer.messages.length;
    await t.jobs.drain(t.handlers, { only: ['mail-send'], max: 3 });
    const sent = t.mailer.messages.slice(sentBefore);
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((m) => /set-password\/(\S+)/.exec(m.text)?.[1])).size).toBe(3);
    // The rest are not sent here (the test's worker turn would send them all after each request).
    await t.jobs.dropQueued('mail-send');
    const link = /\/set-password\/([A-Za-z0-9_-]{43})/.exec(sent[0]?.text ?? '')?.[0] as string;
    expect(link).toBeDefined();
    const anonymous = new Client(t.app);
    const password = 'a brand new passphrase for me';
    expect((await anonymous.post(link, { password, confirm: password })).status).toBe(303);
    expect((await new Client(t.app).signIn(sent[0]?.to as string, password)).status).toBe(303);
  }, 120_000);

  it('the polling fragment announces a milestone only when one is passed', async () => {
    await resetData(t.db);
    await t.db.deleteFrom('long_actions').execute();
    await t.db.deleteFrom('mail_messages').execute();
    const owner = await makeUser(t.db, { role: 'account_admin' });
    await manyUsers(10, 'poll');
    const client = await bareClient(owner.id);
    const id = ((await client.post('/users/reset-all', {})).headers.get('location') as string)
      .split('/')
      .at(-1);
    const poll = (said: string) =>
      client.get(`/users/reset-all/${id}?said=${said}`, { 'HX-Request': 'true' });
    expect(await (await poll('0')).text()).not.toContain('hx-swap-oob');
    await t.runJobs();
    await t.jobs.drain(t.handlers, { only: ['long-action'] });
    const last = await (await poll('0')).text();
    expect(last).toContain('hx-swap-oob');
    expect(last).toContain('Reset all passwords finished: 10 reset, 1 skipped.');
    expect(last).not.toContain('every 2s');
  });

  it('at 100,000 users it finishes with a correct report while the users list keeps answering', async () => {
    await resetData(t.db);
    await t.db.deleteFrom('long_actions').execute();
    await t.db.deleteFrom('mail_messages').execute();
    const owner = await makeUser(t.db, { role: 'account_admin' });
    await manyUsers(100_000, 'many');
    const client = await bareClient(owner.id);
    const id = ((await client.post('/users/reset-all', {})).headers.get('location') as string)
      .split('/')
      .at(-1);
    let running = true;
    const work = t.jobs.drain(t.handlers, { only: ['long-action'] }).finally(() => {
      running = false;
    });
    const answers: number[] = [];
    while (running) {
      const response = await client.get('/users?q=many12&per=25');
      answers.push(response.status);
      await response.text();
    }
    await work;
    // The list answered all along, many times while the batches ran.
    expect(answers.length).toBeGreaterThan(5);
    expect(answers.every((s) => s === 200)).toBe(true);
    expect(await actionOf(id as string)).toMatchObject({
      state: 'done',
      done: 100_000,
      skipped: 1,
      failed: 0,
    });
    const report = await t.db
      .selectFrom('long_action_items')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('action_id', '=', id as string)
      .executeTakeFirstOrThrow();
    expect(report.n).toBe(100_001);
    const mails = await t.db
      .selectFrom('mail_messages')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('kind', '=', 'password_reset')
      .executeTakeFirstOrThrow();
    expect(mails.n).toBe(100_000);
    await t.jobs.dropQueued('mail-send');
  }, 300_000);
});
