// Test support: reproducible synthetic daily trajectories (seeded PRNG, normal noise) with known onsets.
import { addDays, type DayPoint } from '../baselines/baseline.ts';

/** mulberry32: a small seeded PRNG, so the "noisy" test data is the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Normal(0, 1) draws by Box–Muller from a seeded uniform source. */
export function seededNormal(seed: number): () => number {
  const u = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** `days` daily values from `start`: mean + sd·noise + shift(dayIndex). */
export function series(start: string, days: number, mean: number, sd: number, seed: number, shift: (i: number) => number = () => 0): DayPoint[] {
  const z = seededNormal(seed);
  return Array.from({ length: days }, (_, i) => ({ date: addDays(start, i), value: Math.round((mean + sd * z() + shift(i)) * 100) / 100 }));
}
