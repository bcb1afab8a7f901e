import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Db } from '../db/connect';
import type { AuditEventsTable } from '../db/schema';

/**
 * The audit trail as a hash chain. Each event stores the hash of the one before it and its own:
 * an HMAC-SHA-256, under a key derived from the configuration's SECRET_KEY, of the previous hash
 * and every field of the event. Keyed, so that someone who can write to the database but does
 * not hold the key cannot rewrite an event and recompute the chain after it. Writers lock the
 * chain's head row (`audit_chain`), so events are chained in one order across app instances.
 */

/** The fields an event's hash covers, as written (before/after already plain JSON values). */
export type ChainedFields = Omit<Selectable<AuditEventsTable>, 'id' | 'prev_hash' | 'hash'>;

const keys = new WeakMap<Buffer, Buffer>();

function chainKey(secretKey: Buffer): Buffer {
  let key = keys.get(secretKey);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secretKey, '', 'gatehouse audit-chain v1', 32));
    keys.set(secretKey, key);
  }
  return key;
}

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(value));
}

/** A value as it will read back from jsonb: Dates become strings, undefined members go. */
export const asStoredJson = (value: unknown): unknown =>
  value === undefined || value === null ? null : JSON.parse(JSON.stringify(value));

export function eventHash(secretKey: Buffer, prevHash: string | null, e: ChainedFields): string {
  const text = JSON.stringify([
    'gatehouse-audit-v1',
    prevHash,
    e.occurred_at.toISOString(),
    e.actor_id,
    e.actor_label,
    e.action,
    e.outcome,
    e.target_type,
    e.target_id,
    e.target_label,
    e.project_id,
    e.ip,
    e.request_id,
    canonicalJson(e.before),
    canonicalJson(e.after),
    e.reason,
  ]);
  return createHmac('sha256', chainKey(secretKey)).update(text).digest('hex');
}

const same = (a: string | null, b: string | null) =>
  a !== null && b !== null && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export interface ChainHead {
  lastId: number | null;
  lastHash: string | null;
  unchainedThrough: number;
}

/** Locks the chain's head for the rest of the transaction and returns it. */
export async function lockChainHead(tx: Db): Promise<ChainHead> {
  const head = await tx
    .selectFrom('audit_chain')
    .select(['last_id', 'last_hash', 'unchained_through'])
    .where('id', '=', 1)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return { lastId: head.last_id, lastHash: head.last_hash, unchainedThrough: Number(head.unchained_through) };
}

/** The head's MAC: a head set back to an earlier event, or rewritten, no longer matches it. */
function headMac(secretKey: Buffer, head: ChainHead): string {
  const text = JSON.stringify(['gatehouse-audit-head-v1', head.lastId, head.lastHash, head.unchainedThrough]);
  return createHmac('sha256', chainKey(secretKey)).update(text).digest('hex');
}

/** Moves the locked head to the event just written. */
export async function advanceChainHead(
  tx: Db,
  secretKey: Buffer,
  head: ChainHead,
  event: { id: number; hash: string },
): Promise<void> {
  const next = { ...head, lastId: event.id, lastHash: event.hash };
  await tx
    .updateTable('audit_chain')
    .set({ last_id: event.id, last_hash: event.hash, head_mac: headMac(secretKey, next) })
    .where('id', '=', 1)
    .execute();
}

export type ChainReport =
  | {
      ok: true;
      /** Events whose chain was checked, and the first and last of them. */
      checked: number;
      firstId: number | null;
      lastId: number | null;
      /** Events written before the chain existed (migration 0008), which cannot be checked. */
      unchained: number;
      /** The chain starts after events removed by retention (`audit.prune`). */
      prunedBefore: boolean;
    }
  | { ok: false; eventId: number | null; problem: string; checked: number };

const BATCH = 1000;

/**
 * Walks every event in chain order and reports the first broken link: an event changed after it
 * was written (its hash no longer matches), removed (the next one does not follow its
 * predecessor), added without a hash, removed at the start other than by retention, or at the
 * end (the head, whose MAC only the key can make, names a later event). One snapshot throughout,
 * so events written meanwhile by a running server are not mistaken for tampering.
 */
export function verifyChain(db: Db, secretKey: Buffer): Promise<ChainReport> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute((tx) => walkChain(tx, secretKey));
}

async function walkChain(db: Db, secretKey: Buffer): Promise<ChainReport> {
  const row = await db
    .selectFrom('audit_chain')
    .select(['last_id', 'last_hash', 'unchained_through', 'head_mac'])
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
  const head: ChainHead = {
    lastId: row.last_id === null ? null : Number(row.last_id),
    lastHash: row.last_hash,
    unchainedThrough: Number(row.unchained_through),
  };
  let checked = 0;
  let unchained = 0;
  let firstId: number | null = null;
  let previous: { id: number; hash: string } | null = null;
  let prunedBefore = false;
  const broken = (eventId: number | null, problem: string): ChainReport => ({
    ok: false,
    eventId,
    problem,
    checked,
  });
  if (head.lastId !== null && !same(row.head_mac, headMac(secretKey, head))) {
    return broken(
      null,
      "the chain's head was changed outside the application (or SECRET_KEY is not the key that wrote it)",
    );
  }
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    for (const event of rows) {
      after = event.id;
      if (event.hash === null) {
        if (previous || event.id > head.unchainedThrough) {
          return broken(event.id, `event #${event.id} has no hash: it was written outside the chain`);
        }
        unchained++;
        continue;
      }
      if (!same(eventHash(secretKey, event.prev_hash, event), event.hash)) {
        return broken(
          event.id,
          `event #${event.id} does not match its hash: it was changed after it was written (or SECRET_KEY is not the key that wrote it)`,
        );
      }
      if (previous) {
        if (!same(event.prev_hash, previous.hash)) {
          return broken(
            event.id,
            `event #${event.id} does not follow event #${previous.id}: an event between them was removed or replaced`,
          );
        }
      } else if (event.prev_hash !== null) {
        // The first event left names a predecessor: only retention may have removed it.
        if (!(await prunedThrough(db, event.prev_hash))) {
          return broken(
            event.id,
            `event #${event.id} follows an event that is missing and was not removed by retention: events before it were deleted`,
          );
        }
        prunedBefore = true;
      }
      firstId ??= event.id;
      previous = { id: event.id, hash: event.hash };
      checked++;
    }
    if (rows.length < BATCH) break;
  }
  if (
    previous ? !(previous.id === head.lastId && same(previous.hash, head.lastHash)) : head.lastId !== null
  ) {
    return broken(
      previous?.id ?? null,
      `the chain's head names event #${head.lastId}, but the newest event is ${previous ? `#${previous.id}` : 'gone'}: the newest events were removed`,
    );
  }
  return { ok: true, checked, firstId, lastId: previous?.id ?? null, unchained, prunedBefore };
}

/** Whether a retention run recorded `hash` as the last event it removed. */
async function prunedThrough(db: Db, hash: string): Promise<boolean> {
  const prunes = await db
    .selectFrom('audit_events')
    .select('after')
    .where('action', '=', 'audit.prune')
    .where('outcome', '=', 'success')
    .orderBy('id', 'desc')
    .limit(50)
    .execute();
  return prunes.some((p) => (p.after as { lastRemovedHash?: unknown } | null)?.lastRemovedHash === hash);
}
