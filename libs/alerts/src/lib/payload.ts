// What a notification says: the JSON body a webhook receives (written once into the outbox,
// so every attempt sends the same bytes); describe.ts says the same facts as text.
import type { CertificateNotice } from './certificates.js';
import type { IncidentRecord } from './incident.js';
import type { Phases, Slowness } from './location-state.js';

/** Events about an incident: the target down, degraded (up but slow), still so, or back. */
export type IncidentEvent = 'down' | 'reminder' | 'resolved' | 'degraded' | 'recovered';

/** Events about a target's TLS certificate. */
export type CertificateEvent = 'certificate_expiring' | 'certificate_expired' | 'certificate_renewed';

/** The kinds of notification. */
export type NotificationKind = IncidentEvent | CertificateEvent;

/** The phases of a check by the names a notification uses, in the order they happen. */
export const phaseNames = { dnsMs: 'dns', tcpMs: 'connect', tlsMs: 'tls', ttfbMs: 'first byte', downloadMs: 'download' } as const satisfies Record<keyof Phases, string>;

/** A slow check as a notification tells it. */
export interface SlowPayload extends Slowness {
  /** The phase that took longest (`dns`, `connect`, `tls`, `first byte`, `download`), null without phases. */
  slowestPhase: (typeof phaseNames)[keyof Phases] | null;
}

/** The body of a webhook request about an incident, version 1 (documented in the README). */
export interface IncidentPayload {
  version: 1;
  event: IncidentEvent;
  target: string;
  url: string;
  incident: {
    id: number;
    /** `down`, or `degraded` (up but slow). */
    kind: IncidentRecord['kind'];
    /** The first failing (degraded: slow) check (ISO 8601). */
    openedAt: string;
    /** The first up (degraded: fast) check of the recovery; null until resolved. */
    resolvedAt: string | null;
    /** resolvedAt − openedAt when resolved; time open so far for a reminder; null for down and degraded. */
    durationMs: number | null;
    /** The failure reason; `slow` for a degraded incident. */
    reason: string;
    statusCode: number | null;
    error: { code: string; message: string } | null;
    locations: string[];
    firstCheckId: string;
    lastCheckId: string;
    inMaintenance: boolean;
    /** When a degraded incident went down (its `down` event), else null. */
    escalatedAt: string | null;
    /** Its latest slow check, for a degraded incident (null for a down one). */
    slow: SlowPayload | null;
  };
  /** Number of the reminder (1, 2, ...); reminders only. */
  reminder?: number;
  /** alerts.statusPageUrl, when configured. */
  statusPageUrl?: string;
}

/** The body of a webhook request about a certificate, version 1 (no incident). */
export interface CertificatePayload {
  version: 1;
  event: CertificateEvent;
  target: string;
  url: string;
  certificate: {
    /** Its expiry (ISO 8601). */
    notAfter: string;
    /** Whole days from the check to expiry (negative once expired). */
    daysLeft: number;
    /** The warnDays threshold it came within (`certificate_expiring`), else null. */
    thresholdDays: number | null;
    /** The expiry of the certificate it replaced (`certificate_renewed`), else null. */
    previousNotAfter: string | null;
    /** The check that saw it, and from where. */
    checkId: string;
    location: string;
  };
  statusPageUrl?: string;
}

/** A webhook body: about an incident, or about a certificate (tell them apart by `event`). */
export type NotificationPayload = IncidentPayload | CertificatePayload;

/** Whether a payload is about an incident. */
export function isIncidentPayload(payload: NotificationPayload): payload is IncidentPayload {
  return 'incident' in payload;
}

/** A slow check with the phase that took longest. */
export function slowPayload(slow: Slowness): SlowPayload {
  const phases = Object.entries(slow.phases).filter((entry): entry is [keyof Phases, number] => typeof entry[1] === 'number');
  const slowest = phases.reduce<[keyof Phases, number] | null>((a, b) => (a === null || b[1] > a[1] ? b : a), null);
  return { ...slow, slowestPhase: slowest === null ? null : phaseNames[slowest[0]] };
}

const statusPage = (url: string | undefined) => (url === undefined ? {} : { statusPageUrl: url });

/** The payload of a notification about `incident`, made at `now`. */
export function notificationPayload(kind: IncidentEvent, incident: IncidentRecord, context: { now: Date; reminder?: number; statusPageUrl?: string }): IncidentPayload {
  const ended = kind === 'resolved' || kind === 'recovered';
  const durationMs = ended && incident.resolvedAt ? incident.resolvedAt.getTime() - incident.openedAt.getTime() : kind === 'reminder' ? context.now.getTime() - incident.openedAt.getTime() : null;
  return {
    version: 1,
    event: kind,
    target: incident.target,
    url: incident.url,
    incident: {
      id: incident.id,
      kind: incident.kind,
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
      escalatedAt: incident.escalatedAt?.toISOString() ?? null,
      slow: incident.slow === null ? null : slowPayload(incident.slow),
    },
    ...(context.reminder === undefined ? {} : { reminder: context.reminder }),
    ...statusPage(context.statusPageUrl),
  };
}

/** The payload of a certificate notice. */
export function certificatePayload(notice: CertificateNotice, target: { target: string; url: string }, context: { statusPageUrl?: string }): CertificatePayload {
  return {
    version: 1,
    event: `certificate_${notice.event}`,
    target: target.target,
    url: target.url,
    certificate: {
      notAfter: new Date(notice.notAfter).toISOString(),
      daysLeft: notice.daysLeft,
      thresholdDays: notice.event === 'expiring' ? notice.thresholdDays : null,
      previousNotAfter: notice.previousNotAfter === undefined ? null : new Date(notice.previousNotAfter).toISOString(),
      checkId: notice.check.checkId,
      location: notice.check.location,
    },
    ...statusPage(context.statusPageUrl),
  };
}
