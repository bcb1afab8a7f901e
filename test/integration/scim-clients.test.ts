import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { directoryToken, SCIM_TYPE, type ScimAnswer, scim } from '../fixtures/scim/directory';
import { databaseKind } from '../helpers/database';
import { makeUser } from '../helpers/fixtures';
import { setUpApp } from '../helpers/set-up-app';

/*
 * Real clients' request sequences, replayed as recorded (test/fixtures/scim/*.json, from the
 * vendors' documentation): each request's status and key fields, then what the database holds.
 */

interface Recorded {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  /** Values of the answer to keep for later requests' {{placeholders}}: name → JSON path. */
  save?: Record<string, string>;
  expect: { status: number; body?: unknown; absent?: string[] };
}

const t = setUpApp({ resetEach: true });

beforeEach(async () => {
  await makeUser(t.db, { role: 'account_admin', email: 'owner@example.com' });
});

function load(file: string): Recorded[] {
  return JSON.parse(readFileSync(new URL(`../fixtures/scim/${file}`, import.meta.url), 'utf8')).requests;
}

/** The value with every {{name}} in its strings replaced. */
function fill<T>(value: T, saved: Record<string, string>): T {
  if (value === undefined) return value;
  const text = JSON.stringify(value).replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const found = saved[name];
    if (found === undefined) throw new Error(`{{${name}}} is used before it is saved`);
    return found;
  });
  return JSON.parse(text);
}

const at = (body: unknown, path: string) =>
  path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | null)?.[key], body);

/** Replays the requests in order; returns what was saved and each answer. */
async function replay(token: string, file: string) {
  const saved: Record<string, string> = {};
  const answers: Array<{ request: Recorded; answer: ScimAnswer }> = [];
  for (const recorded of load(file)) {
    const request = { ...recorded, path: fill(recorded.path, saved), body: fill(recorded.body, saved) };
    const answer = await scim(t, token, request.method, request.path, request.body);
    const expected = fill(recorded.expect, saved);
    expect([recorded.name, answer.status]).toEqual([recorded.name, expected.status]);
    if (answer.status === 204) expect([recorded.name, answer.body]).toEqual([recorded.name, null]);
    else expect([recorded.name, answer.type]).toEqual([recorded.name, SCIM_TYPE]);
    if (expected.body !== undefined)
      expect({ [recorded.name]: answer.body }).toMatchObject({ [recorded.name]: expected.body });
    for (const key of expected.absent ?? [])
      expect([recorded.name, key in answer.body]).toEqual([recorded.name, false]);
    for (const [name, path] of Object.entries(recorded.save ?? {})) {
      const value = at(answer.body, path);
      expect([recorded.name, typeof value]).toEqual([recorded.name, 'string']);
      saved[name] = value as string;
    }
    answers.push({ request, answer });
  }
  return { saved, answers };
}

/** Every event of the replay is the directory's, under the token's name. */
async function expectAuditedAs(tokenName: string, since: number) {
  const events = await t.db
    .selectFrom('audit_events')
    .select(['action', 'actor_label', 'outcome'])
    .where('id', '>', since)
    .where('action', 'like', 'directory.%')
    .execute();
  expect(events.length).toBeGreaterThan(0);
  expect(new Set(events.map((e) => `${e.actor_label} ${e.outcome}`))).toEqual(
    new Set([`directory: ${tokenName} success`]),
  );
  return events.map((e) => e.action);
}

const lastEventId = async () =>
  Number(
    (
      await t.db
        .selectFrom('audit_events')
        .select((eb) => eb.fn.max('id').as('id'))
        .executeTakeFirst()
    )?.id ?? 0,
  );

const membershipsOf = async (teamId: string) =>
  (
    await t.db
      .selectFrom('team_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['u.email', 'm.source'])
      .where('m.team_id', '=', teamId)
      .orderBy('u.email')
      .execute()
  ).map((m) => `${m.email} ${m.source}`);

describe(`Okta's SCIM 2.0 requests, replayed (${databaseKind})`, () => {
  it('provisions, updates, deactivates and pushes groups as Okta does', async () => {
    const { token, name } = await directoryToken(t, { name: 'Okta' });
    const since = await lastEventId();
    const { saved } = await replay(token, 'okta.json');
    const user = await t.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', saved.userId as string)
      .executeTakeFirstOrThrow();
    // Deactivated, never deleted; no password, no role.
    expect(user).toMatchObject({
      email: 'test.user@okta.local',
      name: 'Another User',
      given_name: 'Another',
      family_name: 'User',
      external_id: '00ujl29u0le5T6Aj10h7',
      locale: null,
      source: 'scim',
      password_hash: null,
      directory_removed_at: null,
    });
    expect(user.deactivated_at).not.toBeNull();
    expect(
      await t.db.selectFrom('role_bindings').select('id').where('user_id', '=', user.id).execute(),
    ).toEqual([]);
    const team = await t.db
      .selectFrom('teams')
      .selectAll()
      .where('id', '=', saved.groupId as string)
      .executeTakeFirstOrThrow();
    expect(team).toMatchObject({ name: 'Test SCIMv20', source: 'scim' });
    expect(await membershipsOf(team.id)).toEqual([
      'second.user@okta.local scim',
      'test.user@okta.local scim',
    ]);
    expect(
      await t.db
        .selectFrom('teams')
        .select('id')
        .where('id', '=', saved.temporaryId as string)
        .execute(),
    ).toEqual([]);
    expect(t.mailer.messages).toEqual([]);
    const actions = await expectAuditedAs(name, since);
    expect(new Set(actions)).toEqual(
      new Set([
        'directory.user_create',
        'directory.user_update',
        'directory.team_create',
        'directory.team_update',
        'directory.team_delete',
      ]),
    );
    expect(t.errors).toEqual([]);
  });
});

describe(`Entra ID's SCIM requests, replayed (${databaseKind})`, () => {
  it('in its default dialect: "Replace", "False", members removed by a value list, then DELETE', async () => {
    const { token, name } = await directoryToken(t, { name: 'Entra ID' });
    const since = await lastEventId();
    const { saved } = await replay(token, 'entra-default.json');
    const user = await t.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', saved.userId as string)
      .executeTakeFirstOrThrow();
    expect(user).toMatchObject({
      email: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com',
      name: 'Pvlo',
      given_name: 'Gtfd',
      family_name: 'Pkqf',
      external_id: 'Eqpj',
      source: 'scim',
      password_hash: null,
    });
    // Deleted by the directory: deactivated and marked, still in Gatehouse.
    expect(user.deactivated_at).not.toBeNull();
    expect(user.directory_removed_at).not.toBeNull();
    expect(
      await t.db
        .selectFrom('teams')
        .select('id')
        .where('id', '=', saved.groupId as string)
        .execute(),
    ).toEqual([]);
    const actions = await expectAuditedAs(name, since);
    expect(actions).toContain('directory.user_remove');
    expect(actions).toContain('directory.team_delete');
    expect(t.errors).toEqual([]);
  });

  it('with aadOptscim062020: lower-case ops, booleans, dotted value objects, members removed by filter', async () => {
    const { token, name } = await directoryToken(t, { name: 'Entra ID compliant' });
    const since = await lastEventId();
    const { saved, answers } = await replay(token, 'entra-compliant.json');
    const user = await t.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', saved.userId as string)
      .executeTakeFirstOrThrow();
    expect(user).toMatchObject({
      email: 'Test_User_feed3ace@testuser.com',
      name: 'Bjfe',
      given_name: 'Barbara',
      family_name: 'Unua',
      preferred_language: 'es',
      // German at creation, Spanish since the PATCH.
      language: 'es',
      external_id: '58342554-38d6-4ec8-948c-50044d0a33fd',
    });
    expect(user.deactivated_at).not.toBeNull();
    expect(user.directory_removed_at).not.toBeNull();
    // The removal took the directory's membership with it; the team stays.
    expect(await membershipsOf(saved.groupId as string)).toEqual([]);
    const created = answers.find((a) => a.request.name === 'create user');
    expect(created?.answer.body.preferredLanguage).toBe('de-DE');
    const updates = await t.db
      .selectFrom('audit_events')
      .select(['before', 'after'])
      .where('id', '>', since)
      .where('action', '=', 'directory.team_update')
      .orderBy('id')
      .execute();
    expect(updates.map((e) => e.after)).toEqual([
      { membersAdded: ['Test_User_feed3ace@testuser.com'] },
      {},
      { membersAdded: ['Test_User_feed3ace@testuser.com'] },
    ]);
    await expectAuditedAs(name, since);
    expect(t.errors).toEqual([]);
  });
});
