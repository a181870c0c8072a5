// What a set of newly stored results adds to the rollups: per target and hour (or day),
// the checks, up checks, response-time sum, maximum and sketch, and down checks per
// reason. Computed here from the rows the insert reported as new, so a redelivered row
// adds nothing, and sent as one array literal per column.
import type { CheckResult } from '@sitewatch/schema';
import { reasonIds } from './batch.js';
import { arrayLiteral, quotedArrayLiteral } from './pg-array.js';
import { addCount, denseLiteral, sketchBin, type Counts } from './sketch.js';

/** One rollup row's increment. */
export interface RollupDelta {
  targetId: number;
  /** Start of the bucket, ms since the epoch (UTC hour or day). */
  bucket: number;
  checks: number;
  up: number;
  sumMs: number;
  maxMs: number | null;
  bins: Counts;
  reasons: Counts;
}

/** Bucket widths. */
export const bucketMs = { hour: 3_600_000, day: 86_400_000 } as const;

function emptyDelta(targetId: number, bucket: number): RollupDelta {
  return { targetId, bucket, checks: 0, up: 0, sumMs: 0, maxMs: null, bins: new Map(), reasons: new Map() };
}

// One lock order for every writer: concurrent batches wait for each other, never deadlock.
function sorted(deltas: Map<string, RollupDelta>): RollupDelta[] {
  return [...deltas.values()].sort((a, b) => a.targetId - b.targetId || a.bucket - b.bucket);
}

function hourly(results: readonly CheckResult[], targetIds: readonly number[], times: readonly number[]): Map<string, RollupDelta> {
  const deltas = new Map<string, RollupDelta>();
  results.forEach((result, index) => {
    const targetId = targetIds[index]!;
    const bucket = Math.floor(times[index]! / bucketMs.hour) * bucketMs.hour;
    const key = `${targetId}/${bucket}`;
    let delta = deltas.get(key);
    if (delta === undefined) deltas.set(key, (delta = emptyDelta(targetId, bucket)));
    delta.checks += 1;
    if (result.outcome === 'up') {
      // As stored: a 4-byte float.
      const ms = Math.fround(result.responseTimeMs);
      delta.up += 1;
      delta.sumMs += ms;
      delta.maxMs = delta.maxMs === null ? ms : Math.max(delta.maxMs, ms);
      addCount(delta.bins, sketchBin(ms));
    } else {
      addCount(delta.reasons, reasonIds[result.reason ?? 'other']);
    }
  });
  return deltas;
}

function daily(hours: Iterable<RollupDelta>): Map<string, RollupDelta> {
  const deltas = new Map<string, RollupDelta>();
  for (const hour of hours) {
    const bucket = Math.floor(hour.bucket / bucketMs.day) * bucketMs.day;
    const key = `${hour.targetId}/${bucket}`;
    let delta = deltas.get(key);
    if (delta === undefined) deltas.set(key, (delta = emptyDelta(hour.targetId, bucket)));
    delta.checks += hour.checks;
    delta.up += hour.up;
    delta.sumMs += hour.sumMs;
    if (hour.maxMs !== null) delta.maxMs = delta.maxMs === null ? hour.maxMs : Math.max(delta.maxMs, hour.maxMs);
    for (const [bin, count] of hour.bins) addCount(delta.bins, bin, count);
    for (const [reason, count] of hour.reasons) addCount(delta.reasons, reason, count);
  }
  return deltas;
}

/** The increments of `results` (checked at `times`, ms; of targets `targetIds`) per target and UTC hour and day, each sorted. */
export function rollupDeltas(results: readonly CheckResult[], targetIds: readonly number[], times: readonly number[]): { hourly: RollupDelta[]; daily: RollupDelta[] } {
  const hours = hourly(results, targetIds, times);
  return { hourly: sorted(hours), daily: sorted(daily(hours.values())) };
}

// Counts and ids are integers we computed: joined as they are, no per-element checks.
const integers = (values: number[]) => `{${values.join(',')}}`;

/** A column of the rollup tables: name, the type its array literal is sent as, and that literal for a set of deltas. */
export interface RollupColumn {
  readonly name: string;
  readonly type: string;
  readonly literal: (deltas: readonly RollupDelta[], bucketText: (bucket: number) => string) => string;
  /** How the inserted value is made from the sent one, when it is not sent as it is stored. */
  readonly select?: string;
}

/** The rollup tables' columns (migration 00003) in the order the upsert sends them: the only list of them. */
export const rollupColumns: readonly RollupColumn[] = [
  { name: 'target_id', type: 'integer', literal: (deltas) => integers(deltas.map((delta) => delta.targetId)) },
  { name: 'bucket', type: 'timestamptz', literal: (deltas, bucketText) => quotedArrayLiteral(deltas.map((delta) => bucketText(delta.bucket))) },
  { name: 'checks', type: 'integer', literal: (deltas) => integers(deltas.map((delta) => delta.checks)) },
  { name: 'up', type: 'integer', literal: (deltas) => integers(deltas.map((delta) => delta.up)) },
  { name: 'sum_ms', type: 'double precision', literal: (deltas) => arrayLiteral(deltas.map((delta) => delta.sumMs)) },
  { name: 'max_ms', type: 'real', literal: (deltas) => arrayLiteral(deltas.map((delta) => delta.maxMs)) },
  // Sketches and reason counts differ in length: sent as text, each cast to its own integer[].
  { name: 'bins', type: 'text', select: 'bins::integer[]', literal: (deltas) => quotedArrayLiteral(deltas.map((delta) => denseLiteral(delta.bins))) },
  { name: 'reasons', type: 'text', select: 'reasons::integer[]', literal: (deltas) => quotedArrayLiteral(deltas.map((delta) => denseLiteral(delta.reasons))) },
];

/** The deltas as one array literal per rollup column, in `rollupColumns` order. */
export function deltaColumns(deltas: readonly RollupDelta[]): string[] {
  // A batch spans a few hours: format each bucket once.
  const iso = new Map<number, string>();
  const bucketText = (bucket: number) => iso.get(bucket) ?? iso.set(bucket, new Date(bucket).toISOString()).get(bucket)!;
  return rollupColumns.map((column) => column.literal(deltas, bucketText));
}
