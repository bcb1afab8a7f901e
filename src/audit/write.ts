import { sql } from 'kysely';
import { type ActionContext, type Actor, actorLabel } from '../core/context';
import type { Db } from '../db/connect';
import type { AuditOutcome } from '../db/schema';
import type { AuditAction } from './actions';
import { advanceChainHead, asStoredJson, type ChainedFields, eventHash, lockChainHead } from './chain';

/**
 * Writing one audit event, chained to the one before it. perform() writes the event of every
 * change; what is observed rather than performed (a lock, a spent code, a refusal) is written
 * here directly.
 */
/** Who an event names as its actor: a user (id and email) or a label such as `cli`. */
export interface AuditActor {
  id: string | null;
  label: string;
}

export function auditActor(actor: Actor): AuditActor {
  return { id: actor.kind === 'user' ? actor.id : null, label: actorLabel(actor) };
}

export interface AuditTarget {
  type: string;
  id: string;
  label?: string | null;
}

/** A person as an event's target, named by email. */
export const userTarget = (user: { id: string; email: string }): AuditTarget => ({
  type: 'user',
  id: user.id,
  label: user.email,
});

/** A person as an event's actor, when it is not the caller (the one signing in, say). */
export const userActor = (user: { id: string; email: string }): AuditActor => ({
  id: user.id,
  label: user.email,
});

export interface AuditRecord {
  action: AuditAction;
  outcome: AuditOutcome;
  actor: AuditActor;
  target?: AuditTarget | null;
  projectId?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
}

/**
 * A JSON value as jsonb, sent as text: the drivers would otherwise type a bare string, number or
 * array differently (postgres.js as text or a Postgres array, PGlite as JSON).
 */
export function jsonb(value: unknown) {
  return value === undefined || value === null
    ? null
    : sql<unknown>`cast(${JSON.stringify(value)} as text)::jsonb`;
}

/** What writing an event needs from its context: where the request came from, the time, the key. */
export type AuditContext = Pick<ActionContext, 'meta' | 'clock' | 'config'>;

/**
 * Appends one event, chained to the one before it in its connection's chain (chain.ts): that
 * head row stays locked until the transaction ends, so it is best written last. Outside a transaction it opens one.
 * Values are JSON; secrets never belong in before/after.
 */
export async function writeAudit(db: Db, ctx: AuditContext, event: AuditRecord): Promise<void> {
  if (!db.isTransaction) return db.transaction().execute((tx) => writeAudit(tx, ctx, event));
  const head = await lockChainHead(db);
  const fields: ChainedFields = {
    occurred_at: ctx.clock.now(),
    // uuid columns read back lower-case; the hash must be of what reads back.
    actor_id: event.actor.id?.toLowerCase() ?? null,
    actor_label: event.actor.label,
    action: event.action,
    outcome: event.outcome,
    target_type: event.target?.type ?? null,
    target_id: event.target?.id ?? null,
    target_label: event.target?.label ?? null,
    project_id: event.projectId?.toLowerCase() ?? null,
    ip: ctx.meta.ip,
    request_id: ctx.meta.requestId,
    before: asStoredJson(event.before),
    after: asStoredJson(event.after),
    reason: event.reason ?? null,
  };
  const hash = eventHash(ctx.config.secretKey, head.lastHash, fields);
  const written = await db
    .insertInto('audit_events')
    .values({
      ...fields,
      before: jsonb(fields.before),
      after: jsonb(fields.after),
      prev_hash: head.lastHash,
      hash,
      chain: head.chain,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await advanceChainHead(db, ctx.config.secretKey, head, { id: written.id, hash });
}
