import { afterEach, expect, it } from 'vitest';
import { HashWorkers } from './hash-workers';

const OPTIONS = { algorithm: 2, memoryCost: 1024, timeCost: 1, parallelism: 1 };
let pool: HashWorkers | undefined;
afterEach(() => pool?.close());

it('stops workers that stay idle, and starts them again for the next hash', async () => {
  pool = new HashWorkers(2, 5_000, 100);
  const [a, b] = await Promise.all([
    pool.run<string>({ op: 'hash', password: 'one', options: OPTIONS }),
    pool.run<string>({ op: 'hash', password: 'two', options: OPTIONS }),
  ]);
  expect(pool.running).toBe(2);
  await new Promise((r) => setTimeout(r, 400));
  expect(pool.running).toBe(0);
  expect(await pool.run<boolean>({ op: 'verify', hash: a, password: 'one' })).toBe(true);
  expect(await pool.run<boolean>({ op: 'verify', hash: b, password: 'one' })).toBe(false);
  expect(pool.running).toBe(1);
});

it('keeps a worker that is used again before its idle time is up', async () => {
  pool = new HashWorkers(1, 5_000, 300);
  const hash = await pool.run<string>({ op: 'hash', password: 'one', options: OPTIONS });
  await new Promise((r) => setTimeout(r, 150));
  expect(await pool.run<boolean>({ op: 'verify', hash, password: 'one' })).toBe(true);
  // 330 ms after the first job, 180 ms after the second: the first timer would have fired.
  await new Promise((r) => setTimeout(r, 180));
  expect(pool.running).toBe(1);
  await new Promise((r) => setTimeout(r, 400));
  expect(pool.running).toBe(0);
});
