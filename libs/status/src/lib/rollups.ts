// Reads of the rollups (pg-sink's rollups_hourly and rollups_daily): a window's uptime,
// response-time quantiles and failure reasons for many targets in one query, and the daily
// series behind the bars. Whole UTC days come from the daily rows, the hours at a range's
// edges from the hourly rows, so 90 days of a target cost about 90 + 48 small rows.
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

interface SummaryRow {
  target: string;
  checks: number;
  up: number;
  sumMs: number;
  maxMs: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
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

/** Summaries of the targets `keys` (every target when undefined) over `range`, by target id; targets without rows are absent. */
export async function windowSummaries(sql: postgres.Sql, tables: Tables, range: Range, keys?: readonly string[]): Promise<Map<string, WindowSummary>> {
  const days = wholeDays(range);
  const filter = targetFilter(sql, tables, keys);
  const rows = await sql<SummaryRow[]>`
    with parts as (
      select target_id, checks, up, sum_ms, max_ms, bins, reasons from ${tables.daily}
      where bucket >= ${days.from} and bucket < ${days.to} ${filter}
      union all
      select target_id, checks, up, sum_ms, max_ms, bins, reasons from ${tables.hourly}
      where bucket >= ${range.from} and bucket < ${range.to} and not (bucket >= ${days.from} and bucket < ${days.to}) ${filter}
    ),
    totals as (
      select target_id, sum(checks)::integer as checks, sum(up)::integer as up, sum(sum_ms)::double precision as sum_ms,
        max(max_ms)::double precision as max_ms, ${tables.countsSum}(bins) as bins, ${tables.countsSum}(reasons) as reasons
      from parts group by target_id
    )
    select t.key as target, x.checks, x.up, x.sum_ms as "sumMs", x.max_ms as "maxMs",
      least(${tables.sketchQuantile}(x.bins, 0.5), x.max_ms) as p50,
      least(${tables.sketchQuantile}(x.bins, 0.95), x.max_ms) as p95,
      least(${tables.sketchQuantile}(x.bins, 0.99), x.max_ms) as p99,
      ${reasonsObject(sql, tables, sql`x.reasons`)} as reasons
    from totals as x join ${tables.targets} as t on t.id = x.target_id`;
  return new Map(
    rows.map((row) => [
      row.target,
      {
        checks: row.checks,
        up: row.up,
        uptimePct: row.checks === 0 ? null : (100 * row.up) / row.checks,
        meanMs: row.up === 0 ? null : row.sumMs / row.up,
        p50Ms: row.p50,
        p95Ms: row.p95,
        p99Ms: row.p99,
        maxMs: row.maxMs,
        reasons: row.reasons ?? {},
      },
    ]),
  );
}

interface DailyRow {
  target: string;
  bucket: Date;
  checks: number;
  up: number;
  p95: number | null;
  reasons: Record<string, number> | null;
}

/** A day without rows. */
function emptyDay(day: string): DailyBar {
  return { day, checks: 0, up: 0, uptimePct: null, p95Ms: null, reasons: {} };
}

/**
 * The last `days` UTC days up to `now` (today's in progress included), oldest first, of the
 * targets `keys` (every target with rows when undefined): every day present, empty ones with 0 checks.
 */
export async function dailySeries(sql: postgres.Sql, tables: Tables, days: number, now: Date, keys?: readonly string[]): Promise<Map<string, DailyBar[]>> {
  const series = lastUtcDays(days, now);
  const from = series[0]!;
  const to = new Date(series.at(-1)!.getTime() + 86_400_000);
  const rows = await sql<DailyRow[]>`
    select t.key as target, r.bucket, r.checks, r.up,
      least(${tables.sketchQuantile}(r.bins, 0.95), r.max_ms)::double precision as p95,
      case when cardinality(r.reasons) = 0 then null else ${reasonsObject(sql, tables, sql`r.reasons`)} end as reasons
    from ${tables.daily} as r join ${tables.targets} as t on t.id = r.target_id
    where r.bucket >= ${from} and r.bucket < ${to} ${targetFilter(sql, tables, keys)}
    order by t.key, r.bucket`;
  const index = new Map(series.map((day, i) => [day.getTime(), i]));
  const result = new Map<string, DailyBar[]>((keys ?? []).map((key) => [key, series.map((day) => emptyDay(dayKey(day)))]));
  for (const row of rows) {
    let bars = result.get(row.target);
    if (bars === undefined) result.set(row.target, (bars = series.map((day) => emptyDay(dayKey(day)))));
    const i = index.get(row.bucket.getTime());
    if (i === undefined) continue;
    bars[i] = { day: dayKey(row.bucket), checks: row.checks, up: row.up, uptimePct: row.checks === 0 ? null : (100 * row.up) / row.checks, p95Ms: row.p95, reasons: row.reasons ?? {} };
  }
  return result;
}
