// Seeded pseudo-random numbers for tests and benchmarks: the same numbers for the same seed,
// so that data is reproducible and a failed run can be replayed.
import { randomInt } from 'node:crypto';

/** A generator of numbers in [0, 1) from `seed` (mulberry32: small, fast, good enough for test data). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The seed of a test's random choices: `SITEWATCH_TEST_SEED` when set (to replay a run), else
 * a fresh one. It is printed, with the line that replays it, so that every run can be replayed.
 */
export function testSeed(test: string): number {
  const given = process.env.SITEWATCH_TEST_SEED;
  const seed = given ? Number(given) : randomInt(2 ** 31);
  if (!Number.isSafeInteger(seed)) throw new Error(`SITEWATCH_TEST_SEED must be an integer, not "${given}"`);
  console.log(`${test}: seed ${seed} (replay: SITEWATCH_TEST_SEED=${seed})`);
  return seed;
}
