// Shared by the integration tests: results with reproducible random values, and reads of
// what the sink stored.
import type { CheckResult, FailureReason } from '@sitewatch/schema';
import { makeCheckResult } from '@sitewatch/schema/testing';
import type postgres from 'postgres';
import { seededRandom } from '../../../tools/testing/random.js';

// `blocked` (id 10) and `invalid_json` (12) put counts past revision 1.0's nine ids into the rollups' per-reason arrays.
const reasons: FailureReason[] = ['dns', 'connect', 'timeout', 'status', 'body_mismatch', 'blocked', 'assertion', 'invalid_json'];

/**
 * `count` results spread over `targets` targets and the `spanMs` after `start`, with
 * log-normally distributed response times (a long tail, like real sites) and about
 * `downRate` of them down for assorted reasons.
 */
export function makeResults(count: number, options: { start: Date; spanMs: number; targets?: number; seed?: number; downRate?: number }): CheckResult[] {
  const next = seededRandom(options.seed ?? 1);
  const targets = options.targets ?? 3;
  return Array.from({ length: count }, () => {
    const startedAt = new Date(options.start.getTime() + Math.floor(next() * options.spanMs)).toISOString();
    const target = Math.floor(next() * targets);
    // Box-Muller: a normal variate, then exp() for a log-normal around 80 ms.
    const normal = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    const responseTimeMs = Math.round(80 * Math.exp(0.8 * normal) * 1000) / 1000;
    const down = next() < (options.downRate ?? 0.05);
    return makeCheckResult({
      targetId: `target-${target}`,
      url: `https://site-${target}.test/`,
      startedAt,
      scheduledAt: startedAt,
      responseTimeMs,
      ...(down ? { outcome: 'down', reason: reasons[Math.floor(next() * reasons.length)]!, statusCode: 503, error: { code: 'HTTP_503', message: 'Service Unavailable' } } : {}),
    });
  });
}

/** Every rollup row of a schema, in a stable order, as text: to compare before and after. */
export async function rollupSnapshot(sql: postgres.Sql, schema = 'sitewatch'): Promise<string[]> {
  const rows = await sql<{ row: string }[]>`
    select 'h ' || r::text as row from ${sql(`${schema}.rollups_hourly`)} as r
    union all
    select 'd ' || r::text from ${sql(`${schema}.rollups_daily`)} as r
    order by 1`;
  return rows.map((r) => r.row);
}

/** How many raw rows a schema holds. */
export async function countResults(sql: postgres.Sql, schema = 'sitewatch'): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::integer as n from ${sql(`${schema}.check_results`)}`;
  return row!.n;
}
