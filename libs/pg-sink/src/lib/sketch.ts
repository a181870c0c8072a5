// The response-time sketch of the rollups (DDSketch-style): bin i counts the values v with
// gamma^(i-1) < v <= gamma^i, gamma = (1 + a) / (1 - a). Reporting bin i as
// 2 gamma^i / (gamma + 1) is within a (1%) of every value in it, so a nearest-rank quantile
// read from the sketch is within 1% of the exact one. Same formulas as the SQL functions
// sketch_bin and sketch_value of migration 00003.

/** Relative accuracy a of the sketch. */
export const sketchAccuracy = 0.01;

const gamma = (1 + sketchAccuracy) / (1 - sketchAccuracy);
const lnGamma = Math.log(gamma);
// Values under a microsecond (including 0) share the lowest bin.
const minValueMs = 0.001;

/** The bin of a response time in milliseconds, binned as stored (a 4-byte float, like the `real` column). */
export function sketchBin(ms: number): number {
  return Math.ceil(Math.log(Math.max(Math.fround(ms), minValueMs)) / lnGamma);
}

/** The value reported for a bin, in milliseconds. */
export function sketchValue(bin: number): number {
  return (2 * gamma ** bin) / (gamma + 1);
}

/** Counts by integer key (sketch bins, or failure reason ids). */
export type Counts = Map<number, number>;

/** Adds `n` to the count of `key`. */
export function addCount(counts: Counts, key: number, n = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + n);
}

/**
 * The counts as a dense PostgreSQL integer array whose lower bound is the first key:
 * {185: 2, 187: 1} is '[185:187]={2,NULL,1}'; no counts is '{}'.
 */
export function denseLiteral(counts: Counts): string {
  if (counts.size === 0) return '{}';
  // A handful of keys spread over a few hundred bins: walk the sorted keys and write the
  // runs of NULL between them in one go (this runs for every rollup row of every batch).
  const keys = [...counts.keys()].sort((a, b) => a - b);
  let body = String(counts.get(keys[0]!));
  for (let i = 1; i < keys.length; i++) body += `${',NULL'.repeat(keys[i]! - keys[i - 1]! - 1)},${counts.get(keys[i]!)}`;
  return `[${keys[0]}:${keys.at(-1)}]={${body}}`;
}

/** The nearest-rank quantiles `qs` (each 0..1, ascending) of a sketch, in milliseconds, in one pass; nulls when it is empty. */
export function sketchQuantiles(bins: Counts, qs: readonly number[]): (number | null)[] {
  const sorted = [...bins.entries()].sort(([a], [b]) => a - b);
  const total = sorted.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return qs.map(() => null);
  const found: (number | null)[] = [];
  let running = 0;
  let i = 0;
  for (const q of qs) {
    const rank = Math.max(1, Math.ceil(q * total));
    while (running < rank && i < sorted.length) running += sorted[i++]![1];
    found.push(sketchValue(sorted[i - 1]![0]));
  }
  return found;
}
