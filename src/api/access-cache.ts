import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { DatabaseHandle } from '../db/connect';

/*
 * What the permission check and the API's token check read (a token and its owner, a person's
 * grants, a project by id or name), kept in memory so that a check costs no database round trip.
 *
 * Safe because every statement that changes access notifies the channel `gatehouse_access`
 * (triggers, migrations/0017), delivered to every instance when its transaction commits; any
 * notification empties the cache. That notifications still arrive is proven, not assumed: each
 * instance sends itself a beat on the same channel every 250 ms, and PostgreSQL delivers a
 * channel's notifications in commit order, so receiving a beat sent at time T means every change
 * committed before T has been seen. The cache answers only while the latest beat received was
 * sent less than a second ago (else every read goes to the database), so no answer is ever staler
 * than a change's commit plus one second, even when the listening connection breaks.
 *
 * A read that was under way when a notification arrived is not kept (the generation moved on).
 * Time-bound state (a binding's end, an expiry, a lock's end) is kept as data and judged at the
 * moment of each check, never cached as an answer.
 */

export const ACCESS_CHANNEL = 'gatehouse_access';
const BEAT_MS = 250;
const FRESH_MS = 1000;
const MAX_ENTRIES = 100_000;

export class AccessCache {
  readonly #entries = new Map<string, unknown>();
  readonly #instance = randomUUID();
  #generation = 0;
  #confirmedAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #unlisten: (() => Promise<void>) | null = null;

  private constructor(private readonly handle: Pick<DatabaseHandle, 'db' | 'listen'>) {}

  static async start(handle: Pick<DatabaseHandle, 'db' | 'listen'>): Promise<AccessCache> {
    const cache = new AccessCache(handle);
    cache.#unlisten = await handle.listen(
      ACCESS_CHANNEL,
      (payload) => cache.#received(payload),
      () => cache.clear(),
    );
    cache.#timer = setInterval(() => void cache.#beat(), BEAT_MS);
    cache.#timer.unref();
    await cache.#beat();
    return cache;
  }

  /** Whether answers from memory are current to within a second. */
  get fresh(): boolean {
    return Date.now() - this.#confirmedAt < FRESH_MS;
  }

  clear(): void {
    this.#generation++;
    this.#entries.clear();
  }

  /** The value under `key`, read with `load` when absent (or when the cache cannot vouch for it). */
  async read<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (!this.fresh) return load();
    if (this.#entries.has(key)) return this.#entries.get(key) as T;
    const generation = this.#generation;
    const value = await load();
    if (generation === this.#generation && this.fresh) {
      if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
      this.#entries.set(key, value);
    }
    return value;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#unlisten?.();
    this.#confirmedAt = 0;
  }

  #received(payload: string) {
    if (payload.startsWith('beat:')) {
      const [, instance, sentAt] = payload.split(':');
      if (instance === this.#instance) this.#confirmedAt = Math.max(this.#confirmedAt, Number(sentAt));
      return;
    }
    this.clear();
  }

  async #beat() {
    try {
      await sql`select pg_notify(${ACCESS_CHANNEL}, ${`beat:${this.#instance}:${Date.now()}`})`.execute(
        this.handle.db,
      );
    } catch {
      // The database is away: no beat arrives, and within a second the cache stops answering.
    }
  }
}
