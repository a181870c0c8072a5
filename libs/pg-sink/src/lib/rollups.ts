// Reading the rollups: uptime, response-time quantiles and failure reasons over any range, of
// one target or of many in one query, from daily rows for the whole UTC days in it and hourly
// rows for the hours at its edges. Raw rows are never read, so 90 days of a target cost about
// 90 + 48 small rows. A range's rows are summed per target in SQL (counts_sum merges the
// sketches); the quantiles are read from the merged sketch here (sketch.ts), which costs far
// less than sketch_quantile() in SQL when many are read (1.8 s for 90,000 daily rows).
import { failureReasons, type FailureReason } from '@sitewatch/schema';
import type postgres from 'postgres';
import { addDays, startOfUtcDay } from './partitions.js';
import { sketchAccuracy, sketchQuantiles, type Counts } from './sketch.js';

/**
 * Relative accuracy of the response-time quantiles: the rollups keep a log histogram
 * (DDSketch) whose bins are 2% wide, so a reported quantile is within 1% of the exact
 * nearest-rank quantile of the response times stored.
 */
export const quantileRelativeAccuracy = sketchAccuracy;

/** Schema-qualified identifiers the reads use. */
export interface RollupTables {
  targets: postgres.Helper<string>;
  reasons: postgres.Helper<string>;
  hourly: postgres.Helper<string>;
  daily: postgres.Helper<string>;
  countsSum: postgres.Helper<string>;
}

/** A half-open range [from, to); a rollup bucket counts when it starts in it. */
export interface Range {
  from: Date;
  to: Date;
}

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
  /** Median response time, ms (within 1%); null without up checks. */
  p50Ms: number | null;
  /** 95th percentile, ms (within 1%). */
  p95Ms: number | null;
  /** 99th percentile, ms (within 1%). */
  p99Ms: number | null;
  /** Slowest up check, ms (exact). */
  maxMs: number | null;
  /** Down checks per failure reason (only the reasons that occurred). */
  reasons: Record<string, number>;
}

/** What `summary()` reports on. */
export interface SummaryQuery {
  /** The target id of the config (CheckResult.targetId). */
  targetId: string;
  /** Start of the range, inclusive; counted by whole hours (a bucket counts when it starts in the range). */
  from: Date;
  /** End of the range, exclusive. */
  to: Date;
}

/** One target's summary over a range, as `sink.summary()` gives it. */
export interface Summary extends WindowSummary {
  targetId: string;
  from: Date;
  to: Date;
  /** Down checks per reason (every reason present, 0 when none). */
  reasons: Record<FailureReason, number>;
}

/** A range's rollup rows summed for one target: what a summary is made of. Totals of two ranges add up (`addTotals`). */
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

/** The whole UTC days inside the range: empty (from = to = range.to) when there are none. */
export function wholeDays(range: Range): Range {
  const first = startOfUtcDay(range.from);
  const from = first.getTime() === range.from.getTime() ? first : addDays(first, 1);
  const to = startOfUtcDay(range.to);
  return from < to ? { from, to } : { from: range.to, to: range.to };
}

/** A summary of nothing: what a target without rows in the range gets. */
export function emptySummary(): WindowSummary {
  return { checks: 0, up: 0, uptimePct: null, meanMs: null, p50Ms: null, p95Ms: null, p99Ms: null, maxMs: null, reasons: {} };
}

// The reasons array is indexed by failure_reasons.id: name the counts present.
function reasonsObject(sql: postgres.Sql, tables: RollupTables, column: postgres.Fragment): postgres.Fragment {
  return sql`(select coalesce(jsonb_object_agg(f.name, ${column}[f.id]), '{}'::jsonb) from ${tables.reasons} as f where ${column}[f.id] is not null)`;
}

function targetFilter(sql: postgres.Sql, tables: RollupTables, keys: readonly string[] | undefined): postgres.Fragment {
  return keys === undefined ? sql`` : sql`and target_id in (select id from ${tables.targets} where key = any(${sql.array([...keys])}::text[]))`;
}

/** The rollup rows of `range`: daily rows for its whole UTC days, hourly rows for the hours at its edges. */
function rangeRows(sql: postgres.Sql, tables: RollupTables, range: Range, keys: readonly string[] | undefined): postgres.Fragment {
  const days = wholeDays(range);
  const filter = targetFilter(sql, tables, keys);
  return sql`
      select target_id, checks, up, sum_ms, max_ms, bins, reasons from ${tables.daily}
      where bucket >= ${days.from} and bucket < ${days.to} ${filter}
      union all
      select target_id, checks, up, sum_ms, max_ms, bins, reasons from ${tables.hourly}
      where bucket >= ${range.from} and bucket < ${range.to} and not (bucket >= ${days.from} and bucket < ${days.to}) ${filter}`;
}

// The sketch comes as its counts from its first bin on: '2,,1' from 185 is {185: 2, 187: 1}.
const binsColumns = (sql: postgres.Sql, column: postgres.Fragment) => sql`array_lower(${column}, 1) as "binsFrom", array_to_string(${column}, ',', '') as bins`;

function parseBins(from: number | null, text: string): Counts {
  const bins: Counts = new Map();
  if (from === null) return bins;
  text.split(',').forEach((count, i) => {
    if (count !== '') bins.set(from + i, Number(count));
  });
  return bins;
}

const totalsOf = (row: TotalsRow): Totals => ({ checks: row.checks, up: row.up, sumMs: row.sumMs, maxMs: row.maxMs, bins: parseBins(row.binsFrom, row.bins), reasons: row.reasons ?? {} });

/**
 * A version of the rollup rows of `range` (of every target): their number and the sum of their
 * checks. Rows are only ever added to (every change of a row adds checks), so the version
 * changes whenever what the range holds does: a reader may keep what it computed from them.
 */
export async function rangeVersion(sql: postgres.Sql, tables: RollupTables, range: Range): Promise<string> {
  const [row] = await sql<{ version: string }[]>`select count(*) || ':' || coalesce(sum(checks), 0) as version from (${rangeRows(sql, tables, range, undefined)}) as r`;
  return row!.version;
}

/** The totals over `range` of the targets `keys` (every target when undefined), by target id; targets without rows are absent. */
export async function windowTotals(sql: postgres.Sql, tables: RollupTables, range: Range, keys?: readonly string[]): Promise<Map<string, Totals>> {
  const rows = await sql<TotalsRow[]>`
    with totals as (
      select target_id, sum(checks)::integer as checks, sum(up)::integer as up, sum(sum_ms)::double precision as sum_ms,
        max(max_ms)::double precision as max_ms, ${tables.countsSum}(bins) as bins, ${tables.countsSum}(reasons) as reasons
      from (${rangeRows(sql, tables, range, keys)}) as parts group by target_id
    )
    select t.key as target, x.checks, x.up, x.sum_ms as "sumMs", x.max_ms as "maxMs", ${binsColumns(sql, sql`x.bins`)},
      ${reasonsObject(sql, tables, sql`x.reasons`)} as reasons
    from totals as x join ${tables.targets} as t on t.id = x.target_id`;
  return new Map(rows.map((row) => [row.target, totalsOf(row)]));
}

/** The daily rows (one UTC day of one target each) whose bucket `where` selects (a condition on `r.bucket`), of the targets `keys` (every target when undefined). */
export async function dailyTotals(sql: postgres.Sql, tables: RollupTables, where: postgres.Fragment, keys?: readonly string[]): Promise<{ target: string; bucket: Date; totals: Totals }[]> {
  const rows = await sql<(TotalsRow & { bucket: Date })[]>`
    select t.key as target, r.bucket, r.checks, r.up, r.sum_ms as "sumMs", r.max_ms::double precision as "maxMs", ${binsColumns(sql, sql`r.bins`)},
      case when cardinality(r.reasons) = 0 then null else ${reasonsObject(sql, tables, sql`r.reasons`)} end as reasons
    from ${tables.daily} as r join ${tables.targets} as t on t.id = r.target_id
    where ${where} ${targetFilter(sql, tables, keys)}`;
  return rows.map((row) => ({ target: row.target, bucket: row.bucket, totals: totalsOf(row) }));
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

/** What the totals report: uptime, mean and quantiles (a bin's value, bounded by the exact maximum, which a bin's value may exceed). */
export function summaryOf(totals: Totals): WindowSummary {
  const { checks, up, maxMs } = totals;
  const [p50Ms, p95Ms, p99Ms] = sketchQuantiles(totals.bins, [0.5, 0.95, 0.99]).map((value) => (value === null || maxMs === null ? null : Math.min(value, maxMs)));
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

/** Reads one target's summary from the rollups. */
export async function querySummary(sql: postgres.Sql, tables: RollupTables, query: SummaryQuery): Promise<Summary> {
  const totals = (await windowTotals(sql, tables, query, [query.targetId])).get(query.targetId);
  const summary = totals === undefined ? emptySummary() : summaryOf(totals);
  const reasons = Object.fromEntries(failureReasons.map((reason) => [reason, summary.reasons[reason] ?? 0])) as Record<FailureReason, number>;
  return { targetId: query.targetId, from: query.from, to: query.to, ...summary, reasons };
}
