// The daily series behind the bars: a bar per UTC day of each target, from pg-sink's daily
// rollups (read through pg-sink's reading side, which also sums any window: rollups.ts there);
// the time each day was degraded is added from the incidents (degraded.ts).
import { dailyTotals, summaryOf } from '@sitewatch/pg-sink';
import type postgres from 'postgres';
import type { Tables } from './tables.js';
import { dayKey, lastUtcDays } from './windows.js';

/** One UTC day of a target. */
export interface DailyBar {
  /** The day, `YYYY-MM-DD` (UTC). */
  day: string;
  checks: number;
  up: number;
  /** 100 × up / checks; null when nothing was checked that day. */
  uptimePct: number | null;
  p95Ms: number | null;
  /** Down checks per failure reason (only the reasons that occurred). */
  reasons: Record<string, number>;
  /** Time of the day during which the target was degraded (up but slow: a degraded incident open), ms; 0 without the alerts' tables. */
  degradedMs: number;
}

/** Bars of days without rows. */
export function emptyBars(days: readonly Date[]): DailyBar[] {
  return days.map((day) => ({ day: dayKey(day), checks: 0, up: 0, uptimePct: null, p95Ms: null, reasons: {}, degradedMs: 0 }));
}

/** The daily rows of the targets `keys` (every target when undefined) whose bucket `where` selects (a condition on `r.bucket`), as bars. */
export async function dailyBars(sql: postgres.Sql, tables: Tables, where: postgres.Fragment, keys?: readonly string[]): Promise<{ target: string; bucket: Date; bar: DailyBar }[]> {
  return (await dailyTotals(sql, tables, where, keys)).map(({ target, bucket, totals }) => {
    const { checks, up, uptimePct, p95Ms, reasons } = summaryOf(totals);
    return { target, bucket, bar: { day: dayKey(bucket), checks, up, uptimePct, p95Ms, reasons, degradedMs: 0 } };
  });
}

/** Places bars into series of `days` (oldest first), one per target of `keys` (each present) and of every bar's target. */
export function seriesOf(days: readonly Date[], bars: Iterable<{ target: string; bucket: Date; bar: DailyBar }>, keys?: readonly string[]): Map<string, DailyBar[]> {
  const index = new Map(days.map((day, i) => [day.getTime(), i]));
  const empty = () => emptyBars(days);
  const result = new Map<string, DailyBar[]>((keys ?? []).map((key) => [key, empty()]));
  for (const { target, bucket, bar } of bars) {
    const i = index.get(bucket.getTime());
    if (i === undefined) continue;
    let series = result.get(target);
    if (series === undefined) result.set(target, (series = empty()));
    series[i] = bar;
  }
  return result;
}

/**
 * The last `days` UTC days up to `now` (today's in progress included), oldest first, of the
 * targets `keys` (every target with rows when undefined): every day present, empty ones with 0 checks.
 */
export async function dailySeries(sql: postgres.Sql, tables: Tables, days: number, now: Date, keys?: readonly string[]): Promise<Map<string, DailyBar[]>> {
  const series = lastUtcDays(days, now);
  const to = new Date(series.at(-1)!.getTime() + 86_400_000);
  return seriesOf(series, await dailyBars(sql, tables, sql`r.bucket >= ${series[0]!} and r.bucket < ${to}`, keys), keys);
}
