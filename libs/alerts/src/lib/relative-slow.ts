// The relative rule: a target is slow while the p95 of its response times over the current and
// the previous hour is above `slowFactor` × its p95 over the 7 UTC days before today, both read from the rollups'
// sketches (no raw row is read). The notifier's housekeeping refreshes the verdicts every
// minute and stores them on the targets' alert rows, which every write evaluating a target
// reads (locked): while a verdict holds, the target's up checks count as slow, and the
// location thresholds and the quorum apply to them as to checks over `slowMs`.
import { summaryOf, windowTotals, type RollupTables, type Totals } from '@sitewatch/pg-sink';
import type postgres from 'postgres';
import type { Rules } from './rules.js';
import type { Tables } from './tables.js';

/** The rule's constants. */
export const relativeRule = {
  /** The recent window: the current hour and the one before (60 to 120 minutes). */
  recentHours: 2,
  /** The baseline: the whole UTC days before today. */
  baselineDays: 7,
  /** Up checks the recent window needs before it is judged. */
  minRecentChecks: 20,
  /** Up checks the baseline needs before it is a baseline. */
  minBaselineChecks: 100,
  /** How often the verdicts are refreshed, ms. */
  refreshMs: 60_000,
} as const;

/** A target found slow against its own past (stored as alert_targets.relative_slow). */
export interface RelativeVerdict {
  /** When it was first found slow (ISO 8601). */
  since: string;
  recentP95Ms: number;
  baselineP95Ms: number;
  /** slowFactor × baselineP95Ms: the limit the recent p95 is over. */
  limitMs: number;
}

const hourMs = 3_600_000;
const dayMs = 86_400_000;

/** The verdict of one target from its recent and baseline totals, or null (not slow, or not enough checks to say). */
export function relativeVerdict(recent: Totals | undefined, baseline: Totals | undefined, factor: number, now: Date, previous: RelativeVerdict | null): RelativeVerdict | null {
  if (recent === undefined || baseline === undefined || recent.up < relativeRule.minRecentChecks || baseline.up < relativeRule.minBaselineChecks) return null;
  const recentP95Ms = summaryOf(recent).p95Ms;
  const baselineP95Ms = summaryOf(baseline).p95Ms;
  if (recentP95Ms === null || baselineP95Ms === null || recentP95Ms <= factor * baselineP95Ms) return null;
  return { since: previous?.since ?? now.toISOString(), recentP95Ms, baselineP95Ms, limitMs: factor * baselineP95Ms };
}

/** The refresh of the verdicts: see the file's comment. */
export function createRelativeSlowness(context: { sql: postgres.Sql; schema: string; tables: Tables; rules: Rules; now: () => Date }) {
  const { sql, tables: t } = context;
  const q = (name: string) => sql(`${context.schema}.${name}`);
  const rollups: RollupTables = { targets: q('targets'), reasons: q('failure_reasons'), hourly: q('rollups_hourly'), daily: q('rollups_daily'), countsSum: q('counts_sum') };
  let baseline: { day: number; totals: Map<string, Totals> } | undefined;
  let refreshedAt = Number.NEGATIVE_INFINITY;

  /** The baseline of every target, read once per UTC day. */
  async function baselineOf(now: Date): Promise<Map<string, Totals>> {
    const day = Math.floor(now.getTime() / dayMs) * dayMs;
    if (baseline?.day !== day) baseline = { day, totals: await windowTotals(sql, rollups, { from: new Date(day - relativeRule.baselineDays * dayMs), to: new Date(day) }) };
    return baseline.totals;
  }

  /** Refreshes the verdicts when a minute has passed since the last refresh; returns whether it ran. */
  async function refresh(): Promise<boolean> {
    const now = context.now();
    if (now.getTime() - refreshedAt < relativeRule.refreshMs) return false;
    refreshedAt = now.getTime();
    const stored = await sql<{ target: string; verdict: RelativeVerdict | null }[]>`select target, relative_slow as verdict from ${t.targets}`;
    const factors = new Map(stored.flatMap(({ target }) => {
      const factor = context.rules.ruleFor(target).slowFactor;
      return factor === undefined ? [] : [[target, factor] as const];
    }));
    const changed: { target: string; verdict: RelativeVerdict | null }[] = [];
    if (factors.size > 0) {
      const hour = Math.floor(now.getTime() / hourMs) * hourMs;
      const recent = await windowTotals(sql, rollups, { from: new Date(hour - (relativeRule.recentHours - 1) * hourMs), to: now }, [...factors.keys()]);
      const base = await baselineOf(now);
      for (const { target, verdict } of stored) {
        const factor = factors.get(target);
        const next = factor === undefined ? null : relativeVerdict(recent.get(target), base.get(target), factor, now, verdict);
        if ((next === null) !== (verdict === null)) changed.push({ target, verdict: next });
      }
    } else {
      changed.push(...stored.filter((row) => row.verdict !== null).map(({ target }) => ({ target, verdict: null })));
    }
    for (const { target, verdict } of changed) await sql`update ${t.targets} set relative_slow = ${verdict === null ? null : sql.json(verdict as unknown as postgres.JSONValue)} where target = ${target}`;
    return true;
  }

  return { refresh };
}
