// A notification in words, for the channels that show text (Slack, email, chat tools): a
// subject line and a few lines, the same facts as the webhook's JSON.
import { isIncidentPayload, type CertificatePayload, type IncidentPayload, type NotificationPayload, type SlowPayload } from './payload.js';

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

const ms = (value: number) => `${Math.round(value).toLocaleString('en-US')} ms`;

/** What failed, in words: `timeout (ETIMEDOUT: timed out after 10 s)`, `status (HTTP 503)`. */
export function describeFailure(incident: IncidentPayload['incident']): string {
  const detail = [incident.statusCode === null ? '' : `HTTP ${incident.statusCode}`, incident.error ? `${incident.error.code}: ${incident.error.message}` : ''].filter(Boolean).join(', ');
  return detail ? `${incident.reason} (${detail})` : incident.reason;
}

/** How slow, in words: `8,020 ms against a limit of 2,000 ms, mostly first byte (7,900 ms)`. */
export function describeSlowness(slow: SlowPayload): string {
  const rule = slow.rule === 'relative' ? `the usual (${ms(slow.limitMs)}: its hour's p95 is over slowFactor × its 7-day p95)` : `a limit of ${ms(slow.limitMs)}`;
  const phase = slow.slowestPhase === null ? '' : `, mostly ${slow.slowestPhase} (${ms(Object.entries(slow.phases).reduce((a, [, v]) => Math.max(a, v ?? 0), 0))})`;
  return `${ms(slow.responseTimeMs)} against ${rule}${phase}`;
}

function describeIncident(payload: IncidentPayload): { subject: string; lines: string[] } {
  const { incident, target } = payload;
  const where = `from ${incident.locations.join(', ')}`;
  const since = `since ${formatTime(incident.openedAt)}`;
  const link = payload.statusPageUrl ? [`Status page: ${payload.statusPageUrl}`] : [];
  const ids = `Incident ${incident.id}; checks ${incident.firstCheckId} to ${incident.lastCheckId}.`;
  const duration = formatDuration(incident.durationMs ?? 0);
  const slow = incident.slow === null ? '' : describeSlowness(incident.slow);
  // Down after being slow: said once, in the down notification.
  const escalated = incident.escalatedAt === null ? '' : ` (slow since ${formatTime(incident.openedAt)}, down since ${formatTime(incident.escalatedAt)})`;
  switch (payload.event) {
    case 'resolved':
      return {
        subject: `${target} is up again after ${duration}`,
        lines: [`${target} (${payload.url}) is up again since ${formatTime(incident.resolvedAt!)}, down for ${duration} (${since}).`, `It failed: ${describeFailure(incident)} ${where}.`, ids, ...link],
      };
    case 'recovered':
      return {
        subject: `${target} is fast again after ${duration}`,
        lines: [`${target} (${payload.url}) is fast again since ${formatTime(incident.resolvedAt!)}, slow for ${duration} (${since}).`, `It was slow: ${slow} ${where}.`, ids, ...link],
      };
    case 'degraded':
      return { subject: `${target} is slow: ${ms(incident.slow?.responseTimeMs ?? 0)}`, lines: [`${target} (${payload.url}) is up but slow ${since}.`, `How slow: ${slow} ${where}.`, ids, ...link] };
    case 'reminder':
      if (incident.kind === 'degraded') {
        return {
          subject: `${target} is still slow`,
          lines: [`${target} (${payload.url}) is still slow (for ${duration}, reminder ${payload.reminder ?? 1}) ${since}.`, `How slow: ${slow} ${where}.`, ids, ...link],
        };
      }
      return {
        subject: `${target} is still down: ${incident.reason}`,
        lines: [`${target} (${payload.url}) is still down (for ${duration}, reminder ${payload.reminder ?? 1}) ${since}${escalated}.`, `What failed: ${describeFailure(incident)} ${where}.`, ids, ...link],
      };
    case 'down':
      return {
        subject: `${target} is down: ${incident.reason}`,
        lines: [`${target} (${payload.url}) is down ${incident.escalatedAt === null ? since : `since ${formatTime(incident.escalatedAt)}, after being slow since ${formatTime(incident.openedAt)}`}.`, `What failed: ${describeFailure(incident)} ${where}.`, ids, ...link],
      };
  }
}

function describeCertificate(payload: CertificatePayload): { subject: string; lines: string[] } {
  const { certificate: c, target } = payload;
  const link = payload.statusPageUrl ? [`Status page: ${payload.statusPageUrl}`] : [];
  const seen = `Seen by check ${c.checkId} from ${c.location}.`;
  const on = formatTime(c.notAfter);
  switch (payload.event) {
    case 'certificate_expiring':
      return { subject: `${target}'s certificate expires in ${c.daysLeft} days`, lines: [`The TLS certificate of ${target} (${payload.url}) expires on ${on}, in ${c.daysLeft} days (notice at ${c.thresholdDays} days).`, seen, ...link] };
    case 'certificate_expired':
      return { subject: `${target}'s certificate has expired`, lines: [`The TLS certificate of ${target} (${payload.url}) expired on ${on}.`, seen, ...link] };
    case 'certificate_renewed':
      return { subject: `${target}'s certificate was renewed`, lines: [`${target} (${payload.url}) has a new TLS certificate, valid until ${on} (the previous one expires on ${formatTime(c.previousNotAfter!)}).`, seen, ...link] };
  }
}

/** A notification as a subject line and a few lines of text (Slack, email, chat). */
export function describeNotification(payload: NotificationPayload): { subject: string; lines: string[] } {
  return isIncidentPayload(payload) ? describeIncident(payload) : describeCertificate(payload);
}
