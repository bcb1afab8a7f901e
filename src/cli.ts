import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { createBinding } from './access/bindings';
import { defaultProjectId } from './access/grants';
import { createServiceAccount } from './api/service-accounts';
import { createApiToken, revokeApiToken } from './api/tokens';
import { verifyChain } from './audit/chain';
import { pruneAuditEvents } from './audit/retention';
import { type Config, loadConfig } from './config';
import { type ActionContext, systemClock } from './core/context';
import { DomainError, ValidationError } from './core/errors';
import { plural } from './core/plural';
import { openDatabase } from './db/connect';
import { migrateToLatest } from './db/migrate';
import { jobHandlers } from './jobs/handlers';
import { Jobs } from './jobs/queue';
import { createMailer } from './mail/mailer';
import {
  createApplication,
  deleteApplication,
  listApplications,
  rotateApplicationSecret,
} from './oidc/applications';
import { rotateSigningKeys } from './oidc/keys';
import { createAccountAdmin } from './users/create';
import { SEED_PASSWORD, seedUsers } from './users/seed';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  create-admin --email EMAIL --name NAME
      Create an Account Admin without a password and print a one-time link
      (valid 1 hour) to set it.
  migrate
      Apply pending database migrations.
  audit verify
      Check the audit trail's hash chain and report the first broken link, if any
      (exit status 1). Needs the SECRET_KEY that wrote the events.
  audit prune
      Remove events older than the account's retention period (the job workers
      do this daily), and record the removal.
  worker
      Run the job workers alone (email, scheduled work) until SIGTERM or SIGINT,
      for deployments that start the web servers with WORKERS=false.
  app create --name NAME --redirect-uri URI [--redirect-uri URI2 ...]
      [--project P ... | --all-projects] [--public] [--first-party]
      [--post-logout-redirect-uri URI ...] [--back-channel-logout-uri URI]
      [--api IDENTIFIER ...]
      Register an application that signs people in through Gatehouse (OpenID
      Connect); prints client_id and, for a confidential client, client_secret
      (shown once) as key=value lines.
  app list
      The registered applications, one per line (key=value).
  app rotate-secret --client-id ID
      A new client_secret (printed once); the old one stops working.
  app delete --client-id ID
      Remove the application and end its sessions and tokens.
  keys rotate
      Make a new signing key for the OpenID provider; the old one keeps being
      published until the tokens it signed have expired.
  service-account create --name NAME [--permission P ...]
      Create a service account (no password, never signs in) and, with
      --permission, bind it account-wide to that manual permission set; prints
      id and email.
  token create --email EMAIL --name NAME [--permission P ...] [--expires-days D|never]
      Make an API token for a user or service account (by email), limited to the
      permissions given (default: all of the owner's), expiring in D days
      (default 90); prints token (shown once), id and expires_at.
  token revoke --id ID
      Revoke an API token at once.
  seed --users N
      Add N synthetic users with teams, role bindings and sign-in history
      (development and benchmarks; they all use the password "${SEED_PASSWORD}").
  help
      Show this text.

The database is chosen as for the server: DATABASE_URL, else the embedded one in DATA_DIR.`;

class UsageError extends Error {}

/** A command's exit status: 0 (or nothing) when it did its job. */
type Command = (config: Config, args: string[]) => Promise<number | undefined>;

const commands: Record<string, Command> = {
  worker: (config) => runWorker(config),
  async migrate(config, args) {
    if (args.length > 0) throw new UsageError(`migrate takes no arguments (got ${args.join(' ')})`);
    await withDatabase(config, async (ctx) => {
      const applied = await migrateToLatest(ctx.db);
      console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'Already up to date.');
    });
    return 0;
  },

  async audit(config, args) {
    const [sub, ...rest] = args;
    if ((sub !== 'verify' && sub !== 'prune') || rest.length > 0) {
      throw new UsageError(`audit takes one of: verify, prune (got ${args.join(' ') || 'nothing'})`);
    }
    let status = 0;
    await withDatabase(config, async (ctx) => {
      await migrateToLatest(ctx.db);
      if (sub === 'prune') {
        const pruned = await pruneAuditEvents(ctx);
        console.log(
          `Removed ${plural(pruned.removed, 'audit event')} older than ${plural(pruned.retentionDays, 'day')} (before ${pruned.cutoff.toISOString()}).`,
        );
        return;
      }
      const report = await verifyChain(ctx.db, config.secretKey);
      if (!report.ok) {
        console.log(`Audit chain BROKEN after ${plural(report.checked, 'good event')}: ${report.problem}.`);
        status = 1;
        return;
      }
      const range = report.firstId === null ? 'no events' : `events #${report.firstId} to #${report.lastId}`;
      console.log(
        `Audit chain intact: ${report.checked} event${report.checked === 1 ? '' : 's'} checked (${range}).`,
      );
      if (report.prunedBefore) console.log('Earlier events were removed by retention, as recorded.');
      if (report.unchained > 0)
        console.log(`${report.unchained} events from before the chain existed cannot be checked.`);
    });
    return status;
  },

  async seed(config, args) {
    const { values } = parseCommandArgs(args, { users: { type: 'string' } });
    const count = Number(values.users);
    if (!Number.isInteger(count) || count < 1 || count > 5_000_000) {
      throw new UsageError('seed needs --users N, a whole number from 1 to 5000000');
    }
    await withDatabase(config, async (ctx) => {
      await migrateToLatest(ctx.db);
      const started = performance.now();
      const result = await seedUsers(ctx, count);
      await sql`analyze`.execute(ctx.db);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(
        `Seeded ${plural(result.users, 'user')} and ${plural(result.teams, 'team')} in ${seconds} s.`,
      );
    });
    return 0;
  },

  async app(config, args) {
    const [sub, ...rest] = args;
    if (sub === 'list') {
      if (rest.length > 0) throw new UsageError('app list takes no options');
      await withDatabase(config, async (ctx) => {
        await migrateToLatest(ctx.db);
        for (const app of await listApplications(ctx.db))
          console.log(
            [
              `client_id=${app.client_id}`,
              `name=${JSON.stringify(app.name)}`,
              `type=${app.app_type}${app.confidential ? '' : ' (public)'}`,
              `projects=${app.project_ids ? app.project_ids.join(',') : 'all'}`,
              `redirect_uris=${app.redirect_uris.join(',')}`,
            ].join(' '),
          );
      });
      return 0;
    }
    if (sub === 'rotate-secret' || sub === 'delete') {
      const { values } = parseCommandArgs(rest, { 'client-id': { type: 'string' } });
      const clientId = values['client-id'];
      if (typeof clientId !== 'string') throw new UsageError(`app ${sub} needs --client-id`);
      await withDatabase(config, async (ctx) => {
        await migrateToLatest(ctx.db);
        if (sub === 'delete') {
          await deleteApplication(ctx, clientId);
          console.log(`Deleted ${clientId}; its sessions and tokens ended with it.`);
        } else console.log(`client_secret=${await rotateApplicationSecret(ctx, clientId)}`);
      });
      return 0;
    }
    if (sub !== 'create')
      throw new UsageError(`app takes: create, list, rotate-secret, delete (got ${sub ?? 'nothing'})`);
    const { values } = parseCommandArgs(rest, {
      name: { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      'post-logout-redirect-uri': { type: 'string', multiple: true },
      'back-channel-logout-uri': { type: 'string' },
      api: { type: 'string', multiple: true },
      project: { type: 'string', multiple: true },
      'all-projects': { type: 'boolean' },
      public: { type: 'boolean' },
      'first-party': { type: 'boolean' },
    });
    if (values.project && values['all-projects'])
      throw new UsageError('app create takes --project or --all-projects, not both');
    await withDatabase(config, async (ctx) => {
      await migrateToLatest(ctx.db);
      const created = await createApplication(ctx, {
        name: String(values.name ?? ''),
        type: values.public ? 'spa' : 'web',
        redirectUris: (values['redirect-uri'] as string[] | undefined) ?? [],
        postLogoutRedirectUris: (values['post-logout-redirect-uri'] as string[] | undefined) ?? [],
        backchannelLogoutUri: values['back-channel-logout-uri'] as string | undefined,
        apiResources: (values.api as string[] | undefined) ?? [],
        projects: (values.project as string[] | undefined) ?? [],
        public: Boolean(values.public),
        firstParty: Boolean(values['first-party']),
      });
      console.log(`client_id=${created.clientId}`);
      if (created.clientSecret) console.log(`client_secret=${created.clientSecret}`);
    });
    return 0;
  },

  async 'service-account'(config, args) {
    const [sub, ...rest] = args;
    if (sub !== 'create') throw new UsageError('service-account takes: create');
    const { values } = parseCommandArgs(rest, {
      name: { type: 'string' },
      permission: { type: 'string', multiple: true },
    });
    await withDatabase(config, async (ctx) => {
      await migrateToLatest(ctx.db);
      const account = await createServiceAccount(ctx, { name: values.name });
      const permissions = (values.permission as string[] | undefined) ?? [];
      if (permissions.length > 0)
        await createBinding(ctx, await defaultProjectId(ctx.db), {
          subject: 'user',
          email: account.email,
          access: 'manual',
          permissions,
          scope: 'account',
        });
      console.log(`id=${account.id}`);
      console.log(`email=${account.email}`);
    });
    return 0;
  },

  async token(config, args) {
    const [sub, ...rest] = args;
    if (sub === 'revoke') {
      const { values } = parseCommandArgs(rest, { id: { type: 'string' } });
      if (typeof values.id !== 'string') throw new UsageError('token revoke needs --id');
      await withDatabase(config, async (ctx) => {
        await migrateToLatest(ctx.db);
        await revokeApiToken(ctx, values.id as string);
        console.log(`Revoked ${values.id}.`);
      });
      return 0;
    }
    if (sub !== 'create') throw new UsageError(`token takes: create, revoke (got ${sub ?? 'nothing'})`);
    const { values } = parseCommandArgs(rest, {
      email: { type: 'string' },
      name: { type: 'string' },
      permission: { type: 'string', multiple: true },
      'expires-days': { type: 'string' },
    });
    if (typeof values.email !== 'string') throw new UsageError('token create needs --email');
    await withDatabase(config, async (ctx) => {
      await migrateToLatest(ctx.db);
      const owner = await ctx.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', values.email as string)
        .executeTakeFirst();
      if (!owner) throw new ValidationError({ email: `There is no user with the email ${values.email}.` });
      const created = await createApiToken(ctx, {
        ownerId: owner.id,
        name: values.name,
        permissions: values.permission,
        expiresDays: values['expires-days'],
      });
      console.log(`token=${created.token}`);
      console.log(`id=${created.id}`);
      console.log(`expires_at=${created.expiresAt?.toISOString() ?? 'never'}`);
    });
    return 0;
  },

  async keys(config, args) {
    if (args.length !== 1 || args[0] !== 'rotate') throw new UsageError('keys takes: rotate');
    await withDatabase(config, async (ctx) => {
      await migrateToLatest(ctx.db);
      const kid = await rotateSigningKeys(ctx.db, config.secretKey);
      console.log(`New signing key ${kid}; earlier keys are published until their tokens expire.`);
    });
    return 0;
  },

  async 'create-admin'(config, args) {
    const { values } = parseCommandArgs(args, { email: { type: 'string' }, name: { type: 'string' } });
    if (!values.email || !values.name) throw new UsageError('create-admin needs --email and --name');
    await withDatabase(config, async (ctx) => {
      await migrateToLatest(ctx.db);
      const admin = await createAccountAdmin(ctx, { email: values.email, name: values.name });
      console.log(`Created Account Admin ${values.email}.`);
      console.log(`Set the password within one hour (until ${admin.expiresAt.toISOString()}) at:`);
      console.log(admin.link);
    });
    return 0;
  },
};

function parseCommandArgs(
  args: string[],
  options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>,
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function withDatabase(config: Config, work: (ctx: ActionContext) => Promise<void>) {
  const database = await openDatabase(config);
  let jobs: Jobs | undefined;
  try {
    jobs = await Jobs.start(database, { supervise: false });
    await work({
      db: database.db,
      clock: systemClock,
      config,
      jobs,
      actor: { kind: 'system', label: 'cli' },
      meta: { ip: null, requestId: null, userAgent: 'gatehouse-cli' },
    });
  } finally {
    await jobs?.stop();
    await database.close();
  }
}

/** The workers without the web server; they stop after the jobs in hand on SIGTERM or SIGINT. */
async function runWorker(config: Config): Promise<number> {
  const database = await openDatabase(config);
  try {
    await migrateToLatest(database.db);
    const jobs = await Jobs.start(database, { supervise: true });
    const mailer = createMailer(config);
    await jobs.work(jobHandlers({ db: database.db, config, clock: systemClock, mailer, jobs }));
    console.log(`Gatehouse worker running (mail: ${mailer.kind}); stop it with SIGTERM or Ctrl-C`);
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    console.log(`${signal}: finishing the jobs in hand, then stopping`);
    await jobs.stop();
    return 0;
  } finally {
    await database.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${USAGE}`);
    return 2;
  }
  try {
    return (await command(loadConfig(), args)) ?? 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof ValidationError) {
      console.error(`Error: ${Object.values(error.fields).join(' ')}`);
      return 1;
    }
    if (
      error instanceof DomainError ||
      (error instanceof Error && /^(ConfigError|DataDirLockedError)$/.test(error.name))
    ) {
      console.error(`Error: ${error.message}`);
      return 1;
    }
    console.error(error);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
