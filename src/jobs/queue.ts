import { fromKysely, fromPglite, type JobWithMetadata, PgBoss, type QueueOptions } from 'pg-boss';
import type { DatabaseHandle, Db } from '../db/connect';

/**
 * The durable job queue: pg-boss (https://github.com/timgit/pg-boss) on our own database, chosen
 * because it runs on both of ours — on PostgreSQL through a small pool of its own, on the embedded
 * PGlite through that one connection (its `fromPglite` adapter) — and because it takes a job
 * inside the caller's transaction (`fromKysely(tx)`), so a rolled-back change enqueues nothing and
 * a committed one is never lost. It retries with backoff, keeps failed jobs visible, runs each job
 * once however many instances poll (SKIP LOCKED), and runs cron schedules once per slot across
 * instances. Its tables live in the `pgboss` schema, which it creates and migrates itself.
 *
 * Every queue is declared here and created at start: on PGlite, a send to a queue pg-boss has not
 * cached makes it look the queue up on its own connection, which a transaction holding that one
 * connection would wait on forever.
 */
export const QUEUES = {
  /** One email: { id } of a mail_messages row. Network errors and 5xx retry with backoff. */
  'mail-send': {
    retryLimit: 6,
    retryDelay: 30,
    retryBackoff: true,
    retryDelayMax: 3_600,
    heartbeatSeconds: 10,
  },
  /** A forgot-password request: { email, allowed, at, meta }; the job looks the address up. */
  'password-reset-request': { retryLimit: 3, retryDelay: 5, retryBackoff: true },
  /**
   * A long action: { id } of a long_actions row, run by the job its runner_job names, batch
   * after batch; it hands over to a new job every 20 s.
   */
  'long-action': {
    retryLimit: 10,
    retryDelay: 5,
    retryBackoff: true,
    retryDelayMax: 300,
    expireInSeconds: 900,
    heartbeatSeconds: 10,
  },
  /** An application's back-channel logout: { clientId, accountId, sid } (oidc/end-sessions.ts). */
  'oidc-backchannel-logout': { retryLimit: 8, retryDelay: 10, retryBackoff: true, retryDelayMax: 3_600 },
  /** Every minute (cron): binding expiries and rate-limit refusals become audit events. */
  'maintenance-minute': { retryLimit: 0, expireInSeconds: 300 },
  /** Daily (cron): audit retention and purging what has expired. */
  'maintenance-daily': { retryLimit: 2, expireInSeconds: 3_600 },
} satisfies Record<string, QueueOptions>;

export type QueueName = keyof typeof QUEUES;

/** A queue's heartbeat, given to each job (pg-boss reads it from the job, not the queue). */
const heartbeatOf = (name: QueueName) => {
  const seconds = (QUEUES[name] as QueueOptions).heartbeatSeconds;
  return seconds ? { heartbeatSeconds: seconds } : {};
};
export const queueNames = Object.keys(QUEUES) as QueueName[];

/*
 * A worker killed with a job in hand (kill -9, a lost machine) stops its heartbeat: with
 * heartbeatSeconds the supervisor's per-queue pass (every SUPERVISE_SECONDS in each server and
 * worker) fails the job and pg-boss retries it elsewhere within about half a minute, instead of at
 * its expiry (15 minutes).
 */
const SUPERVISE_SECONDS = 10;

/** When the worker's cron runs each scheduled queue (UTC). */
export const SCHEDULES: Partial<Record<QueueName, string>> = {
  'maintenance-minute': '* * * * *',
  'maintenance-daily': '17 3 * * *',
};

export interface EnqueueOptions {
  /** The job's id, chosen by the caller (a long action records which job drives it). */
  id?: string;
  /** Not before this time (a provider's Retry-After). */
  startAfter?: Date;
  /**
   * Higher goes first (default 10). A long action's thousands of emails go at 0, so that a
   * single invitation or reset link is not queued behind them.
   */
  priority?: number;
}

/** What domain functions see: a job is always written in the caller's transaction. */
export interface JobQueue {
  enqueue(tx: Db, name: QueueName, data: object, options?: EnqueueOptions): Promise<void>;
  /** Many jobs of one queue in one statement (a batch's emails). */
  enqueueMany(tx: Db, name: QueueName, data: object[], options?: EnqueueOptions): Promise<void>;
}

/** A job as its handler sees it: its data, and which try this is of how many retries. */
export interface QueuedJob {
  id: string;
  data: Record<string, unknown>;
  retryCount: number;
  retryLimit: number;
}
export type JobHandler = (job: QueuedJob) => Promise<void>;
export type JobHandlers = Record<QueueName, JobHandler>;

export interface StartOptions {
  /** Run the cron schedules and pg-boss's maintenance (a server or a worker, not a test). */
  supervise: boolean;
  onError?: (error: Error) => void;
}

export class Jobs implements JobQueue {
  private constructor(private readonly boss: PgBoss) {}

  static async start(handle: Pick<DatabaseHandle, 'queueConnection'>, options: StartOptions): Promise<Jobs> {
    const connection = handle.queueConnection;
    const boss = new PgBoss({
      ...('url' in connection
        ? { connectionString: connection.url, max: 4, application_name: 'gatehouse-jobs' }
        : { db: fromPglite(connection.pglite), backend: 'pglite' as const }),
      schema: 'pgboss',
      supervise: options.supervise,
      superviseIntervalSeconds: SUPERVISE_SECONDS,
      // The per-queue pass that fails jobs whose heartbeat stopped (and counts the queues).
      monitorIntervalSeconds: SUPERVISE_SECONDS,
      schedule: options.supervise,
      openTelemetry: { enabled: false },
    });
    boss.on('error', options.onError ?? ((error) => console.error('job queue:', error)));
    await boss.start();
    for (const name of queueNames) {
      await boss.createQueue(name, QUEUES[name]);
      // A queue made by an earlier version keeps its options unless told.
      await boss.updateQueue(name, QUEUES[name]);
    }
    const jobs = new Jobs(boss);
    if (options.supervise) {
      for (const [name, cron] of Object.entries(SCHEDULES))
        await boss.schedule(name, cron, {}, { tz: 'UTC' });
    }
    return jobs;
  }

  async enqueue(tx: Db, name: QueueName, data: object, options: EnqueueOptions = {}): Promise<void> {
    if (!(name in QUEUES)) throw new Error(`Unknown queue ${name}`);
    await this.boss.send(name, data, {
      db: fromKysely(tx),
      ...heartbeatOf(name),
      priority: options.priority ?? 10,
      ...(options.id ? { id: options.id } : {}),
      ...(options.startAfter ? { startAfter: options.startAfter } : {}),
    });
  }

  async enqueueMany(tx: Db, name: QueueName, data: object[], options: EnqueueOptions = {}): Promise<void> {
    if (!(name in QUEUES)) throw new Error(`Unknown queue ${name}`);
    if (data.length === 0) return;
    const priority = options.priority ?? 10;
    await this.boss.insert(
      name,
      data.map((d) => ({ data: d, priority, ...heartbeatOf(name) })),
      { db: fromKysely(tx) },
    );
  }

  /**
   * Polls every queue and runs its handler. Mail is fetched 20 at a time by four workers a
   * process (one send takes about 40 ms with its link made; two workers reached 40 of 50 a
   * second), and each job of a batch succeeds or fails on its own.
   */
  async work(handlers: JobHandlers): Promise<void> {
    for (const name of queueNames) {
      const mail = name === 'mail-send';
      await this.boss.work<Record<string, unknown>>(
        name,
        {
          includeMetadata: true,
          batchSize: mail ? 20 : 1,
          pollingIntervalSeconds: name.startsWith('maintenance') ? 5 : 1,
          localConcurrency: mail ? 4 : 1,
          perJobResults: true,
        },
        async (batch) => {
          const results = [];
          for (const job of batch) {
            try {
              await handlers[name](job as JobWithMetadata<Record<string, unknown>>);
              results.push({ id: job.id, status: 'completed' as const });
            } catch (error) {
              results.push({
                id: job.id,
                status: 'failed' as const,
                output: { message: (error as Error).message },
              });
            }
          }
          return results;
        },
      );
    }
  }

  /**
   * Runs what is due now, in this process, until nothing is left (tests, and a single CLI run).
   * The same handlers as `work`, and a failure is recorded the way pg-boss records it there.
   */
  async drain(
    handlers: JobHandlers,
    options: { only?: QueueName[]; ignoreStartAfter?: boolean; max?: number } = {},
  ): Promise<number> {
    const only = options.only ?? [
      'password-reset-request',
      'long-action',
      'mail-send',
      'oidc-backchannel-logout',
    ];
    const max = options.max ?? Number.POSITIVE_INFINITY;
    let ran = 0;
    for (;;) {
      let found = false;
      for (const name of only) {
        if (ran >= max) return ran;
        const [job] = await this.boss.fetch<Record<string, unknown>>(name, {
          includeMetadata: true,
          batchSize: 1,
          ignoreStartAfter: options.ignoreStartAfter ?? false,
        });
        if (!job) continue;
        found = true;
        ran++;
        try {
          await handlers[name](job);
          await this.boss.complete(name, job.id);
        } catch (error) {
          await this.boss.fail(name, job.id, { message: (error as Error).message });
        }
      }
      if (!found) return ran;
    }
  }

  /** Drops a queue's waiting jobs (tests that leave thousands of emails unsent). */
  async dropQueued(name: QueueName): Promise<number> {
    return this.boss.deleteQueuedJobs(name);
  }

  /** A job's state as pg-boss keeps it (tests and the CLI). */
  async find(name: QueueName, data?: object) {
    return this.boss.findJobs<Record<string, unknown>>(name, data ? { data } : {});
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: 10_000, close: true });
  }
}
