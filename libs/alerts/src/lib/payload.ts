// What a notification says: the JSON body a webhook receives (written once into the outbox,
// so every attempt sends the same bytes), and the same facts as text for Slack and email.
import type { IncidentRecord } from './incident.js';

/** The kinds of notification. */
export type NotificationKind = 'down' | 'reminder' | 'resolved';

/** The body of a webhook request, version 1 (documented in the README). */
export interface NotificationPayload {
  version: 1;
  event: NotificationKind;
  target: string;
  url: string;
  incident: {
    id: number;
    /** The first failing check (ISO 8601). */
    openedAt: string;
    /** The first up check of the recovery; null until resolved. */
    resolvedAt: string | null;
    /** resolvedAt − openedAt when resolved; time open so far for a reminder; null for down. */
    durationMs: number | null;
    reason: string;
    statusCode: number | null;
    error: { code: string; message: string } | null;
    locations: string[];
    firstCheckId: string;
    lastCheckId: string;
    inMaintenance: boolean;
  };
  /** Number of the reminder (1, 2, ...); reminders only. */
  reminder?: number;
  /** alerts.statusPageUrl, when configured. */
  statusPageUrl?: string;
}

/** The payload of a notification about `incident`, made at `now`. */
export function notificationPayload(kind: NotificationKind, incident: IncidentRecord, context: { now: Date; reminder?: number; statusPageUrl?: string }): NotificationPayload {
  const durationMs =
    kind === 'resolved' && incident.resolvedAt ? incident.resolvedAt.getTime() - incident.openedAt.getTime() : kind === 'reminder' ? context.now.getTime() - incident.openedAt.getTime() : null;
  return {
    version: 1,
    event: kind,
    target: incident.target,
    url: incident.url,
    incident: {
      id: incident.id,
      openedAt: incident.openedAt.toISOString(),
      resolvedAt: incident.resolvedAt?.toISOString() ?? null,
      durationMs,
      reason: incident.reason,
      statusCode: incident.statusCode,
      error: incident.errorCode === null ? null : { code: incident.errorCode, message: incident.errorMessage ?? '' },
      locations: incident.locations,
      firstCheckId: incident.firstCheckId,
      lastCheckId: incident.lastCheckId,
      inMaintenance: incident.inMaintenance,
    },
    ...(context.reminder === undefined ? {} : { reminder: context.reminder }),
    ...(context.statusPageUrl === undefined ? {} : { statusPageUrl: context.statusPageUrl }),
  };
}

/** `1 d 4 h`, `2 h 5 min`, `12 min 30 s`, `45 s`: the two largest units. */
export function formatDuration(ms: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['min', 60_000],
    ['s', 1000],
  ];
  let rest = Math.max(0, Math.round(ms / 1000)) * 1000;
  const counts = units.map(([name, size]) => {
    const count = Math.floor(rest / size);
    rest -= count * size;
    return { name, count };
  });
  // From the largest unit present, two units; a zero second one is left out.
  const first = counts.findIndex((unit) => unit.count > 0);
  if (first < 0) return '0 s';
  return counts
    .slice(first, first + 2)
    .filter((unit) => unit.count > 0)
    .map((unit) => `${unit.count} ${unit.name}`)
    .join(' ');
}

/** `2026-11-27 10:03:00 UTC`. */
export function formatTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** What failed, in words: `timeout (ETIMEDOUT: timed out after 10 s)`, `status (HTTP 503)`. */
export function describeFailure(incident: NotificationPayload['incident']): string {
  const detail = [incident.statusCode === null ? '' : `HTTP ${incident.statusCode}`, incident.error ? `${incident.error.code}: ${incident.error.message}` : ''].filter(Boolean).join(', ');
  return detail ? `${incident.reason} (${detail})` : incident.reason;
}

/** A notification as a subject line and a few lines of text (Slack, email). */
export function describeNotification(payload: NotificationPayload): { subject: string; lines: string[] } {
  const { incident, target } = payload;
  const where = `from ${incident.locations.join(', ')}`;
  const since = `since ${formatTime(incident.openedAt)}`;
  const link = payload.statusPageUrl ? [`Status page: ${payload.statusPageUrl}`] : [];
  const ids = `Incident ${incident.id}; checks ${incident.firstCheckId} to ${incident.lastCheckId}.`;
  if (payload.event === 'resolved') {
    return {
      subject: `${target} is up again after ${formatDuration(incident.durationMs ?? 0)}`,
      lines: [`${target} (${payload.url}) is up again since ${formatTime(incident.resolvedAt!)}, down for ${formatDuration(incident.durationMs ?? 0)} (${since}).`, `It failed: ${describeFailure(incident)} ${where}.`, ids, ...link],
    };
  }
  const still = payload.event === 'reminder' ? `still down (for ${formatDuration(incident.durationMs ?? 0)}, reminder ${payload.reminder ?? 1})` : 'down';
  return {
    subject: `${target} is ${payload.event === 'reminder' ? 'still down' : 'down'}: ${incident.reason}`,
    lines: [`${target} (${payload.url}) is ${still} ${since}.`, `What failed: ${describeFailure(incident)} ${where}.`, ids, ...link],
  };
}
