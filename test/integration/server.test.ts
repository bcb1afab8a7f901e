import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerDatabase, databaseKind, dropServerDatabase, testDatabaseUrl } from '../helpers/database';

/** Each run starts on its own empty database. */
const databases: string[] = [];
async function emptyDatabase(): Promise<string> {
  if (!testDatabaseUrl) return '';
  const url = await createServerDatabase();
  databases.push(url);
  return url;
}
afterAll(async () => {
  for (const url of databases) await dropServerDatabase(url);
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function waitFor(child: ChildProcess, output: () => string, text: string, ms = 30_000) {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${text}" within ${ms} ms:\n${output()}`)), ms);
    const check = () => {
      if (output().includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`exited early:\n${output()}`));
    });
  });
}

/** From the sources (npm start), and from the production build (npm run start:production, the image). */
const RUNS = [
  {
    name: 'from source',
    command: join(process.cwd(), 'node_modules', '.bin', 'tsx'),
    args: ['src/server.ts'],
  },
  {
    name: 'from the production build',
    command: process.execPath,
    args: ['--max-semi-space-size=8', '--max-old-space-size=128', 'dist/bundle/server.js'],
  },
];

describe(`the server process (${databaseKind})`, () => {
  beforeAll(() => {
    execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'ignore' });
  });

  it.each(RUNS)(
    '$name: starts on an empty data directory, serves, and stops cleanly on SIGTERM',
    async (run) => {
      const dataDir = join(mkdtempSync(join(tmpdir(), 'gatehouse-server-')), 'data');
      const port = await freePort();
      const child = spawn(run.command, run.args, {
        env: {
          ...process.env,
          NODE_ENV: 'development',
          PORT: String(port),
          DATA_DIR: dataDir,
          DATABASE_URL: await emptyDatabase(),
        },
      });
      let output = '';
      child.stdout.on('data', (chunk) => {
        output += chunk;
      });
      child.stderr.on('data', (chunk) => {
        output += chunk;
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        await waitFor(child, () => output, 'Gatehouse listening');
        expect(output).toContain('migrations applied: 0001_foundation');
        expect(output).toContain('No users yet.');
        const health = await fetch(`http://127.0.0.1:${port}/healthz`);
        expect(await health.text()).toBe('ok');
        const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
        expect(ready.status).toBe(200);
        const login = await fetch(`http://127.0.0.1:${port}/login`);
        expect(login.status).toBe(200);
        // Files found relative to the code: the permission catalog (roles render), styles, htmx.
        expect((await fetch(`http://127.0.0.1:${port}/public/css/app.css`)).status).toBe(200);
        expect((await fetch(`http://127.0.0.1:${port}/assets/htmx.min.js`)).status).toBe(200);
        expect(existsSync(join(dataDir, 'secret.key'))).toBe(true);
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
      expect(output).toContain('SIGTERM: finishing open requests');
      expect(output).toContain('stopped');
      if (databaseKind === 'pglite') expect(existsSync(join(dataDir, 'gatehouse.lock'))).toBe(false);
    },
  );

  it('refuses to start on a bad configuration, naming the problem', async () => {
    const child = spawn(join(process.cwd(), 'node_modules', '.bin', 'tsx'), ['src/server.ts'], {
      env: { ...process.env, NODE_ENV: 'production', PORT: 'eighty', DATABASE_URL: '' },
    });
    let output = '';
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(output).toContain('PORT: must be a number');
  });
});
