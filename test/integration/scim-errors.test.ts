import { beforeAll, describe, expect, it } from 'vitest';
import { directoryToken, SCIM_TYPE, scim } from '../fixtures/scim/directory';
import { databaseKind } from '../helpers/database';
import { makeUser, snapshot } from '../helpers/fixtures';
import { setUpApp } from '../helpers/set-up-app';

const t = setUpApp();

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
let token: string;
let userId: string;
let groupId: string;

beforeAll(async () => {
  await makeUser(t.db, { role: 'account_admin', email: 'owner@example.com' });
  ({ token } = await directoryToken(t));
  userId = (await scim(t, token, 'POST', '/Users', { userName: 'ada@example.com', externalId: 'ada' })).body
    .id;
  groupId = (await scim(t, token, 'POST', '/Groups', { displayName: 'Sales', members: [{ value: userId }] }))
    .body.id;
});

type Case = [
  name: string,
  method: string,
  path: () => string,
  body: unknown,
  status: number,
  scimType: string | null,
];

const user = (more: Record<string, unknown>) => ({ userName: 'new@example.com', ...more });
const ops = (...operations: unknown[]) => ({
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: operations,
});
const users = () => '/Users';
const theUser = () => `/Users/${userId}`;
const theGroup = () => `/Groups/${groupId}`;

const CASES: Case[] = [
  ['malformed JSON', 'POST', users, '{"userName": ', 400, 'invalidSyntax'],
  ['a JSON array', 'POST', users, '[{"userName": "a@example.com"}]', 400, 'invalidSyntax'],
  ['no userName', 'POST', users, { name: { givenName: 'X' } }, 400, 'invalidValue'],
  ['userName not a string', 'POST', users, { userName: 5 }, 400, 'invalidValue'],
  ['userName not an email', 'POST', users, { userName: 'Test_User_ab6490ee' }, 400, 'invalidValue'],
  ['active not a boolean', 'POST', users, user({ active: 'maybe' }), 400, 'invalidValue'],
  ['name not an object', 'POST', users, user({ name: 'Ada' }), 400, 'invalidValue'],
  ['externalId not a string', 'POST', users, user({ externalId: 42 }), 400, 'invalidValue'],
  ['displayName not a string', 'POST', users, user({ displayName: ['Ada'] }), 400, 'invalidValue'],
  ['givenName too long', 'POST', users, user({ name: { givenName: 'x'.repeat(101) } }), 400, 'invalidValue'],
  ['externalId too long', 'POST', users, user({ externalId: 'x'.repeat(256) }), 400, 'invalidValue'],
  ['a NUL', 'POST', users, user({ displayName: 'Ada\u0000' }), 400, 'invalidValue'],
  [
    'a control character in a key',
    'POST',
    users,
    { userName: 'n@example.com', 'x\u0001': 1 },
    400,
    'invalidValue',
  ],
  ['a line feed in a one-line attribute', 'POST', users, user({ displayName: 'A\nB' }), 400, 'invalidValue'],
  ['unknown user', 'GET', () => `/Users/${crypto.randomUUID()}`, undefined, 404, null],
  ['not an id', 'GET', () => '/Users/nobody', undefined, 404, null],
  [
    'unknown group',
    'PATCH',
    () => `/Groups/${crypto.randomUUID()}`,
    ops({ op: 'remove', path: 'members' }),
    404,
    null,
  ],
  ['PATCH without Operations', 'PATCH', theUser, { schemas: [] }, 400, 'invalidSyntax'],
  ['PATCH with no operation', 'PATCH', theUser, ops(), 400, 'invalidSyntax'],
  ['PATCH op move', 'PATCH', theUser, ops({ op: 'move', path: 'active' }), 400, 'invalidSyntax'],
  ['PATCH operation not an object', 'PATCH', theUser, ops('replace'), 400, 'invalidSyntax'],
  ['PATCH remove without path', 'PATCH', theUser, ops({ op: 'remove' }), 400, 'noTarget'],
  ['PATCH the id', 'PATCH', theUser, ops({ op: 'replace', path: 'id', value: 'x' }), 400, 'mutability'],
  ['PATCH groups', 'PATCH', theUser, ops({ op: 'add', path: 'groups', value: [] }), 400, 'mutability'],
  [
    'PATCH path unclosed',
    'PATCH',
    theUser,
    ops({ op: 'replace', path: 'emails[type eq "work"', value: 'x' }),
    400,
    'invalidPath',
  ],
  [
    'PATCH path bad filter',
    'PATCH',
    theUser,
    ops({ op: 'replace', path: 'emails[type xx "w"].value', value: 'x' }),
    400,
    'invalidPath',
  ],
  [
    'PATCH path into a string',
    'PATCH',
    theUser,
    ops({ op: 'replace', path: 'userName.first', value: 'x' }),
    400,
    'invalidPath',
  ],
  [
    'PATCH filter on single value',
    'PATCH',
    theUser,
    ops({ op: 'replace', path: 'active[value eq 1]', value: true }),
    400,
    'invalidPath',
  ],
  [
    'PATCH path not a string',
    'PATCH',
    theUser,
    ops({ op: 'replace', path: 5, value: true }),
    400,
    'invalidPath',
  ],
  [
    'PATCH replace without value',
    'PATCH',
    theUser,
    ops({ op: 'replace', path: 'displayName' }),
    400,
    'invalidValue',
  ],
  [
    'PATCH value without path not an object',
    'PATCH',
    theUser,
    ops({ op: 'replace', value: false }),
    400,
    'invalidValue',
  ],
  [
    'PATCH userName to a number',
    'PATCH',
    theUser,
    ops({ op: 'replace', path: 'userName', value: 5 }),
    400,
    'invalidValue',
  ],
  ['PATCH removing userName', 'PATCH', theUser, ops({ op: 'remove', path: 'userName' }), 400, 'invalidValue'],
  [
    'PATCH name to a string',
    'PATCH',
    theUser,
    ops({ op: 'replace', path: 'name', value: 'Ada' }),
    400,
    'invalidValue',
  ],
  [
    'PATCH active to a word',
    'PATCH',
    theUser,
    ops({ op: 'replace', path: 'active', value: 'soon' }),
    400,
    'invalidValue',
  ],
  [
    'PATCH replace of a member not there',
    'PATCH',
    theGroup,
    ops({ op: 'replace', path: `members[value eq "${crypto.randomUUID()}"]`, value: { display: 'x' } }),
    400,
    'noTarget',
  ],
  [
    'PATCH member without value',
    'PATCH',
    theGroup,
    ops({ op: 'add', path: 'members', value: [{ display: 'x' }] }),
    400,
    'invalidValue',
  ],
  [
    'PATCH unknown member',
    'PATCH',
    theGroup,
    ops({ op: 'add', path: 'members', value: [{ value: crypto.randomUUID() }] }),
    400,
    'invalidValue',
  ],
  [
    'PATCH group displayName empty',
    'PATCH',
    theGroup,
    ops({ op: 'replace', path: 'displayName', value: ' ' }),
    400,
    'invalidValue',
  ],
  ['group without displayName', 'POST', () => '/Groups', { members: [] }, 400, 'invalidValue'],
  ['group name too long', 'POST', () => '/Groups', { displayName: 'x'.repeat(101) }, 400, 'invalidValue'],
  [
    'group members not a list',
    'POST',
    () => '/Groups',
    { displayName: 'G', members: 'all' },
    400,
    'invalidValue',
  ],
  [
    'PUT a user taking another’s userName',
    'PUT',
    theUser,
    { userName: 'owner@example.com' },
    409,
    'uniqueness',
  ],
  ['PUT on the collection', 'PUT', users, user({}), 405, null],
  ['unknown endpoint', 'GET', () => '/Bulk', undefined, 404, null],
  [
    'attributes with a control character',
    'GET',
    () => '/Users?attributes=user%01Name',
    undefined,
    400,
    'invalidValue',
  ],
];

describe(`SCIM errors (${databaseKind})`, () => {
  it('answers every bad request with a SCIM error of the right status and scimType, and changes nothing', async () => {
    const before = await snapshot(t.db);
    for (const [name, method, path, body, status, scimType] of CASES) {
      const answer = await scim(t, token, method, path(), body);
      expect([name, answer.status, answer.body?.scimType ?? null]).toEqual([name, status, scimType]);
      expect([name, answer.type]).toEqual([name, SCIM_TYPE]);
      expect(answer.body).toMatchObject({ schemas: [ERROR], status: String(status) });
      expect(typeof answer.body.detail).toBe('string');
    }
    expect(await snapshot(t.db)).toBe(before);
    expect(t.errors).toEqual([]);
  });

  it('refuses a body that is not JSON, or too large, unread', async () => {
    const before = await snapshot(t.db);
    const plain = await scim(t, token, 'POST', '/Users', 'userName=a@example.com', {
      'content-type': 'text/plain',
    });
    expect([plain.status, plain.body.schemas]).toEqual([415, [ERROR]]);
    const huge = await scim(t, token, 'POST', '/Users', {
      userName: 'big@example.com',
      displayName: 'x'.repeat(1_100_000),
    });
    expect([huge.status, huge.type, huge.body.status]).toEqual([413, SCIM_TYPE, '413']);
    // A chunked body has no declared length: counted as it comes.
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 12; i++) controller.enqueue(new TextEncoder().encode(' '.repeat(100_000)));
        controller.close();
      },
    });
    const chunked = await t.app.request('/scim/v2/Users', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((await chunked.json()).schemas).toEqual([ERROR]);
    // application/json is as good as application/scim+json.
    const json = await scim(
      t,
      token,
      'POST',
      '/Users',
      { userName: 'json@example.com' },
      {
        'content-type': 'application/json; charset=utf-8',
      },
    );
    expect(json.status).toBe(201);
    await t.db.deleteFrom('users').where('email', '=', 'json@example.com').execute();
    expect(await snapshot(t.db)).toBe(before);
  });
});

/** A small deterministic generator (mulberry32): the same requests on every run. */
function random(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  return { next, pick };
}

describe(`SCIM under random input (${databaseKind})`, () => {
  it('answers 4xx, never 5xx, in SCIM’s error shape', async () => {
    const { next, pick } = random(7644);
    const strings = [
      '',
      ' ',
      'a@example.com',
      'Fuzz@Example.com',
      'x'.repeat(300),
      '%_\\',
      '"quoted"',
      'ünïcödé@exämple.com',
      'a\u0000b',
      'line\nfeed',
      'True',
      'False',
      crypto.randomUUID(),
      'urn:ietf:params:scim:schemas:core:2.0:User:userName',
    ];
    const scalar = (): unknown =>
      pick([
        () => pick(strings),
        () => Math.floor(next() * 1e6) - 5,
        () => next() < 0.5,
        () => null,
        () => 1e308,
      ])();
    const value = (depth = 0): unknown => {
      const kind = next();
      if (depth > 2 || kind < 0.5) return scalar();
      if (kind < 0.75) return Array.from({ length: Math.floor(next() * 3) }, () => value(depth + 1));
      return Object.fromEntries(
        Array.from({ length: Math.floor(next() * 4) }, () => [pick(attributes), value(depth + 1)]),
      );
    };
    const attributes = [
      'userName',
      'USERNAME',
      'name',
      'name.givenName',
      'displayName',
      'emails',
      'externalId',
      'active',
      'members',
      'value',
      'id',
      'meta',
      'groups',
      'preferredLanguage',
      'locale',
      'schemas',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
    ];
    const paths = [
      'active',
      'userName',
      'name.givenName',
      'name',
      'members',
      'members[value eq "x"]',
      `members[value eq "${userId}"]`,
      'emails[type eq "work"].value',
      'emails[',
      'id',
      'displayName',
      'externalId',
      'x.y.z',
      'members[value eq "a"].display',
      '',
      'urn:ietf:params:scim:schemas:core:2.0:Group:displayName',
    ];
    const filters = [
      'userName eq "a@example.com"',
      'userName eq',
      'active eq "x"',
      'emails[type eq "work"].value co "%"',
      'members[value eq "x"]',
      'displayName sw "S" or externalId pr',
      'not (',
      'meta.created ge "2020-01-01"',
      'x'.repeat(10),
    ];
    const operation = () => {
      const op: Record<string, unknown> = { op: pick(['add', 'Replace', 'remove', 'REMOVE', 'copy', 5]) };
      if (next() < 0.8) op.path = pick(paths);
      if (next() < 0.8) op.value = value();
      return op;
    };
    const requests = (): [string, string, unknown] => {
      const resource = pick(['Users', 'Groups']);
      const id = resource === 'Users' ? pick([userId, crypto.randomUUID(), 'x']) : pick([groupId, 'x']);
      switch (pick(['POST', 'PUT', 'PATCH', 'GET', 'LIST', 'SEARCH'])) {
        case 'POST':
          return ['POST', `/${resource}`, value()];
        case 'PUT':
          return ['PUT', `/${resource}/${id}`, value()];
        case 'PATCH':
          return [
            'PATCH',
            `/${resource}/${id}`,
            next() < 0.9
              ? { Operations: Array.from({ length: 1 + Math.floor(next() * 3) }, operation) }
              : value(),
          ];
        case 'GET':
          return ['GET', `/${resource}/${id}?attributes=${encodeURIComponent(pick(attributes))}`, undefined];
        case 'SEARCH':
          return [
            'POST',
            `/${resource}/.search`,
            { filter: pick(filters), count: scalar(), startIndex: scalar() },
          ];
        default:
          return [
            'GET',
            `/${resource}?filter=${encodeURIComponent(pick(filters))}&count=${encodeURIComponent(String(scalar()))}`,
            undefined,
          ];
      }
    };
    const statuses = new Map<number, number>();
    for (let i = 0; i < 400; i++) {
      const [method, path, body] = requests();
      const answer = await scim(t, token, method, path, body);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      expect([method, path, JSON.stringify(body)?.slice(0, 200), answer.status < 500]).toEqual([
        method,
        path,
        JSON.stringify(body)?.slice(0, 200),
        true,
      ]);
      if (answer.status >= 400) expect(answer.body.schemas).toEqual([ERROR]);
    }
    // The run reached both refusals and changes.
    expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
    expect(statuses.get(400)).toBeGreaterThan(50);
    expect(t.errors).toEqual([]);
  });
});
