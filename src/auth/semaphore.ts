import { BusyError } from '../core/errors';

/**
 * At most `size` tasks run at once; the rest wait in arrival order (fair: no caller overtakes an
 * earlier one). With `maxWaitMs`, a caller that would wait longer gives up with BusyError, whose
 * `retryAfter` (seconds) the answer passes on, rather than queueing without end.
 */
export class Semaphore {
  #free: number;
  #waiting: Array<{ grant: () => void }> = [];

  constructor(size: number) {
    this.#free = size;
  }

  /** Waits for a slot; the returned function gives it back (once). */
  async acquire(maxWaitMs?: number): Promise<() => void> {
    if (this.#free > 0) this.#free--;
    else {
      await new Promise<void>((resolve, reject) => {
        const entry = { grant: resolve };
        this.#waiting.push(entry);
        if (maxWaitMs === undefined) return;
        const timer = setTimeout(() => {
          const at = this.#waiting.indexOf(entry);
          if (at === -1) return;
          this.#waiting.splice(at, 1);
          reject(new BusyError(Math.max(1, Math.ceil(maxWaitMs / 1000))));
        }, maxWaitMs);
        entry.grant = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next.grant();
      else this.#free++;
    };
  }

  async run<T>(task: () => Promise<T>, maxWaitMs?: number): Promise<T> {
    const release = await this.acquire(maxWaitMs);
    try {
      return await task();
    } finally {
      release();
    }
  }

  /** Callers waiting now. */
  get waiting(): number {
    return this.#waiting.length;
  }
}
