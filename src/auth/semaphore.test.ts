import { describe, expect, it } from 'vitest';
import { Semaphore } from './semaphore';

describe('Semaphore', () => {
  it('never runs more than its size at once', async () => {
    const slots = new Semaphore(2);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        slots.run(async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 5));
          running--;
        }),
      ),
    );
    expect(peak).toBe(2);
  });
});

describe('Semaphore with a bounded wait', () => {
  it('serves waiters in arrival order and refuses one that would wait too long', async () => {
    const slots = new Semaphore(1);
    const order: number[] = [];
    const release = await slots.acquire();
    const first = slots.run(async () => order.push(1), 1000);
    const second = slots.run(async () => order.push(2), 1000);
    const late = slots.run(async () => order.push(3), 20);
    await expect(late).rejects.toMatchObject({ name: 'BusyError', retryAfter: 1 });
    expect(slots.waiting).toBe(2);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual([1, 2]);
    expect(slots.waiting).toBe(0);
  });
});
