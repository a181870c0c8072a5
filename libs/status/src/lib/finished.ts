// What the reader keeps of finished rollup buckets. A day before today or an hour before this
// one changes only when late results arrive, and every change of a rollup row adds checks: the
// number of rows and the sum of their checks is a version of a set of buckets that costs one
// index scan to read. So a board of many targets reads afresh only today's daily rows and this
// hour's hourly rows, plus those versions; what it computed from finished buckets (a day's bar,
// a window's totals up to this hour) is reused while their version holds.
import { addTotals, rangeVersion, windowTotals, type Range, type Totals } from '@sitewatch/pg-sink';
import type postgres from 'postgres';
import { dailyBars, emptyBars, seriesOf, type DailyBar } from './rollups.js';
import type { Tables } from './tables.js';
import { lastUtcDays, startOfHour } from './windows.js';

const dayMs = 86_400_000;
// Window totals kept: two a board reads each hour (24 h and 7 d), and a few more callers.
const maxWindows = 8;
// Series lengths kept assembled: a board's 90 days, and a few more callers.
const maxSeries = 4;

/** The cached reads: every target's rows are read and kept; `keys` only chooses what is returned. */
export interface FinishedCache {
  /** As `dailySeries()`. */
  daily(days: number, now: Date, keys?: readonly string[]): Promise<Map<string, DailyBar[]>>;
  /** As `windowTotals()`. */
  totals(range: Range, now: Date, keys?: readonly string[]): Promise<Map<string, Totals>>;
}

export function createFinishedCache(sql: postgres.Sql, tables: Tables): FinishedCache {
  // Finished days: start of the day (ms) → the version read with them and their bars by target.
  const days = new Map<number, { version: string; bars: Map<string, DailyBar> }>();
  // Series of the finished days assembled per target, by number of days, with the versions they were built from.
  const assembled = new Map<number, { versions: string; series: Map<string, DailyBar[]> }>();
  // Finished parts of windows: `${from}/${to}` → version and totals by target.
  const windows = new Map<string, { version: string; totals: Map<string, Totals> }>();

  async function daily(count: number, now: Date, keys?: readonly string[]): Promise<Map<string, DailyBar[]>> {
    const series = lastUtcDays(count, now);
    const today = series.at(-1)!;
    const tomorrow = new Date(today.getTime() + dayMs);
    // Today's rows are always read. Finished days: versions first, rows after, so a write in
    // between makes the next read fetch those days again, never keeps stale bars.
    const [versions, todays] = await Promise.all([
      sql<{ bucket: Date; version: string }[]>`
        select bucket, count(*) || ':' || sum(checks) as version from ${tables.daily}
        where bucket >= ${series[0]!} and bucket < ${today} group by bucket order by bucket`,
      dailyBars(sql, tables, sql`r.bucket >= ${today} and r.bucket < ${tomorrow}`),
    ]);
    const stale = versions.filter((v) => days.get(v.bucket.getTime())?.version !== v.version);
    if (stale.length > 0) {
      const fresh = await dailyBars(sql, tables, sql`r.bucket = any(${sql.array(stale.map((v) => v.bucket.toISOString()))}::timestamptz[])`);
      for (const v of stale) days.set(v.bucket.getTime(), { version: v.version, bars: new Map() });
      for (const { target, bucket, bar } of fresh) days.get(bucket.getTime())!.bars.set(target, bar);
    }
    const current = new Map(todays.map(({ target, bar }) => [target, bar]));

    const signature = `${today.getTime()} ${versions.map((v) => `${v.bucket.getTime()}=${v.version}`).join(' ')}`;
    let finished = assembled.get(count);
    if (finished?.versions !== signature) {
      const placed = series.slice(0, -1).flatMap((day) => [...(days.get(day.getTime())?.bars ?? [])].map(([target, bar]) => ({ target, bucket: day, bar })));
      finished = { versions: signature, series: seriesOf(series.slice(0, -1), placed) };
      assembled.delete(count);
      assembled.set(count, finished);
      if (assembled.size > maxSeries) assembled.delete(assembled.keys().next().value!);
      // Days no series asked for any more.
      const oldest = Math.min(...[...assembled.keys()].map((n) => today.getTime() - (n - 1) * dayMs));
      for (const day of days.keys()) if (day < oldest) days.delete(day);
    }
    // Bars are not changed by readers: targets without rows share empty ones.
    const empty = emptyBars(series);
    const result = new Map<string, DailyBar[]>();
    for (const target of keys ?? new Set([...finished.series.keys(), ...current.keys()])) {
      result.set(target, [...(finished.series.get(target) ?? empty.slice(0, -1)), current.get(target) ?? empty.at(-1)!]);
    }
    return result;
  }

  // The board reads its 24 h and 7 d windows at once, with one `now`: their reads of this hour's
  // rows are the same, and run once while in flight.
  const inFlight = new Map<string, Promise<Map<string, Totals>>>();
  function readLive(range: Range): Promise<Map<string, Totals>> {
    const key = `${range.from.toISOString()}/${range.to.toISOString()}`;
    let read = inFlight.get(key);
    if (read === undefined) {
      inFlight.set(key, (read = windowTotals(sql, tables, range)));
      void read.finally(() => inFlight.delete(key)).catch(() => undefined);
    }
    return read;
  }

  async function totals(range: Range, now: Date, keys?: readonly string[]): Promise<Map<string, Totals>> {
    const hour = startOfHour(now);
    const finished = { from: range.from, to: new Date(Math.min(range.to.getTime(), hour.getTime())) };
    const live = { from: new Date(Math.max(range.from.getTime(), hour.getTime())), to: range.to };
    const result = new Map<string, Totals>();
    const hasFinished = finished.from < finished.to;
    const hasLive = live.from < live.to;
    const [version, liveTotals] = await Promise.all([hasFinished ? rangeVersion(sql, tables, finished) : '', hasLive ? readLive(live) : new Map<string, Totals>()]);
    if (hasFinished) {
      const key = `${finished.from.toISOString()}/${finished.to.toISOString()}`;
      let entry = windows.get(key);
      if (entry?.version !== version) {
        entry = { version, totals: await windowTotals(sql, tables, finished) };
        windows.delete(key);
        windows.set(key, entry);
        if (windows.size > maxWindows) windows.delete(windows.keys().next().value!);
      }
      for (const [target, t] of entry.totals) result.set(target, t);
    }
    for (const [target, t] of liveTotals) {
      const before = result.get(target);
      result.set(target, before === undefined ? t : addTotals(before, t));
    }
    if (keys === undefined) return result;
    return new Map(keys.flatMap((key) => (result.has(key) ? [[key, result.get(key)!] as const] : [])));
  }

  return { daily, totals };
}
