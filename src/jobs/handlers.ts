import { recordExpiredBindings } from '../access/binding-expiry';
import { pruneAuditEvents } from '../audit/retention';
import { answerPasswordResetRequest, type ResetRequest } from '../auth/links';
import { recordRefusals } from '../auth/sign-in/refusal-counts';
import type { ActionContext } from '../core/context';
import { plural } from '../core/plural';
import { type DeliverContext, deliverMail } from '../mail/outbox';
import { sendBackchannelLogout } from '../oidc/backchannel';
import { rotateIfDue } from '../oidc/keys';
import { OidcProvider } from '../oidc/provider';
import { runLongAction } from '../users/long-action-runner';
import { resetLinkRenderer } from '../users/reset-all';
import { purgeExpired } from './purge';
import type { JobHandlers } from './queue';

/** What the workers run with: the mail job's needs, and where scheduled work reports. */
export interface WorkerDeps extends DeliverContext {
  log?: (line: string) => void;
  /** The OpenID provider, to sign back-channel logout tokens; one is made when not given. */
  oidc?: OidcProvider;
}

/** What each queue's job does. The server's workers, `cli worker` and the tests run these. */
export function jobHandlers(deps: WorkerDeps): JobHandlers {
  const log = deps.log ?? console.log;
  const oidc = deps.oidc ?? new OidcProvider(deps.db, deps.config);
  const system: ActionContext = {
    db: deps.db,
    clock: deps.clock,
    config: deps.config,
    jobs: deps.jobs,
    actor: { kind: 'system', label: 'gatehouse' },
    meta: { ip: null, requestId: null, userAgent: null },
  };
  return {
    'mail-send': (job) => deliverMail({ ...deps, renderLink: resetLinkRenderer(deps) }, job),
    'password-reset-request': (job) =>
      answerPasswordResetRequest(system, job.data as unknown as ResetRequest),
    'long-action': (job) => runLongAction(system, job),
    'oidc-backchannel-logout': (job) => sendBackchannelLogout(oidc, job.data),
    'maintenance-minute': async () => {
      await recordExpiredBindings(system);
      await recordRefusals(system);
    },
    'maintenance-daily': async () => {
      const pruned = await pruneAuditEvents(system);
      if (pruned.removed > 0)
        log(
          `audit retention: removed ${plural(pruned.removed, 'event')} before ${pruned.cutoff.toISOString()}`,
        );
      const purged = await purgeExpired(deps.db, deps.clock.now());
      log(`purged expired rows: ${JSON.stringify(purged)}`);
      const rotated = await rotateIfDue(deps.db, deps.config.secretKey, deps.clock.now());
      if (rotated) log(`openid provider: new signing key ${rotated}`);
    },
  };
}
