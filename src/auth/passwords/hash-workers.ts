import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Semaphore } from '../semaphore';

/**
 * Argon2 on worker threads of low CPU priority. A hash takes tens of milliseconds of a core by
 * design; run on the libuv pool at normal priority, a storm of sign-ins took every core from the
 * event loop and from PostgreSQL, and the console's pages waited behind it (the users list's p99
 * went from 25 to 119 ms). Here each worker lowers its own thread's priority (on Linux the nice
 * value is per thread), so the kernel runs requests first and hashes with what is left: an idle
 * machine hashes as fast as before, a busy one answers pages first.
 *
 * One hash per core at a time; the rest queue in arrival order, each for at most `maxWaitMs`,
 * then BusyError (503, Retry-After) instead of an ever longer queue. The workers are plain
 * JavaScript evaluated from this string, so that the same code runs from the sources (tsx,
 * vitest) and from the production bundle; they load the argon2 package the app resolves.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { setPriority } = require('node:os');
const argon2 = require(workerData.argon2);
try { setPriority(0, workerData.nice); } catch {}
parentPort.on('message', ({ id, op, password, hash, options }) => {
  try {
    let result;
    if (op === 'hash') result = argon2.hashSync(password, options);
    else {
      try { result = argon2.verifySync(hash, password); } catch { result = false; }
    }
    parentPort.postMessage({ id, result });
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});
`;

/** Below every request's priority (0), above nothing that matters; 19 is the lowest. */
const NICE = 10;

/**
 * A worker idle this long (by default) is stopped: each holds a V8 isolate and the memory Argon2
 * last used (~19 MB that the allocator keeps), ~25 MB a worker that a quiet server should give
 * back. Starting one again costs ~30 ms, which a storm never pays (its workers are never idle).
 */
const IDLE_MS = 10_000;

type Job =
  | { op: 'hash'; password: string; options: object }
  | { op: 'verify'; hash: string; password: string };

interface PoolWorker {
  worker: Worker;
  busy: boolean;
  idle?: NodeJS.Timeout;
  pending: Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>;
}

export class HashWorkers {
  readonly #slots: Semaphore;
  readonly #workers: PoolWorker[] = [];
  readonly #idleMs: number;
  #next = 0;
  maxWaitMs: number;

  constructor(size = Math.max(1, availableParallelism()), maxWaitMs = 5_000, idleMs = IDLE_MS) {
    this.#slots = new Semaphore(size);
    this.maxWaitMs = maxWaitMs;
    this.#idleMs = idleMs;
  }

  /** How many workers are running now. */
  get running(): number {
    return this.#workers.length;
  }

  run<T>(job: Job): Promise<T> {
    return this.#slots.run(() => this.#dispatch(job) as Promise<T>, this.maxWaitMs);
  }

  #spawn(): PoolWorker {
    const argon2 = createRequire(import.meta.url).resolve('@node-rs/argon2');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { argon2, nice: NICE } });
    const entry: PoolWorker = { worker, busy: false, pending: new Map() };
    worker.on('message', ({ id, result, error }: { id: number; result?: unknown; error?: string }) => {
      const waiter = entry.pending.get(id);
      entry.pending.delete(id);
      if (entry.pending.size === 0) {
        entry.busy = false;
        // An idle worker does not keep the process alive (the CLI, the tests).
        worker.unref();
        entry.idle = setTimeout(() => this.#retire(entry), this.#idleMs).unref();
      }
      if (error !== undefined) waiter?.reject(new Error(error));
      else waiter?.resolve(result);
    });
    const fail = (error: Error) => {
      for (const waiter of entry.pending.values()) waiter.reject(error);
      entry.pending.clear();
      const at = this.#workers.indexOf(entry);
      if (at !== -1) this.#workers.splice(at, 1);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`password hashing worker stopped (${code})`)));
    worker.unref();
    return entry;
  }

  #retire(entry: PoolWorker) {
    if (entry.busy) return;
    const at = this.#workers.indexOf(entry);
    if (at !== -1) this.#workers.splice(at, 1);
    void entry.worker.terminate();
  }

  #dispatch(job: Job): Promise<unknown> {
    // The semaphore admits at most `size` jobs: there is an idle worker, or room for one more.
    let entry = this.#workers.find((w) => !w.busy);
    if (!entry) {
      entry = this.#spawn();
      this.#workers.push(entry);
    }
    clearTimeout(entry.idle);
    const id = this.#next++;
    entry.busy = true;
    entry.worker.ref();
    const target = entry;
    return new Promise((resolve, reject) => {
      target.pending.set(id, { resolve, reject });
      target.worker.postMessage({ id, ...job });
    });
  }

  /** Stops the workers (tests). */
  async close(): Promise<void> {
    const workers = this.#workers.splice(0);
    for (const w of workers) clearTimeout(w.idle);
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
}
