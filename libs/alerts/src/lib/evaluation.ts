// Evaluation in the sink's write transaction (pg-sink's onInserted hook): the results the
// insert took, grouped by target; each target's row locked, its location states and open
// incident read, the state machine run, the new states written, and each transition written
// as an incident change plus one outbox notification with a delivery per channel. All of it
// commits with the results or not at all, so a transition is recorded exactly once.
import type { InsertedHook } from '@sitewatch/pg-sink';
import { toSinkError } from '@sitewatch/pg-sink';
import type { CheckResult, Logger } from '@sitewatch/schema';
import type postgres from 'postgres';
import { AlertsError } from './errors.js';
import { evaluateTarget, type Check, type IncidentDraft, type LocationState, type TargetState, type Transition } from './evaluate.js';
import { incidentColumns, type IncidentRecord } from './incident.js';
import { notificationPayload, type NotificationKind } from './payload.js';
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

interface LocationRow {
  target: string;
  location: string;
  failing: boolean;
  failures: number;
  successes: number;
  streakStartedAt: Date;
  streakFirstCheckId: string;
  failingSince: Date | null;
  failingSinceCheckId: string | null;
  lastAt: Date;
  lastCheckId: string;
  intervalMs: number | null;
  lastFailure: { at: number; checkId: string; failure: Check['failure'] & object } | null;
}

function toState(row: LocationRow): LocationState {
  return {
    location: row.location,
    failing: row.failing,
    failures: row.failures,
    successes: row.successes,
    streakStartedAt: row.streakStartedAt.getTime(),
    streakFirstCheckId: row.streakFirstCheckId,
    failingSince: row.failingSince === null ? null : { at: row.failingSince.getTime(), checkId: row.failingSinceCheckId! },
    lastAt: row.lastAt.getTime(),
    lastCheckId: row.lastCheckId,
    intervalMs: row.intervalMs,
    lastFailure: row.lastFailure,
  };
}

function toRow(target: string, state: LocationState): Record<string, unknown> {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    target,
    location: state.location,
    failing: state.failing,
    failures: state.failures,
    successes: state.successes,
    streak_started_at: iso(state.streakStartedAt),
    streak_first_check_id: state.streakFirstCheckId,
    failing_since: state.failingSince && iso(state.failingSince.at),
    failing_since_check_id: state.failingSince?.checkId ?? null,
    last_at: iso(state.lastAt),
    last_check_id: state.lastCheckId,
    interval_ms: state.intervalMs,
    last_failure: state.lastFailure,
  };
}

function toCheck(result: CheckResult): Check {
  const failure = result.outcome === 'down' ? { reason: result.reason ?? 'other', ...(result.statusCode === undefined ? {} : { statusCode: result.statusCode }), ...(result.error ? { error: result.error } : {}) } : undefined;
  return { id: result.id.toLowerCase(), location: result.probeId, at: Date.parse(result.startedAt), up: result.outcome === 'up', ...(failure ? { failure } : {}) };
}

/** An open incident row as the state machine's draft. */
export function toDraft(row: IncidentRecord): IncidentDraft {
  return {
    openedAt: row.openedAt.getTime(),
    firstCheckId: row.firstCheckId,
    lastCheckId: row.lastCheckId,
    locations: row.locations,
    failure: {
      reason: row.reason,
      ...(row.statusCode === null ? {} : { statusCode: row.statusCode }),
      ...(row.errorCode === null ? {} : { error: { code: row.errorCode, message: row.errorMessage ?? '' } }),
    },
  };
}

/** The evaluation of one batch, in its transaction. */
async function evaluateBatch(tx: postgres.TransactionSql, context: EvaluationContext, results: readonly CheckResult[]): Promise<void> {
  const { tables: t } = context;
  const byTarget = new Map<string, { url: string; checks: Check[] }>();
  for (const result of results) {
    const entry = byTarget.get(result.targetId) ?? { url: result.url, checks: [] };
    entry.url = result.url;
    entry.checks.push(toCheck(result));
    byTarget.set(result.targetId, entry);
  }
  const targets = [...byTarget.keys()].sort();
  // Lock the targets' rows in one order, so writers of the same targets take turns. A row is
  // created the first time its target is seen (and never deleted): after that, locking
  // rewrites no row.
  const lock = () =>
    tx<{ target: string; openIncident: number | null }[]>`
      select target, open_incident::float8 as "openIncident" from ${t.targets} where target = any(${targets}::text[]) order by target for update`;
  let locked = await lock();
  if (locked.length < targets.length) {
    const found = new Set(locked.map((row) => row.target));
    await tx`insert into ${t.targets} (target) select unnest(${targets.filter((target) => !found.has(target))}::text[]) order by 1 on conflict (target) do nothing`;
    locked = await lock();
  }
  const openIds = locked.flatMap((row) => (row.openIncident === null ? [] : [row.openIncident]));
  const [locationRows, openRows] = await Promise.all([
    tx<LocationRow[]>`select ${tx.unsafe(t.locationColumns)} from ${t.locations} where target = any(${targets}::text[])`,
    openIds.length === 0 ? Promise.resolve([] as IncidentRecord[]) : tx<IncidentRecord[]>`select ${tx.unsafe(incidentColumns)} from ${t.incidents} where id = any(${openIds}::bigint[])`,
  ]);
  const rowsByTarget = new Map<string, LocationRow[]>();
  for (const row of locationRows) rowsByTarget.set(row.target, [...(rowsByTarget.get(row.target) ?? []), row]);
  const writes = batchWrites(tx, context);
  for (const target of targets) {
    const openRow = openRows.find((row) => row.target === target);
    const state: TargetState = { locations: (rowsByTarget.get(target) ?? []).map(toState), open: openRow ? toDraft(openRow) : null };
    const rule = context.rules.ruleFor(target);
    const { url, checks } = byTarget.get(target)!;
    const next = evaluateTarget(rule, state, checks);
    const before = new Map(state.locations.map((l) => [l.location, l.lastCheckId]));
    writes.locations.push(...next.locations.filter((l) => before.get(l.location) !== l.lastCheckId).map((l) => toRow(target, l)));
    if (next.transitions.length > 0 || changed(state.open, next.open)) await writes.target({ target, url, rule, openId: openRow?.id ?? null, transitions: next.transitions, open: next.open });
  }
  await writes.flushLocations();
}

/** Whether an open incident's last failing check or locations moved. */
function changed(before: IncidentDraft | null, after: IncidentDraft | null): boolean {
  return before !== null && after !== null && (after.lastCheckId !== before.lastCheckId || after.locations.join() !== before.locations.join());
}

/** What the evaluation of one target changed. */
interface TargetOutcome {
  target: string;
  url: string;
  rule: Rule;
  /** Its open incident before the batch. */
  openId: number | null;
  transitions: Transition[];
  /** Its open incident after the batch. */
  open: IncidentDraft | null;
}

/** The writes of one batch's evaluation: location states at the end, in one statement; transitions as they come. */
function batchWrites(tx: postgres.TransactionSql, context: EvaluationContext) {
  const t = context.tables;
  const locations: Record<string, unknown>[] = [];

  async function flushLocations(): Promise<void> {
    if (locations.length === 0) return;
    await tx`
      insert into ${t.locations} (${tx.unsafe(t.locationList)})
      select * from jsonb_to_recordset(${tx.json(locations as postgres.JSONValue)}::jsonb) as given (${tx.unsafe(t.locationTypes)})
      order by target, location
      on conflict (target, location) do update set ${tx.unsafe(t.locationUpdates)}`;
  }

  /** A target's transitions in order, then its open incident's last failing check and locations. */
  async function target(outcome: TargetOutcome): Promise<void> {
    let current = outcome.openId;
    for (const transition of outcome.transitions) {
      if (transition.kind === 'open') current = await open(outcome, transition.incident, transition.at);
      else await resolve(outcome, current!, transition.incident, transition.resolvedAt, transition.at);
      if (transition.kind === 'resolve') current = null;
    }
    // Still open: store how far it got (unless just opened as it ends).
    const last = outcome.transitions.at(-1);
    if (outcome.open !== null && (last === undefined || changed(last.incident, outcome.open))) {
      await tx`update ${t.incidents} set last_check_id = ${outcome.open.lastCheckId}, locations = ${outcome.open.locations}::text[] where id = ${current}`;
    }
  }

  async function open({ target, url, rule }: TargetOutcome, draft: IncidentDraft, at: number): Promise<number> {
    const now = context.now();
    // Opened inside a maintenance window: recorded and marked, its "down" held back (see the notifier).
    const inMaintenance = context.rules.maintenanceEnd(target, at) !== undefined;
    const remindAt = !inMaintenance && rule.remindEveryMs !== undefined ? new Date(now.getTime() + rule.remindEveryMs) : null;
    const [incident] = await tx<IncidentRecord[]>`
      insert into ${t.incidents} (target, url, opened_at, reason, status_code, error_code, error_message, locations, first_check_id, last_check_id, in_maintenance, notified_at, next_reminder_at)
      values (${target}, ${url}, ${new Date(draft.openedAt)}, ${draft.failure.reason}, ${draft.failure.statusCode ?? null}, ${draft.failure.error?.code ?? null},
        ${draft.failure.error?.message ?? null}, ${draft.locations}::text[], ${draft.firstCheckId}, ${draft.lastCheckId}, ${inMaintenance}, ${inMaintenance ? null : now}, ${remindAt})
      returning ${tx.unsafe(incidentColumns)}`;
    await notify(incident!, 'down', inMaintenance ? [] : rule.channels, now, now);
    await tx`update ${t.targets} set open_incident = ${incident!.id} where target = ${target}`;
    return incident!.id;
  }

  async function resolve({ target, rule }: TargetOutcome, id: number, draft: IncidentDraft, resolvedAt: number, at: number): Promise<void> {
    const now = context.now();
    const [incident] = await tx<(IncidentRecord & { notified: boolean })[]>`
      update ${t.incidents} set resolved_at = ${new Date(resolvedAt)}, last_check_id = ${draft.lastCheckId}, locations = ${draft.locations}::text[], next_reminder_at = null
      where id = ${id}
      returning ${tx.unsafe(incidentColumns)}, notified_at is not null as notified`;
    // Nothing was sent about an incident held back by maintenance: nothing to close either.
    // Inside a window, the "resolved" waits for its end.
    const windowEnd = context.rules.maintenanceEnd(target, at);
    const deliverAt = windowEnd === undefined ? now : new Date(Math.max(now.getTime(), windowEnd));
    await notify(incident!, 'resolved', incident!.notified ? rule.channels : [], now, deliverAt);
    await tx`update ${t.targets} set open_incident = null where target = ${target}`;
  }

  /** One outbox row, and a delivery per channel due at `deliverAt`. */
  function notify(incident: IncidentRecord, kind: NotificationKind, channels: readonly string[], now: Date, deliverAt: Date): Promise<void> {
    const payload = notificationPayload(kind, incident, { now, ...(context.statusPageUrl ? { statusPageUrl: context.statusPageUrl } : {}) });
    return insertNotification(tx, t, incident, kind, payload, channels, deliverAt);
  }

  return { locations, flushLocations, target };
}

/** Writes a notification and its deliveries (one per channel, due at `deliverAt`). */
export async function insertNotification(
  tx: postgres.TransactionSql,
  t: Tables,
  incident: IncidentRecord,
  kind: NotificationKind,
  payload: object,
  channels: readonly string[],
  deliverAt: Date,
): Promise<void> {
  await tx`
    with notification as (
      insert into ${t.notifications} (incident_id, target, kind, payload) values (${incident.id}, ${incident.target}, ${kind}, ${tx.json(payload as postgres.JSONValue)}::json) returning id
    )
    insert into ${t.deliveries} (notification_id, channel, next_attempt_at)
    select notification.id, channel, ${deliverAt} from notification, unnest(${channels as string[]}::text[]) as channel`;
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
