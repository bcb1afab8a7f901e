import { serve } from '@hono/node-server';
import { recordExpiredBindings } from './access/binding-expiry';
import { createApp } from './app';
import { pruneAuditEvents } from './audit/retention';
import { recordRefusals } from './auth/sign-in/refusal-counts';
import { loadConfig } from './config';
import { systemClock } from './core/context';
import { openDatabase } from './db/connect';
import { migrateToLatest } from './db/migrate';
import { createMailer } from './mail/mailer';

const SHUTDOWN_GRACE_MS = 10_000;

async function main() {
  const config = loadConfig();
  const database = await openDatabase(config);
  const applied = await migrateToLatest(database.db);
  if (applied.length > 0) console.log(`migrations applied: ${applied.join(', ')}`);
  const mailer = createMailer(config);
  const app = createApp({ db: database.db, searchDb: database.searchDb, mailer, clock: systemClock, config });

  const users = await database.db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  if (users.n === 0) {
    console.log(
      'No users yet. Stop the server and create the first admin:\n' +
        '  npm run cli -- create-admin --email you@example.com --name "Your Name"',
    );
  }

  const server = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, (info) => {
    const where = database.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL';
    console.log(
      `Gatehouse listening on http://${info.address}:${info.port} (${where}, mail: ${mailer.kind})`,
    );
    console.log(`Open ${config.publicUrl}`);
  });

  const system = {
    db: database.db,
    clock: systemClock,
    config,
    mailer,
    actor: { kind: 'system' as const, label: 'gatehouse' },
    meta: { ip: null, requestId: null, userAgent: null },
  };
  // Every minute: expired bindings stop granting at once, this records each expiry in the audit
  // trail; and the rate limit's refusals of each window that has passed become one event.
  const recordExpiries = () =>
    Promise.all([
      recordExpiredBindings(system).catch((error) =>
        console.error('recording expired bindings failed', error),
      ),
      recordRefusals(system).catch((error) => console.error('recording rate-limit refusals failed', error)),
    ]);
  // Audit events older than the account's retention period go at start and then daily.
  const prune = () =>
    pruneAuditEvents(system)
      .then((p) => {
        if (p.removed > 0)
          console.log(`audit retention: removed ${p.removed} events before ${p.cutoff.toISOString()}`);
      })
      .catch((error) => console.error('audit retention failed', error));
  const expiryTimer = setInterval(recordExpiries, 60_000);
  expiryTimer.unref();
  const pruneTimer = setInterval(prune, 86_400_000);
  pruneTimer.unref();

  // The signal handlers come before the start-up jobs, which may take a while (a first pruning):
  // a SIGTERM meanwhile still stops cleanly, after them.
  let startup: Promise<unknown> = Promise.resolve();
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(expiryTimer);
    clearInterval(pruneTimer);
    console.log(`${signal}: finishing open requests, then stopping`);
    const force = setTimeout(() => {
      console.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    server.close(async () => {
      await startup;
      await database.close();
      console.log('stopped');
      process.exit(0);
    });
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  startup = recordExpiries().then(prune);
}

main().catch((error) => {
  console.error(error instanceof Error && error.name === 'ConfigError' ? error.message : error);
  process.exit(1);
});
