import { beforeAll, describe, expect, it } from 'vitest';
import { builtinRoleId } from '../../src/access/grants';
import { createApiToken } from '../../src/api/tokens';
import { databaseKind } from '../helpers/database';
import { makeUser } from '../helpers/fixtures';
import { setUpApp } from '../helpers/set-up-app';
import { chance, pick, random, SEED } from './fuzz/random';
import { rejectedButAuditedAsSuccess } from './fuzz/report';
import { BAD_IDS, BAD_TEXT, V4 } from './fuzz/values';

/**
 * The fuzz suite for the machine interface: every operation of the OpenAPI document (and the
 * AuthZEN endpoints) gets generated bad input, in its path ids, query parameters and JSON body
 * (wrong types, bad text, missing and extra fields, broken JSON, huge values), with a token of an
 * Account Admin. Nothing may answer 5xx or log an error; no rejected request may leave a `success`
 * audit event (matched by the X-Request-Id the API answers with). FUZZ_SEED replays a run.
 */

const TOTAL = Number(process.env.API_FUZZ_REQUESTS ?? 2_000);

// The per-token rate limit is not what is fuzzed here.
const t = setUpApp({ accessCache: true, env: { API_RATE_PER_MINUTE: '1000000' } });
let token = '';
let realIds: string[] = [];

interface Operation {
  method: string;
  path: string;
  hasBody: boolean;
  fields: string[];
  query: string[];
}
let operations: Operation[] = [];

beforeAll(async () => {
  const admin = await makeUser(t.db, { role: 'account_admin' });
  const other = await makeUser(t.db, { role: 'viewer' });
  token = (await createApiToken(t.system, { ownerId: admin.id, name: 'fuzz' })).token;
  const team = await t.db
    .insertInto('teams')
    .values({ name: 'Fuzz' })
    .returning('id')
    .executeTakeFirstOrThrow();
  realIds = [admin.id, other.id, team.id, await builtinRoleId(t.db, 'viewer')];
  const doc = await (await t.app.request('/api/v1/openapi.json')).json();
  type Op = {
    parameters?: Array<{ name: string; in: string }>;
    requestBody?: {
      content: Record<string, { schema: { $ref?: string; properties?: Record<string, unknown> } }>;
    };
  };
  const schemas = doc.components?.schemas ?? {};
  operations = Object.entries(doc.paths as Record<string, Record<string, Op>>).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => {
      const schema = op.requestBody?.content['application/json']?.schema;
      const resolved = schema?.$ref ? schemas[schema.$ref.split('/').at(-1) as string] : schema;
      return {
        method: method.toUpperCase(),
        path: `/api/v1${path}`,
        hasBody: Boolean(op.requestBody),
        fields: Object.keys(resolved?.properties ?? {}),
        query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
      };
    }),
  );
  operations.push(
    {
      method: 'POST',
      path: '/access/v1/evaluation',
      hasBody: true,
      fields: ['subject', 'action', 'resource'],
      query: [],
    },
    {
      method: 'POST',
      path: '/access/v1/evaluations',
      hasBody: true,
      fields: ['subject', 'evaluations', 'options'],
      query: [],
    },
  );
});

const badValue = (): unknown =>
  pick([
    () => pick(BAD_TEXT),
    () => pick(BAD_IDS),
    () => pick(realIds),
    () => V4,
    () => Math.floor(random() * 1e12) * (chance(0.5) ? -1 : 1),
    () => 1.5,
    () => true,
    () => null,
    () => [],
    () => [pick(BAD_TEXT), pick(realIds)],
    () => ({}),
    () => ({
      type: pick(['user', 'project', 'x']),
      id: pick([...BAD_TEXT, ...realIds]),
      name: pick(BAD_TEXT),
    }),
    () => Array.from({ length: 600 }, () => ({})),
    () => ({ evaluations_semantic: pick(['execute_all', 'nope', 1]) }),
  ])();

function request(op: Operation) {
  const path = op.path.replace(/\{[^}]+\}/g, () =>
    encodeURIComponent(chance(0.5) ? pick(realIds) : String(pick(BAD_IDS))).replaceAll('%25', '%'),
  );
  const query = new URLSearchParams();
  for (const name of [...op.query, 'q', 'per', 'after', 'before', 'sort', 'status'])
    if (chance(0.3)) query.set(name, String(badValue()));
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (chance(0.1)) headers['idempotency-key'] = chance(0.5) ? 'k' : 'x'.repeat(300);
  if (chance(0.1)) headers['if-match'] = pick(['*', '"x"', '']);
  let body: string | undefined;
  if (op.hasBody || (op.method !== 'GET' && op.method !== 'DELETE' && chance(0.2))) {
    headers['content-type'] = chance(0.9) ? 'application/json' : 'text/plain';
    if (chance(0.1)) body = pick(['{', 'null', '[]', '"x"', '{"a":', '\u0000']);
    else {
      const value: Record<string, unknown> = {};
      for (const field of op.fields) if (chance(0.7)) value[field] = badValue();
      if (chance(0.2)) value[pick(['extra', '__proto__', 'constructor'])] = badValue();
      body = JSON.stringify(value);
    }
  }
  return { url: `${path}${query.size > 0 ? `?${query}` : ''}`, init: { method: op.method, headers, body } };
}

describe('fuzzing the API', () => {
  it(`answers bad input with 4xx, never 5xx, and audits no rejected request as a success (${databaseKind})`, async () => {
    console.log(`api fuzz seed ${SEED} (FUZZ_SEED=${SEED} reproduces it), ${TOTAL} requests`);
    expect(operations.length).toBeGreaterThan(20);
    const failures: string[] = [];
    const rejected = new Map<string, string>();
    const statuses = new Map<number, number>();
    for (let i = 0; i < TOTAL; i++) {
      const op = pick(operations);
      const { url, init } = request(op);
      const errorsBefore = t.errors.length;
      const answer = await t.app.request(url, init);
      await answer.arrayBuffer();
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      if (answer.status >= 500 || t.errors.length > errorsBefore)
        failures.push(
          `${init.method} ${url.slice(0, 200)} ${init.body?.slice(0, 200) ?? ''} → ${answer.status} ${String((t.errors.at(-1)?.error as Error | undefined)?.message ?? '').slice(0, 200)}`,
        );
      const id = answer.headers.get('x-request-id');
      if (answer.status >= 400 && id) rejected.set(id, `${init.method} ${url}`);
    }
    console.log(`api fuzz: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    expect(failures.slice(0, 20)).toEqual([]);
    expect(await rejectedButAuditedAsSuccess(t, rejected)).toEqual([]);
  }, 300_000);
});
