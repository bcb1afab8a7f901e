import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app';
import { type Clock, systemClock } from '../../src/core/context';
import { MemoryMailer } from '../../src/mail/mailer';
import { OidcProvider } from '../../src/oidc/provider';
import { httpListener } from '../../src/web/http-listener';
import { testConfig } from './app';
import { testDatabase } from './database';
import { testJobs } from './jobs';

/**
 * The real HTTP server on 127.0.0.1 and a free port, on a fresh test database. As with testApp(),
 * the account starts with "require two-factor authentication" off unless asked.
 */
export async function startServer(options: { requireTwoFactor?: boolean; clock?: Clock } = {}) {
  const database = await testDatabase();
  await database.db
    .updateTable('account_settings')
    .set({ require_two_factor: options.requireTwoFactor ?? false })
    .execute();
  const mailer = new MemoryMailer();
  let handler: ((request: Request, env: unknown) => Response | Promise<Response>) | undefined;
  let oidc: OidcProvider | null = null;
  // As the server does (web/http-listener.ts): the OpenID provider beside the Hono app.
  let listener: ReturnType<typeof httpListener> | undefined;
  const server = createServer((req, res) => {
    listener ??= httpListener((request, env) => (handler as NonNullable<typeof handler>)(request, env), oidc);
    listener(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = testConfig({ PUBLIC_URL: url });
  oidc = new OidcProvider(database.db, config);
  // A test clock moves the server's time, for time-outs; the browser's has its own (page.clock).
  const clock = options.clock ?? systemClock;
  const errors: unknown[] = [];
  const { jobs, queue, runJobs } = await testJobs(database, { config, clock, mailer });
  const app = createApp({
    db: database.db,
    searchDb: database.searchDb,
    jobs: queue,
    clock,
    config,
    oidc,
    logError: (message, error) => errors.push({ message, error }),
  });
  // As in testApp(): the queued mail of a request is sent before its answer reaches the browser.
  handler = async (request, env) => {
    const response = await app.fetch(request, env);
    await runJobs();
    return response;
  };
  const system = {
    db: database.db,
    clock,
    config,
    jobs: queue,
    actor: { kind: 'system' as const, label: 'test' },
    meta: { ip: null, requestId: null, userAgent: null },
  };
  return {
    url,
    system,
    mailer,
    errors,
    db: database.db,
    runJobs,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await jobs.stop();
      await database.close();
    },
  };
}
