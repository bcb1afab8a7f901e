import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { passwordUsable } from '../../src/auth/passwords/reset-epoch';
import { RESET_ALL_BATCH, runResetAllBatch } from '../../src/users/reset-all';
import { databaseKind } from '../helpers/database';
import { clientFor, FIXTURE_PASSWORD, makeUser, resetData } from '../helpers/fixtures';
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
    const viewer = await makeUser(t.db, { role: 'viewer' });
    const viewerSession = await bareClient(viewer.id);
    const client = await bareClient(owner.id);

    const started = await client.post('/users/reset-all', {});
    expect(started.status).toBe(303);
    // Before any batch: every password but the owner's has stopped working, every other session ended.
    const signIn = (email: string) => new Client(createApp(t.deps)).signIn(email, FIXTURE_PASSWORD);
    expect((await signIn(viewer.email)).status).toBe(401);
    expect((await viewerSession.get('/')).status).toBe(303);
    expect((await signIn(owner.email)).status).toBe(303);
    const usable = async () =>
      (
        await t.db
          .selectFrom('users as u')
          .select(sql<number>`count(*)::int`.as('n'))
          .where(passwordUsable('u'))
          .executeTakeFirstOrThrow()
      ).n;
    expect(await usable()).toBe(1);
    const location = started.headers.get('location') as string;
    const id = location.split('/').at(-1) as string;
    expect(location).toBe(`/users/reset-all/${id}`);
    // Nothing is done in the request: the page shows the action waiting for its first batch.
    const page = await (await client.get(location)).text();
    expect(page).toContain('Resetting passwords');
    expect(page).toContain(`hx-get="/users/reset-all/${id}?said=0"`);
    expect(page).toContain(`<a href="/users/reset-all/${id}">Refresh</a>`);
    expect(await actionOf(id)).toMatchObject({ state: 'running', done: 0, total: 2 * RESET_ALL_BATCH + 503 });
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
    expect(finished).toMatchObject({ state: 'done', done: 2 * RESET_ALL_BATCH + 501, skipped: 2, failed: 0 });

    const items = await t.db
      .selectFrom('long_action_items')
      .select([sql<number>`count(*)::int`.as('n'), 'outcome', 'reason'])
      .where('action_id', '=', id)
      .groupBy(['outcome', 'reason'])
      .orderBy('outcome')
      .execute();
    expect(items).toEqual([
      { n: 2 * RESET_ALL_BATCH + 501, outcome: 'done', reason: null },
      { n: 1, outcome: 'skipped', reason: 'deactivated' },
      { n: 1, outcome: 'skipped', reason: 'that is you' },
    ]);
    const done = await (await client.get(location)).text();
    expect(done).toContain('Finished');
    expect(done).toContain('that is you');
    const csv = await (await client.get(`${location}/report.csv`)).text();
    expect(csv.trim().split(/\r?\n/)).toHaveLength(1 + 2 * RESET_ALL_BATCH + 503);

    // The owner's password alone works (the deactivated person's stopped too; they are not emailed).
    expect(await usable()).toBe(1);
    // One email per person, at low priority, its link not yet made.
    const queued = await t.db
      .selectFrom('mail_messages')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('kind', '=', 'password_reset')
      .where('state', '=', 'queued')
      .executeTakeFirstOrThrow();
    expect(queued.n).toBe(2 * RESET_ALL_BATCH + 501);
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
    expect(last).toContain('Reset all passwords finished: 10 emailed, 1 skipped.');
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

  it('who chooses a new password after the start keeps it and is not emailed; nor is who joins after', async () => {
    await t.db.deleteFrom('long_actions').execute();
    await t.db.deleteFrom('mail_messages').execute();
    await resetData(t.db);
    const owner = await makeUser(t.db, { role: 'account_admin' });
    const quick = await makeUser(t.db, { role: 'viewer' });
    const slow = await makeUser(t.db, { role: 'viewer' });
    const client = await bareClient(owner.id);
    const id = ((await client.post('/users/reset-all', {})).headers.get('location') as string)
      .split('/')
      .at(-1);
    // Before the batches reach them: one asks for a reset link and chooses a new password...
    const bare = new Client(createApp(t.deps));
    expect((await bare.post('/forgot-password', { email: quick.email })).status).toBe(200);
    const sentBefore = t.mailer.messages.length;
    await t.jobs.drain(t.handlers, { only: ['password-reset-request', 'mail-send'] });
    const mail = t.mailer.messages.slice(sentBefore).find((m) => m.to === quick.email);
    const link = /\/reset-password\/[A-Za-z0-9_-]{43}/.exec(mail?.text ?? '')?.[0] as string;
    const password = 'chosen after the reset began';
    expect((await bare.post(link, { password, confirm: password })).status).toBe(303);
    // ...and someone new joins.
    const newcomer = await makeUser(t.db, { role: 'viewer' });
    await sql`update users set created_at = ${t.clock.now()} where id = ${newcomer.id}`.execute(t.db);

    await t.jobs.drain(t.handlers, { only: ['long-action'] });
    const items = await t.db
      .selectFrom('long_action_items')
      .select(['user_id', 'outcome', 'reason'])
      .where('action_id', '=', id as string)
      .where('user_id', 'in', [quick.id, slow.id, newcomer.id])
      .execute();
    expect(new Map(items.map((i) => [i.user_id, `${i.outcome}: ${i.reason}`]))).toEqual(
      new Map([
        [quick.id, 'skipped: chose a new password since the reset began'],
        [slow.id, 'done: null'],
        [newcomer.id, 'skipped: joined after the reset began'],
      ]),
    );
    expect((await bare.signIn(quick.email, password)).status).toBe(303);
    expect((await bare.signIn(slow.email, FIXTURE_PASSWORD)).status).toBe(401);
    expect((await bare.signIn(newcomer.email, FIXTURE_PASSWORD)).status).toBe(303);
    // The list's status filters and the export say the same.
    const names = async (query: string) => {
      const html = await (await client.get(`/users?${query}&per=100`)).text();
      return [owner, quick, slow, newcomer].filter((u) => html.includes(u.email)).map((u) => u.email);
    };
    expect(await names('status=active')).toEqual([owner.email, quick.email, newcomer.email]);
    expect(await names('status=password_not_set')).toEqual([slow.email]);
    const csv = await (await client.get('/users/export.csv')).text();
    expect(csv.split('\n').find((line) => line.includes(slow.email))).toContain('Password not set');
    expect(csv.split('\n').find((line) => line.includes(quick.email))).toContain('Active');
    await t.jobs.dropQueued('mail-send');
  });
});
