/**
 * `npm run bench:ladder`: where a list request's time goes, one piece at a time. Run after
 * `npm run bench` (it reuses that database and its admin). A child process serves each stage on
 * its own path, the real app beside it; autocannon loads each (32 connections, 5 s) and prints
 * requests/s, so the difference between two lines is what the piece added costs under load.
 */
import { spawn } from 'node:child_process';
import { serve } from '@hono/node-server';
import autocannon from 'autocannon';
import { type Context, Hono } from 'hono';
import { roleAndTeamChoices } from '../../src/access/choices';
import { getSettings } from '../../src/account/read-settings';
import { AccessCache } from '../../src/api/access-cache';
import { createApp } from '../../src/app';
import { createSession, validateSession } from '../../src/auth/sessions/sessions';
import { loadConfig } from '../../src/config';
import { systemClock } from '../../src/core/context';
import { openDatabase } from '../../src/db/connect';
import { Jobs } from '../../src/jobs/queue';
import { listUsers, parseUserListQuery, type UserPage } from '../../src/users/list';
import { STATIC_ROWS, StaticListPage } from './static-page';

const URL = process.env.BENCH_DATABASE_URL ?? 'postgres://gatehouse:gatehouse@127.0.0.1:54391/gatehouse';
const STAGE_PORT = 3996;
const APP_PORT = 3997;
const STAGES = [
  ['/ceiling', 'the ceiling: static page, 25 rows (as npm run bench)'],
  ['/page', 'static page, no rows'],
  ['/query', '+ one trivial query'],
  ['/session', '+ the session lookup instead'],
  ['/list-empty', '+ the list query, no rows (status=locked)'],
  ['/list-options', '+ the role and team choices (read each time; the app caches them)'],
  ['/list', 'session + list of 25 rows, table only'],
] as const;

async function serveStages(token: string) {
  const database = await openDatabase({ databaseUrl: URL, dataDir: 'unused' });
  const { db, searchDb } = database;
  const jobs = await Jobs.start(database, { supervise: false });
  const empty: UserPage = {
    rows: [],
    total: { value: 0, exact: true },
    pos: 1,
    first: null,
    last: null,
    hasPrevious: false,
    hasNext: false,
  };
  const locked = parseUserListQuery(new URLSearchParams('status=locked'));
  const all = parseUserListQuery(new URLSearchParams());
  const render = (c: Context, page: UserPage) => c.html(<StaticListPage q={locked} page={page} />);
  const session = async () => {
    const found = await validateSession(db, token, new Date());
    if (!found) throw new Error('the bench session is gone');
    return found.projects[0]?.id ?? '';
  };
  const stages = new Hono();
  stages.get('/ceiling', (c) => c.html(<StaticListPage q={all} page={STATIC_ROWS} />));
  stages.get('/page', (c) => render(c, empty));
  stages.get('/query', async (c) => {
    await db.selectNoFrom((eb) => eb.lit(1).as('one')).execute();
    return render(c, empty);
  });
  stages.get('/session', async (c) => {
    await session();
    return render(c, empty);
  });
  stages.get('/list-empty', async (c) =>
    render(c, await listUsers(searchDb, locked, await session(), new Date())),
  );
  stages.get('/list-options', async (c) => {
    const page = await listUsers(searchDb, locked, await session(), new Date());
    await roleAndTeamChoices(db);
    return render(c, page);
  });
  stages.get('/list', async (c) => render(c, await listUsers(searchDb, all, await session(), new Date())));
  serve({ fetch: stages.fetch, hostname: '127.0.0.1', port: STAGE_PORT });

  const config = loadConfig({
    NODE_ENV: 'production',
    SECRET_KEY: 'b'.repeat(64),
    PUBLIC_URL: `http://127.0.0.1:${APP_PORT}`,
    DATABASE_URL: URL,
  });
  // As the server runs it: the filters' choices come from the access cache.
  const accessCache = await AccessCache.start(database);
  const app = createApp({ db, searchDb, jobs, clock: systemClock, config, accessCache });
  serve({ fetch: app.fetch, hostname: '127.0.0.1', port: APP_PORT }, () => console.log('ready'));
}

async function run() {
  const { db, close } = await openDatabase({ databaseUrl: URL, dataDir: 'unused' });
  const admin = await db
    .selectFrom('users')
    .select('id')
    .where('email', '=', 'bench-admin@example.com')
    .executeTakeFirst();
  if (!admin) throw new Error('run `npm run bench` first: it seeds the database and its admin');
  const token = await createSession(db, {
    userId: admin.id,
    now: new Date(),
    settings: await getSettings(db),
    ip: null,
    userAgent: 'ladder',
  });
  await close();
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, 'serve', token], {
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  const cookie = { cookie: `__Host-gh_session=${token}` };
  const targets = [
    ...STAGES.map(([path, label]) => ({ url: `http://127.0.0.1:${STAGE_PORT}${path}`, label, headers: {} })),
    {
      url: `http://127.0.0.1:${APP_PORT}/users?status=locked`,
      label: 'the app: /users?status=locked',
      headers: cookie,
    },
    { url: `http://127.0.0.1:${APP_PORT}/users`, label: 'the app: /users', headers: cookie },
  ];
  let ceiling = 0;
  try {
    for (const target of targets) {
      const result = await autocannon({
        url: target.url,
        connections: 32,
        duration: 5,
        headers: target.headers,
      });
      const failed = result.errors + result.non2xx;
      ceiling ||= result.requests.average;
      console.log(
        `${String(Math.round(result.requests.average)).padStart(6)} req/s  ${(result.requests.average / ceiling).toFixed(2)} × ceiling  ${(1000 / result.requests.average).toFixed(2)} ms a request (1 / req/s)  ${target.label}${failed ? `  (${failed} failed)` : ''}`,
      );
    }
  } finally {
    child.kill('SIGTERM');
  }
}

if (process.argv[2] === 'serve') await serveStages(process.argv[3] as string);
else await run();
