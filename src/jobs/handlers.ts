import { recordExpiredBindings } from '../access/binding-expiry';
import { pruneAuditEvents } from '../audit/retention';
import { recordRefusals } from '../auth/sign-in/refusal-counts';
import type { Config } from '../config';
import type { ActionContext, Clock } from '../core/context';
import type { Db } from '../db/connect';
import type { Mailer } from '../mail/mailer';
import { deliverMail } from '../mail/outbox';
import { purgeExpired } from './purge';
import type { JobHandlers, JobQueue } from './queue';

export interface WorkerDeps {
  db: Db;
  config: Config;
  clock: Clock;
  mailer: Mailer;
  jobs: JobQueue;
  /** Tests skip the send rate's waits. */
  sleep?: (ms: number) => Promise<void>;
  log?: (line: string) => void;
}

/** What each queue's job does. The server's workers, `cli worker` and the tests run these. */
export function jobHandlers(deps: WorkerDeps): JobHandlers {
  const log = deps.log ?? console.log;
  const system: ActionContext = {
    db: deps.db,
    clock: deps.clock,
    config: deps.config,
    jobs: deps.jobs,
    actor: { kind: 'system', label: 'gatehouse' },
    meta: { ip: null, requestId: null, userAgent: null },
  };
  return {
    'mail-send': (job) => deliverMail(deps, job),
    'maintenance-minute': async () => {
      await recordExpiredBindings(system);
      await recordRefusals(system);
    },
    'maintenance-daily': async () => {
      const pruned = await pruneAuditEvents(system);
      if (pruned.removed > 0)
        log(`audit retention: removed ${pruned.removed} events before ${pruned.cutoff.toISOString()}`);
      const purged = await purgeExpired(deps.db, deps.clock.now());
      log(`purged expired rows: ${JSON.stringify(purged)}`);
    },
  };
}
