import { randomInt } from 'node:crypto';

// The fuzzing's one source of choices: a seeded PRNG, so that FUZZ_SEED replays a run.

export const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : randomInt(2 ** 31);

/** mulberry32: small, fast, and the same sequence for the same seed. */
function prng(seed: number) {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export const random = prng(SEED);
export const chance = (p: number) => random() < p;
export const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
export const pickSome = <T>(list: readonly T[], max: number): T[] => {
  const n = 1 + Math.floor(random() * Math.min(max, list.length));
  return Array.from({ length: n }, () => pick(list));
};

export const shuffle = <T>(list: readonly T[]): T[] => {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
};
