import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccessCache } from './api/access-cache';
import { apiApp } from './api/app';
import { createApp } from './app';
import { setupLinkAtStart } from './auth/setup/setup-link';
import { loadConfig } from './config';
import { systemClock } from './core/context';
import { openDatabase } from './db/connect';
import { migrateToLatest } from './db/migrate';
import { jobHandlers } from './jobs/handlers';
import { Jobs } from './jobs/queue';
import { createMailer } from './mail/mailer';
import { OidcProvider } from './oidc/provider';
import { httpListener } from './web/http-listener';

const SHUTDOWN_GRACE_MS = 10_000;

async function main() {
  const config = loadConfig();
  const database = await openDatabase(config);
  const applied = await migrateToLatest(database.db);
  if (applied.length > 0) console.log(`migrations applied: ${applied.join(', ')}`);
  // The queue's cron and maintenance run in every instance; pg-boss runs each slot's job once.
  const jobs = await Jobs.start(database, { supervise: true });
  const mailer = createMailer(config);
  const oidc = new OidcProvider(database.db, config);
  await oidc.current();
  if (config.runWorkers) {
    await jobs.work(jobHandlers({ db: database.db, config, clock: systemClock, mailer, jobs, oidc }));
  }
  // The permission check's in-memory answers, dropped when access changes (api/access-cache.ts).
  const accessCache = await AccessCache.start(database);
  const deps = {
    db: database.db,
    searchDb: database.searchDb,
    jobs,
    clock: systemClock,
    config,
    oidc,
    accessCache,
  };
  const api = apiApp(deps);
  const app = createApp(deps, api);

  // No user yet: the first Account Admin is made in the browser, through a link printed once
  // below; each start makes a new one, which ends the previous start's (auth/setup/setup-link.ts).
  const setup = await setupLinkAtStart(database.db, config.publicUrl, systemClock.now());

  const server = createServer(httpListener(app.fetch, oidc, api.app.fetch));
  server.listen(config.port, config.host, () => {
    const info = server.address() as AddressInfo;
    const where = database.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL';
    // One write, so that whoever reads the output finds the link with the line that says it is up.
    const next = setup
      ? 'No users yet. Create the first Account Admin in your browser with this one-time link,\n' +
        `valid until ${setup.expiresAt.toISOString()} (restart the server for a new one):\n  ${setup.link}`
      : `Open ${config.publicUrl}`;
    console.log(
      `Gatehouse listening on http://${info.address}:${info.port} (${where}, mail: ${mailer.kind}, ` +
        `${config.runWorkers ? 'job workers in this process' : 'no job workers: run `npm run cli -- worker`'})\n` +
        next,
    );
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing open requests, then stopping`);
    const force = setTimeout(() => {
      console.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    server.close(async () => {
      // Jobs in hand finish (or go back to the queue when the grace period ends); the
      // permission checks counted since the last write are written.
      await jobs.stop();
      await api.flush();
      await accessCache.stop();
      await database.close();
      console.log('stopped');
      process.exit(0);
    });
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error) => {
  console.error(error instanceof Error && error.name === 'ConfigError' ? error.message : error);
  process.exit(1);
});
