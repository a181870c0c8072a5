// Deliveries made to order for the channels' tests: each event of an incident (down, degraded,
// escalated, reminders, their ends) and of a certificate, as the notifier hands them over.
import { randomUUID } from 'node:crypto';
import type { Delivery } from '../src/lib/channels/channel.js';
import type { IncidentRecord } from '../src/lib/incident.js';
import { certificatePayload, notificationPayload, type IncidentEvent } from '../src/lib/payload.js';

/** A down incident of `shop`, open since 10:03, from two locations. */
export const incident: IncidentRecord = {
  id: 42,
  kind: 'down',
  target: 'shop',
  url: 'https://shop.test/',
  openedAt: new Date('2026-11-27T10:03:00Z'),
  resolvedAt: null,
  reason: 'timeout',
  statusCode: null,
  errorCode: 'ETIMEDOUT',
  errorMessage: 'no answer within 10 s',
  locations: ['eu-west', 'us-east'],
  firstCheckId: '019a0000-0000-7000-8000-000000000001',
  lastCheckId: '019a0000-0000-7000-8000-000000000009',
  inMaintenance: false,
  escalatedAt: null,
  slow: null,
};

/** The same incident degraded (up but slow, mostly waiting for the first byte). */
export const degraded: IncidentRecord = {
  ...incident,
  kind: 'degraded',
  reason: 'slow',
  errorCode: null,
  errorMessage: null,
  slow: { responseTimeMs: 8020, limitMs: 2000, rule: 'absolute', phases: { dnsMs: 1, tcpMs: 1, ttfbMs: 7900, downloadMs: 118 } },
};

const statusPageUrl = 'https://status.example.test/';

const keyed = (payload: Delivery['payload']): Delivery => ({ idempotencyKey: randomUUID(), payload, body: JSON.stringify(payload), attempt: 1 });

/** A delivery of an incident's event (resolved and recovered ones end at 11:15:30). */
export function incidentDelivery(event: IncidentEvent, record: IncidentRecord = incident): Delivery {
  const ended = event === 'resolved' || event === 'recovered';
  const changed = ended ? { ...record, resolvedAt: new Date('2026-11-27T11:15:30Z') } : record;
  return keyed(notificationPayload(event, changed, { now: new Date('2026-11-27T10:33:00Z'), statusPageUrl, ...(event === 'reminder' ? { reminder: 1 } : {}) }));
}

/** The "down" of a degraded incident (`id`) gone down at 10:20. */
export function escalatedDelivery(id = incident.id): Delivery {
  return incidentDelivery('down', { ...incident, id, escalatedAt: new Date('2026-11-27T10:20:00Z'), slow: null });
}

const notAfter = Date.parse('2026-12-07T00:00:00Z');
const check = { checkId: '019a0000-0000-7000-8000-00000000000a', location: 'eu-west', at: Date.parse('2026-11-27T10:00:00Z'), notAfter };

/** A delivery of a certificate notice of `shop` (a renewed one replaces the certificate expiring on 7 December). */
export function certificateDelivery(event: 'expiring' | 'expired' | 'renewed'): Delivery {
  const notice =
    event === 'renewed'
      ? { event, notAfter: Date.parse('2027-03-07T00:00:00Z'), thresholdDays: 0, daysLeft: 100, previousNotAfter: notAfter, check }
      : { event, notAfter, thresholdDays: event === 'expiring' ? 14 : 0, daysLeft: event === 'expiring' ? 9 : -1, check };
  return keyed(certificatePayload(notice, { target: 'shop', url: 'https://shop.test/' }, { statusPageUrl }));
}
