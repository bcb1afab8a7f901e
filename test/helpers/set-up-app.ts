import type { Updateable } from 'kysely';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { AccountSettingsTable } from '../../src/db/schema';
import { type TestApp, testApp } from './app';
import { resetData } from './fixtures';

export interface SetUpAppOptions {
  /** Passed to testApp(): the app behind a proxy (client addresses from X-Forwarded-For). */
  trustProxy?: boolean;
  /** Passed to testApp(): the account starts requiring two-factor authentication. */
  requireTwoFactor?: boolean;
  publicUrl?: string;
  /** Passed to testApp(): more configuration, as environment variables. */
  env?: Record<string, string>;
  /** Passed to testApp(): the API's in-memory answers, as the server has them. */
  accessCache?: boolean;
  /** Before each test: resetData() (seeded rows only) and an empty outbox. */
  resetEach?: boolean;
  /** Before each test, after the reset: these account settings, whatever a test changed. */
  settings?: Updateable<AccountSettingsTable>;
}

/**
 * The hooks an integration test file shares: testApp() in beforeAll, close() in afterAll and,
 * with resetEach or settings, a beforeEach. Returns the TestApp, filled in by beforeAll: read it in
 * hooks and tests, not at the module's top level. A file's own hooks run after these.
 */
export function setUpApp(options: SetUpAppOptions = {}): TestApp {
  const t = {} as TestApp;
  beforeAll(async () => {
    Object.assign(t, await testApp(options));
  });
  afterAll(() => t.close?.());
  const { resetEach, settings } = options;
  if (resetEach || settings) {
    beforeEach(async () => {
      if (resetEach) {
        await resetData(t.db);
        t.mailer.messages.length = 0;
      }
      if (settings) await t.db.updateTable('account_settings').set(settings).execute();
    });
  }
  return t;
}
