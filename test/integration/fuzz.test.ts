import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/auth/sessions/sessions';
import { type Requirement, requirementOf } from '../../src/web/guard';
import { PATH_PARAMS } from '../../src/web/path-params';
import { PUBLIC_URL, type TestApp, testApp } from '../helpers/app';
import { databaseKind } from '../helpers/database';
import { bind, clientFor, enrolTotp, makeUser } from '../helpers/fixtures';
import { Client, type SentRequest } from '../helpers/http';

/**
 * The fuzz suite (issue 15, point 8): every route of the app gets generated bad input in its form
 * fields, query parameters and path ids, as an Account Admin and as a Viewer (and anonymously on
 * the public routes, and as a session waiting for its code on the code step), from a seeded
 * PRNG. Nothing may answer 5xx or log an error (app.ts logs a value PostgreSQL refused even though
 * it answers 400), and no rejected (4xx) request may leave a `success` audit event: audit events
 * are matched to answers by request id.
 *
 * Field names come from the pages themselves: every GET page is crawled first (as the admin with
 * each real id, anonymously, and half signed in) and each <form>'s action is mapped to its route,
 * with the values its inputs and options offer; query parameters come from the links and GET
 * forms. Routes whose form was not found get a fallback set of field names. Requests that end
 * the fuzzing sessions (sign-out, deactivation, password resets, settings that require 2FA...)
 * are sent like any other: the sessions are put back when an answer shows them gone.
 *
 * A run prints its seed; FUZZ_SEED=<seed> replays the same choices (ids and tokens differ from
 * run to run, so a failure names the request it sent). FUZZ_REQUESTS changes the total.
 */

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : randomInt(2 ** 31);
const TOTAL = Number(process.env.FUZZ_REQUESTS ?? 10_000);
/**
 * Routes that hash or verify a password with Argon2 (tens of milliseconds each), or stream a
 * whole list (the exports, which grow with the audit log the fuzzing writes), get a few requests
 * per actor, so that 10,000 requests stay under a minute on PGlite.
 */
const COSTLY = new Set([
  'GET /users/export.csv',
  'GET /users/export.json',
  'GET /invitations/export.csv',
  'GET /invitations/export.json',
  'GET /audit/export.csv',
  'GET /audit/export.json',
  'POST /login',
  'POST /forgot-password',
  'POST /set-password/:token',
  'POST /reset-password/:token',
  'POST /account/password',
  'POST /account/confirm',
  'POST /account/two-factor/remove',
  'POST /invite/:token/sign-up',
  'POST /invite/:token/finish',
]);
const COSTLY_QUOTA = 6;

/** mulberry32: small, fast, and the same sequence for the same seed. */
function prng(seed: number) {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(SEED);
const chance = (p: number) => random() < p;
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
const pickSome = <T>(list: readonly T[], max: number): T[] => {
  const n = 1 + Math.floor(random() * Math.min(max, list.length));
  return Array.from({ length: n }, () => pick(list));
};

const shuffle = <T>(list: readonly T[]): T[] => {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
};

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const NIL = '00000000-0000-0000-0000-000000000000';
const V4 = '6f1c2b1e-8d4a-4c3b-9f2e-1a2b3c4d5e6f';

/** Text no field should take as it is. */
const BAD_TEXT = [
  '',
  ' ',
  '   \t ',
  'a\u0000b',
  '\u0000',
  '\u0001\u0002\u0003',
  'tab\there',
  'line\nbreak',
  'cr\rreturn',
  '\r\n\r\n',
  '\u001b[2J',
  'del\u007f',
  'c1\u0085',
  'sep\u2028',
  '\ufeffbom',
  '\u202egnp.exe',
  '\ufffd',
  '🙂'.repeat(60),
  'x'.repeat(201),
  'x'.repeat(255),
  'x'.repeat(1001),
  'x'.repeat(5000),
  'y'.repeat(30_000),
  '<script>alert(1)</script>',
  '"><svg onload=alert(1)>',
  "'; drop table users; --",
  '=HYPERLINK("http://evil.example")',
  '+1',
  '-2+3',
  '@SUM(A1)',
  '%',
  '_',
  '\\',
  '%_\\%',
  '-1',
  '0',
  '1e308',
  '-1e308',
  '99999999999999999999',
  '2147483648',
  '9007199254740993',
  'NaN',
  'Infinity',
  '-0',
  '0x10',
  '1.5',
  '2026-02-31',
  '9999-99-99',
  '0000-00-00',
  '2026-13-01',
  '1969-12-31',
  '1000-01-01',
  '99999-01-01',
  '2024-02-29',
  '2026-02-29',
  '9999-12-31',
  'yesterday',
  NIL,
  V4,
  V4.toUpperCase(),
  `{${V4}}`,
  `${V4}x`,
  '00000000-0000-4000-8000-00000000000g',
  'zz',
  'a@b',
  '@',
  'ñandú@example.com',
  `${'a'.repeat(65)}@example.com`,
  'user@example.com\u0000',
  'true',
  'false',
  'on',
  'null',
  'undefined',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  '../../etc/passwd',
  '//evil.example',
  '/\\evil.example',
  'https://evil.example/',
  'javascript:alert(1)',
];

/** Written into a body or query string as they are: bad percent-escapes and bytes. */
const RAW_ESCAPES = [
  '%ff',
  '%c3%28',
  '%e0%a4%a',
  '%',
  '%zz',
  '%ed%a0%80',
  '%f4%90%80%80',
  '%c0%af',
  '%00',
  'a%00b',
  '%fe%ff',
  '%e2%82',
];

/**
 * Cursors a list never wrote: impossible dates, wrong shapes, base64 of garbage; and the edges of
 * ones it does write (-infinity, microseconds). Real cursors come from the pages' own links.
 */
const BAD_CURSORS = [
  b64(['-infinity', V4]),
  b64(['1999-01-01 00:00:00.123457+00', V4]),
  b64(['0', '2026-01-01T00:00:00.123456Z', V4]),
  b64(['2026-02-31 00:00:00+00', V4]),
  b64(['9999-99-99 99:99:99+99', V4]),
  b64(['0000-01-01 00:00:00+00', V4]),
  b64(['2026-01-01 24:00:00+00', V4]),
  b64(['zz', 'zz']),
  b64(['a\u0000', V4]),
  b64(['x'.repeat(999), V4]),
  b64(['0', '2026-02-31T00:00:00.000Z', V4]),
  b64(['0', '9999-99-99T00:00:00.000Z', V4]),
  b64(['3', '0000-01-01T00:00:00.000Z', NIL]),
  b64(['9', '2026-01-01T00:00:00.000Z', V4]),
  b64(['2026-02-31T00:00:00.000000Z', '1']),
  b64(['0000-01-01T00:00:00.000000Z', '1']),
  b64(['2026-01-01T00:00:00.000000Z', '99999999999999999999']),
  b64(['2026-01-01T00:00:00.000000Z', '-1']),
  b64([1, 2]),
  b64({ a: 1 }),
  b64(null),
  b64([]),
  Buffer.from('garbage \u0000 bytes').toString('base64'),
  Buffer.from([0xff, 0xfe, 0x00, 0x81]).toString('base64url'),
  '!!!',
  'x'.repeat(5000),
];

/** Malformed path ids; real ones come from the database. */
const BAD_IDS = [
  'zz',
  '0',
  '-1',
  '1.5',
  '1e3',
  '99999999999999999999',
  '9007199254740993',
  NIL,
  V4,
  `${V4}x`,
  `%7B${V4}%7D`,
  '%00',
  'a%00b',
  '%ff',
  '%e0%a4%a',
  '%2e%2e',
  '%20',
  'x'.repeat(300),
  '%3Cscript%3E',
];

const QUERY_NAMES = ['after', 'before', 'page', 'pos', 'per', 'sort', 'next', 'q', 'tab', 'signed_out'];
const FALLBACK_FIELDS = [
  'name',
  'email',
  'emails',
  'description',
  'password',
  'confirm',
  'current',
  'code',
  'reason',
  'message',
  'roleId',
  'projectId',
  'until',
  'access',
  'admin',
  'language',
  'time_zone',
  'ids',
  'action',
  'permissions',
  'teamIds',
  'returnTo',
  'removeBindings',
];

type ActorName = 'admin' | 'viewer' | 'anonymous' | 'pending';
interface Actor {
  name: ActorName;
  id: string | null;
  email: string;
  role: string | null;
  client: Client;
}
interface Route {
  method: string;
  path: string;
  key: string;
  requirement: Requirement | undefined;
  pattern: RegExp;
  params: string[];
}
let t: TestApp;
const actors = new Map<ActorName, Actor>();
const routes: Route[] = [];
/** Field names of each route's forms, from the crawl. */
const formFieldsOf = new Map<string, Set<string>>();
/** Fields sent more than once in one form (checkbox groups). */
const listFields = new Set<string>();
/** Values the pages offered for each field and query parameter: the realistic ones. */
const seenValues = new Map<string, Set<string>>();
const seenQueryNames = new Set<string>(QUERY_NAMES);
/** The query strings of the links to each GET route (sorts, filters, real cursors of Next and Last). */
const linksOf = new Map<string, Set<string>>();
const pools = {
  user: [] as string[],
  team: [] as string[],
  role: [] as string[],
  project: [] as string[],
  invitation: [] as string[],
  binding: [] as string[],
  session: [] as string[],
  event: [] as string[],
  token: [] as string[],
};
let baseline: Record<string, unknown>;

const remember = (name: string, value: string) => {
  if (value.length > 2000) return;
  const values = seenValues.get(name) ?? new Set<string>();
  seenValues.set(name, values);
  if (values.size < 40) values.add(value);
};

const decode = (s: string) =>
  s
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

const attributes = (tag: string) => {
  const out = new Map<string, string>();
  for (const m of tag.matchAll(/([a-zA-Z_:-][\w:.-]*)(?:="([^"]*)")?/g))
    out.set(m[1] as string, decode(m[2] ?? ''));
  return out;
};

function routeOf(method: string, path: string): Route | undefined {
  return routes.find((r) => r.method === method && r.pattern.test(path));
}

/** The forms and links of a page: each form's fields under its route, each link's query. */
function harvest(html: string, pagePath: string) {
  for (const form of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const attrs = attributes(form[1] as string);
    const method = (attrs.get('method') ?? 'get').toUpperCase();
    const target = attrs.get('hx-post') || attrs.get('action') || pagePath;
    const url = new URL(target, PUBLIC_URL);
    const route = routeOf(attrs.has('hx-post') ? 'POST' : method, url.pathname);
    const counts = new Map<string, number>();
    const inner = form[2] as string;
    for (const select of inner.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/gi)) {
      const name = attributes(select[1] as string).get('name');
      if (!name) continue;
      counts.set(name, (counts.get(name) ?? 0) + 1);
      for (const option of (select[2] as string).matchAll(/<option\b([^>]*)>/gi))
        remember(name, attributes(option[1] as string).get('value') ?? '');
    }
    for (const field of inner.matchAll(/<(input|textarea|button)\b([^>]*)>/gi)) {
      const a = attributes(field[2] as string);
      const name = a.get('name');
      if (!name) continue;
      counts.set(name, (counts.get(name) ?? 0) + 1);
      if (a.has('value')) remember(name, a.get('value') as string);
    }
    for (const [name, n] of counts) if (n > 1 && name !== 'csrf') listFields.add(name);
    if (method === 'GET' && !attrs.has('hx-post')) for (const name of counts.keys()) seenQueryNames.add(name);
    if (route) {
      const names = formFieldsOf.get(route.key) ?? new Set<string>();
      formFieldsOf.set(route.key, names);
      for (const name of counts.keys()) names.add(name);
    }
  }
  for (const link of html.matchAll(/(?:href|hx-get)="([^"]*)"/g)) {
    const url = new URL(decode(link[1] as string), PUBLIC_URL);
    for (const [name, value] of url.searchParams) {
      seenQueryNames.add(name);
      remember(name, value);
    }
    const route = url.search ? routeOf('GET', url.pathname) : undefined;
    if (route) {
      const searches = linksOf.get(route.key) ?? new Set<string>();
      linksOf.set(route.key, searches);
      if (searches.size < 80) searches.add(url.search);
    }
  }
}

/** Fresh ids of everything the routes name, from the database. */
async function refreshPools() {
  await replenish();
  // In an order that does not depend on the random uuids, so that a seed picks the same rows.
  const ids = async (table: string, order: string) =>
    (
      await sql<{
        id: string;
      }>`select id::text as id from ${sql.table(table)} order by ${sql.raw(order)} limit 40`.execute(t.db)
    ).rows.map((r) => r.id);
  pools.user = await ids('users', 'email');
  pools.team = await ids('teams', 'name');
  pools.role = await ids('roles', 'name');
  pools.project = await ids('projects', 'name');
  pools.invitation = await ids('invitations', 'email, created_at');
  pools.binding = await ids('role_bindings', 'created_at, role_id, project_id, id');
  pools.session = await ids('sessions', 'created_at, id');
  pools.event = await ids('audit_events', 'id desc');
  const tokens = new Set<string>();
  for (const message of t.mailer.messages.slice(-60)) {
    const text = `${message.text ?? ''} ${message.html ?? ''}`;
    for (const m of text.matchAll(/\/(?:invite|set-password|reset-password|unlock)\/([A-Za-z0-9_-]{20,})/g))
      tokens.add(m[1] as string);
  }
  pools.token = [...tokens];
}

let made = 0;
/** Enough people, teams, roles, projects and open invitations for the routes to act on. */
async function replenish() {
  const count = async (table: string, where = sql`true`) =>
    Number(
      (
        await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where ${where}`.execute(
          t.db,
        )
      ).rows[0]?.n,
    );
  const roles = ['viewer', 'editor', 'co_admin', null] as const;
  // More than a page of 10, some who signed in and some who never did: the lists' cursors.
  for (let n = await count('users'); n < 14; n++) {
    const user = await makeUser(t.db, { role: roles[made % 4], email: `fuzz-target-${++made}@example.com` });
    if (made % 2 === 0)
      await t.db
        .updateTable('users')
        .set({ last_login_at: new Date(t.clock.now().getTime() - made * 60_000) })
        .where('id', '=', user.id)
        .execute();
  }
  for (let n = await count('teams'); n < 2; n++)
    await t.db
      .insertInto('teams')
      .values({ name: `Fuzz team ${++made}` })
      .execute();
  for (let n = await count('projects'); n < 3; n++)
    await t.db
      .insertInto('projects')
      .values({ name: `Fuzz project ${++made}` })
      .execute();
  for (let n = await count('roles', sql`key is null`); n < 2; n++)
    await t.db
      .insertInto('roles')
      .values({ name: `Fuzz role ${++made}`, permissions: ['reports.view'] })
      .execute();
  const open = sql`accepted_at is null and revoked_at is null and declined_at is null and expires_at > now()`;
  if ((await count('invitations', open)) < 2) {
    const project = await t.db.selectFrom('projects').select('id').orderBy('name').executeTakeFirstOrThrow();
    const role = await t.db
      .selectFrom('roles')
      .select('id')
      .where('key', '=', 'viewer')
      .executeTakeFirstOrThrow();
    await (actors.get('admin') as Actor).client.post('/invitations', {
      emails: `fuzz-invitee-${++made}@example.com, fuzz-invitee-${++made}@example.com`,
      projectId: project.id,
      roleId: role.id,
      language: 'en',
      message: 'Welcome',
    });
  }
}

/** The pool a path parameter's real values come from, by the route's area. */
function poolFor(route: Route, param: string): string[] {
  if (param === 'token') return pools.token;
  if (param === 'eventId') return pools.event;
  if (param === 'sessionId') return pools.session;
  if (param === 'userId') return pools.user;
  if (param === 'teamId') return pools.team;
  const area = route.path.split('/')[1];
  if (route.path.startsWith('/access/bindings')) return pools.binding;
  return (
    (
      {
        users: pools.user,
        teams: pools.team,
        roles: pools.role,
        projects: pools.project,
        invitations: pools.invitation,
      } as Record<string, string[]>
    )[area ?? ''] ?? pools.user
  );
}

function pathOf(route: Route, bad: boolean): string {
  let path = route.path;
  for (const param of route.params) {
    const pool = poolFor(route, param);
    const value = bad || pool.length === 0 ? pick(BAD_IDS) : pick(pool);
    path = path.replace(`:${param}`, value);
  }
  if (path.includes('*'))
    path = path.replace('*', pick(['app.css', 'nope.css', '..%2f..%2fpackage.json', '%00', 'x'.repeat(300)]));
  return path;
}

/** A value the page itself would send, or one shaped like it. */
function goodValue(name: string): string {
  const seen = seenValues.get(name);
  if (seen && seen.size > 0 && chance(0.85)) return pick([...seen]);
  if (/email/i.test(name)) return `fuzz-${Math.floor(random() * 1e6)}@example.com`;
  if (/password|confirm|current/i.test(name)) return 'fuzzing password 2026 x';
  if (/code/i.test(name)) return String(Math.floor(random() * 1e6)).padStart(6, '0');
  if (/until|day|from|to$/i.test(name)) return '2031-05-17';
  if (/Id$|^id$|ids/i.test(name)) return pick([...pools.role, ...pools.user, ...pools.project]) ?? V4;
  return `Fuzz ${name} ${Math.floor(random() * 1e6)}`;
}

function badValue(): string {
  return chance(0.12) ? pick(BAD_CURSORS) : pick(BAD_TEXT);
}

const enc = encodeURIComponent;

/** A form body: realistic values with some bad ones, odd shapes and raw bytes. */
function bodyFor(route: Route): string {
  const known = [...(formFieldsOf.get(route.key) ?? [])];
  const names = known.length > 0 && chance(0.9) ? known : pickSome(FALLBACK_FIELDS, 6);
  const mode = pick(['one', 'one', 'one', 'all', 'shape', 'raw', 'valid'] as const);
  const badOne = pick(names);
  const parts: string[] = [];
  for (const name of names) {
    const bad = mode === 'all' || (mode !== 'valid' && name === badOne);
    if (mode === 'raw' && name === badOne) {
      parts.push(`${enc(name)}=${pick(['', 'x'])}${pick(RAW_ESCAPES)}${pick(['', 'y'])}`);
      continue;
    }
    if (mode === 'shape' && name === badOne) {
      const shape = pick(['twice', 'array', 'missing', 'empty', 'key'] as const);
      if (shape === 'twice')
        parts.push(`${enc(name)}=${enc(goodValue(name))}`, `${enc(name)}=${enc(badValue())}`);
      else if (shape === 'array') parts.push(`${enc(`${name}[]`)}=${enc(goodValue(name))}`);
      else if (shape === 'empty') parts.push(`${enc(name)}=`, enc(name));
      else if (shape === 'key') parts.push(`${pick(RAW_ESCAPES)}=1`, `${enc(name)}%00=1`, '__proto__=1', '=');
      continue;
    }
    const count = listFields.has(name) ? 1 + Math.floor(random() * 4) : 1;
    for (let i = 0; i < count; i++) parts.push(`${enc(name)}=${enc(bad ? badValue() : goodValue(name))}`);
  }
  if (chance(0.05)) parts.push(`${enc(pick(FALLBACK_FIELDS))}=${enc(badValue())}`);
  return parts.join('&');
}

/** Query parameters: realistic ones from the links, bad ones, and raw escapes. */
function queryFor(route: Route): string {
  const links = [...(linksOf.get(route.key) ?? [])];
  if (links.length > 0 && chance(0.4)) {
    // A link the pages offer, as it is or with one parameter changed; half of them paging links,
    // whose cursors the list wrote (there are few of them among the sort and filter links).
    const paging = links.filter((s) => /[?&](after|before|page)=/.test(s));
    const params = new URLSearchParams(pick(paging.length > 0 && chance(0.5) ? paging : links));
    if (chance(0.5)) return `?${params}`;
    const name = chance(0.3) ? pick(['after', 'before']) : pick([...params.keys()]);
    params.delete(name);
    const value =
      ['after', 'before'].includes(name) && chance(0.7) ? enc(pick(BAD_CURSORS)) : enc(badValue());
    return `?${params}${params.size > 0 ? '&' : ''}${enc(name)}=${chance(0.2) ? pick(RAW_ESCAPES) : value}`;
  }
  if (chance(0.35)) return '';
  const names = [...seenQueryNames];
  const parts: string[] = [];
  for (let i = 0; i < 1 + Math.floor(random() * 4); i++) {
    const name = pick(names);
    const r = random();
    if (r < 0.4) parts.push(`${enc(name)}=${enc(goodValue(name))}`);
    else if (r < 0.55) parts.push(`${enc(name)}=${pick(RAW_ESCAPES)}`);
    else if (r < 0.75 && ['after', 'before'].includes(name)) parts.push(`${name}=${enc(pick(BAD_CURSORS))}`);
    else parts.push(`${enc(name)}=${enc(badValue())}`);
  }
  if (chance(0.15)) parts.push(`${pick(['after', 'before'])}=${enc(pick(BAD_CURSORS))}`);
  return `?${parts.join('&')}`;
}

/**
 * The fuzzing users, signed in, as the fuzzing started, in the settings it started with: run
 * every few hundred requests, and for one actor as soon as an answer shows its session has gone
 * (sign-out, sign out everywhere, deactivation, deletion, a password reset, 2FA turned on...).
 * Nothing is left out of the fuzzing for fear of ending its sessions.
 */
async function restore(only?: Actor) {
  await t.db.updateTable('account_settings').set(baseline).execute();
  for (const actor of only ? [only] : actors.values()) {
    if (actor.name === 'anonymous') continue;
    let exists = actor.id
      ? await t.db.selectFrom('users').select('id').where('id', '=', actor.id).executeTakeFirst()
      : undefined;
    if (!exists) {
      const user = await makeUser(t.db, {
        role: actor.role,
        email: `fuzz-${actor.name}-${++made}@example.com`,
      });
      actor.id = user.id;
      actor.email = user.email;
      if (actor.name === 'pending') await enrolTotp(t, user.id);
      exists = { id: user.id };
    }
    const id = actor.id as string;
    await t.db
      .updateTable('users')
      .set({
        deactivated_at: null,
        locked_until: null,
        failed_login_count: 0,
        access_expires_at: null,
        must_enrol_two_factor: false,
        totp_failed_count: 0,
        totp_blocked_until: null,
        totp_pending_secret: null,
      })
      .where('id', '=', id)
      .execute();
    if (actor.name !== 'pending')
      await t.db.updateTable('users').set({ totp_secret: null }).where('id', '=', id).execute();
    // Only the role it started with: the admin may have given the viewer more, or taken it away.
    if (actor.name !== 'admin') {
      await t.db.deleteFrom('role_bindings').where('user_id', '=', id).execute();
      await t.db.deleteFrom('team_members').where('user_id', '=', id).execute();
    }
    const held = await t.db
      .selectFrom('role_bindings as b')
      .innerJoin('roles as r', 'r.id', 'b.role_id')
      .select('b.id')
      .where('b.user_id', '=', id)
      .where('r.key', '=', actor.role)
      .where('b.project_id', 'is', null)
      .where('b.expires_at', 'is', null)
      .executeTakeFirst();
    if (actor.role && !held) await bind(t.db, { userId: id, roleKey: actor.role });
    const token = actor.client.cookies.get(SESSION_COOKIE);
    const session = token
      ? await t.db
          .selectFrom('sessions')
          .select('id')
          .where('id', '=', token.split('.')[0] as string)
          .executeTakeFirst()
      : undefined;
    if (!session) {
      actor.client = await clientFor(t, id);
      if (actor.name === 'pending')
        await t.db
          .updateTable('sessions')
          .set({ two_factor_verified: false })
          .where('user_id', '=', id)
          .execute();
    }
    // A password confirmed just now: actions that ask for one run instead of asking.
    if (actor.name !== 'pending')
      await t.db
        .updateTable('sessions')
        .set({ reauthenticated_at: t.clock.now(), last_seen_at: t.clock.now() })
        .where('user_id', '=', id)
        .execute();
  }
}

/** The answer sends this actor to sign in again, or to enrol in 2FA first: put it back. */
function sessionLost(actor: Actor, route: Route, response: Response): boolean {
  if (actor.name === 'anonymous') return false;
  const to = response.headers.get('location') ?? response.headers.get('hx-redirect') ?? '';
  // The 2FA pages send each other there in their normal course.
  return (
    /^\/login(\?|$)/.test(to) ||
    (to === '/account/two-factor' && !route.path.startsWith('/account/two-factor'))
  );
}

beforeAll(async () => {
  t = await testApp();
  const seen = new Set<string>();
  for (const r of t.app.routes) {
    if (r.method === 'ALL') continue;
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const params = [...r.path.matchAll(/:(\w+)/g)].map((m) => m[1] as string);
    const pattern = new RegExp(
      `^${r.path.replace(/:\w+/g, '[^/]+').replace('*', '.*').replaceAll('.', '\\.')}$`,
    );
    routes.push({
      method: r.method,
      path: r.path,
      key,
      requirement: requirementOf(r.handler),
      pattern,
      params,
    });
  }
  // Prefer the most specific pattern when a path matches several (/users/new before /users/:id).
  routes.sort((a, b) => a.params.length - b.params.length || b.path.length - a.path.length);

  const admin = await makeUser(t.db, { role: 'account_admin', email: 'fuzz-admin@example.com' });
  const viewer = await makeUser(t.db, { role: 'viewer', email: 'fuzz-viewer@example.com' });
  const pending = await makeUser(t.db, { role: 'editor', email: 'fuzz-pending@example.com' });
  await enrolTotp(t, pending.id);
  actors.set('admin', {
    name: 'admin',
    id: admin.id,
    email: admin.email,
    role: 'account_admin',
    client: await clientFor(t, admin.id),
  });
  actors.set('viewer', {
    name: 'viewer',
    id: viewer.id,
    email: viewer.email,
    role: 'viewer',
    client: await clientFor(t, viewer.id),
  });
  actors.set('pending', {
    name: 'pending',
    id: pending.id,
    email: pending.email,
    role: 'editor',
    client: new Client(t.app),
  });
  actors.set('anonymous', { name: 'anonymous', id: null, email: '', role: null, client: new Client(t.app) });
  baseline = (await t.db.selectFrom('account_settings').selectAll().executeTakeFirstOrThrow()) as Record<
    string,
    unknown
  >;
  delete baseline.id;
  await restore();

  // Things for the routes to name: people (one deactivated, one without a password yet), teams
  // with a member, custom roles, projects, open invitations and a set-password link.
  await refreshPools();
  const a = (actors.get('admin') as Actor).client;
  const viewerRole = await t.db
    .selectFrom('roles')
    .select('id')
    .where('key', '=', 'viewer')
    .executeTakeFirstOrThrow();
  await a.post(`/teams/${pools.team[0]}/members`, { email: 'fuzz-target-1@example.com' });
  await a.post('/users', { name: 'Fuzz New', email: 'fuzz-new@example.com', roleId: viewerRole.id });
  await t.db
    .updateTable('users')
    .set({ deactivated_at: t.clock.now() })
    .where('email', '=', 'fuzz-target-2@example.com')
    .execute();
  await refreshPools();

  // The crawl: every GET page with each real id, as the admin, anonymously (the public pages)
  // and half signed in (the code step); the team member pages with real members.
  const members = await t.db.selectFrom('team_members').select(['team_id', 'user_id']).execute();
  const lists = ['per=10', 'per=10&sort=-last_login', 'per=10&sort=created', 'per=10&page=last'].flatMap(
    (q) =>
      ['users', 'invitations', 'audit'].map((list) => ({
        route: routeOf('GET', `/${list}`) as Route,
        path: `/${list}?${q}`,
      })),
  );
  const pages = routes
    .filter((r) => r.method === 'GET')
    .flatMap((route) => {
      if (route.params.includes('userId'))
        return members.map((m) => ({
          route,
          path: route.path.replace(':id', m.team_id).replace(':userId', m.user_id),
        }));
      const ids = route.params.length === 1 ? poolFor(route, route.params[0] as string).slice(0, 12) : [];
      return ids.length > 0
        ? ids.map((id) => ({ route, path: route.path.replace(/:\w+/, id) }))
        : [{ route, path: pathOf(route, false) }];
    });
  for (const { route, path } of [...pages, ...lists]) {
    for (const who of ['admin', 'anonymous', 'pending'] as const) {
      if (who === 'pending' && route.requirement !== 'second-factor') continue;
      const response = await (actors.get(who) as Actor).client.get(path);
      if ((response.headers.get('content-type') ?? '').includes('text/html'))
        harvest(await response.text(), route.path);
    }
  }
  await restore();
}, 120_000);

afterAll(() => t?.close());

/** Every (route, actor) pair: the admin and the viewer everywhere, and who else a route is for. */
function pairsToFuzz(): Array<[Route, ActorName]> {
  return routes.flatMap((route): Array<[Route, ActorName]> => {
    if (route.requirement === 'public')
      return ['admin', 'viewer', 'anonymous'].map((who) => [route, who as ActorName]);
    if (route.requirement === 'second-factor')
      return ['pending', 'viewer'].map((who) => [route, who as ActorName]);
    return ['admin', 'viewer'].map((who) => [route, who as ActorName]);
  });
}

/** One generated request: a path with real or malformed ids, a query, a body, maybe as htmx. */
function requestFor(route: Route): { path: string; init: SentRequest } {
  const path = pathOf(route, chance(0.3)) + (route.method === 'GET' || chance(0.2) ? queryFor(route) : '');
  const headers: Record<string, string> = {};
  if (chance(0.2)) {
    headers['HX-Request'] = 'true';
    headers['HX-Target'] = pick(['main#main', 'div#user-list', 'div#audit-list', 'div#invitation-list']);
  }
  if (route.method === 'GET') return { path, init: { method: 'GET', headers } };
  const body = bodyFor(route);
  const r = random();
  if (r < 0.03) {
    // The same fields as multipart/form-data (fetch sets the boundary).
    const form = new FormData();
    for (const [name, value] of new URLSearchParams(body)) form.append(name, value);
    return { path, init: { method: route.method, headers, body: form } };
  }
  headers['content-type'] =
    r < 0.06
      ? pick(['text/plain', 'application/json', 'multipart/form-data; boundary=x'])
      : 'application/x-www-form-urlencoded';
  return { path, init: { method: route.method, headers, body } };
}

describe('fuzzing every route', () => {
  it('every path parameter has a rule (path-params.ts)', () => {
    const params = new Set(routes.flatMap((r) => r.params));
    expect([...params].filter((p) => !PATH_PARAMS[p])).toEqual([]);
  });

  it(`answers bad input with 4xx, never 5xx, and audits no rejected request as a success (${databaseKind})`, async () => {
    console.log(`fuzz seed ${SEED} (FUZZ_SEED=${SEED} reproduces it), ${TOTAL} requests on ${databaseKind}`);
    const started = performance.now();
    const failures: string[] = [];
    /** Request id of each 4xx answer: what was sent. */
    const rejected = new Map<string, string>();
    const statuses = new Map<number, number>();
    const costly = new Map<string, number>();
    let sent = 0;
    let restores = 0;
    const pairs = pairsToFuzz();
    while (sent < TOTAL) {
      for (const [route, who] of shuffle(pairs)) {
        if (sent >= TOTAL) break;
        if (COSTLY.has(route.key)) {
          const used = costly.get(`${who} ${route.key}`) ?? 0;
          if (used >= COSTLY_QUOTA) continue;
          costly.set(`${who} ${route.key}`, used + 1);
        }
        const actor = actors.get(who) as Actor;
        const { path, init } = requestFor(route);
        const errorsBefore = t.errors.length;
        const response = await actor.client.request(path, init);
        await response.arrayBuffer();
        sent++;
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const requestId = response.headers.get('x-request-id') ?? '';
        const sentAs = `${who} ${route.method} ${path}${typeof init.body === 'string' ? ` body=${JSON.stringify(init.body.slice(0, 300))}` : ''}`;
        const logged = t.errors.slice(errorsBefore);
        if (response.status >= 500 || logged.length > 0) {
          const errors = logged.map((e) => `${e.message}: ${String((e.error as Error)?.message ?? e.error)}`);
          failures.push(`${response.status} ${sentAs} request=${requestId} ${errors.join(' | ')}`);
        }
        if (response.status >= 400 && response.status < 500) rejected.set(requestId, sentAs);
        if (sessionLost(actor, route, response)) {
          restores++;
          await restore(actor);
        }
        if (sent % 250 === 0) await restore();
        if (sent % 500 === 0) await refreshPools();
      }
    }
    const seconds = (performance.now() - started) / 1000;

    const successes = await t.db
      .selectFrom('audit_events')
      .select(['request_id', 'action'])
      .where('outcome', '=', 'success')
      .where('request_id', 'is not', null)
      .execute();
    const audited = successes
      .filter((e) => rejected.has(e.request_id as string))
      .map((e) => `${e.action} for ${rejected.get(e.request_id as string)} (request ${e.request_id})`);
    console.log(
      `fuzz: ${sent} requests to ${new Set(pairs.map(([r]) => r.key)).size} routes in ${seconds.toFixed(1)} s on ` +
        `${databaseKind}, ${restores} sessions restored; ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
    );
    expect(failures, `seed ${SEED}: ${failures.length} requests answered 5xx or logged an error`).toEqual([]);
    expect(audited, `seed ${SEED}: rejected requests audited as a success`).toEqual([]);
    expect(sent).toBe(TOTAL);
  }, 300_000);
});
