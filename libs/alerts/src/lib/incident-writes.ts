// The writes of one batch's evaluation, in its transaction: the location states (at the end,
// in one statement), each transition of a target as an incident change plus one outbox
// notification with a delivery per channel, and certificate notices (each keyed, so sent once).
import type postgres from 'postgres';
import { certificateNotices, type CertificateCheck, type CertificateState } from './certificates.js';
import type { IncidentDraft, Transition } from './evaluate.js';
import { incidentColumns, type IncidentRecord } from './incident.js';
import { toRow, unpaced } from './location-rows.js';
import type { LocationState } from './location-state.js';
import { certificatePayload, notificationPayload, type IncidentEvent, type NotificationKind } from './payload.js';
import type { Rule, Rules } from './rules.js';
import type { Tables } from './tables.js';

/** What the writes need of the evaluation's context. */
export interface WriteContext {
  tables: Tables;
  rules: Rules;
  statusPageUrl?: string;
  now: () => Date;
}

/** What the evaluation of one target changed. */
export interface TargetOutcome {
  target: string;
  url: string;
  rule: Rule;
  /** Its open incident before the batch. */
  openId: number | null;
  transitions: Transition[];
  /** Its open incident after the batch. */
  open: IncidentDraft | null;
}

/** Whether an open incident's latest check, locations or slowness moved. */
export function changed(before: IncidentDraft | null, after: IncidentDraft | null): boolean {
  return before !== null && after !== null && (after.lastCheckId !== before.lastCheckId || after.locations.join() !== before.locations.join());
}

const json = (tx: postgres.TransactionSql, value: object | undefined | null) => (value == null ? null : tx.json(value as postgres.JSONValue));

/** Writes a notification and its deliveries (one per channel, due at `deliverAt`); returns the notification's id. */
export async function insertNotification(
  tx: postgres.TransactionSql,
  t: Tables,
  about: { incidentId: number | null; target: string },
  kind: NotificationKind,
  payload: object,
  channels: readonly string[],
  deliverAt: Date,
): Promise<number> {
  const [row] = await tx<{ id: number }[]>`
    with notification as (
      insert into ${t.notifications} (incident_id, target, kind, payload) values (${about.incidentId}, ${about.target}, ${kind}, ${tx.json(payload as postgres.JSONValue)}::json) returning id
    ), deliveries as (
      insert into ${t.deliveries} (notification_id, channel, next_attempt_at)
      select notification.id, channel, ${deliverAt} from notification, unnest(${channels as string[]}::text[]) as channel
    )
    select id::float8 as id from notification`;
  return row!.id;
}

/** The writes of one batch. */
export function batchWrites(tx: postgres.TransactionSql, context: WriteContext) {
  const t = context.tables;
  // Rows to write with every column, and rows without a degraded state before or after (unpaced).
  const locations = { all: [] as Record<string, unknown>[], unpaced: [] as Record<string, unknown>[] };
  const statusPage = context.statusPageUrl === undefined ? {} : { statusPageUrl: context.statusPageUrl };
  /** When a notification decided at `at` goes out: now, or at the end of a maintenance window holding `at`. */
  const deliverAt = (target: string, at: number, now: Date) => new Date(Math.max(now.getTime(), context.rules.maintenanceEnd(target, at) ?? 0));

  async function flushLocations(): Promise<void> {
    for (const shape of ['all', 'unpaced'] as const) {
      const rows = locations[shape];
      const write = t.locationWrites[shape];
      if (rows.length === 0) continue;
      await tx`
        insert into ${t.locations} (${tx.unsafe(write.list)})
        select ${tx.unsafe(write.values)} from jsonb_to_recordset(${tx.json(rows as postgres.JSONValue)}::jsonb) as given (${tx.unsafe(write.types)})
        order by target, location
        on conflict (target, location) do update set ${tx.unsafe(write.updates)}`;
    }
  }

  /** A target's transitions in order, then how far its open incident got. */
  async function target(outcome: TargetOutcome): Promise<void> {
    let current = outcome.openId;
    for (const transition of outcome.transitions) {
      if (transition.kind === 'open') current = await open(outcome, transition.incident, transition.at);
      else if (transition.kind === 'escalate') await escalate(outcome, current!, transition.incident, transition.at);
      else {
        await resolve(outcome, current!, transition.incident, transition.resolvedAt, transition.at);
        current = null;
      }
    }
    // Still open: store how far it got (unless just changed as it ends).
    const last = outcome.transitions.at(-1);
    const draft = outcome.open;
    if (draft !== null && (last === undefined || changed(last.incident, draft))) {
      const slow = draft.kind === 'degraded' ? tx`, slow = ${json(tx, draft.slow)}` : tx``;
      await tx`update ${t.incidents} set last_check_id = ${draft.lastCheckId}, locations = ${draft.locations}::text[] ${slow} where id = ${current}`;
    }
  }

  async function open({ target, url, rule }: TargetOutcome, draft: IncidentDraft, at: number): Promise<number> {
    const now = context.now();
    // Opened inside a maintenance window: recorded and marked, its notification held back (see the notifier).
    const inMaintenance = context.rules.maintenanceEnd(target, at) !== undefined;
    const remindAt = !inMaintenance && rule.remindEveryMs !== undefined ? new Date(now.getTime() + rule.remindEveryMs) : null;
    const failure = draft.failure;
    const [incident] = await tx<IncidentRecord[]>`
      insert into ${t.incidents} (kind, target, url, opened_at, reason, status_code, error_code, error_message, locations, first_check_id, last_check_id, slow, in_maintenance, notified_at, next_reminder_at)
      values (${draft.kind}, ${target}, ${url}, ${new Date(draft.openedAt)}, ${failure?.reason ?? 'slow'}, ${failure?.statusCode ?? null}, ${failure?.error?.code ?? null},
        ${failure?.error?.message ?? null}, ${draft.locations}::text[], ${draft.firstCheckId}, ${draft.lastCheckId}, ${json(tx, draft.slow)}, ${inMaintenance}, ${inMaintenance ? null : now}, ${remindAt})
      returning ${tx.unsafe(incidentColumns)}`;
    await notify(incident!, draft.kind, inMaintenance ? [] : rule.channels, now, now);
    await tx`update ${t.targets} set open_incident = ${incident!.id} where target = ${target}`;
    return incident!.id;
  }

  /** A degraded incident gone down: the same incident, now down, and its `down` (held to a window's end, or back with a held `degraded`). */
  async function escalate({ target, rule }: TargetOutcome, id: number, draft: IncidentDraft, at: number): Promise<void> {
    const now = context.now();
    const failure = draft.failure!;
    const [incident] = await tx<(IncidentRecord & { notified: boolean })[]>`
      update ${t.incidents} set kind = 'down', escalated_at = ${new Date(draft.escalatedAt!)}, reason = ${failure.reason}, status_code = ${failure.statusCode ?? null},
        error_code = ${failure.error?.code ?? null}, error_message = ${failure.error?.message ?? null}, last_check_id = ${draft.lastCheckId}, locations = ${draft.locations}::text[]
      where id = ${id}
      returning ${tx.unsafe(incidentColumns)}, notified_at is not null as notified`;
    await notify(incident!, 'down', incident!.notified ? rule.channels : [], now, deliverAt(target, at, now));
  }

  async function resolve({ target, rule }: TargetOutcome, id: number, draft: IncidentDraft, resolvedAt: number, at: number): Promise<void> {
    const now = context.now();
    const [incident] = await tx<(IncidentRecord & { notified: boolean })[]>`
      update ${t.incidents} set resolved_at = ${new Date(resolvedAt)}, last_check_id = ${draft.lastCheckId}, locations = ${draft.locations}::text[], next_reminder_at = null
      where id = ${id}
      returning ${tx.unsafe(incidentColumns)}, notified_at is not null as notified`;
    // Nothing was sent about an incident held back by maintenance: nothing to close either.
    // Inside a window, the end waits for the window's end.
    await notify(incident!, draft.kind === 'down' ? 'resolved' : 'recovered', incident!.notified ? rule.channels : [], now, deliverAt(target, at, now));
    await tx`update ${t.targets} set open_incident = null where target = ${target}`;
  }

  /** One outbox row about an incident, and a delivery per channel due at `at`. */
  async function notify(incident: IncidentRecord, kind: IncidentEvent, channels: readonly string[], now: Date, at: Date): Promise<void> {
    const payload = notificationPayload(kind, incident, { now, ...statusPage });
    await insertNotification(tx, t, { incidentId: incident.id, target: incident.target }, kind, payload, channels, at);
  }

  /** The certificate notices a target's latest https check calls for, each sent once (its key in certificate_notices); remembers the certificate. */
  async function certificates(about: { target: string; url: string; rule: Rule }, state: CertificateState, check: CertificateCheck): Promise<void> {
    const next = certificateNotices(state, check, about.rule.certificateWarnDays);
    const now = context.now();
    for (const notice of next.notices) {
      const [fresh] = await tx`
        insert into ${t.certificateNotices} (target, not_after, event, threshold_days) values (${about.target}, ${new Date(notice.notAfter)}, ${notice.event}, ${notice.thresholdDays})
        on conflict do nothing returning 1`;
      if (fresh === undefined) continue;
      const payload = certificatePayload(notice, about, statusPage);
      const id = await insertNotification(tx, t, { incidentId: null, target: about.target }, payload.event, payload, about.rule.channels, deliverAt(about.target, check.at, now));
      await tx`update ${t.certificateNotices} set notification_id = ${id} where target = ${about.target} and not_after = ${new Date(notice.notAfter)} and event = ${notice.event} and threshold_days = ${notice.thresholdDays}`;
    }
    if (next.state.notAfter !== state.notAfter || next.state.notice !== state.notice) {
      await tx`update ${t.targets} set certificate_not_after = ${new Date(next.state.notAfter!)}, certificate_notice = ${next.state.notice} where target = ${about.target}`;
    }
  }

  /** Queues the location states to write at the end (those a check moved). */
  function moved(target: string, before: readonly LocationState[], after: readonly LocationState[]): void {
    const previous = new Map(before.map((l) => [l.location, l]));
    for (const state of after) {
      const was = previous.get(state.location);
      if (was?.lastCheckId === state.lastCheckId) continue;
      const paced = !unpaced(was) || !unpaced(state);
      locations[paced ? 'all' : 'unpaced'].push(toRow(target, state, paced));
    }
  }

  return { moved, flushLocations, target, certificates };
}
