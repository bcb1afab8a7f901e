import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { type Selectable, sql } from 'kysely';
import type { Db } from '../db/connect';
import type { AuditEventsTable } from '../db/schema';

/**
 * The audit trail as hash chains. Each event stores the hash of the one before it in its chain
 * and its own: an HMAC-SHA-256, under a key derived from the configuration's SECRET_KEY, of the
 * previous hash and every field of the event. Keyed, so that someone who can write to the
 * database but does not hold the key cannot rewrite an event and recompute the chain after it.
 *
 * There are CHAIN_PARTITIONS chains, each with its head row in `audit_chain` (its newest event
 * and a keyed MAC of the head). A writer locks one head — its database connection's partition,
 * so that a connection, which runs one transaction at a time, never waits for itself and
 * connections rarely wait for each other — and appends there. With one head for everything,
 * every audited write of every instance ran one at a time for the lock's hold time (about 2 ms:
 * insert, head update and commit, three round trips), capping the whole system near 500 writes a
 * second whatever the cores. Ids come from one sequence and are taken under the partition's lock,
 * so within a chain they rise in chain order: `audit verify` walks all events once in id order
 * and follows each chain. What the chains prove, and do not, is written in the README (Audit log).
 */

/** Must agree with migration 0020, which made the head rows. */
export const CHAIN_PARTITIONS = 32;

/** The fields an event's hash covers, as written (before/after already plain JSON values). */
export type ChainedFields = Omit<Selectable<AuditEventsTable>, 'id' | 'prev_hash' | 'hash' | 'chain'>;

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
  /** The partition (`audit_chain.id`, `audit_events.chain`). */
  chain: number;
  lastId: number | null;
  lastHash: string | null;
  unchainedThrough: number;
}

/**
 * Locks the head of this connection's partition for the rest of the transaction and returns it:
 * one round trip, the partition chosen by the server from the backend's process id.
 */
export async function lockChainHead(tx: Db): Promise<ChainHead> {
  const head = await tx
    .selectFrom('audit_chain')
    .select(['id', 'last_id', 'last_hash', 'unchained_through'])
    .where('id', '=', sql<number>`(pg_backend_pid() % ${sql.lit(CHAIN_PARTITIONS)}) + 1`)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return {
    chain: Number(head.id),
    lastId: head.last_id === null ? null : Number(head.last_id),
    lastHash: head.last_hash,
    unchainedThrough: Number(head.unchained_through),
  };
}

/** Every head, locked (retention cuts the start of every chain at once). */
export async function lockAllChainHeads(tx: Db): Promise<void> {
  await tx.selectFrom('audit_chain').select('id').orderBy('id').forUpdate().execute();
}

/**
 * The head's MAC: a head set back to an earlier event, rewritten, or moved to another partition
 * no longer matches it. Partition 1 keeps the formula of the single chain it continues.
 */
function headMac(secretKey: Buffer, head: ChainHead): string {
  const fields = [head.lastId, head.lastHash, head.unchainedThrough];
  const text = JSON.stringify(
    head.chain === 1
      ? ['gatehouse-audit-head-v1', ...fields]
      : ['gatehouse-audit-head-v2', head.chain, ...fields],
  );
  return createHmac('sha256', chainKey(secretKey)).update(text).digest('hex');
}

/** Moves the locked head to the event just written. */
export async function advanceChainHead(
  tx: Db,
  secretKey: Buffer,
  head: ChainHead,
  event: { id: number; hash: string },
): Promise<void> {
  // A number whatever the driver gives for bigint: the MAC is of what verify reads back.
  const next = { ...head, lastId: Number(event.id), lastHash: event.hash };
  await tx
    .updateTable('audit_chain')
    .set({ last_id: next.lastId, last_hash: event.hash, head_mac: headMac(secretKey, next) })
    .where('id', '=', head.chain)
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
  const rows = await db
    .selectFrom('audit_chain')
    .select(['id', 'last_id', 'last_hash', 'unchained_through', 'head_mac'])
    .orderBy('id')
    .execute();
  const heads = new Map<number, ChainHead>();
  let checked = 0;
  let unchained = 0;
  let firstId: number | null = null;
  let lastId: number | null = null;
  let prunedBefore = false;
  const broken = (eventId: number | null, problem: string): ChainReport => ({
    ok: false,
    eventId,
    problem,
    checked,
  });
  for (const row of rows) {
    const head: ChainHead = {
      chain: Number(row.id),
      lastId: row.last_id === null ? null : Number(row.last_id),
      lastHash: row.last_hash,
      unchainedThrough: Number(row.unchained_through),
    };
    if (head.lastId !== null && !same(row.head_mac, headMac(secretKey, head))) {
      return broken(
        null,
        `the head of chain ${head.chain} was changed outside the application (or SECRET_KEY is not the key that wrote it)`,
      );
    }
    heads.set(head.chain, head);
  }
  if (heads.size !== CHAIN_PARTITIONS) {
    return broken(
      null,
      `the chain has ${heads.size} heads where there are ${CHAIN_PARTITIONS}: heads were removed or added`,
    );
  }
  // Events older than the chain (migration 0008): recorded in partition 1's head when it was the only one.
  const unchainedThrough = Math.max(...[...heads.values()].map((h) => h.unchainedThrough));
  /** Each chain's newest event seen so far in the walk. */
  const previous = new Map<number, { id: number; hash: string }>();
  let after = 0;
  for (;;) {
    const events = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    for (const event of events) {
      after = event.id;
      if (event.hash === null) {
        if (previous.size > 0 || event.id > unchainedThrough) {
          return broken(event.id, `event #${event.id} has no hash: it was written outside the chain`);
        }
        unchained++;
        continue;
      }
      const chain = Number(event.chain);
      if (!heads.has(chain))
        return broken(event.id, `event #${event.id} names chain ${chain}, which does not exist`);
      if (!same(eventHash(secretKey, event.prev_hash, event), event.hash)) {
        return broken(
          event.id,
          `event #${event.id} does not match its hash: it was changed after it was written (or SECRET_KEY is not the key that wrote it)`,
        );
      }
      const before = previous.get(chain);
      if (before) {
        if (!same(event.prev_hash, before.hash)) {
          return broken(
            event.id,
            `event #${event.id} does not follow event #${before.id}: an event between them was removed, replaced or moved to another chain`,
          );
        }
      } else if (event.prev_hash !== null) {
        // The first event left in a chain names a predecessor: only retention may have removed it.
        if (!(await prunedThrough(db, chain, event.prev_hash))) {
          return broken(
            event.id,
            `event #${event.id} follows an event that is missing and was not removed by retention: events before it were deleted`,
          );
        }
        prunedBefore = true;
      }
      firstId ??= event.id;
      lastId = event.id;
      previous.set(chain, { id: event.id, hash: event.hash });
      checked++;
    }
    if (events.length < BATCH) break;
  }
  for (const head of heads.values()) {
    const last = previous.get(head.chain);
    if (last ? !(last.id === head.lastId && same(last.hash, head.lastHash)) : head.lastId !== null) {
      return broken(
        last?.id ?? null,
        `the head of chain ${head.chain} names event #${head.lastId}, but its newest event is ${last ? `#${last.id}` : 'gone'}: the newest events were removed`,
      );
    }
  }
  return { ok: true, checked, firstId, lastId, unchained, prunedBefore };
}

/**
 * Whether a retention run recorded `hash` as the last event it removed from this chain (runs
 * before the partitions recorded one hash, of the single chain, which is partition 1).
 */
async function prunedThrough(db: Db, chain: number, hash: string): Promise<boolean> {
  const prunes = await db
    .selectFrom('audit_events')
    .select('after')
    .where('action', '=', 'audit.prune')
    .where('outcome', '=', 'success')
    .orderBy('id', 'desc')
    .limit(50)
    .execute();
  return prunes.some((p) => {
    const after = p.after as {
      lastRemovedHash?: unknown;
      lastRemovedHashes?: Record<string, unknown>;
    } | null;
    return (
      after?.lastRemovedHashes?.[String(chain)] === hash || (chain === 1 && after?.lastRemovedHash === hash)
    );
  });
}
