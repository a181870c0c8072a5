// The days a target was slow, for the daily bars: the time of each UTC day during which it had
// a degraded incident open (up but slow, by the alerts' rules), or an escalated one before it
// went down. From the incidents rather than the rollups: which check is slow is the alerts'
// judgement (slowMs, or the target's own past for the relative rule, per rule and target), and
// the incidents are where it is recorded, with the alerts' thresholds and quorum applied.
import type { Range } from '@sitewatch/pg-sink';
import type postgres from 'postgres';
import type { DailyBar } from './rollups.js';
import type { Tables } from './tables.js';

/** A stretch of time a target was degraded. */
export interface DegradedSpan {
  target: string;
  from: Date;
  /** When it ended: the incident resolved, or went down; null while it lasts. */
  to: Date | null;
}

const dayMs = 86_400_000;

/** The degraded spans of the targets `keys` (every target when undefined) that overlap `range`. */
export async function readDegradedSpans(sql: postgres.Sql, tables: Tables, range: Range, keys?: readonly string[]): Promise<DegradedSpan[]> {
  return sql<DegradedSpan[]>`
    select target, "from", "to" from (
      select target, opened_at as "from", case when kind = 'down' then escalated_at else resolved_at end as "to"
      from ${tables.incidents}
      where (kind = 'degraded' or escalated_at is not null) and opened_at < ${range.to}
        ${keys === undefined ? sql`` : sql`and target = any(${sql.array([...keys])}::text[])`}
    ) as spans
    where "to" is null or "to" > ${range.from}`;
}

/**
 * The series with each day's `degradedMs`: the time of the day (up to `now`) within the
 * target's spans. Bars of days without any are left as they are (the reader shares them
 * between reads); the others are replaced in the series' arrays by copies, the same copy of a
 * bar from one call to the next while its time is the same when `copies` is kept across calls
 * (so a page that keeps HTML by bar keeps it for slow days too).
 */
export function addDegradedTime(series: Map<string, DailyBar[]>, spans: readonly DegradedSpan[], now: Date, copies = new WeakMap<DailyBar, DailyBar>()): void {
  const times = new Map<DailyBar[], Map<number, number>>();
  for (const span of spans) {
    const bars = series.get(span.target);
    if (bars === undefined || bars.length === 0) continue;
    const first = Date.parse(bars[0]!.day);
    const from = span.from.getTime();
    const to = Math.min(span.to?.getTime() ?? now.getTime(), now.getTime());
    const time = times.get(bars) ?? new Map<number, number>();
    times.set(bars, time);
    for (let i = Math.max(0, Math.floor((from - first) / dayMs)); i < bars.length && first + i * dayMs < to; i++) {
      const overlap = Math.min(to, first + (i + 1) * dayMs) - Math.max(from, first + i * dayMs);
      if (overlap > 0) time.set(i, Math.min(dayMs, (time.get(i) ?? 0) + overlap));
    }
  }
  for (const [bars, time] of times) {
    for (const [i, degradedMs] of time) {
      const bar = bars[i]!;
      let copy = copies.get(bar);
      if (copy?.degradedMs !== degradedMs) copies.set(bar, (copy = { ...bar, degradedMs }));
      bars[i] = copy;
    }
  }
}
