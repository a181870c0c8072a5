// Reads of the rollups (pg-sink's rollups_hourly and rollups_daily): a window's uptime,
// response-time quantiles and failure reasons for many targets in one query, and the daily
// series behind the bars. Whole UTC days come from the daily rows, the hours at a range's
// edges from the hourly rows, so 90 days of a target cost about 90 + 48 small rows.
import { sketchQuantiles, type Counts } from '@sitewatch/pg-sink';
import type postgres from 'postgres';
import type { Tables } from './tables.js';
import { dayKey, lastUtcDays, wholeDays, type Range } from './windows.js';

/** A target's checks over a range. Response times are those of up checks; quantiles are within 1% (the rollups' sketch). */
export interface WindowSummary {
  /** Checks stored in the range. */
  checks: number;
  /** Of those, how many were up. */
  up: number;
  /** 100 × up / checks; null without checks. */
  uptimePct: number | null;
  /** Mean response time, ms; null without up checks. */
  meanMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** Slowest up check, ms (exact). */
  maxMs: number | null;
  /** Down checks per failure reason (only the reasons that occurred). */
  reasons: Record<string, number>;
}

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
}

/** A window's rollup rows summed for one target: what a summary is made of. Totals of two ranges add up. */
export interface Totals {
  checks: number;
  up: number;
  sumMs: number;
  maxMs: number | null;
  /** The response-time sketch: count per bin. */
  bins: Counts;
  /** Down checks per failure reason (only the reasons that occurred). */
  reasons: Record<string, number>;
}

interface TotalsRow {
  target: string;
  checks: number;
  up: number;
  sumMs: number;
  maxMs: number | null;
  binsFrom: number | null;
  /** The sketch's counts from bin binsFrom on, comma-separated, empty where a bin is empty ('2,,1'). */
  bins: string;
  reasons: Record<string, number> | null;
}

/** A summary of nothing: what a target without rows in the range gets. */
export function emptySummary(): WindowSummary {
  return { checks: 0, up: 0, uptimePct: null, meanMs: null, p50Ms: null, p95Ms: null, p99Ms: null, maxMs: null, reasons: {} };
}

// The reasons array is indexed by failure_reasons.id: name the counts present.
function reasonsObject(sql: postgres.Sql, tables: Tables, column: postgres.Fragment): postgres.Fragment {
  return sql`(select coalesce(jsonb_object_agg(f.name, ${column}[f.id]), '{}'::jsonb) from ${tables.reasons} as f where ${column}[f.id] is not null)`;
}

function targetFilter(sql: postgres.Sql, tables: Tables, keys: readonly string[] | undefined): postgres.Fragment {
  return keys === undefined ? sql`` : sql`and target_id in (select id from ${tables.targets} where key = any(${sql.array([...keys])}::text[]))`;
}

/** The rollup rows of `range`: daily rows for its whole UTC days, hourly rows for the hours at its edges. */
function rangeRows(sql: postgres.Sql, tables: Tables, range: Range, keys: readonly string[] | undefined): postgres.Fragment {
  const days = wholeDays(range);
  const filter = targetFilter(sql, tables, keys);
  return sql`
      select target_id, checks, up, sum_ms, max_ms, bins, reasons from ${tables.daily}
      where bucket >= ${days.from} and bucket < ${days.to} ${filter}
      union all
      select target_id, checks, up, sum_ms, max_ms, bins, reasons from ${tables.hourly}
      where bucket >= ${range.from} and bucket < ${range.to} and not (bucket >= ${days.from} and bucket < ${days.to}) ${filter}`;
}

/**
 * A version of the rollup rows of `range` (of every target): their number and the sum of their
 * checks. Rows are only ever added to (every change of a row adds checks), so the version
 * changes whenever what the range holds does.
 */
export async function rangeVersion(sql: postgres.Sql, tables: Tables, range: Range): Promise<string> {
  const [row] = await sql<{ version: string }[]>`select count(*) || ':' || coalesce(sum(checks), 0) as version from (${rangeRows(sql, tables, range, undefined)}) as r`;
  return row!.version;
}

/** The totals over `range` of the targets `keys` (every target when undefined), by target id; targets without rows are absent. */
export async function windowTotals(sql: postgres.Sql, tables: Tables, range: Range, keys?: readonly string[]): Promise<Map<string, Totals>> {
  const rows = await sql<TotalsRow[]>`
    with totals as (
      select target_id, sum(checks)::integer as checks, sum(up)::integer as up, sum(sum_ms)::double precision as sum_ms,
        max(max_ms)::double precision as max_ms, ${tables.countsSum}(bins) as bins, ${tables.countsSum}(reasons) as reasons
      from (${rangeRows(sql, tables, range, keys)}) as parts group by target_id
    )
    select t.key as target, x.checks, x.up, x.sum_ms as "sumMs", x.max_ms as "maxMs",
      array_lower(x.bins, 1) as "binsFrom", array_to_string(x.bins, ',', '') as bins,
      ${reasonsObject(sql, tables, sql`x.reasons`)} as reasons
    from totals as x join ${tables.targets} as t on t.id = x.target_id`;
  return new Map(rows.map((row) => [row.target, { checks: row.checks, up: row.up, sumMs: row.sumMs, maxMs: row.maxMs, bins: parseBins(row.binsFrom, row.bins), reasons: row.reasons ?? {} }]));
}

function parseBins(from: number | null, text: string): Counts {
  const bins: Counts = new Map();
  if (from === null) return bins;
  text.split(',').forEach((count, i) => {
    if (count !== '') bins.set(from + i, Number(count));
  });
  return bins;
}

// A bin's value may lie above the slowest check in it: the exact maximum bounds every quantile.
function quantiles(bins: Counts, maxMs: number | null, qs: readonly number[]): (number | null)[] {
  return sketchQuantiles(bins, qs).map((value) => (value === null || maxMs === null ? null : Math.min(value, maxMs)));
}

/** The totals of two ranges together (neither is changed). */
export function addTotals(a: Totals, b: Totals): Totals {
  const bins = new Map(a.bins);
  for (const [bin, n] of b.bins) bins.set(bin, (bins.get(bin) ?? 0) + n);
  const reasons = { ...a.reasons };
  for (const [reason, n] of Object.entries(b.reasons)) reasons[reason] = (reasons[reason] ?? 0) + n;
  const maxMs = a.maxMs === null ? b.maxMs : b.maxMs === null ? a.maxMs : Math.max(a.maxMs, b.maxMs);
  return { checks: a.checks + b.checks, up: a.up + b.up, sumMs: a.sumMs + b.sumMs, maxMs, bins, reasons };
}

/** What the totals report: uptime, mean and quantiles (a bin's value, bounded by the exact maximum). */
export function summaryOf(totals: Totals): WindowSummary {
  const { checks, up, maxMs, bins } = totals;
  const [p50Ms, p95Ms, p99Ms] = quantiles(bins, maxMs, [0.5, 0.95, 0.99]);
  return {
    checks,
    up,
    uptimePct: checks === 0 ? null : (100 * up) / checks,
    meanMs: up === 0 ? null : totals.sumMs / up,
    p50Ms: p50Ms!,
    p95Ms: p95Ms!,
    p99Ms: p99Ms!,
    maxMs,
    reasons: totals.reasons,
  };
}

interface DailyRow {
  target: string;
  bucket: Date;
  checks: number;
  up: number;
  maxMs: number | null;
  binsFrom: number | null;
  bins: string;
  reasons: Record<string, number> | null;
}

/** Bars of days without rows. */
export function emptyBars(days: readonly Date[]): DailyBar[] {
  return days.map((day) => ({ day: dayKey(day), checks: 0, up: 0, uptimePct: null, p95Ms: null, reasons: {} }));
}

/** The daily rows of the targets `keys` (every target when undefined) whose bucket `where` selects (a condition on `r.bucket`), as bars. */
export async function dailyBars(sql: postgres.Sql, tables: Tables, where: postgres.Fragment, keys?: readonly string[]): Promise<{ target: string; bucket: Date; bar: DailyBar }[]> {
  const rows = await sql<DailyRow[]>`
    select t.key as target, r.bucket, r.checks, r.up, r.max_ms::double precision as "maxMs",
      array_lower(r.bins, 1) as "binsFrom", array_to_string(r.bins, ',', '') as bins,
      case when cardinality(r.reasons) = 0 then null else ${reasonsObject(sql, tables, sql`r.reasons`)} end as reasons
    from ${tables.daily} as r join ${tables.targets} as t on t.id = r.target_id
    where ${where} ${targetFilter(sql, tables, keys)}`;
  return rows.map((row) => ({
    target: row.target,
    bucket: row.bucket,
    bar: {
      day: dayKey(row.bucket),
      checks: row.checks,
      up: row.up,
      uptimePct: row.checks === 0 ? null : (100 * row.up) / row.checks,
      p95Ms: quantiles(parseBins(row.binsFrom, row.bins), row.maxMs, [0.95])[0]!,
      reasons: row.reasons ?? {},
    },
  }));
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
