// Evaluation in the sink's write transaction (pg-sink's onInserted hook): the results the
// insert took, grouped by target; each target's row locked, its location states and open
// incident read, the state machine run, the new states written, each transition written as
// an incident change plus one outbox notification with a delivery per channel (incident-writes.ts),
// and the certificate the latest https check saw noticed. All of it commits with the results
// or not at all, so a transition or a notice is recorded exactly once.
import type { InsertedHook } from '@sitewatch/pg-sink';
import { toSinkError } from '@sitewatch/pg-sink';
import type { CheckResult, Logger } from '@sitewatch/schema';
import type postgres from 'postgres';
import { AlertsError } from './errors.js';
import type { CertificateCheck } from './certificates.js';
import { evaluateTarget, type Check, type Failure, type IncidentDraft, type LocationState, type TargetState } from './evaluate.js';
import { incidentColumns, type IncidentRecord } from './incident.js';
import { batchWrites, changed } from './incident-writes.js';
import { toState, type LocationRow } from './location-rows.js';
import type { RelativeVerdict } from './relative-slow.js';
import type { Rule, Rules } from './rules.js';
import type { Tables } from './tables.js';

/** What the evaluation needs. */
export interface EvaluationContext {
  tables: Tables;
  rules: Rules;
  statusPageUrl?: string;
  now: () => Date;
  log: Logger;
  /** Resolves once the alerts tables are migrated (rejects with a retriable error until then). */
  ready: () => Promise<void>;
  /** A batch whose evaluation failed for a reason retrying cannot fix: its results are stored, its alerts skipped. */
  onSkipped: (error: unknown, results: number) => void;
}

/** A target's alert row, as each evaluation locks and reads it. */
interface TargetRow {
  target: string;
  openIncident: number | null;
  relativeSlow: RelativeVerdict | null;
  certificateNotAfter: Date | null;
  certificateNotice: number | null;
}

const present = <T extends object>(value: T | undefined) => (value === undefined ? {} : value);

/** A result as the state machine's check: slow when up and over `slowMs`, or while the relative rule holds for the target. */
function toCheck(result: CheckResult, rule: Rule, relative: RelativeVerdict | null): Check {
  const base = { id: result.id.toLowerCase(), location: result.probeId, at: Date.parse(result.startedAt), up: result.outcome === 'up' };
  if (result.outcome === 'down') {
    return { ...base, failure: { reason: result.reason ?? 'other', ...present(result.statusCode === undefined ? undefined : { statusCode: result.statusCode }), ...present(result.error ? { error: result.error } : undefined) } };
  }
  const responseTimeMs = result.responseTimeMs;
  const phases = result.phases;
  if (rule.slowMs !== undefined && responseTimeMs > rule.slowMs) return { ...base, slow: { responseTimeMs, limitMs: rule.slowMs, rule: 'absolute', phases } };
  if (relative !== null && rule.slowFactor !== undefined) {
    return { ...base, slow: { responseTimeMs, limitMs: relative.limitMs, rule: 'relative', phases, recentP95Ms: relative.recentP95Ms, baselineP95Ms: relative.baselineP95Ms } };
  }
  return base;
}

/** An open incident row as the state machine's draft. */
export function toDraft(row: IncidentRecord): IncidentDraft {
  const failure: Failure = {
    reason: row.reason,
    ...present(row.statusCode === null ? undefined : { statusCode: row.statusCode }),
    ...present(row.errorCode === null ? undefined : { error: { code: row.errorCode, message: row.errorMessage ?? '' } }),
  };
  return {
    kind: row.kind,
    openedAt: row.openedAt.getTime(),
    firstCheckId: row.firstCheckId,
    lastCheckId: row.lastCheckId,
    locations: row.locations,
    ...(row.kind === 'down' ? { failure } : present(row.slow === null ? undefined : { slow: row.slow })),
    ...present(row.escalatedAt === null ? undefined : { escalatedAt: row.escalatedAt.getTime() }),
  };
}

/** The latest https check of a batch that the state machine took (newer than its location's last check), as a certificate check. */
function latestCertificate(results: readonly CheckResult[], before: readonly LocationState[]): CertificateCheck | undefined {
  const lastAt = new Map(before.map((l) => [l.location, l.lastAt]));
  let latest: CertificateCheck | undefined;
  for (const result of results) {
    if (result.tlsNotAfter === undefined) continue;
    const at = Date.parse(result.startedAt);
    if (at <= (lastAt.get(result.probeId) ?? Number.NEGATIVE_INFINITY) || (latest !== undefined && at <= latest.at)) continue;
    latest = { checkId: result.id.toLowerCase(), location: result.probeId, at, notAfter: Date.parse(result.tlsNotAfter) };
  }
  return latest;
}

/** Locks the targets' rows in one order, so writers of the same targets take turns; creates the missing ones (never deleted: after that, locking rewrites no row). */
async function lockTargets(tx: postgres.TransactionSql, t: Tables, targets: readonly string[]): Promise<Map<string, TargetRow>> {
  const lock = () =>
    tx<TargetRow[]>`
      select target, open_incident::float8 as "openIncident", relative_slow as "relativeSlow", certificate_not_after as "certificateNotAfter", certificate_notice as "certificateNotice"
      from ${t.targets} where target = any(${targets as string[]}::text[]) order by target for update`;
  let locked = await lock();
  if (locked.length < targets.length) {
    const found = new Set(locked.map((row) => row.target));
    await tx`insert into ${t.targets} (target) select unnest(${targets.filter((target) => !found.has(target))}::text[]) order by 1 on conflict (target) do nothing`;
    locked = await lock();
  }
  return new Map(locked.map((row) => [row.target, row]));
}

/** The evaluation of one batch, in its transaction. */
async function evaluateBatch(tx: postgres.TransactionSql, context: EvaluationContext, results: readonly CheckResult[]): Promise<void> {
  const { tables: t } = context;
  const byTarget = new Map<string, { url: string; results: CheckResult[] }>();
  for (const result of results) {
    const entry = byTarget.get(result.targetId) ?? { url: result.url, results: [] };
    entry.url = result.url;
    entry.results.push(result);
    byTarget.set(result.targetId, entry);
  }
  const targets = [...byTarget.keys()].sort();
  const locked = await lockTargets(tx, t, targets);
  const openIds = [...locked.values()].flatMap((row) => (row.openIncident === null ? [] : [row.openIncident]));
  const [locationRows, openRows] = await Promise.all([
    tx<LocationRow[]>`select ${tx.unsafe(t.locationColumns)} from ${t.locations} where target = any(${targets}::text[])`,
    openIds.length === 0 ? Promise.resolve([] as IncidentRecord[]) : tx<IncidentRecord[]>`select ${tx.unsafe(incidentColumns)} from ${t.incidents} where id = any(${openIds}::bigint[])`,
  ]);
  const rowsByTarget = new Map<string, LocationRow[]>();
  for (const row of locationRows) {
    const own = rowsByTarget.get(row.target);
    if (own === undefined) rowsByTarget.set(row.target, [row]);
    else own.push(row);
  }
  const openByTarget = new Map(openRows.map((incident) => [incident.target, incident]));
  const writes = batchWrites(tx, context);
  for (const target of targets) {
    const row = locked.get(target)!;
    const openRow = openByTarget.get(target);
    const state: TargetState = { locations: (rowsByTarget.get(target) ?? []).map(toState), open: openRow ? toDraft(openRow) : null };
    const rule = context.rules.ruleFor(target);
    const { url, results: own } = byTarget.get(target)!;
    const next = evaluateTarget(rule, state, own.map((result) => toCheck(result, rule, row.relativeSlow)));
    writes.moved(target, state.locations, next.locations);
    if (next.transitions.length > 0 || changed(state.open, next.open)) await writes.target({ target, url, rule, openId: openRow?.id ?? null, transitions: next.transitions, open: next.open });
    const certificate = rule.certificateWarnDays.length === 0 ? undefined : latestCertificate(own, state.locations);
    if (certificate !== undefined) {
      await writes.certificates({ target, url, rule }, { notAfter: row.certificateNotAfter?.getTime() ?? null, notice: row.certificateNotice }, certificate);
    }
  }
  await writes.flushLocations();
}

/**
 * The sink's onInserted hook. Evaluation runs under a savepoint: a failure retrying may fix
 * (a lost connection, a deadlock, two writers racing) fails the write, which is retried; any
 * other (a bug) is rolled back alone, logged and counted, and the results are stored all the same.
 */
export function createEvaluation(context: EvaluationContext): InsertedHook {
  return async (tx, inserted) => {
    await context.ready();
    try {
      // tx.savepoint, not savepoint statements of our own: postgres.js fails the whole
      // transaction at its end for any statement that failed in its scope, caught or not.
      await tx.savepoint(async (sp) => {
        try {
          await evaluateBatch(sp, context, inserted);
        } catch (error) {
          // The connection is gone: no "rollback to" on it (porsager/postgres#1154, see
          // pg-sink's transaction.ts); postgres.js rejects the transaction when it closes.
          if (toSinkError(error, 'ERR_SINK_WRITE', 'evaluating alerts').code === 'ERR_SINK_CONNECTION') return new Promise<never>(() => undefined);
          throw error;
        }
      });
    } catch (error) {
      if (toSinkError(error, 'ERR_SINK_WRITE', 'evaluating alerts').retriable) throw error;
      if ((error as { code?: unknown }).code === '23505') {
        throw new AlertsError('ERR_ALERTS_CONFLICT', 'another writer evaluated the same target at the same time: the batch is written again', { cause: error, retriable: true });
      }
      context.onSkipped(error, inserted.length);
    }
  };
}
