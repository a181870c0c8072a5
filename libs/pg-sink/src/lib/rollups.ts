// Reading the rollups: uptime, response-time quantiles and failure reasons of one target
// over any range, from daily rows for the whole days in it and hourly rows for the hours
// at its edges. Raw rows are never read, so 90 days cost about 90 small rows.
import { failureReasons, type FailureReason } from '@sitewatch/schema';
import type postgres from 'postgres';
import { addDays, startOfUtcDay } from './partitions.js';
import { reasonIds } from './batch.js';
import { sketchAccuracy } from './sketch.js';

/**
 * Relative accuracy of the response-time quantiles: the rollups keep a log histogram
 * (DDSketch) whose bins are 2% wide, so a reported quantile is within 1% of the exact
 * nearest-rank quantile of the response times stored.
 */
export const quantileRelativeAccuracy = sketchAccuracy;

/** What `summary()` reports on. */
export interface SummaryQuery {
  /** The target id of the config (CheckResult.targetId). */
  targetId: string;
  /** Start of the range, inclusive; counted by whole hours (a bucket counts when it starts in the range). */
  from: Date;
  /** End of the range, exclusive. */
  to: Date;
}

/** A target's checks over a range. Response times are those of up checks. */
export interface Summary {
  targetId: string;
  from: Date;
  to: Date;
  /** Checks stored in the range. */
  checks: number;
  /** Of those, how many were up. */
  up: number;
  /** 100 * up / checks; null without checks. */
  uptimePct: number | null;
  /** Mean response time, ms; null without up checks. */
  meanMs: number | null;
  /** Median response time, ms (within 1%); null without up checks. */
  p50Ms: number | null;
  /** 95th percentile, ms (within 1%). */
  p95Ms: number | null;
  /** 99th percentile, ms (within 1%). */
  p99Ms: number | null;
  /** Slowest response time, ms (exact). */
  maxMs: number | null;
  /** Down checks per reason (every reason present, 0 when none). */
  reasons: Record<FailureReason, number>;
}

/** Schema-qualified identifiers the summary query uses. */
export interface SummaryTables {
  hourly: postgres.Helper<string>;
  daily: postgres.Helper<string>;
  countsSum: postgres.Helper<string>;
  sketchQuantile: postgres.Helper<string>;
}

interface SummaryRow {
  checks: number;
  up: number;
  sumMs: number;
  maxMs: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  reasonIds: number[] | string;
  reasonCounts: number[] | string;
}

/** The whole UTC days inside [from, to): [dayFrom, dayTo), empty when dayFrom >= dayTo. */
export function wholeDays(from: Date, to: Date): { dayFrom: Date; dayTo: Date } {
  const first = startOfUtcDay(from);
  const dayFrom = first.getTime() === from.getTime() ? first : addDays(first, 1);
  const dayTo = startOfUtcDay(to);
  return dayFrom < dayTo ? { dayFrom, dayTo } : { dayFrom: to, dayTo: to };
}

// Integer arrays come back parsed when the client fetched array types, as '{1,2}' otherwise.
function numbers(value: number[] | string): number[] {
  if (Array.isArray(value)) return value.map(Number);
  return value === '{}' ? [] : value.slice(1, -1).split(',').map(Number);
}

function reasonCounts(ids: number[], counts: number[]): Record<FailureReason, number> {
  const result = Object.fromEntries(failureReasons.map((reason) => [reason, 0])) as Record<FailureReason, number>;
  const byId = new Map(Object.entries(reasonIds).map(([reason, id]) => [id, reason as FailureReason]));
  ids.forEach((id, index) => {
    const reason = byId.get(id) ?? 'other';
    result[reason] += counts[index]!;
  });
  return result;
}

/** Reads one target's summary from the rollups (`targetKey` is its targets.id, undefined when unknown). */
export async function querySummary(sql: postgres.Sql, tables: SummaryTables, targetKey: number | undefined, query: SummaryQuery): Promise<Summary> {
  const { dayFrom, dayTo } = wholeDays(query.from, query.to);
  const [row] =
    targetKey === undefined
      ? []
      : await sql<SummaryRow[]>`
    with parts as (
      select checks, up, sum_ms, max_ms, bins, reasons
      from ${tables.daily} where target_id = ${targetKey} and bucket >= ${dayFrom} and bucket < ${dayTo}
      union all
      select checks, up, sum_ms, max_ms, bins, reasons
      from ${tables.hourly}
      where target_id = ${targetKey} and bucket >= ${query.from} and bucket < ${query.to}
        and not (bucket >= ${dayFrom} and bucket < ${dayTo})
    ),
    totals as (
      select coalesce(sum(checks), 0)::integer as checks, coalesce(sum(up), 0)::integer as up,
        coalesce(sum(sum_ms), 0)::double precision as sum_ms, max(max_ms)::double precision as max_ms,
        ${tables.countsSum}(bins) as bins, ${tables.countsSum}(reasons) as reasons
      from parts
    )
    select checks, up, sum_ms as "sumMs", max_ms as "maxMs",
      ${tables.sketchQuantile}(bins, 0.5) as p50,
      ${tables.sketchQuantile}(bins, 0.95) as p95,
      ${tables.sketchQuantile}(bins, 0.99) as p99,
      array(select k from generate_subscripts(reasons, 1) as k where reasons[k] is not null order by k) as "reasonIds",
      array(select reasons[k] from generate_subscripts(reasons, 1) as k where reasons[k] is not null order by k) as "reasonCounts"
    from totals`;
  const checks = row?.checks ?? 0;
  const up = row?.up ?? 0;
  const maxMs = row?.maxMs ?? null;
  // A bin's representative value may lie above the slowest value in it; the exact maximum bounds every quantile.
  const quantile = (value: number | null | undefined) => (value === null || value === undefined || maxMs === null ? null : Math.min(value, maxMs));
  return {
    targetId: query.targetId,
    from: query.from,
    to: query.to,
    checks,
    up,
    uptimePct: checks === 0 ? null : (100 * up) / checks,
    meanMs: up === 0 ? null : row!.sumMs / up,
    p50Ms: quantile(row?.p50),
    p95Ms: quantile(row?.p95),
    p99Ms: quantile(row?.p99),
    maxMs,
    reasons: reasonCounts(numbers(row?.reasonIds ?? []), numbers(row?.reasonCounts ?? [])),
  };
}
