import { beforeAll, describe, expect, it } from 'vitest';
import { directoryToken, filtered, scim } from '../fixtures/scim/directory';
import { databaseKind } from '../helpers/database';
import { makeMembers, makeUser } from '../helpers/fixtures';
import { setUpApp } from '../helpers/set-up-app';

// One set of people for every case: the filters only read.
const t = setUpApp();

let token: string;
const ids: Record<string, string> = {};

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

beforeAll(async () => {
  await makeUser(t.db, { role: 'account_admin', email: 'owner@example.com', name: 'Owner' });
  ({ token } = await directoryToken(t));
  const people = [
    { userName: 'alice@example.com', externalId: 'A-1', name: { givenName: 'Alice', familyName: 'Smith' } },
    {
      userName: 'bob@example.org',
      externalId: 'b-2',
      name: { givenName: 'Bob', familyName: 'Jones' },
      active: false,
    },
    { userName: 'carol_x@example.com', displayName: '100% Carol' },
    { userName: 'dave@example.com', externalId: 'D-4', name: { givenName: 'Dave' } },
  ];
  for (const person of people) {
    const answer = await scim(t, token, 'POST', '/Users', { schemas: [USER], ...person });
    expect(answer.status).toBe(201);
    ids[person.userName.split('@')[0] as string] = answer.body.id;
  }
  const sales = await scim(t, token, 'POST', '/Groups', {
    displayName: 'Sales',
    externalId: 'grp-S',
    members: [{ value: ids.alice }, { value: ids.dave }],
  });
  const ops = await scim(t, token, 'POST', '/Groups', { displayName: 'Ops 50%', members: [] });
  ids.sales = sales.body.id;
  ids.ops = ops.body.id;
  // A team made in Gatehouse: not a Group for the directory.
  await t.db.insertInto('teams').values({ name: 'Admins' }).execute();
});

const userNames = async (filter: string) => {
  const answer = await scim(t, token, 'GET', filtered('Users', filter));
  expect([filter, answer.status]).toEqual([filter, 200]);
  expect(answer.body.totalResults).toBe(answer.body.Resources.length);
  return answer.body.Resources.map((u: { userName: string }) => u.userName.split('@')[0]).sort();
};

describe(`SCIM filters on Users (${databaseKind})`, () => {
  it('compares userName and the other strings without case, externalId and id exactly', async () => {
    const cases: Array<[string, string[]]> = [
      ['userName eq "ALICE@example.com"', ['alice']],
      ['USERNAME Eq "dave@example.com"', ['dave']],
      [`${USER}:userName eq "dave@example.com"`, ['dave']],
      ['userName eq "3f9a2c1e-0000-4000-8000-000000000000"', []],
      ['externalId eq "A-1"', ['alice']],
      ['externalId eq "a-1"', []],
      ['displayName eq "100% carol"', ['carol_x']],
      ['name.givenName eq "bob" or name.familyName eq "SMITH"', ['alice', 'bob']],
      [`id eq "${ids.alice}"`, ['alice']],
      [`id eq "${ids.alice?.toUpperCase()}"`, ['alice']],
      ['id eq "not-a-uuid"', []],
    ];
    for (const [filter, expected] of cases)
      expect([filter, await userNames(filter)]).toEqual([filter, expected]);
  });

  it('matches co, sw and ew with LIKE’s wildcards taken literally', async () => {
    const cases: Array<[string, string[]]> = [
      ['userName co "_x"', ['carol_x']],
      ['displayName co "%"', ['carol_x']],
      ['userName co "EXAMPLE.ORG"', ['bob']],
      ['userName sw "b"', ['bob']],
      ['userName ew ".org"', ['bob']],
      ['userName sw "%"', []],
      ['emails.value co "example.org"', ['bob']],
    ];
    for (const [filter, expected] of cases)
      expect([filter, await userNames(filter)]).toEqual([filter, expected]);
  });

  it('reads pr, ne, not, and, or, active, emails and meta.created', async () => {
    const cases: Array<[string, string[]]> = [
      ['externalId pr', ['alice', 'bob', 'dave']],
      ['not (externalId pr)', ['carol_x', 'owner']],
      ['externalId ne "A-1"', ['bob', 'carol_x', 'dave', 'owner']],
      ['active eq false', ['bob']],
      ['active eq "False"', ['bob']],
      ['active ne true', ['bob']],
      ['userName sw "a" and active eq true', ['alice']],
      ['(userName sw "a" or userName sw "b") and not (active eq false)', ['alice']],
      ['emails[type eq "work" and value eq "dave@example.com"]', ['dave']],
      ['emails[type eq "work"].value eq "DAVE@example.com"', ['dave']],
      ['emails[type eq "home"]', []],
      ['emails[primary eq true] and userName sw "c"', ['carol_x']],
      [
        'meta.created gt "2000-01-01T00:00:00Z" and meta.created lt "2999-01-01T00:00:00Z"',
        ['alice', 'bob', 'carol_x', 'dave', 'owner'],
      ],
      ['meta.lastModified lt "2000-01-01T00:00:00Z"', []],
    ];
    for (const [filter, expected] of cases)
      expect([filter, await userNames(filter)]).toEqual([filter, expected]);
  });

  it('refuses what it cannot read or does not support as invalidFilter', async () => {
    for (const filter of [
      'title eq "x"',
      'groups.value eq "x"',
      'active co "x"',
      'active eq "maybe"',
      'userName eq',
      'userName xx "a"',
      '(userName eq "a"',
      'userName eq 5',
      'meta.created gt "yesterday"',
      'emails[value eq "x"',
      'name[givenName eq "x"]',
      `userName eq "${'x'.repeat(3000)}"`,
      'userName eq "a\u0000"',
      `${'('.repeat(5000)}userName eq "a"${')'.repeat(5000)}`,
    ]) {
      const answer = await scim(t, token, 'GET', filtered('Users', filter));
      expect([filter.slice(0, 40), answer.status, answer.body.scimType]).toEqual([
        filter.slice(0, 40),
        400,
        'invalidFilter',
      ]);
    }
    expect(t.errors).toEqual([]);
  });
});

describe(`SCIM filters on Groups (${databaseKind})`, () => {
  const groupNames = async (filter: string, more = '') => {
    const answer = await scim(t, token, 'GET', filtered('Groups', filter, more));
    expect([filter, answer.status]).toEqual([filter, 200]);
    return answer.body.Resources.map((g: { displayName: string }) => g.displayName).sort();
  };

  it('finds the directory’s teams by displayName, externalId, id and members, never a team of Gatehouse’s', async () => {
    const cases: Array<[string, string[]]> = [
      ['displayName eq "sales"', ['Sales']],
      ['displayName eq "Admins"', []],
      ['displayName co "50%"', ['Ops 50%']],
      ['externalId eq "grp-S"', ['Sales']],
      ['externalId eq "grp-s"', []],
      [`id eq "${ids.ops}"`, ['Ops 50%']],
      [`members[value eq "${ids.dave}"]`, ['Sales']],
      [`members.value eq "${ids.bob}"`, []],
      ['members pr', ['Sales']],
      ['members.value pr', ['Sales']],
      [`not (members.value eq "${ids.alice}")`, ['Ops 50%']],
    ];
    for (const [filter, expected] of cases)
      expect([filter, await groupNames(filter)]).toEqual([filter, expected]);
    expect((await scim(t, token, 'GET', '/Groups')).body.totalResults).toBe(2);
    const bad = await scim(t, token, 'GET', filtered('Groups', 'userName eq "x"'));
    expect([bad.status, bad.body.scimType]).toEqual([400, 'invalidFilter']);
  });
});

describe(`SCIM paging and attributes (${databaseKind})`, () => {
  it('pages in a stable order with totalResults, startIndex and count', async () => {
    const all = (await scim(t, token, 'GET', '/Users')).body;
    expect(all).toMatchObject({ totalResults: 5, itemsPerPage: 5, startIndex: 1 });
    const everyone = all.Resources.map((u: { id: string }) => u.id);
    // Okta's connection test.
    const first = (await scim(t, token, 'GET', '/Users?startIndex=1&count=2')).body;
    expect(first).toMatchObject({ totalResults: 5, itemsPerPage: 2, startIndex: 1 });
    expect(first.Resources.map((u: { id: string }) => u.id)).toEqual(everyone.slice(0, 2));
    const second = (await scim(t, token, 'GET', '/Users?startIndex=3&count=2')).body;
    expect(second.Resources.map((u: { id: string }) => u.id)).toEqual(everyone.slice(2, 4));
    const last = (await scim(t, token, 'GET', '/Users?startIndex=5&count=2')).body;
    expect(last).toMatchObject({ totalResults: 5, itemsPerPage: 1, startIndex: 5 });
    const beyond = (await scim(t, token, 'GET', '/Users?startIndex=50&count=10')).body;
    expect(beyond).toMatchObject({ totalResults: 5, itemsPerPage: 0, startIndex: 50, Resources: [] });
    const none = (await scim(t, token, 'GET', '/Users?count=0')).body;
    expect(none).toMatchObject({ totalResults: 5, itemsPerPage: 0, Resources: [] });
    const counted = (await scim(t, token, 'GET', `${filtered('Users', 'active eq true')}&count=0`)).body;
    expect(counted.totalResults).toBe(4);
    // Below 1 is 1; a negative count is 0; a count that is not a number is refused.
    expect((await scim(t, token, 'GET', '/Users?startIndex=0&count=1')).body).toMatchObject({
      startIndex: 1,
    });
    expect((await scim(t, token, 'GET', '/Users?count=-3')).body.itemsPerPage).toBe(0);
    const bad = await scim(t, token, 'GET', '/Users?count=lots');
    expect([bad.status, bad.body.scimType]).toEqual([400, 'invalidValue']);
  });

  it('returns at most 200 a page', async () => {
    await makeMembers(t.db, 205);
    try {
      const page = (await scim(t, token, 'GET', '/Users?count=500')).body;
      expect(page.totalResults).toBe(210);
      expect(page.itemsPerPage).toBe(200);
      expect(page.Resources).toHaveLength(200);
      const next = (await scim(t, token, 'GET', '/Users?startIndex=201&count=100')).body;
      expect(next.itemsPerPage).toBe(10);
    } finally {
      await t.db.deleteFrom('users').where('email', 'like', 'm%@example.com').execute();
    }
  });

  it('returns the attributes asked for, or all but those excluded; id, schemas and meta always', async () => {
    const only = (await scim(t, token, 'GET', `/Users/${ids.alice}?attributes=userName`)).body;
    expect(Object.keys(only).sort()).toEqual(['id', 'meta', 'schemas', 'userName']);
    const parts = (await scim(t, token, 'GET', `/Users/${ids.alice}?attributes=name.givenName,emails.value`))
      .body;
    expect(parts.name).toEqual({ givenName: 'Alice' });
    expect(parts.emails).toEqual([{ value: 'alice@example.com' }]);
    expect(parts.userName).toBeUndefined();
    const urn = (await scim(t, token, 'GET', `/Users/${ids.alice}?attributes=${USER}:userName`)).body;
    expect(urn.userName).toBe('alice@example.com');
    const without = (
      await scim(
        t,
        token,
        'GET',
        `/Users/${ids.alice}?excludedAttributes=emails,name.formatted,groups,id,meta`,
      )
    ).body;
    expect(without.emails).toBeUndefined();
    expect(without.groups).toBeUndefined();
    expect(without.name).toEqual({ givenName: 'Alice', familyName: 'Smith' });
    expect(without.id).toBe(ids.alice);
    expect(without.meta.resourceType).toBe('User');
    const full = (await scim(t, token, 'GET', `/Users/${ids.alice}`)).body;
    expect(full.groups).toEqual([
      {
        value: ids.sales,
        $ref: `http://localhost:3000/scim/v2/Groups/${ids.sales}`,
        display: 'Sales',
        type: 'direct',
      },
    ]);
    const listed = (await scim(t, token, 'GET', `${filtered('Users', 'userName sw "a"')}&attributes=active`))
      .body;
    expect(listed.Resources).toEqual([
      {
        schemas: [USER],
        id: ids.alice,
        active: true,
        meta: expect.objectContaining({ resourceType: 'User' }),
      },
    ]);
    // Entra ID reads groups without their members.
    const groups = (await scim(t, token, 'GET', '/Groups?excludedAttributes=members')).body;
    expect(groups.Resources.map((g: Record<string, unknown>) => Object.keys(g).sort())).toEqual([
      ['displayName', 'externalId', 'id', 'meta', 'schemas'],
      ['displayName', 'id', 'meta', 'schemas'],
    ]);
    const sales = (await scim(t, token, 'GET', `/Groups/${ids.sales}?attributes=members.value`)).body;
    const values = sales.members.map((m: { value: string }) => m.value).sort();
    expect(values).toEqual([ids.alice, ids.dave].sort());
  });

  it('searches by POST /.search as by GET', async () => {
    const answer = await scim(t, token, 'POST', '/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'userName ew "example.com" and active eq true',
      attributes: ['userName'],
      startIndex: 1,
      count: 2,
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ totalResults: 4, itemsPerPage: 2, startIndex: 1 });
    expect(Object.keys(answer.body.Resources[0]).sort()).toEqual(['id', 'meta', 'schemas', 'userName']);
    const groups = await scim(t, token, 'POST', '/Groups/.search', { filter: 'displayName sw "s"' });
    expect(groups.body.Resources.map((g: { displayName: string }) => g.displayName)).toEqual(['Sales']);
  });
});
