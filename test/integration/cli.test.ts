import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { openDatabase } from '../../src/db/connect';
import { Jobs } from '../../src/jobs/queue';
import { TestClock, testConfig } from '../helpers/app';
import { createServerDatabase, databaseKind, dropServerDatabase, testDatabaseUrl } from '../helpers/database';
import { Client } from '../helpers/http';

const run = promisify(execFile);
const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');

let dataDir: string;
let databaseUrl: string | undefined;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
  if (testDatabaseUrl) databaseUrl = await createServerDatabase();
});
afterAll(async () => {
  if (databaseUrl) await dropServerDatabase(databaseUrl);
});

async function cli(...args: string[]) {
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    DATA_DIR: dataDir,
    PUBLIC_URL: 'http://localhost:3000',
    DATABASE_URL: databaseUrl ?? '',
    // The key testConfig() gives the app below, so the audit chain has one key throughout.
    SECRET_KEY: testConfig().secretKey.toString('hex'),
  };
  try {
    const { stdout, stderr } = await run(tsx, ['src/cli.ts', ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe(`the CLI (${databaseKind})`, () => {
  it('migrates, then reports it is up to date', async () => {
    const first = await cli('migrate');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Applied: 0001_foundation');
    const second = await cli('migrate');
    expect(second.stdout).toContain('Already up to date.');
  });

  it('creates the first Account Admin and prints a one-hour link that sets the password', async () => {
    const result = await cli('create-admin', '--email', 'first@example.com', '--name', 'First Admin');
    expect(result.code).toBe(0);
    const link = /^(http:\/\/localhost:3000\/set-password\/[A-Za-z0-9_-]{43})$/m.exec(result.stdout)?.[1];
    expect(link).toBeDefined();

    const database = await openDatabase({ databaseUrl, dataDir });
    const jobs = await Jobs.start(database, { supervise: false });
    try {
      const config = testConfig();
      const app = createApp({ db: database.db, jobs, clock: new TestClock(), config });
      const client = new Client(app);
      const path = new URL(link as string).pathname;
      expect((await client.get(path)).status).toBe(200);
      const password = 'a long and unusual passphrase';
      expect((await client.post(path, { password, confirm: password })).status).toBe(303);
      expect((await client.signIn('first@example.com', password)).status).toBe(303);
      // The account requires 2FA by default: the first admin sets it up before anything else.
      const home = await client.get('/');
      expect(home.headers.get('location')).toBe('/account/two-factor');
      expect(await (await client.get('/account/two-factor')).text()).toContain('First Admin');
      const binding = await database.db
        .selectFrom('role_bindings as b')
        .innerJoin('roles as r', 'r.id', 'b.role_id')
        .innerJoin('users as u', 'u.id', 'b.user_id')
        .select(['r.key', 'b.project_id'])
        .where('u.email', '=', 'first@example.com')
        .execute();
      expect(binding).toEqual([{ key: 'account_admin', project_id: null }]);
      const token = await database.db
        .selectFrom('one_time_tokens')
        .select(['created_at', 'expires_at'])
        .executeTakeFirstOrThrow();
      expect(token.expires_at.getTime() - token.created_at.getTime()).toBeCloseTo(3_600_000, -3);
      const event = await database.db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'user.create_admin')
        .executeTakeFirstOrThrow();
      expect(event).toMatchObject({ actor_label: 'cli', target_label: 'first@example.com' });
    } finally {
      await jobs.stop();
      await database.close();
    }
  });

  it('refuses a duplicate email, whatever its case, with a clear message', async () => {
    const result = await cli('create-admin', '--email', 'FIRST@example.com', '--name', 'Again');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('A user with the email FIRST@example.com already exists.');
  });

  it('registers, lists, rotates and deletes applications, and rotates the signing key', async () => {
    const created = await cli(
      'app',
      'create',
      '--name',
      'Host product',
      '--redirect-uri',
      'https://app.example.com/callback',
      '--redirect-uri',
      'http://127.0.0.1:8080/callback',
      '--first-party',
    );
    expect(created.code).toBe(0);
    const clientId = /^client_id=(gh_[\w-]+)$/m.exec(created.stdout)?.[1] as string;
    const secret = /^client_secret=([\w-]{43})$/m.exec(created.stdout)?.[1];
    expect(clientId).toBeTruthy();
    expect(secret).toBeTruthy();
    const spa = await cli(
      'app',
      'create',
      '--name',
      'SPA',
      '--redirect-uri',
      'https://app.example.com/spa',
      '--public',
    );
    expect(spa.stdout).toMatch(/^client_id=gh_/m);
    expect(spa.stdout).not.toContain('client_secret=');
    const listed = await cli('app', 'list');
    expect(listed.stdout).toContain(`client_id=${clientId} name="Host product" type=web projects=all`);
    const rotated = await cli('app', 'rotate-secret', '--client-id', clientId);
    const newSecret = /^client_secret=([\w-]{43})$/m.exec(rotated.stdout)?.[1];
    expect(newSecret).toBeTruthy();
    expect(newSecret).not.toBe(secret);
    const insecure = await cli(
      'app',
      'create',
      '--name',
      'Bad',
      '--redirect-uri',
      'http://app.example.com/cb',
    );
    expect(insecure.code).toBe(1);
    expect(insecure.stderr).toContain('https URL');
    expect((await cli('app', 'delete', '--client-id', clientId)).code).toBe(0);
    expect((await cli('app', 'list')).stdout).not.toContain(clientId);
    const missing = await cli('app', 'delete', '--client-id', clientId);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no application');
    const keys = await cli('keys', 'rotate');
    expect(keys.code).toBe(0);
    expect(keys.stdout).toMatch(/^New signing key [0-9a-f-]{36};/m);
  });

  it('explains bad arguments and exits non-zero', async () => {
    const missing = await cli('create-admin', '--email', 'x@example.com');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('create-admin needs --email and --name');
    const unknownOption = await cli(
      'create-admin',
      '--email',
      'x@example.com',
      '--name',
      'X',
      '--role',
      'admin',
    );
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain("Unknown option '--role'");
    const badEmail = await cli('create-admin', '--email', 'not-an-email', '--name', 'X');
    expect(badEmail.code).toBe(1);
    expect(badEmail.stderr).toContain('Enter an email address like name@example.com.');
    const unknown = await cli('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
  });

  it('verifies the audit chain, names the first event changed behind its back, and prunes', async () => {
    const intact = await cli('audit', 'verify');
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/Audit chain intact: \d+ events? checked \(events #1 to #\d+\)\./);
    const database = await openDatabase({ databaseUrl, dataDir });
    try {
      // As someone with the database but not the key might: past the trigger, then put it back.
      await sql`alter table audit_events disable trigger audit_events_no_change`.execute(database.db);
      await sql`update audit_events set target_label = 'someone@else.example' where id = 1`.execute(
        database.db,
      );
      await sql`alter table audit_events enable trigger audit_events_no_change`.execute(database.db);
    } finally {
      await database.close();
    }
    const broken = await cli('audit', 'verify');
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(
      'Audit chain BROKEN after 0 good events: event #1 does not match its hash',
    );
    const pruned = await cli('audit', 'prune');
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(/^Removed 0 audit events older than 400 days/);
    expect((await cli('audit')).stderr).toContain('audit takes one of: verify, prune');
  });

  it.skipIf(databaseKind !== 'pglite')(
    'refuses to open the embedded database while another process has it',
    async () => {
      const database = await openDatabase({ dataDir });
      try {
        const result = await cli('migrate');
        expect(result.code).toBe(1);
        expect(result.stderr).toContain('is in use by another Gatehouse process');
      } finally {
        await database.close();
      }
    },
  );
});
