import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessCache } from '../../src/api/access-cache';
import { apiApp } from '../../src/api/app';
import { createApp } from '../../src/app';
import { setPasswordWithLink } from '../../src/auth/links';
import { type Config, loadConfig } from '../../src/config';
import type { ActionContext, Clock } from '../../src/core/context';
import { MemoryMailer } from '../../src/mail/mailer';
import { createAccountAdmin } from '../../src/users/create';
import { testDatabase } from './database';
import { testJobs } from './jobs';

export const PUBLIC_URL = 'http://localhost:3000';

export class TestClock implements Clock {
  #offsetMs = 0;
  now() {
    return new Date(Date.now() + this.#offsetMs);
  }
  advance(ms: number) {
    this.#offsetMs += ms;
  }
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    PUBLIC_URL,
    SECRET_KEY: 'a'.repeat(64),
    DATA_DIR: mkdtempSync(join(tmpdir(), 'gatehouse-test-')),
    ...overrides,
  });
}

/**
 * The app on a fresh database, with a clock the test moves and errors it can read. The account
 * starts with "require two-factor authentication" off unless asked: fixture users have no
 * authenticator, and the tests of other features should not each enrol one. The tests of 2FA
 * turn it on (it is on by default in a real account: migration 0001).
 */
export async function testApp(
  options: {
    publicUrl?: string;
    requireTwoFactor?: boolean;
    trustProxy?: boolean;
    /** More configuration, as environment variables. */
    env?: Record<string, string>;
    /** The API's in-memory answers (api/access-cache.ts), listening for changes as the server does. */
    accessCache?: boolean;
  } = {},
) {
  const database = await testDatabase();
  await database.db
    .updateTable('account_settings')
    .set({ require_two_factor: options.requireTwoFactor ?? false })
    .execute();
  const clock = new TestClock();
  const mailer = new MemoryMailer();
  const config = testConfig({
    ...(options.publicUrl ? { PUBLIC_URL: options.publicUrl } : {}),
    ...(options.trustProxy ? { TRUST_PROXY: 'true' } : {}),
    ...options.env,
  });
  const errors: Array<{ message: string; error: unknown }> = [];
  const { jobs, queue, runJobs, handlers } = await testJobs(database, { config, clock, mailer });
  const accessCache = options.accessCache ? await AccessCache.start(database) : null;
  const deps = {
    db: database.db,
    searchDb: database.searchDb,
    jobs: queue,
    clock,
    config,
    accessCache,
    logError: (message: string, error: unknown) => errors.push({ message, error }),
  };
  const api = apiApp(deps);
  const app = createApp(deps, api);
  // The worker's turn comes after each request: a test reads the mail of the request it made.
  const request = app.request.bind(app);
  app.request = (async (...args: Parameters<typeof request>) => {
    const response = await request(...args);
    await runJobs();
    return response;
  }) as typeof app.request;
  const system: ActionContext = {
    db: database.db,
    clock,
    config,
    jobs: queue,
    actor: { kind: 'system', label: 'test' },
    meta: { ip: null, requestId: null, userAgent: null },
  };
  return {
    app,
    deps,
    db: database.db,
    clock,
    mailer,
    config,
    errors,
    system,
    database,
    jobs,
    runJobs,
    handlers,
    accessCache,
    /** The machine interface's own app (its decision counts are flushed by `api.flush()`). */
    api,
    close: async () => {
      await accessCache?.stop();
      await jobs.stop();
      await database.close();
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof testApp>>;

/** An Account Admin with a password, made through the same domain functions the CLI uses. */
export async function createAdminWithPassword(
  t: { system: ActionContext },
  input: { email: string; name: string; password: string },
) {
  const admin = await createAccountAdmin(t.system, input);
  const token = admin.link.split('/').at(-1) as string;
  await setPasswordWithLink(t.system, { token, password: input.password, confirm: input.password });
  return admin;
}
