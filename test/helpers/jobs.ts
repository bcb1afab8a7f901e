import type { Config } from '../../src/config';
import type { Clock } from '../../src/core/context';
import type { DatabaseHandle } from '../../src/db/connect';
import { jobHandlers } from '../../src/jobs/handlers';
import { type JobQueue, Jobs } from '../../src/jobs/queue';
import type { Mailer } from '../../src/mail/mailer';

/**
 * The real queue (pg-boss on the test database) without its polling workers: `runJobs()` runs
 * what is due, with the workers' handlers, at the moment a test chooses — after each request in
 * testApp() and the test server, so a test reads the mail of the request it made. The send rate's
 * waits are skipped. `queue` is what the app and domain functions enqueue through.
 */
export async function testJobs(
  database: Pick<DatabaseHandle, 'db' | 'queueConnection'>,
  deps: { config: Config; clock: Clock; mailer: Mailer },
) {
  const jobs = await Jobs.start(database, { supervise: false });
  let dirty = false;
  const queue: JobQueue = {
    enqueue: async (...args) => {
      dirty = true;
      await jobs.enqueue(...args);
    },
    enqueueMany: async (...args) => {
      dirty = true;
      await jobs.enqueueMany(...args);
    },
  };
  const handlers = jobHandlers({
    db: database.db,
    ...deps,
    jobs: queue,
    sleep: async () => {},
    log: () => {},
  });
  let running: Promise<number> = Promise.resolve(0);
  /** Runs every due job; cheap when nothing was enqueued since the last run. */
  const runJobs = (): Promise<number> => {
    if (!dirty) return running;
    dirty = false;
    running = running.then(() => jobs.drain(handlers));
    return running;
  };
  return { jobs, queue, runJobs, handlers };
}
