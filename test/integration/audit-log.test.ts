import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultProjectId } from '../../src/access/grants';
import { BUILTIN_ROLES } from '../../src/access/permissions';
import { signInActivity } from '../../src/audit/activity';
import { CHAIN_PARTITIONS, verifyChain } from '../../src/audit/chain';
import { auditListParams, listAuditEvents, parseAuditListQuery } from '../../src/audit/list';
import { pruneAuditEvents } from '../../src/audit/retention';
import { writeAudit } from '../../src/audit/write';
import { testApp } from '../helpers/app';
import { databaseKind } from '../helpers/database';
import { clientFor, FIXTURE_PASSWORD, makeUser } from '../helpers/fixtures';
import { Client } from '../helpers/http';
import { setUpApp } from '../helpers/set-up-app';
import { settingsForm } from '../helpers/settings-form';

const t = setUpApp();
let otherProject: string;
let admin: { id: string; email: string; name: string };

const DAY = 86_400_000;

beforeAll(async () => {
  otherProject = (
    await t.db
      .insertInto('projects')
      .values({ name: 'Second project' })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  admin = await makeUser(t.db, {
    role: 'account_admin',
    name: 'Audit Admin',
    email: 'audit-admin@example.com',
  });
});

/** A fresh session each time: tests move the clock past the idle timeout. */
const adminClient = () => clientFor(t, admin.id);

/** Every event id a list shows, following its Next links from the first page. */
async function idsThroughPages(client: Client, query: string, per = 10): Promise<number[]> {
  const ids: number[] = [];
  let path: string | null = `/audit?${query}${query ? '&' : ''}per=${per}`;
  for (let guard = 0; path && guard < 200; guard++) {
    const response = await client.get(path);
    expect(response.status, path).toBe(200);
    const html = await response.text();
    const table = html.slice(html.indexOf('<div id="audit-list">'));
    ids.push(...[...table.matchAll(/href="\/audit\/events\/(\d+)"/g)].map((m) => Number(m[1])));
    const next = /<a href="([^"]+)"[^>]*class="page-link"[^>]*>Next<\/a>/.exec(table)?.[1];
    path = next ? next.replaceAll('&amp;', '&') : null;
  }
  return ids;
}

async function exportIds(client: Client, query: string) {
  const csv = await (await client.get(`/audit/export.csv?${query}`)).text();
  const json = (await (await client.get(`/audit/export.json?${query}`)).json()) as Array<{ id: number }>;
  const csvIds = csv
    .trimEnd()
    .split('\r\n')
    .slice(1)
    .map((line) => Number(/^"(\d+)"/.exec(line)?.[1]));
  return { csv: csvIds, json: json.map((e) => e.id) };
}

const eventsOf = (action: string) =>
  t.db.selectFrom('audit_events').selectAll().where('action', '=', action).orderBy('id', 'desc').execute();

describe(`the audit log (${databaseKind})`, () => {
  it('records an action done over HTTP with its actor, request, and before and after', async () => {
    const response = await (await adminClient()).post('/settings', settingsForm({ lockout_threshold: '7' }));
    expect(response.status).toBe(303);
    const [event] = await eventsOf('account.settings_update');
    expect(event).toMatchObject({
      actor_id: admin.id,
      actor_label: admin.email,
      outcome: 'success',
      before: { lockout_threshold: 10 },
      after: { lockout_threshold: 7 },
    });
    expect(event?.request_id).toBe(response.headers.get('x-request-id'));
    const page = await (await (await adminClient()).get(`/audit/events/${event?.id}`)).text();
    expect(page).toContain('Account settings changed');
    expect(page).toContain(response.headers.get('x-request-id') as string);
    // The diff: the changed field, its value before and after.
    expect(page).toMatch(/<th scope="row">lockout_threshold<\/th><td>10<\/td><td>7<\/td><td>Yes<\/td>/);
    const list = await (
      await (await adminClient()).get(`/audit?actor=${encodeURIComponent(admin.email)}`)
    ).text();
    expect(list).toContain(`href="/audit/events/${event?.id}"`);
  });

  it('shows a reason on the event page where the action asked for one', async () => {
    const locked = await makeUser(t.db, { name: 'Locked Person' });
    await t.db
      .updateTable('users')
      .set({ locked_until: new Date(t.clock.now().getTime() + 3_600_000) })
      .where('id', '=', locked.id)
      .execute();
    const response = await (await adminClient()).post(`/users/${locked.id}/unlock`, {
      reason: 'Called the help desk',
    });
    expect(response.status).toBe(303);
    const [event] = await eventsOf('user.unlock');
    expect(event).toMatchObject({ target_id: locked.id, reason: 'Called the help desk' });
    const page = await (await (await adminClient()).get(`/audit/events/${event?.id}`)).text();
    expect(page).toContain('<dt>Reason</dt><dd>Called the help desk</dd>');
  });

  it('records a route the guard refused, with the permission that was missing', async () => {
    const nobody = await makeUser(t.db, { role: 'viewer', name: 'Plain Viewer' });
    const client = await clientFor(t, nobody.id);
    const response = await client.get('/audit?outcome=denied');
    expect(response.status).toBe(403);
    const [event] = await eventsOf('http.request');
    expect(event).toMatchObject({
      actor_id: nobody.id,
      outcome: 'denied',
      target_type: 'route',
      target_id: 'GET /audit',
      reason: 'missing permission audit.view',
    });
    const listed = await (
      await (await adminClient()).get('/audit?outcome=denied&action=http.request')
    ).text();
    expect(listed).toContain(`href="/audit/events/${event?.id}"`);
    expect(listed).toContain('Page or action refused');
  });

  it('filters by actor, action (several), user acted on, project, outcome, days and text, and the export agrees', async () => {
    const ana = await makeUser(t.db, { name: 'Ana Filter', email: 'ana.filter@example.com' });
    const ben = await makeUser(t.db, { name: 'Ben Filter', email: 'ben.filter@example.com' });
    const start = t.clock.now();
    // Sign-ins over three days: good and bad passwords, by two people.
    for (let day = 0; day < 3; day++) {
      await new Client(t.app).signIn(ana.email, FIXTURE_PASSWORD);
      await new Client(t.app).signIn(ben.email, 'wrong password here');
      t.clock.advance(DAY);
    }
    const ctx = { ...t.system, actor: { kind: 'system' as const, label: 'filter-test' } };
    await writeAudit(t.db, ctx, {
      action: 'project.rename',
      outcome: 'success',
      actor: { id: null, label: 'filter-test' },
      target: { type: 'project', id: otherProject, label: 'Second project' },
      projectId: otherProject,
    });
    const day = (offset: number) => new Date(start.getTime() + offset * DAY).toISOString().slice(0, 10);
    // Each filter, and how many of the events above it matches.
    const cases: Array<[string, number]> = [
      [`actor=${ana.email}`, 3],
      [`user=${ben.email}&outcome=failed`, 3],
      ['action=auth.sign_in&action=project.rename&q=filter', 6],
      [`project=${otherProject}`, 1],
      ['outcome=failed&q=ben.filter', 3],
      [`from=${day(1)}&to=${day(1)}&user=${ana.email}`, 1],
      [`from=${day(1)}&user=${ben.email}`, 2],
      ['q=BEN.FILTER', 3],
    ];
    for (const [query, count] of cases) {
      const listed = await idsThroughPages(await adminClient(), query);
      expect(listed.length, query).toBe(count);
      expect(new Set(listed).size, query).toBe(listed.length);
      const exported = await exportIds(await adminClient(), query);
      expect(exported.csv, query).toEqual(listed);
      expect(exported.json, query).toEqual(listed);
    }
    // Filters combine with AND; the outcome and action narrow what the actor filter found.
    const both = await idsThroughPages(await adminClient(), `actor=${ana.email}&outcome=failed`);
    expect(both).toEqual([]);
  });

  it('pages through many events once each, and counts past a page', async () => {
    const ctx = { ...t.system, actor: { kind: 'system' as const, label: 'paging-test' } };
    for (let i = 0; i < 37; i++) {
      await writeAudit(t.db, ctx, {
        action: 'team.update',
        outcome: 'success',
        actor: { id: null, label: 'paging-test' },
        target: { type: 'team', id: `team-${i}`, label: `Paging team ${i}` },
      });
    }
    const query = 'actor=paging-test';
    const ids = await idsThroughPages(await adminClient(), query);
    expect(ids).toHaveLength(37);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    const first = await (await (await adminClient()).get(`/audit?${query}&per=10`)).text();
    expect(first).toContain('Showing 1–10 of 37 events');
    const q = parseAuditListQuery(new URLSearchParams(`${query}&per=10&page=last`));
    const last = await listAuditEvents(t.db, q, { all: true }, 'UTC');
    // The last page is the last ten rows, as on the users list.
    expect(last.events.map((e) => e.id)).toEqual(ids.slice(-10));
    expect(auditListParams(q).get('actor')).toBe('paging-test');
  });

  it('shows times in the viewer’s time zone, and reads days in it', async () => {
    const viewer = await makeUser(t.db, { role: 'account_admin', name: 'Far Away' });
    const client = await clientFor(t, viewer.id);
    const saved = await client.post('/account/profile', {
      name: viewer.name,
      language: 'en',
      time_zone: 'Pacific/Auckland',
    });
    expect(saved.status).toBe(303);
    const bad = await client.post('/account/profile', {
      name: viewer.name,
      language: 'en',
      time_zone: 'Mars/Base',
    });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('Choose a time zone from the list.');
    const ctx = { ...t.system, actor: { kind: 'system' as const, label: 'zone-test' } };
    await writeAudit(t.db, ctx, {
      action: 'team.create',
      outcome: 'success',
      actor: { id: null, label: 'zone-test' },
    });
    const [event] = await eventsOf('team.create');
    const at = event?.occurred_at as Date;
    const local = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Pacific/Auckland',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(at);
    const page = await (await client.get('/audit?actor=zone-test')).text();
    expect(page).toMatch(
      new RegExp(`<time datetime="${at.toISOString()}">${local} \\d\\d:\\d\\d:\\d\\d UTC\\+1[23]</time>`),
    );
    // The day filter is the viewer's day: the event is on `local` in Auckland.
    expect(await idsThroughPages(client, `actor=zone-test&from=${local}&to=${local}`)).toEqual([event?.id]);
  });

  it('exports are audited with their filter and hold the log as it stood, not their own event', async () => {
    const before = await t.db
      .selectFrom('audit_events')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirstOrThrow();
    const rows = (await (
      await (await adminClient()).get('/audit/export.json?outcome=success')
    ).json()) as Array<{
      id: number;
      action: string;
      occurred_at: string;
    }>;
    expect(rows[0]?.id).toBe(Number(before.id));
    expect(rows.every((r) => r.id <= Number(before.id))).toBe(true);
    const [exported] = await eventsOf('audit.export');
    expect(exported).toMatchObject({
      actor_id: admin.id,
      after: { format: 'json', filter: 'outcome=success' },
    });
    const csv = await (await (await adminClient()).get('/audit/export.csv?action=audit.export')).text();
    expect(csv.split('\r\n')[0]).toBe(
      '"id","occurred_at","actor","actor_id","action","outcome","target_type","target_id","target","project","project_id","ip","request_id","reason","before","after"',
    );
  });

  it('opens the log, an event and the export to the roles holding audit.view, and to no one else', async () => {
    const [first] = await t.db.selectFrom('audit_events').select('id').orderBy('id').limit(1).execute();
    for (const role of BUILTIN_ROLES) {
      const user = await makeUser(t.db, { role: role.key });
      const client = await clientFor(t, user.id);
      const expected = role.permissions.includes('audit.view') ? 200 : 403;
      for (const path of [
        '/audit',
        `/audit/events/${first?.id}`,
        '/audit/export.csv',
        '/audit/export.json',
      ]) {
        expect((await client.get(path)).status, `${role.key} ${path}`).toBe(expected);
      }
    }
    expect((await new Client(t.app).get('/audit')).headers.get('location')).toBe('/login?next=%2Faudit');
  });

  it('lets a project-scoped viewer read only the events of that project', async () => {
    const scoped = await makeUser(t.db, { role: 'admin', projectId: otherProject, name: 'Project Admin' });
    const client = await clientFor(t, scoped.id);
    expect((await client.post('/project', { projectId: otherProject, returnTo: '/audit' })).status).toBe(303);
    const ids = await idsThroughPages(client, '');
    const projects = await t.db
      .selectFrom('audit_events')
      .select(['id', 'project_id'])
      .where('id', 'in', ids.length > 0 ? ids : [0])
      .execute();
    expect(projects.every((e) => e.project_id === otherProject)).toBe(true);
    expect(ids.length).toBeGreaterThan(0);
    const accountEvent = (await eventsOf('account.settings_update'))[0];
    expect((await client.get(`/audit/events/${accountEvent?.id}`)).status).toBe(404);
  });
});

describe(`the audit trail cannot be changed (${databaseKind})`, () => {
  it('refuses UPDATE, DELETE and TRUNCATE in the database', async () => {
    await expect(sql`update audit_events set reason = 'edited'`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_events`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_events`.execute(t.db)).rejects.toThrow(/append-only/);
    expect(
      Number((await sql<{ n: number }>`select count(*) as n from audit_events`.execute(t.db)).rows[0]?.n),
    ).toBeGreaterThan(0);
  });

  it('chains events written at the same time, each connection in its own chain, and every chain verifies', async () => {
    const ctx = { ...t.system, actor: { kind: 'system' as const, label: 'concurrent-test' } };
    const before = await t.db
      .selectFrom('audit_events')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirst();
    // On PostgreSQL these run on several connections at once, each locking its own partition's
    // head; PGlite has one connection, so one chain.
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        writeAudit(t.db, ctx, {
          action: 'team.update',
          outcome: 'success',
          actor: { id: null, label: 'concurrent-test' },
          target: { type: 'team', id: `c-${i}` },
        }),
      ),
    );
    const written = await t.db
      .selectFrom('audit_events')
      .select(['id', 'chain'])
      .where('id', '>', Number(before?.id ?? 0))
      .execute();
    expect(written).toHaveLength(30);
    const chains = new Set(written.map((e) => e.chain));
    if (databaseKind === 'postgres') expect(chains.size).toBeGreaterThan(1);
    expect(await verifyChain(t.db, t.config.secretKey)).toMatchObject({ ok: true });

    // An event moved to another chain breaks both: the verifier names where.
    const moved = written.at(-1) as { id: number; chain: number };
    await sql`alter table audit_events disable trigger audit_events_no_change`.execute(t.db);
    try {
      await sql`update audit_events set chain = ${(moved.chain % CHAIN_PARTITIONS) + 1} where id = ${moved.id}`.execute(
        t.db,
      );
      const report = await verifyChain(t.db, t.config.secretKey);
      expect(report.ok).toBe(false);
      await sql`update audit_events set chain = ${moved.chain} where id = ${moved.id}`.execute(t.db);
    } finally {
      await sql`alter table audit_events enable trigger audit_events_no_change`.execute(t.db);
    }
    expect(await verifyChain(t.db, t.config.secretKey)).toMatchObject({ ok: true });
  });

  it('verifies the chain, and reports the first row changed, removed or added behind its back', async () => {
    expect(await verifyChain(t.db, t.config.secretKey)).toMatchObject({ ok: true });
    // Three events in one transaction, so on one connection and in one chain (on PostgreSQL the
    // pool's connections write to several): the three newest events of that chain.
    const ctx = { ...t.system, actor: { kind: 'system' as const, label: 'tamper-test' } };
    await t.db.transaction().execute(async (tx) => {
      for (const id of ['x', 'y', 'z'])
        await writeAudit(tx, ctx, {
          action: 'team.update',
          outcome: 'success',
          actor: { id: null, label: 'tamper-test' },
          target: { type: 'team', id },
        });
    });
    const newest = await t.db
      .selectFrom('audit_events')
      .select('chain')
      .where('actor_label', '=', 'tamper-test')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    const [a, b, c] = await t.db
      .selectFrom('audit_events')
      .select(['id', 'actor_label'])
      .where('chain', '=', newest.chain)
      .orderBy('id', 'desc')
      .limit(3)
      .execute();
    const behindItsBack = async (statement: ReturnType<typeof sql>) => {
      await sql`alter table audit_events disable trigger audit_events_no_change`.execute(t.db);
      try {
        await statement.execute(t.db);
      } finally {
        await sql`alter table audit_events enable trigger audit_events_no_change`.execute(t.db);
      }
    };
    // A changed actor.
    await behindItsBack(sql`update audit_events set actor_label = 'someone-else' where id = ${b?.id}`);
    let report = await verifyChain(t.db, t.config.secretKey);
    expect(report).toMatchObject({ ok: false, eventId: b?.id });
    expect(report.ok ? '' : report.problem).toContain('changed after it was written');
    await behindItsBack(sql`update audit_events set actor_label = ${b?.actor_label} where id = ${b?.id}`);
    expect(await verifyChain(t.db, t.config.secretKey)).toMatchObject({ ok: true });
    // A key other than the one that wrote the chain sees every event as changed.
    expect(await verifyChain(t.db, Buffer.alloc(32, 7))).toMatchObject({ ok: false });
    // A removed event: the next one no longer follows its predecessor.
    await behindItsBack(sql`delete from audit_events where id = ${b?.id}`);
    report = await verifyChain(t.db, t.config.secretKey);
    expect(report).toMatchObject({ ok: false, eventId: a?.id });
    expect(report.ok ? '' : report.problem).toContain(`does not follow event #${c?.id}`);
  });

  it('reports an event added without a hash, and newest events cut off with the head set back', async () => {
    const fresh = await testApp();
    try {
      const ctx = { ...fresh.system, actor: { kind: 'system' as const, label: 'tail-test' } };
      const write = (id: string, projectId?: string) =>
        writeAudit(fresh.db, ctx, {
          action: 'team.update',
          outcome: 'success',
          actor: { id: null, label: 'tail-test' },
          target: { type: 'team', id },
          projectId,
        });
      // A project id as a client may type it: the database keeps it lower-case, the hash agrees.
      const project = await defaultProjectId(fresh.db);
      await write('a', project.toUpperCase());
      await write('b');
      await write('c');
      expect(await verifyChain(fresh.db, fresh.config.secretKey)).toMatchObject({ ok: true, checked: 3 });
      const rows = await fresh.db.selectFrom('audit_events').select(['id', 'hash']).orderBy('id').execute();
      // An event inserted straight into the table, without a hash.
      await sql`insert into audit_events (occurred_at, actor_label, action, outcome)
        values (now(), 'intruder', 'user.create', 'success')`.execute(fresh.db);
      const added = await verifyChain(fresh.db, fresh.config.secretKey);
      expect(added.ok ? '' : added.problem).toMatch(/has no hash: it was written outside the chain/);
      await sql`select set_config('gatehouse.audit_retention', 'on', false)`.execute(fresh.db);
      try {
        await sql`delete from audit_events where actor_label = 'intruder'`.execute(fresh.db);
        // The newest event cut off, and the head set back to the one before it.
        await sql`delete from audit_events where id = ${rows[2]?.id}`.execute(fresh.db);
      } finally {
        await sql`select set_config('gatehouse.audit_retention', 'off', false)`.execute(fresh.db);
      }
      expect(await verifyChain(fresh.db, fresh.config.secretKey)).toMatchObject({ ok: false });
      await fresh.db
        .updateTable('audit_chain')
        .set({ last_id: rows[1]?.id, last_hash: rows[1]?.hash })
        .execute();
      const cut = await verifyChain(fresh.db, fresh.config.secretKey);
      expect(cut.ok ? '' : cut.problem).toMatch(/the head of chain \d+ was changed/);
    } finally {
      await fresh.close();
    }
  });
});

describe(`retention (${databaseKind})`, () => {
  it('removes exactly the events older than the retention period, records it, and keeps the chain verifiable', async () => {
    const fresh = await testApp();
    try {
      const ctx = { ...fresh.system, actor: { kind: 'system' as const, label: 'retention-test' } };
      const write = (label: string) =>
        writeAudit(fresh.db, ctx, {
          action: 'team.update',
          outcome: 'success',
          actor: { id: null, label: 'retention-test' },
          target: { type: 'team', id: label, label },
        });
      await write('old-1');
      fresh.clock.advance(10 * DAY);
      await write('old-2');
      // The cutoff will fall between these two, a minute apart.
      fresh.clock.advance(60_000);
      await write('young-1');
      const youngAt = fresh.clock.now().getTime();
      fresh.clock.advance(5 * DAY);
      await write('young-2');
      await fresh.db.updateTable('account_settings').set({ audit_retention_days: 30 }).execute();
      fresh.clock.advance(youngAt + 30 * DAY - 30_000 - fresh.clock.now().getTime());
      const before = await fresh.db
        .selectFrom('audit_events')
        .select(['id', 'target_id', 'occurred_at'])
        .orderBy('id')
        .execute();
      const cutoff = fresh.clock.now().getTime() - 30 * DAY;
      const older = before.filter((e) => e.occurred_at.getTime() < cutoff);
      expect(older.map((e) => e.target_id)).toEqual(expect.arrayContaining(['old-1', 'old-2']));
      expect(older.map((e) => e.target_id)).not.toContain('young-1');

      const result = await pruneAuditEvents(fresh.system);
      expect(result.removed).toBe(older.length);
      const after = await fresh.db
        .selectFrom('audit_events')
        .select(['id', 'target_id', 'action', 'after'])
        .orderBy('id')
        .execute();
      expect(after.map((e) => e.id)).toEqual([
        ...before.filter((e) => e.occurred_at.getTime() >= cutoff).map((e) => e.id),
        expect.any(Number),
      ]);
      const prune = after.at(-1);
      expect(prune).toMatchObject({
        action: 'audit.prune',
        after: { removed: older.length, retentionDays: 30 },
      });
      const report = await verifyChain(fresh.db, fresh.config.secretKey);
      expect(report).toMatchObject({ ok: true, prunedBefore: true, firstId: after[0]?.id });

      // Nothing more is due: no removal, no event.
      expect((await pruneAuditEvents(fresh.system)).removed).toBe(0);
      expect(await fresh.db.selectFrom('audit_events').select('id').execute()).toHaveLength(after.length);

      // Deleting the oldest kept event is not retention: the verifier says so.
      await sql`alter table audit_events disable trigger audit_events_no_change`.execute(fresh.db);
      await sql`delete from audit_events where id = ${after[0]?.id}`.execute(fresh.db);
      await sql`alter table audit_events enable trigger audit_events_no_change`.execute(fresh.db);
      const broken = await verifyChain(fresh.db, fresh.config.secretKey);
      expect(broken).toMatchObject({ ok: false, eventId: after[1]?.id });
      expect(broken.ok ? '' : broken.problem).toContain('not removed by retention');
    } finally {
      await fresh.close();
    }
  });

  it('keeps the retention period as an account setting between 30 and 3,650 days', async () => {
    const refused = await (await adminClient()).post(
      '/settings',
      settingsForm({ audit_retention_days: '10' }),
    );
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('The audit log retention must be between 30 and 3650 days.');
    expect(
      (await (await adminClient()).post('/settings', settingsForm({ audit_retention_days: '180' }))).status,
    ).toBe(303);
    const settings = await t.db
      .selectFrom('account_settings')
      .select('audit_retention_days')
      .executeTakeFirstOrThrow();
    expect(settings.audit_retention_days).toBe(180);
  });
});

describe(`the activity chart (${databaseKind})`, () => {
  it('counts sign-ins, failed sign-ins and lockouts per day, in the chart’s table, for admins only', async () => {
    const fresh = await testApp();
    try {
      const boss = await makeUser(fresh.db, { role: 'account_admin', name: 'Chart Admin' });
      const person = await makeUser(fresh.db, { name: 'Chart Person' });
      await fresh.db.updateTable('account_settings').set({ lockout_threshold: 3 }).execute();
      await new Client(fresh.app).signIn(person.email, FIXTURE_PASSWORD);
      await new Client(fresh.app).signIn(person.email, FIXTURE_PASSWORD);
      for (let i = 0; i < 3; i++) await new Client(fresh.app).signIn(person.email, 'not the password');
      const today = fresh.clock.now().toISOString().slice(0, 10);
      const client = await clientFor(fresh, boss.id);
      for (const path of ['/', '/audit']) {
        const html = await (await client.get(path)).text();
        expect(html, path).toContain('<svg');
        expect(html, path).toContain(`<tr><th scope="row">${today}</th><td>2</td><td>3</td><td>1</td></tr>`);
        expect(html, path).toContain('2 sign-ins, 3 failed sign-ins, 1 lockout.');
      }
      const plain = await clientFor(fresh, person.id);
      expect(await (await plain.get('/')).text()).not.toContain('Sign-in activity');
    } finally {
      await fresh.close();
    }
  });
});

describe(`events from before the chain (${databaseKind})`, () => {
  it('pages through events sharing a microsecond time, and retention removes them in batches', async () => {
    const fresh = await testApp();
    try {
      // 12,000 events as the application wrote them before migration 0008: microsecond times,
      // many sharing one, and no hash.
      await sql`insert into audit_events (occurred_at, actor_label, action, outcome, target_type, target_id)
        select timestamptz '2024-01-01 00:00:00.123456+00' + (g / 7) * interval '1 microsecond',
          'legacy', 'team.update', 'success', 'team', g::text
        from generate_series(1, 12000) g`.execute(fresh.db);
      // Recorded in an empty head, as migration 0008 did in the one head there was then.
      await sql`update audit_chain set unchained_through = (select max(id) from audit_events)
        where id = (select min(id) from audit_chain where last_id is null)`.execute(fresh.db);
      const boss = await makeUser(fresh.db, { role: 'account_admin' });
      const client = await clientFor(fresh, boss.id);
      const ids = await idsThroughPages(client, 'actor=legacy', 100);
      expect(ids).toHaveLength(12000);
      expect(new Set(ids).size).toBe(12000);

      const ctx = { ...fresh.system, actor: { kind: 'system' as const, label: 'after-legacy' } };
      await writeAudit(fresh.db, ctx, {
        action: 'team.create',
        outcome: 'success',
        actor: { id: null, label: 'x' },
      });
      expect(await verifyChain(fresh.db, fresh.config.secretKey)).toMatchObject({
        ok: true,
        unchained: 12000,
      });
      const result = await pruneAuditEvents(fresh.system);
      expect(result.removed).toBe(12000);
      const prunes = await fresh.db
        .selectFrom('audit_events')
        .select('after')
        .where('action', '=', 'audit.prune')
        .execute();
      expect(prunes.map((p) => (p.after as { removed: number }).removed)).toEqual([5000, 5000, 2000]);
      expect(await verifyChain(fresh.db, fresh.config.secretKey)).toMatchObject({ ok: true, unchained: 0 });
    } finally {
      await fresh.close();
    }
  });

  it('finds text beyond the newest 100,000 events through the trigram index, and the export agrees', async () => {
    const fresh = await testApp();
    try {
      // 100,005 events; the five oldest name the only "needle" targets, far outside the walk.
      await sql`insert into audit_events (occurred_at, actor_label, action, outcome, target_type, target_id, target_label)
        select timestamptz '2026-06-01 00:00:00+00' + g * interval '1 second', 'bulk', 'team.update', 'success',
          'team', g::text, case when g <= 5 then 'Needle team ' || g else 'Haystack team ' || g end
        from generate_series(1, 100005) g`.execute(fresh.db);
      const boss = await makeUser(fresh.db, { role: 'account_admin' });
      const client = await clientFor(fresh, boss.id);
      const ids = await idsThroughPages(client, 'q=needle', 2);
      expect(ids).toHaveLength(5);
      expect(await exportIds(client, 'q=needle')).toEqual({ csv: ids, json: ids });
      // Common text is found by walking the newest events instead.
      const page = await (await client.get('/audit?q=haystack')).text();
      expect(page).toContain('<a href="/audit/events/100005">');
      expect(page).toMatch(/Showing 1–25 of about [\d,]+ events/);
    } finally {
      await fresh.close();
    }
  });

  it('shows 30 calendar days in the viewer’s zone across a daylight-saving change', async () => {
    // 00:30 in New York, the day after clocks went forward.
    const days = await signInActivity(t.db, new Date('2027-03-15T04:30:00Z'), 'America/New_York');
    expect(days).toHaveLength(30);
    expect(days[0]?.day).toBe('2027-02-14');
    expect(days.at(-1)?.day).toBe('2027-03-15');
    expect(days.map((d) => d.day)).toContain('2027-03-14');
  });
});
